"""The record cache notices every change and never changes what a command prints."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli import store
from yilan_cli.cli import app
from yilan_cli.workspace import load

from .conftest import git


def records(root: Path) -> tuple[dict[str, Any], Any]:
    loaded = store.load_ledgers(load(root), use_cache=True)
    return {r.id: r for r in loaded.records}, loaded


@pytest.fixture
def trust_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust files written moments ago (tests write them just now; users' files are older)."""
    monkeypatch.setattr(store, "RACY_NS", 0)


def test_second_read_comes_from_the_cache(demo_workspace: Path, trust_now: None) -> None:
    first, loaded = records(demo_workspace)
    assert loaded.cache_hits == 0
    second, loaded = records(demo_workspace)
    assert loaded.cache_hits == 42
    assert first == second


def test_same_size_edit_with_the_old_mtime_is_noticed(demo_workspace: Path, trust_now: None) -> None:
    path = demo_workspace / "ledgers/zhuanban/ZB-001.yaml"
    records(demo_workspace)
    st = path.stat()
    time.sleep(0.05)  # past the kernel's coarse clock tick, so ctime moves
    text = path.read_text(encoding="utf-8")
    edited = text.replace("进度: 50", "进度: 59")
    assert len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime exactly as before
    got, loaded = records(demo_workspace)
    assert got["ZB-001"].updates[-1][1] == 59
    assert loaded.cache_hits == 41


def test_an_edit_inside_the_timestamp_resolution_is_never_served_stale(demo_workspace: Path) -> None:
    """With the real 2 s rule: a file written just now is re-read, whatever its signature says."""
    path = demo_workspace / "ledgers/zhuanban/ZB-001.yaml"
    records(demo_workspace)
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("进度: 50", "进度: 58"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    got, _ = records(demo_workspace)
    assert got["ZB-001"].updates[-1][1] == 58


def test_a_unit_registry_change_revalidates_everything(demo_workspace: Path, trust_now: None) -> None:
    records(demo_workspace)
    units = demo_workspace / "schemas/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("      - 县水务局\n", ""), encoding="utf-8")
    got, loaded = records(demo_workspace)
    assert loaded.cache_hits == 0
    assert "XM-001" not in got
    assert [(f.file, f.code) for f in loaded.findings] == [("ledgers/huanbao/HB-006.yaml", "E305"),
                                                           ("ledgers/xiangmu/XM-001.yaml", "E305")]


def test_deleted_and_added_files(demo_workspace: Path, trust_now: None) -> None:
    records(demo_workspace)
    (demo_workspace / "ledgers/xiangmu/XM-003.yaml").unlink()
    shutil.copy(demo_workspace / "ledgers/xiangmu/XM-002.yaml", demo_workspace / "ledgers/xiangmu/XM-009.yaml")
    got, loaded = records(demo_workspace)
    assert "XM-003" not in got and "XM-009" not in got  # the copy says 编号 XM-002: invalid
    assert [(f.file, f.code) for f in loaded.findings] == [("ledgers/xiangmu/XM-009.yaml", "E302")]


def test_checkout_of_another_branch(git_demo: Path, trust_now: None) -> None:
    git(git_demo, "checkout", "-q", "-b", "draft")
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("进度: 50", "进度: 77"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "draft")
    got, _ = records(git_demo)
    assert got["ZB-001"].updates[-1][1] == 77
    time.sleep(0.05)
    git(git_demo, "checkout", "-q", "main")
    got, _ = records(git_demo)
    assert got["ZB-001"].updates[-1][1] == 50


@pytest.mark.parametrize("damage", ["garbage", "truncated", "directory", "other-version"])
def test_a_damaged_cache_is_rebuilt_silently(demo_workspace: Path, trust_now: None, damage: str) -> None:
    expected, _ = records(demo_workspace)
    cache = demo_workspace / store.CACHE_FILE
    if damage == "garbage":
        cache.write_bytes(os.urandom(4096))
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:1000])
    elif damage == "directory":
        cache.unlink()
        cache.mkdir()
    else:
        import marshal

        _, entries = marshal.loads(cache.read_bytes())
        cache.write_bytes(marshal.dumps(("0" * 64, entries)))
    got, loaded = records(demo_workspace)
    assert got == expected and loaded.findings == []


CASES = [
    ["status", "--today", "2022-06-30", "--format", "json", "--all"],
    ["status", "--today", "2022-06-30"],
    ["status", "--today", "2022-03-31", "--format", "csv", "--unit", "县住建局"],
    ["check", "--today", "2022-06-30", "--format", "json"],
    ["check", "--today", "2022-06-30"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a[:4]))
def test_the_cache_never_changes_the_output(demo_workspace: Path, trust_now: None, args: list[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def run() -> tuple[int, str, str]:
        r = CliRunner().invoke(app, ["--root", str(demo_workspace), *args])
        return r.exit_code, r.stdout, r.stderr

    monkeypatch.setenv("YILAN_NO_CACHE", "1")
    without = run()
    assert not (demo_workspace / store.CACHE_FILE).exists()
    monkeypatch.delenv("YILAN_NO_CACHE")
    cold, warm = run(), run()
    assert without == cold == warm
