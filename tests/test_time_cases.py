"""Issue 18's cases with their right values: a view at D shows only facts dated ≤ D (docs/time.md).

The property that holds for all inputs is in tests/test_business_time.py; these pin the exact figures an
office would check by hand on the demo.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def indicator_row(md: str, matter_id: str) -> str:
    return next(line for line in md.splitlines() if f"| {matter_id} |" in line and "户厕改造" in line)


def test_a_later_figure_leaves_the_q2_circular_as_it_was(git_demo: Path) -> None:
    """SW-002: 240户 in the Q2 table after `update --indicator 户厕改造=600 --date 2022-08-31`; 600户 in Q3."""
    before = run(git_demo, "report", "2022Q2")
    assert before.exit_code == 0, before.output
    assert indicator_row(before.stdout, "SW-002").endswith("| 1200户 | 240户 | 20.0% |")
    r = run(git_demo, "update", "SW-002", "--indicator", "户厕改造=600", "--progress", "50", "--date", "2022-08-31",
            "--note", "完成户厕改造600户")
    assert r.exit_code == 0, r.output
    assert "户厕改造 240 → 600" in r.stdout
    after = run(git_demo, "report", "2022Q2")
    assert after.stdout == before.stdout
    q3 = run(git_demo, "report", "2022Q3")
    assert indicator_row(q3.stdout, "SW-002").endswith("| 1200户 | 600户 | 50.0% |")
    # the file: the old undated 240 is now the observation of the 06-28 entry that counted it, 600 that of 08-31
    text = (git_demo / "ledgers/sheng/SW-002.yaml").read_text(encoding="utf-8")
    assert "  - {名称: 户厕改造, 单位: 户, 目标: 1200}\n" in text
    assert "  - {日期: 2022-06-28, 进度: 20, 指标: {户厕改造: 240}," in text
    assert "  - {日期: 2022-08-31, 进度: 50, 指标: {户厕改造: 600}, 情况: 完成户厕改造600户}" in text
    shown = run(git_demo, "show", "SW-002", "--today", "2022-07-31").stdout
    assert "户厕改造: 240/1200户 (20.0%)" in shown and "2022-08-31" not in shown


def test_a_november_figure_is_not_in_the_june_circular(git_demo: Path) -> None:
    """ZB-003's old-format 完成 4000 counts from its last entry (2022-11-02), not from June."""
    q2 = run(git_demo, "report", "2022Q2").stdout
    row = next(line for line in q2.splitlines() if "| ZB-003 |" in line and "年底存栏肉牛" in line)
    assert row.endswith("| 4000头 | — | — |")
    year = run(git_demo, "report", "2022").stdout
    row = next(line for line in year.splitlines() if "| ZB-003 |" in line and "年底存栏肉牛" in line)
    assert row.endswith("| 4000头 | 4000头 | 100.0% |")


def test_a_milestone_met_later_was_missed_at_the_time(git_demo: Path) -> None:
    """XW-002 stays 黄 at 2022-06-30: 完成招标 (due 05-31) was only completed on a later day."""
    path = git_demo / "ledgers/xian/XW-002.yaml"
    text = path.read_text(encoding="utf-8")
    met = "{名称: 完成招标, 时限: 2022-05-31, 完成日期: 2022-07-20}"
    path.write_text(text.replace("{名称: 完成招标, 时限: 2022-05-31}", met), encoding="utf-8")
    assert "完成日期: 2022-07-20" in path.read_text(encoding="utf-8")
    git(git_demo, "commit", "-qam", "记录招标完成")
    body = json.loads(run(git_demo, "status", "--format", "json", "--today", "2022-06-30", "xian").stdout)
    xw2 = next(m for m in body["matters"] if m["id"] == "XW-002")
    assert xw2["light"] == "yellow"
    shown = run(git_demo, "show", "XW-002", "--today", "2022-06-30").stdout
    assert "完成招标 时限 2022-05-31 未完成" in shown and "2022-07-20" not in shown
    assert "节点“完成招标”逾期未完成" in shown
    assert "节点“完成招标”逾期未完成" not in run(git_demo, "show", "XW-002", "--today", "2022-07-31").stdout


def test_show_at_a_date_lists_only_what_was_known(git_demo: Path) -> None:
    """ZB-003 at 2022-06-30: 推进中 at 70%, no August extension, no November close, no later entry."""
    shown = run(git_demo, "show", "ZB-003", "--today", "2022-06-30")
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    assert "状态: 推进中" in out and "2022-06-30 70%" in out
    for later in ("延期", "已办结", "办结日期", "2022-07-31", "2022-11-02", "销号"):
        assert later not in out, later
    body = json.loads(run(git_demo, "show", "ZB-003", "--today", "2022-06-30", "--format", "json").stdout)
    matter = body["matter"]
    assert matter["state"] == "推进中" and matter["extensions"] == [] and "closed_on" not in matter
    assert matter["updates"][-1]["date"] == "2022-06-30" and body["status"] == "in_progress"


