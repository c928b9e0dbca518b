"""Shared fixtures: isolated git, inline workspaces, golden files."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's git config; every commit has a fixed author and date."""
    home = tmp_path_factory.mktemp("home")
    cfg = home / ".gitconfig"
    cfg.write_text("[user]\n\tname = 测试员\n\temail = tester@example.gov.cn\n[init]\n\tdefaultBranch = main\n",
                   encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, "2022-07-01T09:00:00+08:00")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("YILAN_INDEX_LOCK_WAIT", "0.5")  # a test that waits for a live git sets its own
    monkeypatch.delenv("YILAN_LANG", raising=False)
    from yilan_cli import i18n

    i18n.set_lang("zh")


def make_workspace(root: Path, demo: bool = False) -> Path:
    """A workspace with the shipped schemas (and the demo ledgers), without git."""
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "ledgers").mkdir(parents=True, exist_ok=True)
    if demo:
        shutil.copytree(REPO / "ledgers", root / "ledgers", dirs_exist_ok=True)
    return root


@pytest.fixture
def tmp_workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def demo_workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "demo", demo=True)


MINIMAL = """\
编号: {id}
事项: {title}
牵头单位: {unit}
交办日期: {assigned}
完成时限: {deadline}
状态: {state}
"""


def write_matter(root: Path, ledger: str, matter_id: str, text: str | None = None, **fields: str) -> Path:
    """Write a matter file; without ``text`` a minimal valid matter with ``fields`` overriding."""
    values = {"id": matter_id, "title": "测试事项", "unit": "县发改局", "assigned": "2022-02-01",
              "deadline": "2022-12-31", "state": "未启动"}
    values.update(fields)
    path = root / "ledgers" / ledger / f"{matter_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else MINIMAL.format(**values), encoding="utf-8", newline="\n")
    return path


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``golden(name, text)``: compare with tests/golden/<name>; rewrite with --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"golden file {name} missing: run pytest --update-goldens and review it"
        assert text == path.read_text(encoding="utf-8"), f"output differs from tests/golden/{name}"

    return check


def forget_git_identity(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """Make git know nobody: a global config that forbids guessing, and no identity in the environment."""
    empty = folder / "no-identity.gitconfig"
    empty.write_text("[user]\n\tuseConfigOnly = true\n", encoding="utf-8")
    mp.setenv("GIT_CONFIG_GLOBAL", str(empty))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        mp.delenv(var, raising=False)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A real small file system mounted at ``folder`` (root only), unmounted afterwards."""
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.fail("root could not mount a tmpfs: this test needs one")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def hook(git_dir: Path, name: str, script: str) -> Path:
    """Install a git hook (a shell script) in a repository's git directory (``repo/.git``, or a bare repo)."""
    path = git_dir / "hooks" / name
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def env_without_yilan() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("YILAN_LANG", None)
    return env


def git(cwd: Path, *args: str, check: bool = True) -> str:
    import subprocess

    r = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd, capture_output=True, text=True,
                       encoding="utf-8", check=check)
    return r.stdout


def written_notes(root: Path, *periods: str) -> None:
    """report_notes/<period>.md with both sections written, committed through `yilan notes` (a circular is
    not issued while a section is missing, E507)."""
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    for code in periods:
        path = root / "report_notes" / f"{code}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"# {code}\n\n## 主要成效\n\n督办事项推进有力。\n\n## 下步工作要求\n\n继续压实责任。\n",
                        encoding="utf-8", newline="\n")
        r = CliRunner().invoke(app, ["--root", str(root), "notes", code], catch_exceptions=False)
        assert r.exit_code == 0, r.output


@pytest.fixture
def git_demo(tmp_path: Path) -> Path:
    """A ledger repository made by `yilan init --example`: the demo data as a year of history (~510 commits,
    the last 2022-11-25, by 县住建局; tests/test_demo_history.py), with the half-year evaluation issued."""
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    root = tmp_path / "repo"
    r = CliRunner().invoke(app, ["init", str(root), "--example"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return root


def filled_form(root: Path, tmp_path: Path, rows: dict[int, dict[str, Any]], period: str = "2022-07") -> Path:
    """县住建局's fill-in form for ``period`` (SW-002 on row 4, XW-002 on row 5), with ``rows`` {row: {column: value}}
    filled in as a unit would in WPS/Excel."""
    import openpyxl
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    form = tmp_path / "填报表.xlsx"
    args = ["--root", str(root), "export", "--fill", "--unit", "县住建局", "--period", period, "-o", str(form)]
    assert CliRunner().invoke(app, args).exit_code == 0
    wb = openpyxl.load_workbook(form)
    ws = wb["进展填报"]
    header = [c.value for c in ws[3]]
    for row, cells in rows.items():
        for name, value in cells.items():
            ws.cell(row, header.index(name) + 1).value = value
    wb.save(form)
    return form
