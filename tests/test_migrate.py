"""`yilan fmt --migrate`: old-format 量化指标 完成 values moved into the 进展 entries that recorded them.

The rule (yilan_cli/migrate.py ``plan``, docs/time.md 迁移旧格式) as a table without git, then the command on
the demo's year of history and on a file whose 完成 git saw change twice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from yilan_cli.migrate import Placement, Version, plan
from yilan_cli.models import Matter
from yilan_cli.yamlio import fast_load

from .conftest import git, make_workspace
from .test_write import head_files, run

HEAD = "编号: SW-009\n事项: 户厕改造\n牵头单位: 县住建局\n交办日期: 2022-03-01\n完成时限: 2022-10-31\n状态: 推进中\n"
E1 = "日期: 2022-04-30, 进度: 10"
E2 = "日期: 2022-06-30, 进度: 20"
E3 = "日期: 2022-08-31, 进度: 50"
E4 = "日期: 2022-09-30, 进度: 60"


def doc(entries: tuple[str, ...] = (), done: float | None = None, *more: tuple[str, float | None]) -> str:
    """A matter text: 户厕改造 (with 完成 ``done``), further (名称, 完成) indicators, then ``entries``."""
    items = [("户厕改造", done), *more]
    text = HEAD + "量化指标:\n" + "".join(
        f"  - {{名称: {n}, 单位: 户, 目标: 1200{'' if d is None else f', 完成: {d}'}}}\n" for n, d in items)
    return text + ("进展:\n" + "".join(f"  - {{{e}}}\n" for e in entries) if entries else "")


def matter(text: str) -> Matter:
    return Matter.model_validate(fast_load(text))


def chain(*texts: str, cut: bool = False) -> list[Version]:
    """Commits c1, c2, … each taking the file from the previous text to the next (c1 adds it)."""
    out = []
    before: str | None = None
    for n, text in enumerate(texts, 1):
        out.append(Version(f"c{n}", before, text, cut=cut and n == 1))
        before = text
    return out


def brief(ps: list[Placement]) -> list[tuple[Any, ...]]:
    return [(p.name, p.value, p.entry, p.reason, p.commit, p.final, p.own) for p in ps]


N = "户厕改造"
CASES: list[tuple[str, str, list[Version] | None, list[tuple[Any, ...]]]] = [
    ("two recorded changes, each in the entry its commit added",
     doc((E1, E2, E3), 600),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2, E3), 600)),
     [(N, 240, 1, "git", "c2", False, None), (N, 600, 2, "git", "c3", True, None)]),
    ("no git: the last entry",
     doc((E1, E2, E3), 600), None, [(N, 600, 2, "no_git", "", True, None)]),
    ("not committed: the last entry",
     doc((E1, E2, E3), 600), [], [(N, 600, 2, "untracked", "", True, None)]),
    ("a change without a new entry: the last entry by date then; the earlier value in that entry is superseded",
     doc((E1, E2, E3), 300),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2), 300), doc((E1, E2, E3), 300)),
     [(N, 240, None, "superseded", "c2", False, None), (N, 300, 1, "git", "c3", True, None)]),
    ("the recording entry was rewritten (another date at its place): the last entry, said so",
     doc((E1, E2, E3), 600),
     chain(doc((E1,)), doc((E1, "日期: 2022-06-29, 进度: 20"), 600), doc((E1, E2, E3), 600)),
     [(N, 600, 2, "entry_gone", "c2", True, None)]),
    ("same date at the same place, content edited later: still that entry",
     doc((E1, E2 + ", 情况: 补充说明", E3), 600),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2 + ", 情况: 补充说明"), 240), doc((E1, E2 + ", 情况: 补充说明", E3), 600)),
     [(N, 240, 1, "git", "c2", False, None), (N, 600, 2, "git", "c4", True, None)]),
    ("an entry filed before the recording one later: matched by content, not index",
     doc((E1, E2, E3), 600),
     chain(doc((E1,)), doc((E1, E3), 600), doc((E1, E2, E3), 600)),
     [(N, 600, 2, "git", "c2", True, None)]),
    ("shallow clone: the first commit's parent is missing",
     doc((E1, E2, E3), 600),
     chain(doc((E1, E2, E3), 600), cut=True),
     [(N, 600, 2, "shallow", "c1", True, None)]),
    ("a value git never held (edited, not committed): the last entry; git's values before it kept in their entries",
     doc((E1, E2, E3), 700),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2, E3), 600)),
     [(N, 240, 1, "git", "c2", False, None), (N, 600, None, "superseded", "c3", False, None),
      (N, 700, 2, "not_in_history", "", True, None)]),
    ("the entry already records the indicator: its own value stays",
     doc((E1, E2, E3 + ", 指标: {户厕改造: 610}"), 600),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2, E3 + ", 指标: {户厕改造: 610}"), 600)),
     [(N, 240, 1, "git", "c2", False, None), (N, 600, 2, "git", "c3", True, 610)]),
    ("git's entry lies before a later own record: placing it there would change today's value",
     doc((E1, E2, E3 + ", 指标: {户厕改造: 500}", E4), 240),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2, E3 + ", 指标: {户厕改造: 500}"), 240),
           doc((E1, E2, E3 + ", 指标: {户厕改造: 500}", E4), 240)),
     [(N, 240, 3, "later_record", "c2", True, None)]),
    ("an own record on the last day before the last entry: any placement changes today's value, 完成 stays",
     doc((E1, E3 + ", 指标: {户厕改造: 500}", E3 + ", 情况: 同日第二条"), 240), None,
     [(N, 240, None, "kept", "", True, None)]),
    ("no entries: 完成 stays (it counts from 交办日期)",
     doc((), 240), chain(doc((), 240)), [(N, 240, None, "no_entries", "", True, None)]),
    ("a value withdrawn (完成 removed) is not recovered",
     doc((E1, E2, E3), 600),
     chain(doc((E1,)), doc((E1, E2), 240), doc((E1, E2)), doc((E1, E2, E3), 600)),
     [(N, 600, 2, "git", "c4", True, None)]),
    ("set before any entry: the last entry, said so",
     doc((E1, E2), 100),
     chain(doc((), 100), doc((E1,), 100), doc((E1, E2), 100)),
     [(N, 100, 1, "no_entry_then", "c1", True, None)]),
    ("two indicators, each its own series",
     doc((E1, E2, E3), 600, ("卫生厕所", 90)),
     chain(doc((E1,), None, ("卫生厕所", None)), doc((E1, E2), 240, ("卫生厕所", 90)), doc((E1, E2, E3), 600, ("卫生厕所", 90))),
     [(N, 240, 1, "git", "c2", False, None), (N, 600, 2, "git", "c3", True, None),
      ("卫生厕所", 90, 1, "git", "c2", True, None)]),
    ("a change recorded with an earlier entry than the one before it: not recovered after the current value",
     doc((E1, E2, E3), 240),
     chain(doc((E1,)), doc((E1, E3), 600), doc((E1, E2, E3), 240)),
     [(N, 600, None, "after_final", "c2", False, None), (N, 240, 1, "git", "c3", True, None)]),
]


@pytest.mark.parametrize(("what", "text", "versions", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan(what: str, text: str, versions: list[Version] | None, expected: list[tuple[Any, ...]]) -> None:
    assert brief(plan(matter(text), versions)) == expected


def test_plan_never_changes_the_value_at_the_latest_date() -> None:
    from datetime import date

    from yilan_cli.asof import matter_at

    for what, text, versions, _ in CASES:
        m = matter(text)
        placed = plan(m, versions)
        moved = {p.name for p in placed if p.final and p.entry is not None}
        updates = list(m.updates)
        for p in placed:
            if p.entry is not None and p.own is None:
                u = updates[p.entry]
                updates[p.entry] = u.model_copy(update={"indicators": {**u.indicators, p.name: p.value}})
        after = m.model_copy(update={"updates": updates, "indicators": [
            i.model_copy(update={"done": None}) if i.name in moved else i for i in m.indicators]})
        latest = date(2100, 1, 1)
        assert [i.done for i in matter_at(after, latest).indicators] == \
            [i.done for i in matter_at(m, latest).indicators], what


# --------------------------------------------------------------------------- the command
MOVED = re.compile(r"^(\S+) (\S+) (\S+) → (\d{4}-\d{2}-\d{2}) 的进展\((.*)\)$")


def moved_lines(output: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(编号, 指标) → (值, 进展日期, why) from the lines `fmt --migrate` prints."""
    out = {}
    for line in output.splitlines():
        m = MOVED.match(line)
        if m:
            out[(m[1], m[2])] = (m[3], m[4], m[5])
    return out


