"""Issue 20, review round: mistakes caught before they are committed, in every place the same kind can occur —
figures typed with separators or units, records that would hide or rewrite facts, single-line fields with
pasted line breaks, unit and leader names, IDs and dates as input methods type them, and the terminal table
and prompts at an office PC's width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.indicators import figure_error, parse_figure
from yilan_cli.periods import parse_day

from .conftest import git

ZB3 = "ledgers/zhuanban/ZB-003.yaml"
NEW = "ledgers/zhuanban/ZB-004.yaml"


def run(root: Path, *args: str, **kw: Any) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False, **kw)


def add(root: Path, *extra: str) -> Any:
    return run(root, "add", "ZB", "--title", "农村户厕改造", "--lead-unit", "县农业农村局", "--deadline", "年底",
               "--assigned", "2022-07-01", *extra)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


# ------------------------------------------------------------------ figures typed on the command line
@pytest.mark.parametrize(("typed", "expected"), [
    ("1200户", (1200.0, "户")),
    ("2,000户", (2000.0, "户")),
    ("２，０００户", (2000.0, "户")),  # full width, as an input method types it
    ("1,234,567.5元", (1234567.5, "元")),
    ("1200 户", (1200.0, "户")),
    ("6.5%", (6.5, "%")),
    ("6.5％", (6.5, "%")),
    ("-2%", (-2.0, "%")),
    ("1.2万亩", (1.2, "万亩")),
    ("35", (35.0, "")),
    ("1e3吨", None),  # never read as 1 with the unit "e3吨"
    ("2,00户", None),  # not a thousands separator: never 2 with the unit ",00户"
    ("1,2345", None),
    ("1.2.3", None),
    ("约1200户", None),
    ("", None),
    ("9" * 400, None),  # beyond a float
    ("1_000户", None), ("0x10户", None), ("5.亩", None), ("3e", None), ("3E", None), ("2e5", None),
    ("12km", (12.0, "km")), ("5 t/h", (5.0, "t/h")), ("30℃", (30.0, "℃")), ("5 m³", (5.0, "m³")),
    ("100m2", (100.0, "m2")), ("20‰", (20.0, "‰")), ("5户/年", (5.0, "户/年")),
])
def test_a_typed_figure_is_a_number_and_its_unit_or_nothing(typed: str, expected: Any) -> None:
    assert parse_figure(typed) == expected


@pytest.mark.parametrize(("kind", "number", "target", "refused"), [
    ("数量", 0, True, True), ("数量", -1, True, True), ("数量", 1, True, False),
    ("数量", 0, False, False), ("数量", -5, False, True),
    ("越低越好", 0, True, False), ("越低越好", -1, True, True), ("越低越好", -1, False, True),
    ("增速", -2.5, True, False), ("比率", -3, False, False), (None, 0, True, True),
])
def test_which_figures_an_indicator_type_takes(kind: str | None, number: float, target: bool, refused: bool) -> None:
    assert (figure_error(kind, number, target=target) is not None) is refused


def test_add_reads_a_thousands_separator_and_refuses_what_it_cannot_read(git_demo: Path) -> None:
    r = add(git_demo, "--indicator", "户厕改造=2,000户")
    assert r.exit_code == 0, r.output
    assert "  - {名称: 户厕改造, 单位: 户, 目标: 2000}\n" in (git_demo / NEW).read_text(encoding="utf-8")
    before = head(git_demo)
    for typed, code in (("户厕改造=1e3户", "E212"), ("户厕改造=0户", "E216"), ("户厕改造=-5户", "E216"),
                        ("安全事故=-1起:越低越好", "E216")):
        r = add(git_demo, "--indicator", typed)
        assert r.exit_code == 2 and f"[{code}]" in r.stderr, (typed, r.output)
        assert head(git_demo) == before and not (git_demo / "ledgers/zhuanban/ZB-005.yaml").exists()
    # the same figures through edit --add-indicator (a second place of the same kind)
    r = run(git_demo, "edit", "ZB-003", "--add-indicator", "出栏肉牛=1e3头", "--reason", "补录")
    assert r.exit_code == 2 and "[E212]" in r.stderr and head(git_demo) == before


def test_update_takes_the_indicators_unit_and_refuses_another_or_a_negative_count(git_demo: Path) -> None:
    text = (git_demo / ZB3).read_text(encoding="utf-8")
    before = head(git_demo)
    for typed, code in (("年底存栏肉牛=4100吨", "E215"), ("年底存栏肉牛=-3头", "E216"), ("年底存栏肉牛=4e3", "E212")):
        r = run(git_demo, "update", "ZB-003", "--indicator", typed, "--date", "2022-12-01", "--status", "推进中",
                "--note", "核对")
        assert r.exit_code == 2 and f"[{code}]" in r.stderr, (typed, r.output)
        assert head(git_demo) == before and (git_demo / ZB3).read_text(encoding="utf-8") == text
    r = run(git_demo, "update", "ZB-003", "--indicator", "年底存栏肉牛=4,100头", "--date", "2022-12-01",
            "--status", "推进中", "--note", "补栏")
    assert r.exit_code == 0, r.output
    entry = [x for x in (git_demo / ZB3).read_text(encoding="utf-8").splitlines() if "2022-12-01" in x]
    assert len(entry) == 1 and "指标: {年底存栏肉牛: 4100}" in entry[0]


def test_a_negative_count_in_a_fill_in_sheet_is_a_row_error_not_a_stored_value(git_demo: Path) -> None:
    """The same kind through import: edits.update refuses the figure (E216), so the row is reported."""
    from yilan_cli import edits
    from yilan_cli.errors import UsageError
    from yilan_cli.models import Matter
    from yilan_cli.yamlio import fast_load, positioned_load

    text = (git_demo / ZB3).read_text(encoding="utf-8")
    matter = Matter.model_validate(fast_load(text))
    with pytest.raises(UsageError) as e:
        edits.update(positioned_load(text), matter, matter.updates[-1].date, progress=None, note="x", problem=None,
                     next_steps=None, indicators={"年底存栏肉牛": -4.0}, milestones={}, state="推进中", reporter=None)
    assert e.value.code == "E216"


# ------------------------------------------------------------------ records that would hide or rewrite facts
def test_withdraw_refuses_a_finished_matter_and_a_date_before_recorded_progress(git_demo: Path) -> None:
    before = head(git_demo)
    r = run(git_demo, "withdraw", "ZB-003", "--reason", "误录", "--approved-by", "常务副县长", "--date", "2022-12-01")
    assert r.exit_code == 2 and "[E343]" in r.stderr and "已办结" in r.stderr  # ZB-003 is 已办结
    last = git(git_demo, "log", "-1", "--format=%s", "--", "ledgers/zhuanban/ZB-001.yaml")
    assert last
    text = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
    dates = [line.split("日期: ")[1][:10] for line in text.splitlines() if "{日期: " in line]
    r = run(git_demo, "withdraw", "ZB-001", "--reason", "误录", "--approved-by", "常务副县长", "--date", "2022-03-01")
    assert r.exit_code == 2 and "[E340]" in r.stderr and f"最后一条进展的日期{dates[-1]}" in r.stderr
    assert head(git_demo) == before


def test_edit_refuses_a_signed_off_matter_and_corrects_a_finished_one(git_demo: Path) -> None:
    signed = next(p for p in sorted((git_demo / "ledgers").rglob("*.yaml")) if "状态: 已销号" in p.read_text("utf-8"))
    before = head(git_demo)
    r = run(git_demo, "edit", signed.stem, "--owner", "张某", "--reason", "核对")
    assert r.exit_code == 2 and "[E343]" in r.stderr and "--status 推进中" in r.stderr
    assert head(git_demo) == before
    r = run(git_demo, "edit", "ZB-003", "--owner", "张某", "--reason", "补录责任人")  # 已办结, not yet 销号
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------------ single-line fields and names
def test_a_pasted_line_break_never_splits_a_title_or_a_commit_subject(git_demo: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "农村户厕\n改造", "--lead-unit", "县农业农村局", "--deadline", "年底",
            "--assigned", "2022-07-01", "--owner", " 张某\r\n", "--co-unit", "县水务局\n")
    assert r.exit_code == 0, r.output
    text = (git_demo / NEW).read_text(encoding="utf-8")
    assert "事项: 农村户厕 改造\n" in text and "责任人: 张某\n" in text and "配合单位: [县水务局]\n" in text
    assert git(git_demo, "log", "-1", "--format=%s").strip() == "新增 ZB-004 农村户厕 改造"
    r = run(git_demo, "edit", "ZB-004", "--title", "农村\n户厕改造", "--reason", "更正\n名称")
    assert r.exit_code == 0, r.output
    assert "事项: 农村 户厕改造\n" in (git_demo / NEW).read_text(encoding="utf-8")
    assert "\n" not in git(git_demo, "log", "-1", "--format=%s").strip()


def test_the_lead_unit_is_not_also_a_co_unit_and_short_names_are_resolved(git_demo: Path) -> None:
    before = head(git_demo)
    r = add(git_demo, "--co-unit", "农业农村局")
    assert r.exit_code == 2 and "[E336]" in r.stderr and "县农业农村局 是牵头单位" in r.stderr
    assert head(git_demo) == before
    r = add(git_demo, "--co-unit", "水务局", "--co-unit", "各乡镇", "--co-unit", "县水务局")
    assert r.exit_code == 0, r.output
    assert "配合单位: [县水务局, 各乡镇]\n" in (git_demo / NEW).read_text(encoding="utf-8")
    # edit: a new lead unit that is already a co-unit (the second place of the kind)
    r = run(git_demo, "edit", "ZB-004", "--lead-unit", "水务局", "--reason", "核对")
    assert r.exit_code == 2 and "[E336]" in r.stderr


def test_a_leader_is_checked_against_the_register_when_written(git_demo: Path) -> None:
    before = head(git_demo)
    r = add(git_demo, "--leader", "长务副县长")
    assert r.exit_code == 2 and "[E327]" in r.stderr and "常务副县长" in r.stderr and "people.yaml" in r.stderr
    r = add(git_demo, "--leader", "分管副县长")  # two people answer to it: no leader's report would include it
    assert r.exit_code == 2 and "[E328]" in r.stderr
    r = run(git_demo, "edit", "ZB-003", "--leader", "长务副县长", "--reason", "核对")
    assert r.exit_code == 2 and "[E327]" in r.stderr
    assert head(git_demo) == before
    r = add(git_demo, "--leader", "常务副县长")
    assert r.exit_code == 0, r.output
    assert "牵头领导: [常务副县长]\n" in (git_demo / NEW).read_text(encoding="utf-8")


def test_a_failed_add_names_no_file_that_was_never_written(git_demo: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "x", "--lead-unit", "县不存在局", "--deadline", "年底",
            "--assigned", "2022-07-01")
    assert r.exit_code == 2 and "[E305]" in r.stderr and "未新增" in r.stderr
    assert "ZB-004" not in r.stderr and not (git_demo / NEW).exists()


# ------------------------------------------------------------------ what users type for IDs, dates, units
@pytest.mark.parametrize(("typed", "expected"), [
    ("２０２２－０９－３０", "2022-09-30"), ("２０２２年９月３０日", "2022-09-30"), ("2022/9/30", "2022-09-30"),
    ("９月底", "2022-09-30"),
])
def test_full_width_dates_read_as_dates(typed: str, expected: str) -> None:
    from datetime import date

    assert parse_day(typed, date(2022, 6, 1)).isoformat() == expected


def test_ids_task_forces_and_dates_as_input_methods_type_them(git_demo: Path) -> None:
    r = run(git_demo, "show", "zb_3", "--today", "2022-12-31")
    assert r.exit_code == 0 and r.stdout.startswith("ZB-003 "), r.output
    r = add(git_demo, "--task-force", "tf6", "--milestone", "完成招标=２０２２－０８－３１")
    assert r.exit_code == 0, r.output
    text = (git_demo / NEW).read_text(encoding="utf-8")
    assert "专班: 乡村振兴工作专班\n" in text and "{名称: 完成招标, 时限: 2022-08-31}" in text
    r = run(git_demo, "status", "--task-force", "ＴＦ－６", "--today", "2022-12-31", "--all")
    assert r.exit_code == 0 and "ZB-004" in r.stdout, r.output


def test_status_unit_takes_a_group_word(git_demo: Path) -> None:
    r = run(git_demo, "status", "--unit", "各乡镇", "--today", "2022-12-31", "--all", "--format", "json")
    assert r.exit_code == 0, r.output
    import json

    from yilan_cli.store import load_ledgers
    from yilan_cli.workspace import load as load_workspace

    ws = load_workspace(git_demo)
    towns = {u for u, g in ws.units.items() if g == "乡镇"}
    expected = {r.id for r in load_ledgers(ws).records
                if r.lead_unit in towns or set(r.co_units) & (towns | {"各乡镇", "乡镇"})}
    shown = {m["id"] for m in json.loads(r.stdout)["matters"]}
    assert shown == expected and any(r.startswith("SHW") for r in shown)  # led by 县委宣传部, 各乡镇 co-operate
    r = run(git_demo, "status", "--unit", "各乡", "--today", "2022-12-31")
    assert r.exit_code == 2 and "[E327]" in r.stderr and "各乡镇" in r.stderr


@pytest.mark.parametrize(("args", "code"), [
    (["status", "--light", "紫", "--today", "2022-12-31"], "C004"),
    (["status", "--format", "pdf", "--today", "2022-12-31"], "C004"),
    (["update", "ZB-001", "--note", "x", "--date", "2022-13-45"], "E204"),
    (["update", "ZB-001", "--note", "x", "--date", "2022-02-30"], "E204"),
    (["update", "ZB-001", "--note", "x", "--date", "明天"], "E203"),
    (["report", "2022Q5", "--today", "2022-12-31"], "E501"),
])
def test_refusals_carry_a_code(git_demo: Path, args: list[str], code: str) -> None:
    r = run(git_demo, *args)
    assert r.exit_code == 2 and r.stderr.startswith(f"错误[{code}]") and "E000" not in r.stderr, r.output


def test_outside_a_workspace_the_code_is_u008(tmp_path: Path) -> None:
    r = run(tmp_path, "status")
    assert r.exit_code == 2 and r.stderr.startswith("错误[U008]")


# ------------------------------------------------------------------ the terminal
def test_the_status_table_keeps_ids_and_dates_whole_at_80_columns(git_demo: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = run(git_demo, "status", "--today", "2022-09-30")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    import re

    from yilan_cli.workspace import load as load_workspace

    ids = {p.stem for p in (git_demo / "ledgers").rglob("*.yaml")}
    shown = re.findall(r"● \S+ +(\S+) .*?(\d{4}-\d{2}-\d{2}|长期)", r.stdout)
    assert shown and all(i in ids for i, _ in shown), shown  # every row's ID and date on its first line, whole
    assert load_workspace(git_demo)


def test_undo_without_an_answer_is_no_and_exits_1(git_demo: Path) -> None:
    r = run(git_demo, "update", "ZB-001", "--note", "巡查", "--date", "2022-12-01")
    assert r.exit_code == 0, r.output
    before = head(git_demo)
    r = run(git_demo, "undo", input="")  # stdin closed, as in a script
    assert r.exit_code == 1 and "--yes" in r.stdout and "未撤销" in r.stdout
    assert head(git_demo) == before


# ------------------------------------------------------------------ targets set later never reach past views
def test_a_milestone_or_indicator_set_later_leaves_earlier_circulars_unchanged(git_demo: Path) -> None:
    before = {p: run(git_demo, *p.split()).stdout for p in (
        "report 2022Q2 --today 2022-07-05", "status --today 2022-06-30 --all", "show ZB-001 --today 2022-06-30",
        "show ZB-002 --today 2022-06-30", "check --today 2022-06-30")}
    r = run(git_demo, "update", "ZB-001", "--add-milestone", "完成规划评审=2022-10-31", "--add-indicator",
            "游客接待量=50万人次", "--date", "2022-09-30")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "edit", "ZB-002", "--add-indicator", "签约额=50亿元", "--add-milestone", "签约仪式=11月15日",
            "--date", "2022-09-20", "--reason", "县政府常务会议增加要求")
    assert r.exit_code == 0, r.output
    text = (git_demo / "ledgers/zhuanban/ZB-002.yaml").read_text(encoding="utf-8")
    assert "{名称: 签约额, 单位: 亿元, 目标: 50, 设立日期: 2022-09-20}" in text
    assert "{名称: 签约仪式, 时限: 2022-11-15, 设立日期: 2022-09-20}" in text
    for args, out in before.items():
        assert run(git_demo, *args.split()).stdout == out, args
    # and from the day they were set, they count
    r = run(git_demo, "show", "ZB-002", "--today", "2022-12-31")
    assert "签约额" in r.stdout and "签约仪式" in r.stdout
    r = run(git_demo, "status", "ZB", "--today", "2022-11-20", "--format", "json")
    assert r.exit_code == 0
    assert run(git_demo, "audit").exit_code == 0


def test_a_deadline_without_a_year_is_the_next_such_day(git_demo: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "冬季供暖", "--lead-unit", "县住建局", "--deadline", "3月31日",
            "--assigned", "2022-12-01", "--milestone", "完成调试=1月底")
    assert r.exit_code == 0, r.output
    text = (git_demo / NEW).read_text(encoding="utf-8")
    assert "完成时限: 2023-03-31\n" in text and "{名称: 完成调试, 时限: 2023-01-31}" in text
    before = head(git_demo)
    for milestone in ("验收=2022-11-01", "验收=2023-05-01"):  # before 交办, after 完成时限
        r = run(git_demo, "update", "ZB-004", "--add-milestone", milestone, "--date", "2022-12-05")
        assert r.exit_code == 2 and "[E337]" in r.stderr, r.output
    r = run(git_demo, "update", "ZB-004", "--add-milestone", "验收=3月20日", "--date", "2022-11-20")
    assert r.exit_code == 2 and "[E312]" in r.stderr  # before 交办
    assert head(git_demo) == before


def test_an_entry_cannot_report_an_indicator_before_it_was_set(git_demo: Path) -> None:
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    text = path.read_text(encoding="utf-8")
    r = run(git_demo, "update", "ZB-001", "--add-indicator", "游客接待量=50万人次", "--date", "2022-09-30")
    assert r.exit_code == 0, r.output
    changed = path.read_text(encoding="utf-8")
    first = next(line for line in changed.splitlines() if line.startswith("  - {日期: "))
    path.write_text(changed.replace(first, first.replace("进度:", "指标: {游客接待量: 3}, 进度:", 1)), encoding="utf-8")
    r = run(git_demo, "check", "--today", "2022-12-31")
    assert "错误[E338]" in r.stdout and "游客接待量" in r.stdout
    assert text != changed


# ------------------------------------------------------------------ the audit trail sees what an edit never does
def test_a_hand_commit_posing_as_an_edit_is_tamper(git_demo: Path) -> None:
    zb2, xw2 = git_demo / "ledgers/zhuanban/ZB-002.yaml", git_demo / "ledgers/xian/XW-002.yaml"
    text = zb2.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  - {名称: ") and "目标" in x)
    zb2.write_text(text.replace(line, line + "\n  - {名称: 签约额, 单位: 亿元, 目标: 50, 完成: 50}", 1), encoding="utf-8")
    other = xw2.read_text(encoding="utf-8")
    step = next(x for x in other.splitlines() if x.startswith("  - {名称: ") and "时限" in x)
    xw2.write_text(other.replace(step, step + "\n  - {名称: 编制方案, 时限: 2022-04-30, 完成日期: 2022-04-20}", 1),
                   encoding="utf-8")
    git(git_demo, "commit", "-qam", "更正 ZB-002 补录", "-m", "Yilan-Action: edit\nYilan-Matter: ZB-002")
    r = run(git_demo, "audit")
    assert r.exit_code == 1, r.output
    lines = [x for x in r.stdout.splitlines() if "【操作不符】" in x]
    assert any("ZB-002" in x and "签约额" in x for x in lines), r.stdout  # an indicator added with a result
    assert any("XW-002" in x and "写明的事项是ZB-002" in x for x in lines), r.stdout  # a matter it does not name
    # and the same change made by yilan passes: set on a day after the last report, without results
    git(git_demo, "reset", "-q", "--hard", "HEAD~1")
    r = run(git_demo, "edit", "ZB-002", "--add-indicator", "签约额=50亿元", "--date", "2022-12-01", "--reason", "补录")
    assert r.exit_code == 0, r.output
    assert run(git_demo, "audit").exit_code == 0


def test_an_indicator_backdated_by_hand_is_shown_to_leaders(git_demo: Path) -> None:
    """Added under an update trailer but counting from 交办 (no 设立日期): past circulars change — a notice."""
    zb1 = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    text = zb1.read_text(encoding="utf-8")
    zb1.write_text(text.replace("节点:\n", "节点:\n  - {名称: 完成规划评审, 时限: 2022-05-31}\n", 1)
                   if "节点:\n" in text else text + "节点:\n  - {名称: 完成规划评审, 时限: 2022-05-31}\n", encoding="utf-8")
    git(git_demo, "commit", "-qam", "更新 ZB-001", "-m", "Yilan-Action: update\nYilan-Matter: ZB-001")
    r = run(git_demo, "audit")
    assert "【补设较早的指标或节点】ZB-001" in r.stdout, r.stdout


# ------------------------------------------------------------------ a sensitive field never reaches the record
def test_correcting_a_sensitive_field_names_nobody_in_the_commit_history_diff_or_site(git_demo: Path,
                                                                                      tmp_path: Path) -> None:
    base = head(git_demo)
    r = run(git_demo, "edit", "XF-001", "--set", "信访人=王某某等3户", "--reason", "核对信访系统")
    assert r.exit_code == 0, r.output
    assert "信访人: 王某某等3户\n" in (git_demo / "ledgers/xinfang/XF-001.yaml").read_text(encoding="utf-8")
    said = [r.stdout, git(git_demo, "log", "-1", "--format=%B"),
            run(git_demo, "history", "XF-001").stdout, run(git_demo, "diff", f"{base}..HEAD").stdout,
            run(git_demo, "diff", f"{base}..HEAD", "--format", "json").stdout]
    for text in said:
        assert "王某某" not in text and "许某某" not in text, text
    assert "信访人 已更正" in said[1] and "信访人" in said[2]
    # a hand edit of it: audit and history say that it changed, not to what
    path = git_demo / "ledgers/xinfang/XF-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("王某某等3户", "赵某某"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "核对")
    for args in (["audit"], ["history", "XF-001"], ["diff", "HEAD~1..HEAD"]):
        out = run(git_demo, *args).stdout
        assert "赵某某" not in out and "王某某" not in out and "(敏感,已隐藏)" in out, (args, out)
    r = run(git_demo, "site", "-o", str(tmp_path / "site"), "--today", "2022-12-31")
    assert r.exit_code == 0, r.output
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "赵某某" not in pages and "王某某" not in pages


# ------------------------------------------------------------------ lists and pairs typed the Chinese way
def test_list_options_split_at_chinese_marks(git_demo: Path) -> None:
    r = add(git_demo, "--co-unit", "财政局，水务局", "--leader", "钱某、孙某", "--tag", "民生;重点")
    assert r.exit_code == 0, r.output
    text = (git_demo / NEW).read_text(encoding="utf-8")
    assert "配合单位: [县财政局, 县水务局]\n" in text and "牵头领导: [钱某, 孙某]\n" in text and "标签: [民生, 重点]\n" in text
    r = run(git_demo, "edit", "ZB-004", "--co-unit", "县住建局、县财政局", "--reason", "核对")
    assert r.exit_code == 0, r.output
    assert "配合单位: [县住建局, 县财政局]\n" in (git_demo / NEW).read_text(encoding="utf-8")
    r = run(git_demo, "status", "--leader", "钱某", "--today", "2022-12-31", "--all")
    assert "ZB-004" in r.stdout


def test_milestones_take_a_chinese_colon_and_each_pair_option_shows_its_own_example(git_demo: Path) -> None:
    r = add(git_demo, "--milestone", "完成招标：10月底")
    assert r.exit_code == 0, r.output
    assert "{名称: 完成招标, 时限: 2022-10-31}" in (git_demo / NEW).read_text(encoding="utf-8")
    r = run(git_demo, "update", "ZB-004", "--add-milestone", "验收", "--date", "2022-07-05")
    assert r.exit_code == 2 and "--add-milestone 应写成 名称=时限" in r.stderr and "完成招标=8月底" in r.stderr
    r = run(git_demo, "edit", "ZB-004", "--set", "abc", "--reason", "x")
    assert r.exit_code == 2 and "字段=值" in r.stderr and "年底存栏肉牛" not in r.stderr


def test_find_splits_words_at_chinese_marks(git_demo: Path) -> None:
    for query in ("供热，管网", "供热、管网", "供热 管网"):
        r = run(git_demo, "find", query, "--today", "2022-12-31", "--all")
        assert r.exit_code == 0 and "XW-002" in r.stdout, (query, r.output)


def test_options_of_other_commands_and_global_options_say_where_they_go(git_demo: Path) -> None:
    r = run(git_demo, "edit", "ZB-003", "--deadline", "2023-01-01", "--reason", "x")
    assert r.exit_code == 2 and "yilan extend" in r.stderr and "您是否想写" not in r.stderr
    r = run(git_demo, "edit", "ZB-003", "--title", "x", "--reason", "y", "--no-commit")
    assert r.exit_code == 2 and "--no-commit 是全局选项，要写在命令名之前：yilan --no-commit edit" in r.stderr


def test_a_withdrawn_matter_is_labelled_so_in_listings(git_demo: Path) -> None:
    r = run(git_demo, "withdraw", "ZB-002", "--reason", "重复录入", "--approved-by", "县长", "--date", "2022-12-01")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "find", "招商", "--today", "2022-12-31")
    assert "（另有1项已撤销，不计入统计，未列出；加 --all 显示）" in r.stdout and "已办结或中止" not in r.stdout
    r = run(git_demo, "find", "招商", "--today", "2022-12-31", "--all")
    assert "ZB-002" in r.stdout and "已撤销" in r.stdout and "推进中" not in r.stdout.split("ZB-002")[1].split("\n")[0]
    import json

    r = run(git_demo, "status", "ZB", "--today", "2022-12-31", "--all", "--format", "json")
    rows = {m["id"]: m for m in json.loads(r.stdout)["matters"]}
    assert rows["ZB-002"]["withdrawn"] is True and rows["ZB-001"]["withdrawn"] is False
    r = run(git_demo, "status", "ZB", "--today", "2022-11-30", "--all", "--format", "json")
    assert {m["id"]: m for m in json.loads(r.stdout)["matters"]}["ZB-002"]["withdrawn"] is False  # not yet


def test_a_unit_with_deductions_is_never_on_the_red_list() -> None:
    """The towns' group has three units: by place all three were 前3名 — red and overdue ones praised."""
    from .conftest import REPO

    text = CliRunner().invoke(app, ["--root", str(REPO), "report", "2022-09", "--today", "2022-09-30"]).stdout
    lists = [line for line in text.splitlines() if line.startswith("红榜：")]
    assert lists and all("达连河镇" not in x.split("黑榜")[0] and "江湾镇" not in x.split("黑榜")[0] for x in lists), lists
    assert "红榜：团山子乡。黑榜：江湾镇、达连河镇。" in lists


