"""专班 ("10+N+N"): a registry, validated names, a status filter and a section in the circulars."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import REPO, write_matter


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


def test_the_registry_has_the_ten_county_task_forces() -> None:
    from yilan_cli.workspace import load

    forces = load(REPO).task_forces
    assert len(forces) == 10 and {f.level for f in forces} == {"县级"}
    assert load(REPO).task_force("TF01").name == "中植肉牛项目工作专班"  # type: ignore[union-attr]


def test_a_matter_must_name_a_registered_task_force(tmp_workspace: Path) -> None:
    text = ("编号: ZB-001\n事项: x\n牵头单位: 县发改局\n专班: 招商引资专班\n交办日期: 2022-02-01\n完成时限: 2022-12-31\n"
            "状态: 未启动\n")
    write_matter(tmp_workspace, "zhuanban", "ZB-001", text=text)
    r = run("check", "--today", "2022-06-30", root=tmp_workspace)
    assert "ledgers/zhuanban/ZB-001.yaml:4:1: 错误[E316] 专班未登记:招商引资专班" in r.stdout
    assert "您是否想写 招商引资工作专班?" in r.stdout


def test_status_by_task_force() -> None:
    doc = json.loads(run("status", "--task-force", "TF08", "--all", "--today", "2022-06-30", "--format", "json").stdout)
    assert len(doc["matters"]) == 14 and {m["ledger"] for m in doc["matters"]} == {"huanbao"}
    by_name = json.loads(run("status", "--task-force", "重大项目建设工作专班", "--format", "json",
                             "--today", "2022-06-30").stdout)
    assert {m["id"] for m in by_name["matters"]} == {"XM-001", "XM-002", "XM-003"}
    r = run("status", "--task-force", "TF99")
    assert r.exit_code == 2 and "没有这个专班：TF99" in r.stderr and "您是否想写 TF09 疫情防控督导工作专班？" in r.stderr
    part = json.loads(run("status", "--task-force", "陨石坑", "--all", "--format", "json", "--today", "2022-06-30").stdout)
    assert [m["id"] for m in part["matters"]] == ["ZB-001"]  # part of one registered name


def test_quarterly_and_half_year_circulars_report_each_task_force() -> None:
    q2 = run("report", "2022Q2").stdout
    assert "### （一）工作专班推进情况" in q2
    assert "| 中央环保督察整改工作专班 | 县级 | 赵某 | 14 | 0 | 0 | 14 | 96% |" in q2
    assert q2.index("中植肉牛项目工作专班") < q2.index("安全生产工作专班")  # the ten county task forces, in order
    assert "工作专班推进情况" in run("report", "2022H1").stdout
    assert "工作专班推进情况" not in run("report", "2022-06").stdout  # not in the monthly report