def commit_of(root: Path, rel: str, subject_start: str) -> str:
    shas = [ln.split(" ", 1)[0] for ln in git(root, "log", "--format=%H %s", "--", rel).splitlines()
            if ln.split(" ", 1)[1].startswith(subject_start)]
    assert len(shas) == 1, shas
    return shas[0]


def legacy_left(root: Path) -> list[str]:
    """編号 of matters still holding an old-format 完成, and whether each has entries."""
    left = []
    for path in sorted((root / "ledgers").glob("*/*.yaml")):
        data = fast_load(path.read_text(encoding="utf-8"))
        if any(isinstance(i, dict) and i.get("完成") is not None for i in data.get("量化指标") or []):
            left.append(f"{data['编号']}:{'有进展' if data.get('进展') else '无进展'}")
    return left


def errors(root: Path) -> list[str]:
    return [ln for ln in run(root, "check").stdout.splitlines() if "错误[" in ln]


def test_the_demo_migrates_by_its_history_and_no_view_at_the_latest_date_changes(git_demo: Path) -> None:
    status = ["status", "--format", "json", "--today", "2022-12-31"]
    reports = [["report", "2022Q2", "--format", "md", "--today", "2022-06-30"],
               ["report", "2022Q4", "--format", "md", "--today", "2022-12-31"]]
    before = [run(git_demo, *status).stdout] + [run(git_demo, *r).stdout for r in reports]
    errors_before = errors(git_demo)
    audit_before = run(git_demo, "audit").stdout
    commits = git(git_demo, "rev-list", "--count", "HEAD")

    r = run(git_demo, "fmt", "--migrate")
    assert r.exit_code == 0, r.output
    lines = moved_lines(r.stdout)
    # the figures came with the commit appending the last entry that carries 进度 (demo_history.matter_commits)
    zb3 = commit_of(git_demo, "ledgers/zhuanban/ZB-003.yaml", "办结 ZB-003")
    sw2 = commit_of(git_demo, "ledgers/sheng/SW-002.yaml", "更新 SW-002 农村人居环境整治提升五年行动(2022年度任务):进度 10%")
    xw1 = commit_of(git_demo, "ledgers/xian/XW-001.yaml", "办结 XW-001")
    assert lines[("ZB-003", "年底存栏肉牛")] == ("4000", "2022-11-02", f"git 提交 {zb3[:8]} 记录")
    assert lines[("ZB-003", "年底出栏肉牛")] == ("1000", "2022-11-02", f"git 提交 {zb3[:8]} 记录")
    assert lines[("SW-002", "户厕改造")] == ("240", "2022-06-28", f"git 提交 {sw2[:8]} 记录")
    for name, value in (("地区生产总值增速", "10.2"), ("规上工业增加值增速", "123.1"), ("社会消费品零售总额增速", "4.9")):
        assert lines[("XW-001", name)] == (value, "2022-03-31", f"git 提交 {xw1[:8]} 记录")  # reported 04-15
    assert len(lines) == 13 and all(why.startswith("git 提交 ") for _, _, why in lines.values())
    assert r.stdout.splitlines()[-1] == "已迁移 9 个事项文件的 13 个指标值"

    zb = fast_load((git_demo / "ledgers/zhuanban/ZB-003.yaml").read_text(encoding="utf-8"))
    assert zb["进展"][-1]["指标"] == {"年底存栏肉牛": 4000, "年底出栏肉牛": 1000}
    assert all("指标" not in e for e in zb["进展"][:-1])
    xw = fast_load((git_demo / "ledgers/xian/XW-001.yaml").read_text(encoding="utf-8"))
    assert xw["进展"][1]["指标"] == {"地区生产总值增速": 10.2, "规上工业增加值增速": 123.1, "社会消费品零售总额增速": 4.9}
    assert legacy_left(git_demo) == []  # every demo matter with figures has entries

    # one commit, as fmt makes it
    assert int(git(git_demo, "rev-list", "--count", "HEAD")) == int(commits) + 1
    assert git(git_demo, "log", "-1", "--format=%B").strip() == "迁移量化指标 9 个事项文件\n\nYilan-Action: fmt"
    assert len(head_files(git_demo)) == 9
    assert git(git_demo, "status", "--porcelain") == ""
    assert run(git_demo, "fmt", "--check").exit_code == 0
    assert errors(git_demo) == errors_before
    after = [run(git_demo, *status).stdout] + [run(git_demo, *r).stdout for r in reports]
    assert after == before
    assert run(git_demo, "audit").stdout == audit_before  # every value went where it already counted from
    again = run(git_demo, "fmt", "--migrate")
    assert again.exit_code == 0 and again.stdout.splitlines()[0] == "没有需要迁移的量化指标"