def test_a_withdrawal_within_a_period_keeps_the_matters_deductions_in_that_period(git_demo: Path) -> None:
    import re

    def line(period: str) -> str:
        r = run(git_demo, "rank", period, "--today", "2022-12-31")
        return next(x for x in r.stdout.splitlines() if "县商务局" in x)

    def score(text: str) -> str:
        return re.split(r"\s+", text.strip())[2]

    q4, year = line("2022Q4"), line("2022")
    assert "红灯1项 −1" in q4
    r = run(git_demo, "withdraw", "ZB-002", "--reason", "重复录入", "--approved-by", "县长", "--date", "2022-12-30")
    assert r.exit_code == 0, r.output
    after = line("2022Q4")
    assert "红灯1项 −1" in after and "含期内撤销事项1项" in after and score(after) == score(q4)
    assert score(line("2022")) == score(year)  # the year ranks on the quarters: unchanged too
    # withdrawn before the period began: not in it at all (the unit leads nothing else)
    r = run(git_demo, "reinstate", "ZB-002", "--reason", "误操作", "--date", "2022-12-31")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "withdraw", "ZB-002", "--reason", "重复录入", "--approved-by", "县长", "--date", "2022-12-31")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "rank", "2023Q1", "--today", "2023-03-31")
    assert "本期无牵头事项" in next(x for x in r.stdout.splitlines() if "县商务局" in x)


