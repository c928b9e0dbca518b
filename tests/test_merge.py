"""The merge driver: twelve three-way cases on real text, and two clones merging through a bare remote."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.merge import merge_texts
from yilan_cli.yamlio import fast_load

from .conftest import git

BASE = """\
编号: ZB-001
事项: 景区提档升级
牵头单位: 县文体广电和旅游局
交办日期: 2022-01-10
完成时限: 2022-12-31
状态: 推进中
进展:
  - {日期: 2022-03-30, 进度: 20, 情况: 规划通过评审}
备注: 原备注
"""


def entry(day: str, progress: int, note: str, state: str = "") -> str:
    extra = f", 状态: {state}" if state else ""
    return f"  - {{日期: {day}, 进度: {progress}{extra}, 情况: {note}}}\n"


def with_entries(text: str, *entries: str) -> str:
    return text.replace("备注: 原备注\n", "".join(entries) + "备注: 原备注\n")


A1, A2 = entry("2022-04-28", 30, "游客中心开工"), entry("2022-05-30", 40, "栈道开工")
B1 = entry("2022-05-10", 35, "停车场开工")


def merged(base: str | None, ours: str, theirs: str) -> tuple[dict[str, Any], bool, str]:
    result = merge_texts(base, ours, theirs)
    assert result is not None
    text, clean = result
    return (fast_load(text) if clean else {}), clean, text


def notes(doc: dict[str, Any]) -> list[str]:
    return [e["情况"] for e in doc["进展"]]


def test_1_both_append_entries_union_in_date_order() -> None:
    doc, clean, _ = merged(BASE, with_entries(BASE, A1, A2), with_entries(BASE, B1))
    assert clean and notes(doc) == ["规划通过评审", "游客中心开工", "停车场开工", "栈道开工"]


def test_2_the_same_entry_on_both_sides_is_kept_once() -> None:
    doc, clean, _ = merged(BASE, with_entries(BASE, A1), with_entries(BASE, A1))
    assert clean and notes(doc) == ["规划通过评审", "游客中心开工"]


def test_3_an_edit_and_an_entry_both_land() -> None:
    doc, clean, _ = merged(BASE, BASE.replace("原备注", "新备注"), with_entries(BASE, B1))
    assert clean and doc["备注"] == "新备注" and notes(doc)[-1] == "停车场开工"


def test_4_the_same_field_changed_differently_is_a_real_conflict_check_reports() -> None:
    result = merge_texts(BASE, BASE.replace("原备注", "甲的备注"), BASE.replace("原备注", "乙的备注"))
    assert result is not None
    text, clean = result
    assert not clean
    lines = text.splitlines()
    start = lines.index("<<<<<<< 本地")
    assert lines[start:start + 5] == ["<<<<<<< 本地", "备注: 甲的备注", "=======", "备注: 乙的备注", ">>>>>>> 远端"]
    from yilan_cli.checks import check_text
    from yilan_cli.workspace import load

    from .conftest import REPO

    _, findings = check_text(load(REPO), text, "ledgers/zhuanban/ZB-001.yaml", "zhuanban", "ZB-001")
    assert [(f.code, f.line) for f in findings] == [("E112", start + 1)]


def test_5_the_same_change_on_both_sides_is_not_a_conflict() -> None:
    doc, clean, _ = merged(BASE, BASE.replace("原备注", "同样"), BASE.replace("原备注", "同样"))
    assert clean and doc["备注"] == "同样"


def test_6_closing_on_one_side_and_progress_on_the_other_recompute_the_state() -> None:
    closed = with_entries(BASE, entry("2022-06-30", 100, "竣工", "已办结"))
    closed = closed.replace("状态: 推进中", "状态: 已办结\n办结日期: 2022-06-30")
    doc, clean, _ = merged(BASE, closed, with_entries(BASE, B1))
    assert clean and doc["状态"] == "已办结" and doc["办结日期"] == "2022-06-30"
    assert notes(doc) == ["规划通过评审", "停车场开工", "竣工"]


def test_7_an_extension_and_an_update_both_land() -> None:
    ext = BASE.replace("状态: 推进中\n", "状态: 推进中\n延期:\n  - {申请日期: 2022-06-01, 新时限: 2023-03-31, 理由: 冬季停工}\n")
    doc, clean, _ = merged(BASE, ext, with_entries(BASE, B1))
    assert clean and doc["延期"][0]["新时限"] == "2023-03-31" and notes(doc)[-1] == "停车场开工"


def test_8_two_different_extensions_are_both_kept() -> None:
    def ext(day: str, to: str) -> str:
        return BASE.replace("状态: 推进中\n", f"状态: 推进中\n延期:\n  - {{申请日期: {day}, 新时限: {to}, 理由: 原因}}\n")

    doc, clean, _ = merged(BASE, ext("2022-06-01", "2023-03-31"), ext("2022-05-01", "2023-01-31"))
    assert clean and [e["申请日期"] for e in doc["延期"]] == ["2022-05-01", "2022-06-01"]


def test_9_two_clones_adding_the_same_id_are_never_merged() -> None:
    other = BASE.replace("景区提档升级", "完全不同的事项")
    assert merge_texts(None, BASE, other) is None  # git's line merge marks the whole file


def test_10_identical_additions_merge() -> None:
    doc, clean, _ = merged(None, BASE, BASE)
    assert clean and doc["事项"] == "景区提档升级"


def test_11_a_field_removed_on_one_side_stays_removed() -> None:
    doc, clean, _ = merged(BASE, BASE.replace("备注: 原备注\n", ""), with_entries(BASE, B1))
    assert clean and "备注" not in doc and notes(doc)[-1] == "停车场开工"


def test_12_a_side_that_is_not_a_matter_falls_back_to_line_merge() -> None:
    assert merge_texts(BASE, "<<<<<<< broken\n", BASE) is None


def test_an_entry_removed_on_one_side_is_not_resurrected() -> None:
    both = with_entries(BASE, A1)
    doc, clean, _ = merged(both, BASE, with_entries(both, B1))
    assert clean and notes(doc) == ["规划通过评审", "停车场开工"]


def two_clones(tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote holding the demo workspace, and two clones of it."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    seed = tmp_path / "seed"
    assert CliRunner().invoke(app, ["init", str(seed), "--example"]).exit_code == 0
    git(seed, "remote", "add", "origin", str(remote))
    git(seed, "push", "-q", "-u", "origin", "main")
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    return a, b


@pytest.mark.slow
def test_two_clones_of_one_remote_update_one_matter_and_both_end_equal(tmp_path: Path) -> None:
    a, b = two_clones(tmp_path)

    def yilan(root: Path, *args: str) -> None:
        r = CliRunner().invoke(app, ["--root", str(root), *args])
        assert r.exit_code == 0, r.output

    yilan(a, "update", "ZB-001", "--progress", "60", "--note", "栈道完工", "--date", "2022-07-20")
    yilan(b, "update", "ZB-001", "--progress", "55", "--note", "停车场完工", "--date", "2022-07-15")
    yilan(b, "close", "XC-003", "--date", "2022-07-18")
    git(a, "push", "-q", "origin", "main")
    git(b, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")  # the merge driver merges ZB-001
    git(b, "push", "-q", "origin", "main")
    git(a, "pull", "-q", "--no-rebase", "origin", "main")
    for clone in (a, b):
        text = (clone / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
        assert "<<<<<<<" not in text and "栈道完工" in text and "停车场完工" in text
        assert text.index("停车场完工") < text.index("栈道完工")  # date order
        r = CliRunner().invoke(app, ["--root", str(clone), "check", "--today", "2022-07-31", "--format", "json"])
        assert '"severity": "error"' not in r.stdout
    assert (a / "ledgers/zhuanban/ZB-001.yaml").read_bytes() == (b / "ledgers/zhuanban/ZB-001.yaml").read_bytes()
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


@pytest.mark.slow
def test_sync_renumbers_a_clashing_new_id_and_both_clones_end_equal(tmp_path: Path) -> None:
    a, b = two_clones(tmp_path)

    def yilan(root: Path, *args: str) -> Any:
        r = CliRunner().invoke(app, ["--root", str(root), *args])
        assert r.exit_code == 0, r.output
        return r

    add = ["add", "xiangmu", "--lead-unit", "县发改局", "--deadline", "2022-12-31", "--assigned", "2022-07-01"]
    assert yilan(a, *add, "--title", "甲镇新项目").stdout.strip().splitlines()[-1] == "XM-004"
    assert yilan(b, *add, "--title", "乙镇新项目").stdout.strip().splitlines()[-1] == "XM-004"
    yilan(a, "update", "ZB-001", "--progress", "60", "--note", "栈道完工", "--date", "2022-07-20")
    yilan(b, "update", "ZB-001", "--progress", "55", "--note", "停车场完工", "--date", "2022-07-15")
    assert "推送 2 个提交" in yilan(a, "sync").stdout
    r = yilan(b, "sync")
    assert "本地新增的 XM-004 与 origin/main 上的事项编号重复,已改为 XM-005" in r.stdout
    yilan(a, "sync")
    for clone in (a, b):
        assert "事项: 甲镇新项目" in (clone / "ledgers/xiangmu/XM-004.yaml").read_text(encoding="utf-8")
        xm5 = (clone / "ledgers/xiangmu/XM-005.yaml").read_text(encoding="utf-8")
        assert xm5.startswith("编号: XM-005\n事项: 乙镇新项目\n")
        assert (clone / "ledgers/xiangmu/.last-id").read_text(encoding="utf-8") == "5\n"
        zb = (clone / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
        assert "栈道完工" in zb and "停车场完工" in zb
        check = CliRunner().invoke(app, ["--root", str(clone), "check", "--today", "2022-07-31", "--format", "json"])
        assert '"severity": "error"' not in check.stdout
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")
    assert "新增 XM-005 乙镇新项目" in git(b, "log", "--format=%s")


def test_sync_without_an_upstream_says_how_to_set_one(git_demo: Path) -> None:
    r = CliRunner().invoke(app, ["--root", str(git_demo), "sync"])
    assert r.exit_code == 2 and "没有远端仓库" in r.stderr and "git remote add origin" in r.stderr
    assert "git push -u origin main" in r.stderr


def test_the_conflict_report_says_what_each_side_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git names the file; the driver names each field in conflict and both sides' change in words."""
    from yilan_cli.merge import describe_conflicts, merge_file

    ours, theirs = BASE.replace("牵头单位: 县文体广电和旅游局", "牵头单位: 县住建局"), BASE.replace(
        "牵头单位: 县文体广电和旅游局", "牵头单位: 县交通局")
    assert describe_conflicts(BASE, ours, theirs) == [
        "冲突的字段 牵头单位——本地:牵头单位 县文体广电和旅游局 → 县住建局;远端:牵头单位 县文体广电和旅游局 → 县交通局"]
    files = []
    for name, text in (("O", BASE), ("A", ours), ("B", theirs)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    assert merge_file(*files) == 1
    assert "yilan: 冲突的字段 牵头单位——本地:牵头单位 县文体广电和旅游局 → 县住建局" in capsys.readouterr().err
    assert describe_conflicts(None, BASE, BASE.replace("景区提档升级", "另一个事项")) == [
        "两边用同一个编号新增了不同的事项,整个文件冲突;请给其中一个换一个新编号"]
