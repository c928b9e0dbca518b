"""What `init` writes for editors and intranet forges, and the steps of its CI run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import REPO, git

pytestmark = pytest.mark.slow


def steps(path: Path) -> list[tuple[str, str]]:
    """(name, shell script) of every step a workflow runs, in order."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "jobs" in doc:  # GitHub / Gitea Actions
        return [(s.get("name", ""), s["run"]) for s in doc["jobs"]["check"]["steps"] if "run" in s]
    job = doc["yilan-check"]
    return [(f"script {i}", line) for i, line in enumerate(job["script"])]


def run_steps(path: Path, repo: Path) -> list[tuple[str, int]]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    results = []
    for name, script in steps(path):
        if "pip install" in script:  # the forge installs yilan; here it is installed already
            assert subprocess.run(["bash", "-n", "-c", script]).returncode == 0
            continue
        r = subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True)
        results.append((name, r.returncode))
    return results


@pytest.fixture
def ledger_repo(tmp_path: Path) -> Path:
    root = tmp_path / "台账库"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    return root


def test_init_writes_editor_and_forge_files(ledger_repo: Path) -> None:
    for rel in (".gitea/workflows/yilan.yml", ".github/workflows/yilan.yml", ".gitlab-ci.yml"):
        assert yaml.safe_load((ledger_repo / rel).read_text(encoding="utf-8")), rel
    settings = json.loads((ledger_repo / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {"./schemas/matter.schema.json": ["ledgers/**/*.yaml"]}
    assert (ledger_repo / "schemas/matter.schema.json").read_text(encoding="utf-8") == \
        (REPO / "schemas/matter.schema.json").read_text(encoding="utf-8")
    assert git(ledger_repo, "status", "--porcelain") == ""  # all of it in the first commit


def add_overdue(repo: Path) -> None:
    r = CliRunner().invoke(app, ["--root", str(repo), "add", "xian", "--title", "早已超期的事项", "--lead-unit",
                                 "县发改局", "--deadline", "2000-01-31", "--assigned", "2000-01-01"])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("workflow", [".github/workflows/yilan.yml", ".gitea/workflows/yilan.yml"])
def test_actions_workflow_steps_run(ledger_repo: Path, workflow: str) -> None:
    assert run_steps(ledger_repo / workflow, ledger_repo) == [("导出当前督办状态", 0), ("检查台账(红灯即失败)", 0)]
    assert (ledger_repo / "督办输出/督办台账.xlsx").exists()
    report = (ledger_repo / "督办输出/本季度督查通报.md").read_text(encoding="utf-8")
    assert "季度通报" in report and "## 五、赛马排名" in report
    add_overdue(ledger_repo)  # deadline 2000-01-31: red whatever today is
    assert run_steps(ledger_repo / workflow, ledger_repo)[-1] == ("检查台账(红灯即失败)", 1)


def test_gitlab_steps_run_and_leave_junit(ledger_repo: Path) -> None:
    add_overdue(ledger_repo)
    results = run_steps(ledger_repo / ".gitlab-ci.yml", ledger_repo)
    assert [code for _, code in results] == [0, 0, 0, 0, 0, 1]  # the check fails on the red matter
    assert (ledger_repo / "督办输出/督办看板/index.html").exists()
    assert "早已超期的事项" in (ledger_repo / "督办输出/本季度督查通报.md").read_text(encoding="utf-8")
    report = ET.parse(ledger_repo / "yilan-check.xml").getroot()
    case = report.find("testsuite/testcase")
    assert case is not None and case.find("failure") is not None
    assert "早已超期的事项" in (case.find("failure").get("message") or "")  # type: ignore[union-attr]
    csv_text = (ledger_repo / "督办输出/督办状态.csv").read_text(encoding="utf-8")
    assert "XW-001,xian,早已超期的事项" in csv_text


def test_check_reports_a_stale_schema(ledger_repo: Path) -> None:
    ledger = ledger_repo / "schemas/ledgers/xian.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "扩展字段:\n  - {名称: 文件号, 键: doc_no, 类型: 文本}\n",
                      encoding="utf-8")
    r = CliRunner().invoke(app, ["--root", str(ledger_repo), "check", "--today", "2022-06-30"])
    assert r.exit_code == 1
    assert "schemas/matter.schema.json:1:1: 错误[E401]" in r.stdout
    CliRunner().invoke(app, ["--root", str(ledger_repo), "schema", "-o", str(ledger_repo / "schemas/matter.schema.json")])
    r = CliRunner().invoke(app, ["--root", str(ledger_repo), "check", "--today", "2022-06-30"])
    assert r.exit_code == 0 and "文件号" in (ledger_repo / "schemas/matter.schema.json").read_text(encoding="utf-8")


def test_pre_commit_hooks_name_real_commands() -> None:
    hooks: list[dict[str, Any]] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"yilan-check", "yilan-fmt"}
    for h in hooks:
        args = h["entry"].split()[1:]
        r = CliRunner().invoke(app, ["--root", str(REPO), *args, "--help"])
        assert r.exit_code == 0, h["entry"]
