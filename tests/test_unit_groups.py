"""Unit groups as 配合单位 (issue 20): 各乡镇 / 县直各单位 and the groups' own names (schemas/units.yaml 统称) are
accepted by check and add, and a matter naming a group is listed for each of the group's units."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.errors import YilanError
from yilan_cli.workspace import load

from .conftest import REPO, write_matter


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


def matter(root: Path, mid: str, lead: str, co: str) -> None:
    write_matter(root, "zhuanban", mid, text=f"编号: {mid}\n事项: 秸秆禁烧{mid}\n牵头单位: {lead}\n配合单位: [{co}]\n"
                                             "交办日期: 2022-02-01\n完成时限: 2022-12-31\n状态: 未启动\n")


def test_the_shipped_words() -> None:
    ws = load(REPO)
    assert ws.unit_groups == {"乡镇": "乡镇", "各乡镇": "乡镇", "县直部门": "县直部门", "县直各单位": "县直部门"}
    assert ws.group_words("达连河镇") == ("乡镇", "各乡镇")
    assert ws.group_words("县水务局") == ("县直部门", "县直各单位")
    assert ws.group_words("县城管局") == ()  # not registered: in no group


def _units(root: Path, old: str, new: str) -> None:
    path = root / "schemas" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_defaults_and_own_words(tmp_workspace: Path) -> None:
    _units(tmp_workspace, "    统称: [各乡镇]\n", "")  # no 统称: the default 各乡镇
    _units(tmp_workspace, "    统称: [县直各单位]\n", "    统称: [县直各部门, 县直各单位]\n")
    assert load(tmp_workspace).unit_groups == {"乡镇": "乡镇", "各乡镇": "乡镇", "县直部门": "县直部门",
                                               "县直各部门": "县直部门", "县直各单位": "县直部门"}


@pytest.mark.parametrize(("words", "detail"), [
    ("[县水务局]", "“县水务局”已是登记的单位"),
    ("[各乡镇]", "“各乡镇”已是分组 乡镇 的统称"),
])
def test_refused_words(tmp_workspace: Path, words: str, detail: str) -> None:
    _units(tmp_workspace, "    统称: [县直各单位]\n", f"    统称: {words}\n")
    with pytest.raises(YilanError) as e:
        load(tmp_workspace)
    assert e.value.code == "E400" and detail in str(e.value)


def test_check_accepts_groups_as_co_units_only(tmp_workspace: Path) -> None:
    matter(tmp_workspace, "ZB-001", "县生态环境局", "各乡镇, 县直部门")
    matter(tmp_workspace, "ZB-002", "各乡镇", "县水务局")
    matter(tmp_workspace, "ZB-003", "县生态环境局", "各村")
    r = run(tmp_workspace, "check", "--today", "2022-03-01", "--format", "json")
    got = [(f["file"], f["code"], f["message"]) for f in json.loads(r.stdout)["findings"]]
    assert got == [("ledgers/zhuanban/ZB-002.yaml", "E305", "单位未登记:各乡镇"),
                   ("ledgers/zhuanban/ZB-003.yaml", "E305", "单位未登记:各村")]
    assert "分组的统称只能作配合单位" in run(tmp_workspace, "check", "--today", "2022-03-01").stdout


def test_a_group_matter_is_each_members(tmp_workspace: Path) -> None:
    matter(tmp_workspace, "ZB-001", "县生态环境局", "各乡镇")
    matter(tmp_workspace, "ZB-002", "县生态环境局", "县直各单位")
    matter(tmp_workspace, "ZB-003", "县生态环境局", "乡镇")
    matter(tmp_workspace, "ZB-004", "县生态环境局", "达连河镇")

    def listed(*args: str) -> list[str]:
        r = run(tmp_workspace, *args, "--today", "2022-03-01", "--format", "json")
        assert r.exit_code == 0, r.output
        return [m["matter"]["id"] if "matter" in m else m["id"] for m in json.loads(r.stdout)["matters"]]

    assert listed("status", "--unit", "达连河镇") == ["ZB-001", "ZB-003", "ZB-004"]
    assert listed("status", "--unit", "依兰镇") == ["ZB-001", "ZB-003"]
    assert listed("status", "--unit", "水务局") == ["ZB-002"]  # 县水务局, written without 县
    assert listed("status", "--unit", "县生态环境局") == ["ZB-001", "ZB-002", "ZB-003", "ZB-004"]  # it leads them
    assert listed("export", "--unit", "达连河镇") == ["ZB-001", "ZB-003", "ZB-004"]


def test_add_takes_a_group(git_demo: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "秸秆禁烧", "--lead-unit", "县生态环境局", "--co-unit", "各乡镇",
            "--co-unit", "县直各单位", "--deadline", "2022-12-31", "--assigned", "2022-10-01")
    assert r.exit_code == 0, r.output
    assert "配合单位: [各乡镇, 县直各单位]\n" in (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    refused = run(git_demo, "add", "ZB", "--title", "秸秆禁烧", "--lead-unit", "各乡镇", "--deadline", "2022-12-31",
                  "--assigned", "2022-10-01")
    assert refused.exit_code == 2 and "E305" in refused.output and "分组的统称只能作配合单位" in refused.output
