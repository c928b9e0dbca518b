"""`yilan doctor` names each problem and its fix in Chinese."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import forget_git_identity, git


def doctor(root: Path) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["--root", str(root), "doctor"])
    return r.exit_code, r.stdout


def test_a_fresh_clone_without_a_remote(git_demo: Path) -> None:
    code, text = doctor(git_demo)
    assert code == 1
    assert "✗ 没有远端仓库" in text and "git remote add origin" in text
    assert "✓ 事项合并驱动已配置" in text and "✓ 提交人:测试员 <tester@example.gov.cn>" in text


def test_a_healthy_repository(git_demo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(git_demo, "remote", "add", "origin", str(remote))
    git(git_demo, "push", "-q", "-u", "origin", "main")
    code, text = doctor(git_demo)
    assert code == 0 and text.rstrip().endswith("体检通过") and "✗" not in text


@pytest.mark.parametrize("problem", ["journal", "journal-aside", "index-lock", "no-identity", "no-driver",
                                     "research-merge"])
def test_each_problem_is_named_with_its_fix(git_demo: Path, tmp_path: Path, problem: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    gdir = git_demo / ".git"
    if problem == "journal":
        (gdir / "yilan").mkdir(exist_ok=True)
        (gdir / "yilan/journal.json").write_text("{}", encoding="utf-8")
        needle = "上次写入(或同步)被中断"
    elif problem == "journal-aside":  # recovery left a hand-edited file alone and kept the journal
        (gdir / "yilan").mkdir(exist_ok=True)
        (gdir / "yilan/journal-20220701-090000-1.json").write_text("{}", encoding="utf-8")
        needle = "核对该记录中列出的文件"
    elif problem == "index-lock":
        (gdir / "index.lock").write_text("", encoding="utf-8")
        needle = "git 索引被锁定"
    elif problem == "no-identity":
        forget_git_identity(monkeypatch, tmp_path)
        needle = 'git config --global user.name "张三"'
    elif problem == "research-merge":  # a workspace made before 一线调研 existed
        attributes = git_demo / ".gitattributes"
        text = attributes.read_text(encoding="utf-8").replace("research/**/*.yaml merge=union", "")
        attributes.write_text(text, encoding="utf-8")
        needle = "research/**/*.yaml merge=union"
    else:
        git(git_demo, "config", "--remove-section", "merge.yilan")
        needle = "没有配置事项合并驱动"
    code, text = doctor(git_demo)
    assert code == 1 and needle in text