def test_a_view_date_without_a_year_says_which_year_it_took(git_demo: Path) -> None:
    r = run(git_demo, "status", "--today", "9月30日", "--format", "json")
    assert r.exit_code == 0 and "9月30日 未写年份，按今年记为" in r.stderr
    import json

    assert json.loads(r.stdout)["today"].endswith("-09-30")
    r = run(git_demo, "status", "--today", "2022-09-30")
    assert "未写年份" not in r.stderr and "评估日 2022-09-30 · 共" in r.stdout
    r = run(git_demo, "report", "2022Q2", "--today", "6月底")  # the period gives the year: nothing to say
    assert r.exit_code == 0 and "未写年份" not in r.stderr


def test_status_by_unit_says_which_rows_it_only_co_operates_on(git_demo: Path) -> None:
    r = run(git_demo, "status", "--unit", "住建局", "--today", "2022-06-30")
    assert r.exit_code == 0
    note = r.stdout.strip().splitlines()[-1]
    assert note.startswith("（其中 ") and "由其他单位牵头、县住建局配合：" in note and "SHW-002" in note


def test_the_export_marks_a_withdrawn_matter_and_imports_back_unchanged(git_demo: Path, tmp_path: Path) -> None:
    import csv
    import io

    r = run(git_demo, "withdraw", "ZB-002", "--reason", "重复录入", "--approved-by", "县长", "--date", "2022-12-01")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "export", "--today", "2022-12-31")
    rows = {row["编号"]: row for row in csv.DictReader(io.StringIO(r.stdout.removeprefix("\ufeff")))}
    assert rows["ZB-002"]["预警灯"] == "已撤销" and rows["ZB-001"]["预警灯"] != "已撤销"
    out = tmp_path / "台账.xlsx"
    assert run(git_demo, "export", "-o", str(out), "--today", "2022-12-31").exit_code == 0
    r = run(git_demo, "import", str(out), "--dry-run", "--today", "2022-12-31")
    assert r.exit_code == 0, r.output
    assert "不变 ZB-002" in next(x for x in r.stdout.splitlines() if "ZB-002" in x)


