"""牵头领导 by person (leaders.py): ``--leader`` resolved against schemas/people.yaml, and check's Y002.

The demo register (schemas/people.yaml): 孙某 (cwfxz) is the only 常务副县长, so he leads the five matters
naming 常务副县长 (SW-001, XM-002, XF-001, XF-004, ZY-002); 赵某 and 钱某 both answer to 分管副县长 (称谓),
so the 28 matters naming it belong to neither; 县委副书记 is held by nobody registered and stays a title.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.errors import UsageError
from yilan_cli.leaders import resolve
from yilan_cli.research import Person

from .conftest import REPO, write_matter

SUN = Person("cwfxz", "孙某", "常务副县长", "县级领导", "县政府")
ZHAO = Person("fxz-nongye", "赵某", "副县长(分管农业)", "县级领导", "县政府", ("分管副县长",))
QIAN = Person("fxz-gongye", "钱某", "副县长(分管工业)", "县级领导", "县政府", ("分管副县长",))
WANG1 = Person("wang-a", "王某", "县发改局局长", "乡镇部门主要负责人", "县发改局")
WANG2 = Person("wang-b", "王某", "县农业农村局局长", "乡镇部门主要负责人", "县农业农村局")
PEOPLE = [SUN, ZHAO, QIAN, WANG1, WANG2]
USED = {"常务副县长", "分管副县长", "县委副书记", "孙某"}
SUN_MATTERS = {"SW-001", "XM-002", "XF-001", "XF-004", "ZY-002"}


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


@pytest.mark.parametrize(("text", "names", "label"), [
    ("孙某", {"cwfxz", "孙某", "常务副县长"}, "常务副县长孙某"),  # by 姓名
    ("cwfxz", {"cwfxz", "孙某", "常务副县长"}, "常务副县长孙某"),  # by id
    ("常务副县长", {"cwfxz", "孙某", "常务副县长"}, "常务副县长孙某"),  # by a 职务 nobody else holds
    ("赵某", {"fxz-nongye", "赵某", "副县长(分管农业)"}, "赵某"),  # not 分管副县长: 钱某 shares it; no nested brackets
    ("wang-a", {"wang-a", "县发改局局长"}, "县发改局局长王某"),  # not 王某: two people have that name
    ("县委副书记", {"县委副书记"}, "县委副书记"),  # a title only matters use
])
def test_a_leader_resolves_to_the_names_only_they_answer_to(text: str, names: set[str], label: str) -> None:
    leader = resolve(PEOPLE, USED, text)
    assert (set(leader.names), leader.label) == (names, label)
    assert leader.covers(["县长", next(iter(names))]) and not leader.covers(["县长"])


@pytest.mark.parametrize(("text", "code", "words"), [
    ("分管副县长", "E328", ["“分管副县长”可指2人：赵某（fxz-nongye，副县长(分管农业)）、钱某（fxz-gongye，副县长(分管工业)）"]),
    ("王某", "E328", ["“王某”可指2人：王某（wang-a，县发改局局长）、王某（wang-b，县农业农村局局长）"]),
    ("副县长", "E327", ["没有这个牵头领导:副县长", "您是否想写"]),
])
def test_a_name_of_several_or_of_nobody_is_refused(text: str, code: str, words: list[str]) -> None:
    with pytest.raises(UsageError) as e:
        resolve(PEOPLE, USED, text)
    said = e.value.message + " " + e.value.hint
    assert e.value.code == code and all(w in said for w in words), said


def test_without_people_a_title_works_as_before() -> None:
    assert set(resolve([], {"分管副县长"}, "分管副县长").names) == {"分管副县长"}


@pytest.mark.parametrize("leader", ["孙某", "cwfxz", "常务副县长"])
def test_status_by_person_name_id_or_unique_title(leader: str) -> None:
    r = run("status", "--today", "2022-06-30", "--all", "--format", "json", "--leader", leader)
    assert r.exit_code == 0, r.output
    assert {m["id"] for m in json.loads(r.stdout)["matters"]} == SUN_MATTERS


def test_a_leader_report_for_a_person() -> None:
    r = run("report", "2022Q2", "--leader", "孙某")
    assert r.exit_code == 0, r.output
    assert "# 关于2022年第二季度重点工作督办落实情况的季度通报（常务副县长孙某分管）" in r.stdout
    assert "共督办事项5项" in r.stdout


def test_a_notice_for_a_person(tmp_path: Path) -> None:
    # of 孙某's five matters only XM-002 (达连河镇) is red or yellow at 06-30: one notice, to 达连河镇
    r = run("notice", "--today", "2022-06-30", "--leader", "cwfxz", "-o", str(tmp_path))
    assert r.exit_code == 0, r.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["督办通知单-达连河镇.md"]
    text = (tmp_path / written[0]).read_text(encoding="utf-8")
    assert "XM-002" in text and "SW-001" not in text


@pytest.mark.parametrize("command", [["report", "2022Q2"], ["notice", "--today", "2022-06-30"], ["status"],
                                     ["export", "--format", "csv"]])
def test_a_title_several_people_hold_is_refused(command: list[str], tmp_path: Path) -> None:
    r = run(*command, "--leader", "分管副县长")
    assert r.exit_code == 2
    assert ("错误[E328] “分管副县长”可指2人：赵某（fxz-nongye，副县长(分管农业)）、钱某（fxz-gongye，副县长(分管工业)）"
            in r.stderr)
    assert "--leader 赵某" in r.stderr


def test_an_unknown_leader_is_refused_with_a_suggestion() -> None:
    r = run("report", "2022Q2", "--leader", "常务副县")
    assert r.exit_code == 2
    assert "错误[E327] 没有这个牵头领导:常务副县" in r.stderr and "您是否想写 常务副县长" in r.stderr


def test_a_matter_may_name_its_leader_by_person(demo_workspace: Path) -> None:
    write_matter(demo_workspace, "xiangmu", "XM-099", "编号: XM-099\n事项: 测试事项\n牵头单位: 县发改局\n"
                 "牵头领导: [钱某]\n交办日期: 2022-02-01\n完成时限: 2022-12-31\n状态: 未启动\n")
    qian = {"BL-001", "SHW-001", "XM-001", "XM-003", "SW-002", "XW-002", "ZB-001", "YQ-002", "XF-002"}  # the demo's
    for leader in ("钱某", "fxz-gongye", "副县长(分管工业)"):
        r = run("status", "--today", "2022-06-30", "--all", "--format", "json", "--leader", leader, root=demo_workspace)
        assert r.exit_code == 0, r.output
        assert {m["id"] for m in json.loads(r.stdout)["matters"]} == qian | {"XM-099"}


def test_check_flags_matters_led_by_a_shared_title(demo_workspace: Path) -> None:
    r = run("check", "--today", "2022-06-30", "--format", "json", root=demo_workspace)
    assert not [f for f in json.loads(r.stdout)["findings"] if f["code"] == "Y002"]  # the demo names people
    for mid in ("BL-001", "HB-001"):  # as a county's ledgers often do: the title both deputies answer to
        path = next(demo_workspace.glob(f"ledgers/*/{mid}.yaml"))
        text = re.sub(r"(?m)^牵头领导: \[.*\]$", "牵头领导: [分管副县长]", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    r = run("check", "--today", "2022-06-30", "--format", "json", root=demo_workspace)
    found = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "Y002"]
    assert [f["file"] for f in found] == ["ledgers/baolian/BL-001.yaml", "ledgers/huanbao/HB-001.yaml"]
    bl1 = next(f for f in found if f["file"] == "ledgers/baolian/BL-001.yaml")
    assert bl1 == {
        "file": "ledgers/baolian/BL-001.yaml", "line": 5, "column": 1, "code": "Y002", "severity": "yellow",
        "message": "BL-001 的牵头领导“分管副县长”可指多人：赵某（fxz-nongye，副县长(分管农业)）、钱某（fxz-gongye，"
                   "副县长(分管工业)），按领导出的报告（--leader）不含本事项",
        "hint": "写明牵头领导的姓名，如 牵头领导: [赵某]；人员名录见 schemas/people.yaml"}
    # without people registered, a title is only a title: no finding
    (demo_workspace / "schemas" / "people.yaml").unlink()
    r = run("check", "--today", "2022-06-30", "--format", "json", root=demo_workspace)
    assert not [f for f in json.loads(r.stdout)["findings"] if f["code"] == "Y002"]


def test_a_leader_circular_is_registered_under_the_person(git_demo: Path, tmp_path: Path) -> None:
    """孙某, cwfxz and 常务副县长 are one leader: issued once, found again by any of them."""
    from yilan_cli.issuing import read_register

    from .conftest import written_notes

    written_notes(git_demo, "2022-06")
    r = run("report", "2022-06", "--leader", "孙某", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "a.md"),
            root=git_demo)
    assert r.exit_code == 0, r.output
    entry = read_register(git_demo)[-1]
    assert (entry["领导"], entry["标题"]) == ("常务副县长孙某", "关于2022年6月重点工作督办落实情况的月报（常务副县长孙某分管）")
    twice = run("report", "2022-06", "--leader", "cwfxz", "--issue", "--date", "2022-07-15", root=git_demo)
    assert twice.exit_code == 2 and f"已印发:{entry['编号']}" in twice.stderr
    again = run("report", "2022-06", "--leader", "常务副县长", "--as-issued", "-o", str(tmp_path / "b.md"), root=git_demo)
    assert again.exit_code == 0, again.output
    assert (tmp_path / "b.md").read_bytes() == (tmp_path / "a.md").read_bytes()


@pytest.mark.parametrize("spelling", ["副县长（分管农业）", "  副县长(分管农业) ", "赵某 "])
def test_a_leader_is_found_as_the_documents_print_them(spelling: str) -> None:
    """Documents print full-width brackets; staff copy them, with stray spaces: still 赵某 (NFKC, trimmed)."""
    r = run("status", "--today", "2022-06-30", "--all", "--format", "json", "--leader", spelling)
    assert r.exit_code == 0, r.output
    ids = {m["id"] for m in json.loads(r.stdout)["matters"]}
    assert "XC-001" in ids and "ZB-001" not in ids  # 赵某's, not 钱某's


def test_an_empty_leader_is_refused_saying_so() -> None:
    r = run("status", "--today", "2022-06-30", "--leader", " ")
    assert r.exit_code == 2 and "--leader 后面没有写领导" in r.stderr
