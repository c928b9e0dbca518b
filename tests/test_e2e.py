"""End to end: the installed `yilan` in a temporary git repository, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import forget_git_identity

pytestmark = pytest.mark.slow


def yilan_exe() -> str:
    exe = Path(sys.executable).with_name("yilan.exe" if os.name == "nt" else "yilan")
    found = str(exe) if exe.exists() else shutil.which("yilan")
    assert found, "the yilan console script is not installed (pip install -e .)"
    return found


def yilan(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    r = subprocess.run([yilan_exe(), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env)
    if check and r.returncode not in (0, 1):
        raise AssertionError(f"yilan {' '.join(args)} → {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, encoding="utf-8").stdout


def test_init_example_then_status_and_check(tmp_path: Path) -> None:
    ws = tmp_path / "依兰 台账"  # Chinese and a space in the path
    r = yilan(tmp_path, "init", str(ws), "--example")
    assert r.returncode == 0, r.stderr
    assert "含示例数据 42 项" in r.stdout
    subjects = git(ws, "log", "--format=%s").splitlines()  # the demo's year of history (tests/test_demo_history.py)
    assert subjects[-1] == "初始化台账工作区" and len(subjects) > 400
    assert git(ws, "status", "--porcelain").strip() == ""  # everything committed
    assert (ws / ".gitattributes").read_text(encoding="utf-8").startswith("# every text file")
    assert sorted(p.name for p in (ws / "schemas" / "ledgers").iterdir())[:2] == ["baolian.yaml", "huanbao.yaml"]

    r = yilan(ws, "status", "--today", "2022-06-30")
    assert "共 42 项 · 红灯 4 · 黄灯 5 · 蓝灯 1 · 绿灯 14" in r.stdout
    r = yilan(ws / "ledgers" / "zhuanban", "status", "--today", "2022-06-30", "--format", "json")  # found upward
    assert len(json.loads(r.stdout)["matters"]) == 24
    assert yilan(ws, "check", "--today", "2022-06-30").returncode == 0
    assert yilan(ws, "check", "--today", "2022-06-30", "--fail-on", "red").returncode == 1


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    yilan(tmp_path, "init", "ws")
    r = yilan(tmp_path, "init", "ws", check=False)
    assert r.returncode == 2 and "已经是 yilan 工作区" in r.stderr


def test_init_without_git_identity_says_how_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_git_identity(monkeypatch, tmp_path)
    r = yilan(tmp_path, "init", "ws", "--example", check=False)
    assert r.returncode == 2
    assert 'git config --global user.name "张三"' in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "ws").exists()  # nothing created: running init again after fixing it simply works


def test_python_m_and_gbk_console(tmp_path: Path) -> None:
    """`python -m yilan_cli` works, and output honours a declared GBK encoding (PYTHONIOENCODING, a GBK pipe)."""
    yilan(tmp_path, "init", "ws", "--example")
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "COLUMNS": "200"}
    r = subprocess.run([sys.executable, "-m", "yilan_cli", "status", "--today", "2022-06-30", "--light", "红"],
                       cwd=tmp_path / "ws", capture_output=True, env=env)
    assert r.returncode == 0
    assert "超期 30 天" in r.stdout.decode("gbk")  # GBK bytes, as the pipe declared — not UTF-8 behind its back