def test_nothing_is_withdrawn_or_set_into_a_period_already_issued(git_demo: Path) -> None:
    """The demo issued 依督通〔2022〕1号 with 评估日 2022-06-30: a withdrawal or a target dated into it would change
    what was signed — refused (E344); the same dated after it is recorded."""
    before = head(git_demo)
    rank_q2 = run(git_demo, "rank", "2022Q2").stdout
    for args in (["withdraw", "SHW-002", "--reason", "领导决定取消", "--approved-by", "常务副县长", "--date", "2022-04-01"],
                 ["edit", "ZY-001", "--add-milestone", "出台方案：2022-06-29", "--date", "2022-06-28", "--reason", "补录"],
                 ["update", "ZY-001", "--add-indicator", "纾困资金=2,000万元", "--date", "2022-06-30"]):
        r = run(git_demo, *args)
        assert r.exit_code == 2 and "[E344]" in r.stderr and "依督通〔2022〕1号" in r.stderr, (args, r.output)
    assert head(git_demo) == before and run(git_demo, "rank", "2022Q2").stdout == rank_q2
    r = run(git_demo, "withdraw", "SHW-002", "--reason", "领导决定取消", "--approved-by", "常务副县长", "--date", "2022-07-01")
    assert r.exit_code == 0, r.output
    assert run(git_demo, "rank", "2022Q2").stdout == rank_q2


