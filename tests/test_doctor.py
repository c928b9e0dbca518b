"""`yilan doctor` names each problem and its fix in Chinese."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import forget_git_identity, git, make_workspace


def doctor(root: Path) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["--root", str(root), "doctor"])
    return r.exit_code, r.stdout


NO_REMOTE = ("· 提示：还没有远端仓库，台账只保存在这台电脑上（单机使用无妨；多人同步、异地备份时才需要）\n"
             "  需要时：git remote add origin <内网 Gitea/GitLab 上台账仓库的地址>，然后 git push -u origin {branch}")


def test_a_fresh_clone_without_a_remote(git_demo: Path) -> None:
    code, text = doctor(git_demo)
    assert code == 0 and "✗" not in text
    assert NO_REMOTE.format(branch="main") in text and text.rstrip().endswith("体检通过（另有1条提示，见上）")
    assert "✓ 事项合并驱动已配置" in text and "✓ 提交人:测试员 <tester@example.gov.cn>" in text
    assert "✓ 当前分支：main" in text


def test_a_fresh_init_without_a_remote_passes_with_a_note(tmp_path: Path) -> None:
    """Issue 20: a workspace used on one computer is complete; the missing remote is a note, not a failure."""
    root = tmp_path / "台账"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    code, text = doctor(root)
    assert (code, text.count("✗"), text.count("· 提示：")) == (0, 0, 1)
    assert NO_REMOTE.format(branch="main") in text


@pytest.mark.parametrize("default", ["master", "trunk"])
def test_init_makes_branch_main_whatever_git_defaults_to(tmp_path: Path, default: str) -> None:
    git(tmp_path, "config", "--global", "init.defaultBranch", default)
    root = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    assert git(root, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads").split() == ["main"]
    assert git(root, "log", "--format=%s").splitlines() == ["初始化台账工作区"]


def test_init_example_history_is_on_main_too(tmp_path: Path) -> None:
    git(tmp_path, "config", "--global", "init.defaultBranch", "master")
    root = tmp_path / "demo"
    assert CliRunner().invoke(app, ["init", str(root), "--example"]).exit_code == 0
    assert git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads").split() == ["main"]
    assert int(git(root, "rev-list", "--count", "main")) > 500


def test_hints_name_the_current_branch(git_demo: Path, tmp_path: Path) -> None:
    git(git_demo, "branch", "-m", "main", "台账2023")
    code, text = doctor(git_demo)
    assert code == 0 and NO_REMOTE.format(branch="台账2023") in text and "✓ 当前分支：台账2023" in text
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(git_demo, "remote", "add", "gitea", str(remote))
    code, text = doctor(git_demo)
    assert code == 1
    assert "✗ 当前分支 台账2023 没有上游,yilan sync 不知道同步到哪里\n  修复: git push -u gitea 台账2023" in text
    git(git_demo, "push", "-q", "-u", "gitea", "台账2023")
    code, text = doctor(git_demo)
    assert code == 0 and "✓ 当前分支的上游:gitea/台账2023" in text and text.rstrip().endswith("体检通过")


def test_a_repository_without_commits_is_diagnosed_with_its_fix(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    git(root, "init", "-q")  # the isolated config's init.defaultBranch is main
    code, text = doctor(root)
    assert code == 1
    assert (f"✗ 仓库还没有任何提交（当前分支 main），yilan 的写入和同步都无从留痕\n"
            f"  修复: 在 {root} 先运行 git status 看一眼将要提交的文件，再运行：git add -A，然后 git commit -m 初始化台账工作区"
            ) in text
    assert NO_REMOTE.format(branch="main") in text
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始化台账工作区")
    code, text = doctor(root)
    assert "还没有任何提交" not in text and "✓ 当前分支：main" in text


def test_a_detached_head_is_named_with_the_branch_to_return_to(git_demo: Path) -> None:
    git(git_demo, "checkout", "-q", "--detach")
    code, text = doctor(git_demo)
    assert code == 1 and "✗ 仓库当前不在任何分支上" in text and "git switch main" in text
    assert "git push -u origin main" in text  # the note still names a branch that exists


def test_the_source_checkout_is_a_note(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "yilan")
    (root / "yilan_cli").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "yilan"\n', encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "源代码")
    _, text = doctor(root)
    assert text.count("· 提示：") == 2  # and the missing remote (the copied files lack .gitattributes: not asserted)
    assert "· 提示：这里是 yilan 自身的源代码目录，其中的示例台账只供查看，写入命令会被拒绝" in text
    assert "yilan init ../台账练习 --example" in text


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
