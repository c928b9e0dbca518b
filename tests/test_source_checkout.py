"""Issue 20: in yilan's own source checkout (a workspace too, with the demo data) writes are refused unless
``--allow-source-checkout`` is given; reads keep working."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.workspace import is_source_checkout

from .conftest import REPO, git, make_workspace, written_notes

REFUSED = ("错误[U007] {root} 是 yilan 自身的源代码目录，其中的示例台账只供查看，不在这里写入"
           "（否则台账数据会提交进工具自己的代码分支）\n"
           "  提示: 用 yilan init 目录 --example 另建一个练习用的工作区（如 yilan init ../台账练习 --example），"
           "在那里添加、更新；确需修改源代码中的示例数据时，加全局选项 --allow-source-checkout"
           "（如 yilan --allow-source-checkout add …）\n")

WRITES = {
    "add": ["add", "xian", "--title", "城区供水管网改造", "--lead-unit", "县水务局", "--deadline", "2022-12-31",
            "--assigned", "2022-07-01"],
    "update": ["update", "ZB-001", "--progress", "60", "--note", "景区道路路基完工", "--date", "2022-07-28"],
    "close": ["close", "SW-002", "--date", "2022-07-20"],
    "fmt": ["fmt"],
}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A stand-in for the source checkout: pyproject.toml (name yilan), a yilan_cli/ package and the demo
    workspace, all committed."""
    root = make_workspace(tmp_path / "yilan", demo=True)
    (root / "yilan_cli").mkdir()
    (root / "yilan_cli" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pyproject.toml").write_text('[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "yilan"\n'
                                         'version = "0.1.0"\n', encoding="utf-8")
    (root / ".gitignore").write_text(".yilan/\n", encoding="utf-8")  # the read cache, as in the real checkout
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "源代码")
    return root


def run(root: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


@pytest.mark.parametrize("command", sorted(WRITES))
def test_writes_are_refused_in_the_source_checkout(checkout: Path, command: str) -> None:
    head = git(checkout, "rev-parse", "HEAD")
    r = CliRunner().invoke(app, ["--root", str(checkout), *WRITES[command]], catch_exceptions=False)
    assert r.exit_code == 2 and r.stderr == REFUSED.format(root=checkout) and r.stdout == ""
    assert git(checkout, "rev-parse", "HEAD") == head and git(checkout, "status", "--porcelain") == ""
    assert not (checkout / ".git" / "yilan").exists()  # refused before the lock or a journal was made


def test_writing_notes_and_issuing_are_refused_too(checkout: Path) -> None:
    with pytest.raises(AssertionError):
        written_notes(checkout, "2022Q2")  # `yilan notes` commits a report_notes file
    r = CliRunner().invoke(app, ["--root", str(checkout), "report", "2022Q2", "--issue", "--today", "2022-07-05"])
    assert r.exit_code == 2 and "[U007]" in r.stderr


def test_the_global_option_allows_the_write(checkout: Path) -> None:
    r = CliRunner().invoke(app, ["--root", str(checkout), "--allow-source-checkout", *WRITES["update"]])
    assert r.exit_code == 0, r.output
    assert git(checkout, "log", "-1", "--format=%s").startswith("更新 ZB-001")
    # the option holds for that one run only
    r = CliRunner().invoke(app, ["--root", str(checkout), *WRITES["close"]])
    assert r.exit_code == 2 and "[U007]" in r.stderr


@pytest.mark.parametrize("args", [["status", "--today", "2022-06-30"], ["show", "ZB-003", "--today", "2022-06-30"],
                                  ["check", "--today", "2022-06-30"], ["report", "2022Q2", "--today", "2022-07-05"],
                                  ["history", "ZB-003"], ["fmt", "--check"]])
def test_reads_keep_working_in_the_source_checkout(checkout: Path, args: list[str]) -> None:
    r = CliRunner().invoke(app, ["--root", str(checkout), *args])
    assert r.exit_code in (0, 1) and "U007" not in r.output, r.output  # check: 1 when findings, never refused


def test_the_real_checkout_is_recognised_and_its_copies_are_not(tmp_path: Path) -> None:
    assert is_source_checkout(REPO)
    # the test workspaces copy schemas/ and ledgers/ only: writes there stay allowed
    assert not is_source_checkout(make_workspace(tmp_path / "copy", demo=True))


@pytest.mark.parametrize(("pyproject", "package", "expected"), [
    ('[project]\nname = "yilan"\n', True, True),
    ("[project]\r\nname = 'yilan'  # the CLI\r\n", True, True),
    ('[project]\nname = "yilan"\n', False, False),  # no yilan_cli/ package
    (None, True, False),  # no pyproject.toml
    ('[project]\nname = "yilan-plugins"\n', True, False),
    ('[tool.other]\nname = "yilan"\n\n[project]\nname = "other"\n', True, False),
    ('[project]\nversion = "1"\n\n[tool.x]\nname = "yilan"\n', True, False),
])
def test_what_counts_as_the_source_checkout(tmp_path: Path, pyproject: str | None, package: bool,
                                            expected: bool) -> None:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_bytes(pyproject.encode())
    if package:
        (tmp_path / "yilan_cli").mkdir()
    assert is_source_checkout(tmp_path) is expected


def test_init_inside_the_checkout_and_undo_there_are_refused(checkout: Path) -> None:
    head = git(checkout, "rev-parse", "HEAD")
    r = CliRunner().invoke(app, ["init", str(checkout / "练习"), "--example"])
    assert r.exit_code == 2 and r.stderr == REFUSED.format(root=checkout)
    assert not (checkout / "练习").exists()
    # undo names no commit of the tool's own history: refused before it looks
    r = CliRunner().invoke(app, ["--root", str(checkout), "undo", "--yes"])
    assert r.exit_code == 2 and r.stderr == REFUSED.format(root=checkout) and "源代码" not in r.stdout
    assert git(checkout, "rev-parse", "HEAD") == head and git(checkout, "status", "--porcelain") == ""


def test_init_beside_the_checkout_is_allowed(checkout: Path) -> None:
    r = CliRunner().invoke(app, ["init", str(checkout.parent / "练习")])
    assert r.exit_code == 0, r.output


def test_doctor_in_the_checkout_suggests_no_write_command(checkout: Path) -> None:
    r = CliRunner().invoke(app, ["--root", str(checkout), "doctor"])
    assert "源代码目录" in r.output and "合并驱动" in r.output
    assert "写入命令,会自动配置" not in r.output  # writes are refused there