def test_a_milestone_met_before_the_last_report_is_shown_to_leaders(git_demo: Path) -> None:
    r = run(git_demo, "update", "XW-002", "--progress", "60", "--note", "完成招标", "--date", "2022-07-10",
            "--milestone", "完成招标=2022-05-20")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "audit")
    assert r.exit_code == 0 and "【补记较早的节点完成】XW-002" in r.stdout, r.stdout
    # and one set after 交办 cannot be met before it was set
    r = run(git_demo, "update", "ZY-001", "--add-milestone", "兑现=12月20日", "--date", "2022-12-01")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "update", "ZY-001", "--date", "2022-12-05", "--note", "x", "--milestone", "兑现=2022-11-10")
    assert r.exit_code == 2 and "[E339]" in r.stderr


def test_a_second_yilan_matter_line_licenses_nothing(git_demo: Path) -> None:
    for rel in ("ledgers/zhuanban/ZB-001.yaml", "ledgers/zy/ZY-001.yaml"):
        path = git_demo / rel
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("牵头单位:", "责任人: 孙某\n牵头单位:", 1) if "责任人:" not in text
                        else "\n".join("责任人: 孙某" if x.startswith("责任人:") else x for x in text.splitlines()) + "\n",
                        encoding="utf-8")
    git(git_demo, "commit", "-qam", "更正 ZY-001 x", "-m", "Yilan-Action: edit\nYilan-Matter: ZY-001\nYilan-Matter: ZB-001")
    r = run(git_demo, "audit")
    assert r.exit_code == 1 and any("【操作不符】ZB-001" in x for x in r.stdout.splitlines()), r.stdout