def test_an_extension_approved_later_is_pending_at_the_time(git_demo: Path) -> None:
    """ZB-003's 延期 applied 08-20, approved 08-25: known but 待批准 on 08-22, in force on 08-31."""
    pending = run(git_demo, "show", "ZB-003", "--today", "2022-08-22").stdout
    assert "2022-08-20 申请延至 2022-10-31(设备到货延迟;待批准)" in pending and "时限 2022-08-31" in pending
    approved = run(git_demo, "show", "ZB-003", "--today", "2022-08-31").stdout
    assert "常务副县长批准" in approved and "时限 2022-10-31" in approved


def test_a_matter_not_yet_assigned_cannot_be_shown_at_that_date(git_demo: Path) -> None:
    r = run(git_demo, "show", "ZB-003", "--today", "2022-01-01")
    assert r.exit_code != 0
    assert "ZB-003 于 2022-01-10 交办,2022-01-01 时尚未交办" in r.output and "E405" in r.output


def test_a_new_entry_does_not_move_an_old_undated_figure(git_demo: Path) -> None:
    """An old-format 完成 counts from the last entry; every write that appends an entry first dates it by that
    entry, so what an earlier day shows stays (update, close and signoff alike) and audit sees no rewrite."""
    cases = [  # (matter, the figure's line at the mid day, the write, the mid day between the old last entry and it)
        ("ZB-002", "引进亿元以上项目: 4/10个 (40.0%)", ["update", "ZB-002", "--progress", "50", "--note", "外出招商",
                                                "--date", "2022-07-31"], "2022-07-15"),
        ("XC-003", "高标准农田: 2.5/5万亩 (50.0%)", ["close", "XC-003", "--date", "2022-10-20", "--note", "全部完成"],
         "2022-08-01"),
        ("XC-001", "完成清理的村: 132/132个 (100.0%)", ["signoff", "XC-001", "--date", "2022-05-10", "--reviewer", "张某",
                                                  "--approver", "李某"], "2022-05-01"),
    ]
    for matter_id, line, write, mid in cases:
        assert line in run(git_demo, "show", matter_id, "--today", mid).stdout, matter_id
        r = run(git_demo, *write)
        assert r.exit_code == 0, r.output
        assert line in run(git_demo, "show", matter_id, "--today", mid).stdout, matter_id
        text = next(git_demo.glob(f"ledgers/*/{matter_id}.yaml")).read_text(encoding="utf-8")
        assert "完成:" not in text and "指标: {" in text, matter_id
    audit = run(git_demo, "audit", "--format", "json")
    body = json.loads(audit.stdout)
    assert audit.exit_code == 0 and body["tampered"] == 0, body["findings"]
    mine = [f for f in body["findings"] if f["date"] not in ("2022-07-06", "2022-08-16")]  # the demo's own notices
    assert mine == [], mine


def test_a_figure_no_table_can_show_is_refused(git_demo: Path) -> None:
    """1e400 reads as infinity: refused where it is written (E213 in the file, E212 typed), never E999 later."""
    path = git_demo / "ledgers/sheng/SW-002.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("完成: 240", "完成: 1e400"), encoding="utf-8")
    r = run(git_demo, "check")
    assert "ledgers/sheng/SW-002.yaml:13:33: 错误[E213] 完成 的值不正确:1e400" in r.stdout
    path.write_text(text.replace("完成户厕改造240户,", "完成户厕改造240户, 指标: {户厕改造: .nan},"), encoding="utf-8")
    assert "ledgers/sheng/SW-002.yaml:16:51: 错误[E212] 户厕改造 应为数字:.nan" in run(git_demo, "check").stdout
    path.write_text(text, encoding="utf-8")
    for value in ("inf", "nan", "1e400"):
        r = run(git_demo, "update", "SW-002", "--indicator", f"户厕改造={value}", "--note", "x", "--date", "2022-07-01")
        assert r.exit_code == 2 and f"错误[E212] 指标值不是数字：户厕改造={value}" in r.stderr, value


def test_a_name_twice_is_refused_not_the_last_one_kept(git_demo: Path) -> None:
    r = run(git_demo, "update", "SW-002", "--indicator", "户厕改造=600", "--indicator", "户厕改造=700", "--date", "2022-08-31")
    assert r.exit_code == 2 and "错误[E213] --indicator 给了 户厕改造 两次:600 和 700" in r.stderr
    path = git_demo / "ledgers/sheng/SW-002.yaml"
    text = path.read_text(encoding="utf-8")
    line = "  - {名称: 户厕改造, 单位: 户, 目标: 1200, 完成: 240}\n"
    path.write_text(text.replace(line, line + "  - {名称: 户厕改造, 单位: 户, 目标: 600}\n"), encoding="utf-8")
    assert "错误[E325] 量化指标的名称 户厕改造 重复" in run(git_demo, "check").stdout


def test_a_name_with_a_trailing_space_is_the_same_name(git_demo: Path) -> None:
    """名称 '户厕改造 ' reads as 户厕改造 (the model strips it): update and fmt --migrate find it."""
    path = git_demo / "ledgers/sheng/SW-002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{名称: 户厕改造,", "{名称: '户厕改造 ',"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "名称后多了空格")
    r = run(git_demo, "fmt", "--migrate")
    assert r.exit_code == 0, r.output
    r = run(git_demo, "update", "SW-002", "--indicator", "户厕改造=600", "--note", "完成600户", "--date", "2022-08-31")
    assert r.exit_code == 0, r.output
    assert "户厕改造 240 → 600" in r.stdout