OLD = """\
编号: SW-001
事项: 户厕改造
牵头单位: 县住建局
交办日期: 2022-03-01
完成时限: 2022-10-31
状态: 推进中
量化指标:
  - {{名称: 户厕改造, 单位: 户, 目标: 1200{done}}}
进展:
{entries}"""
OLD_ENTRIES = ["  - {日期: 2022-04-30, 进度: 10, 情况: 完成摸底和招标}\n",
               "  - {日期: 2022-06-30, 进度: 20, 情况: 完成户厕改造240户}\n",
               "  - {日期: 2022-08-31, 进度: 50, 情况: 完成户厕改造600户}\n"]


def old_version(root: Path, n: int, done: int | None, subject: str) -> None:
    """Commit the file as an older yilan wrote it: ``n`` entries and one undated 完成 (no entries: as added)."""
    rel = "ledgers/sheng/SW-001.yaml"
    text = OLD.format(done="" if done is None else f", 完成: {done}", entries="".join(OLD_ENTRIES[:n]))
    if not n:
        text = text.replace("状态: 推进中\n", "状态: 未启动\n").replace("进展:\n", "")
    (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", rel)
    git(root, "commit", "-qm", f"{subject}\n\nYilan-Action: {'update' if n else 'add'}\nYilan-Matter: SW-001")


@pytest.fixture
def two_changes(tmp_path: Path) -> Path:
    """A workspace whose SW-001 had 完成 240 with the 06-30 entry, then 600 with the 08-31 entry."""
    root = tmp_path / "ws"
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    r = CliRunner().invoke(app, ["init", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    old_version(root, 0, None, "新增 SW-001 户厕改造")
    old_version(root, 1, None, "更新 SW-001 户厕改造:进度 0% → 10%")
    old_version(root, 2, 240, "更新 SW-001 户厕改造:进度 10% → 20%,户厕改造 — → 240")
    old_version(root, 3, 600, "更新 SW-001 户厕改造:进度 20% → 50%,户厕改造 240 → 600")
    return root


def shown(root: Path, day: str) -> str:
    r = run(root, "show", "SW-001", "--today", day)
    assert r.exit_code == 0, r.output
    return next(ln.strip() for ln in r.stdout.splitlines() if ln.strip().startswith("户厕改造:"))


def test_both_recorded_values_land_in_their_entries(two_changes: Path) -> None:
    root = two_changes
    assert shown(root, "2022-07-15").startswith("户厕改造: —/1200")  # the old file: 240 counts from 08-31 only
    latest = shown(root, "2022-12-31")
    r = run(root, "fmt", "--migrate")
    assert r.exit_code == 0, r.output
    first = git(root, "log", "--format=%H", "--grep", "户厕改造 — → 240").strip()
    second = git(root, "log", "--format=%H", "--grep", "户厕改造 240 → 600").strip()
    assert r.stdout.splitlines() == [
        f"SW-001 户厕改造 240 → 2022-06-30 的进展(git 提交 {first[:8]} 记录)",
        f"SW-001 户厕改造 600 → 2022-08-31 的进展(git 提交 {second[:8]} 记录)",
        "已迁移 1 个事项文件的 2 个指标值"]
    data = fast_load((root / "ledgers/sheng/SW-001.yaml").read_text(encoding="utf-8"))
    assert [e.get("指标") for e in data["进展"]] == [None, {"户厕改造": 240}, {"户厕改造": 600}]
    assert "完成" not in data["量化指标"][0]
    assert shown(root, "2022-06-29").startswith("户厕改造: —/1200")
    assert shown(root, "2022-07-15").startswith("户厕改造: 240/1200")
    assert shown(root, "2022-09-15").startswith("户厕改造: 600/1200")
    assert shown(root, "2022-12-31") == latest
    assert run(root, "fmt", "--check").exit_code == 0
    assert errors(root) == []


def test_check_migrate_reports_and_writes_nothing(two_changes: Path) -> None:
    root = two_changes
    path = root / "ledgers/sheng/SW-001.yaml"
    text, head = path.read_bytes(), git(root, "rev-parse", "HEAD")
    r = run(root, "fmt", "--check", "--migrate")
    assert r.exit_code == 1
    assert "SW-001 户厕改造 240 → 2022-06-30 的进展(git 提交 " in r.stdout
    assert r.stdout.splitlines()[-1] == "1 个事项文件需要迁移(2 个指标值)"
    assert path.read_bytes() == text and git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""
    assert run(root, "fmt", "--check").exit_code == 0  # an old-format file is canonical: plain --check passes


def test_without_git_the_last_entry_and_a_matter_without_entries_keeps_its_value(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "plain")
    (root / "ledgers/sheng").mkdir()
    (root / "ledgers/sheng/SW-001.yaml").write_text(
        OLD.format(done=", 完成: 600", entries="".join(OLD_ENTRIES)), encoding="utf-8")
    (root / "ledgers/sheng/SW-002.yaml").write_text(
        OLD.format(done=", 完成: 30", entries="").replace("SW-001", "SW-002").replace("状态: 推进中\n", "状态: 未启动\n")
        .replace("进展:\n", ""), encoding="utf-8")
    r = run(root, "--no-commit", "fmt", "--migrate")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "SW-001 户厕改造 600 → 2022-08-31 的进展(无 git 记录,取最后一条进展)",
        "SW-002 户厕改造 30:没有进展,保留 完成(自交办日期 2022-03-01 起计)",
        "已迁移 1 个事项文件的 1 个指标值;1 个事项没有进展,保留 完成"]
    assert legacy_left(root) == ["SW-002:无进展"]


# --------------------------------------------------------------------------- what audit makes of it
MOVE = ", 指标: {户厕改造: %s}"
JUDGED = [
    ("update moves 完成 into the entry it counted from", "update", doc((E1, E2), 240),
     doc((E1, E2 + MOVE % 240, E3 + MOVE % 600)), []),
    ("fmt --migrate, the entry it counted from", "fmt", doc((E1, E2), 240), doc((E1, E2 + MOVE % 240)), []),
    ("fmt --migrate dates an earlier value by the history", "fmt", doc((E1, E2, E3), 600),
     doc((E1, E2 + MOVE % 240, E3 + MOVE % 600)), [("提示", "迁移量化指标")]),
    ("the same under update backdates a figure", "update", doc((E1, E2, E3), 600),
     doc((E1, E2 + MOVE % 240, E3 + MOVE % 600)), [("篡改", "改动历史记录")]),
    ("by hand, into the entry it counted from", "", doc((E1, E2), 240), doc((E1, E2 + MOVE % 240)), [("提示", "手工修改")]),
    ("by hand, into an earlier entry", "", doc((E1, E2, E3), 600), doc((E1, E2 + MOVE % 600, E3)), [("篡改", "改动历史记录")]),
    ("fmt writing another value into the entry it counted from", "fmt", doc((E1, E2), 240), doc((E1, E2 + MOVE % 300)),
     [("篡改", "改动历史记录"), ("篡改", "操作不符")]),
    ("fmt writing 指标 while 完成 stays", "fmt", doc((E1, E2), 240), doc((E1, E2 + MOVE % 240), 240),
     [("篡改", "改动历史记录")]),
    ("fmt only deleting 完成", "fmt", doc((E1, E2), 240), doc((E1, E2)), [("篡改", "操作不符")]),
    # a copied fmt trailer cannot backdate a different figure: the value on the day 完成 counted from changes
    ("fmt backdating another value into an earlier entry", "fmt", doc((E1, E2, E3), 240), doc((E1, E2 + MOVE % 900, E3)),
     [("篡改", "改动历史记录"), ("篡改", "操作不符")]),
    ("fmt backdating a value and keeping the latest", "fmt", doc((E1, E2, E3), 600),
     doc((E1, E2 + MOVE % 900, E3 + MOVE % 600)), [("提示", "迁移量化指标")]),
]


@pytest.mark.parametrize(("what", "action", "before", "after", "expected"), JUDGED, ids=[c[0] for c in JUDGED])
def test_audit_tells_a_migration_from_a_rewrite(what: str, action: str, before: str, after: str,
                                                expected: list[tuple[str, str]]) -> None:
    from yilan_cli import semantic
    from yilan_cli.auditing import judge

    found = semantic.changes(semantic.parse(before), semantic.parse(after))
    assert [(c.severity, c.kind) for c in judge(action, found)] == expected


def test_audit_after_migrating_two_values_and_after_update_on_an_old_file(two_changes: Path, tmp_path: Path) -> None:
    import shutil

    other = tmp_path / "copy"
    shutil.copytree(two_changes, other)
    assert run(two_changes, "fmt", "--migrate").exit_code == 0
    sha = git(two_changes, "rev-parse", "--short=8", "HEAD").strip()
    r = run(two_changes, "audit")
    assert r.exit_code == 0, r.output
    assert f"{sha}  测试员 <tester@example.gov.cn>  【迁移量化指标】SW-001 量化指标的 完成 记入进展 2022-06-30:户厕改造 240" \
           "(按 git 历史记在较早的进展,自该日起计)" in r.stdout
    assert "记入进展 2022-08-31" not in r.stdout  # the current value where it already counted: nothing to see
    r = run(two_changes, "history", "SW-001")
    assert r.stdout.splitlines()[1:3] == [
        "    量化指标的 完成 记入进展 2022-06-30:户厕改造 240(按 git 历史记在较早的进展,自该日起计)",
        "    量化指标的 完成 记入进展 2022-08-31:户厕改造 600"]
    # update on a file never migrated moves 完成 into the last entry first (edits.legacy_into_entries): not a rewrite
    r = run(other, "update", "SW-001", "--indicator", "户厕改造=700", "--progress", "60", "--date", "2022-09-30")
    assert r.exit_code == 0, r.output
    assert run(other, "audit").exit_code == 0


def test_a_shallow_clone_or_an_uncommitted_file_falls_back_to_the_last_entry(two_changes: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{two_changes}", str(shallow))
    r = run(shallow, "fmt", "--migrate")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "SW-001 户厕改造 600 → 2022-08-31 的进展(浅克隆,记录它的提交之前的历史不在本仓库中,取最后一条进展)",
        "已迁移 1 个事项文件的 1 个指标值"]
    new = two_changes / "ledgers/sheng/SW-003.yaml"
    new.write_text(OLD.format(done=", 完成: 30", entries="".join(OLD_ENTRIES[:2])).replace("SW-001", "SW-003"),
                   encoding="utf-8")
    r = run(two_changes, "fmt", "--check", "--migrate")
    assert r.exit_code == 1
    assert "SW-003 户厕改造 30 → 2022-06-30 的进展(文件未提交到 git,取最后一条进展)" in r.stdout.splitlines()
    r = run(two_changes, "fmt", "--migrate")  # fmt never writes over work not committed
    assert r.exit_code == 2 and "G006" in r.output


def test_migrate_is_committed_by_yilan_or_not_at_all(git_demo: Path) -> None:
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    before = (git_demo / "ledgers/sheng/SW-002.yaml").read_bytes()
    r = CliRunner().invoke(app, ["--root", str(git_demo), "--no-commit", "fmt", "--migrate"])
    assert r.exit_code == 2 and "错误[E326] --migrate 不能与 --no-commit 同用" in r.stderr
    assert (git_demo / "ledgers/sheng/SW-002.yaml").read_bytes() == before