def test_a_unit_below_a_pass_mark_is_never_on_the_red_list() -> None:
    from yilan_cli.store import load_ledgers
    from yilan_cli.workspace import load as load_workspace

    from .conftest import REPO

    ws = load_workspace(REPO)
    from yilan_cli.periods import parse_period
    from yilan_cli.ranking import rank

    for g in rank(ws, load_ledgers(ws).records, parse_period("2022Q1")):
        assert all((u.score or 0) >= 60 and not u.overdue and not u.red for u in g.red_list), g.group
    towns = next(g for g in rank(ws, load_ledgers(ws).records, parse_period("2022Q1")) if g.group == "乡镇")
    assert any(u.score == 0 for u in towns.units)  # the case: five towns at 0.0 tied at 第2 were all 红榜


@pytest.mark.parametrize(("typed", "code"), [("户数=2000户：比率", "E216"), ("户数=5户:", "E329"), ("增速=3吨:增速", "E216")])
def test_rate_indicators_take_percentages_and_a_colon_needs_a_type(git_demo: Path, typed: str, code: str) -> None:
    r = run(git_demo, "edit", "ZY-001", "--add-indicator", typed, "--date", "2022-12-01", "--reason", "x")
    assert r.exit_code == 2 and f"[{code}]" in r.stderr, r.output


def test_an_unknown_leaders_hint_names_people_not_ids(git_demo: Path) -> None:
    r = add(git_demo, "--leader", "不存在的人")
    assert r.exit_code == 2 and "[E327]" in r.stderr
    assert "cwfxz" not in r.stderr and "fxz-" not in r.stderr and "；新任领导请先登记" in r.stderr
