"""The record cache notices every change and never changes what a command prints."""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli import store
from yilan_cli.cli import app
from yilan_cli.workspace import load, read_cache_file, write_cache_file

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
        _, entries = read_cache_file(cache)
        write_cache_file(cache, ("0" * 64, entries))
    got, loaded = records(demo_workspace)
    assert got == expected and loaded.findings == []


CASES = [
    ["status", "--today", "2022-06-30", "--format", "json", "--all"],
    ["status", "--today", "2022-06-30"],
    ["status", "--today", "2022-03-31", "--format", "csv", "--unit", "县住建局"],
    ["check", "--today", "2022-06-30", "--format", "json"],
    ["check", "--today", "2022-06-30"],
    ["export", "--today", "2022-06-30", "--format", "csv"],  # whole matters (store.load_full)
    ["export", "--today", "2022-03-31", "--format", "json", "--unit", "县住建局"],
    ["report", "2022Q2", "--today", "2022-06-30"],
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


# --------------------------------------------------------------------------- whole matters (store.load_full)
def full(root: Path) -> dict[str, Any]:
    return {v.path: v for v in store.load_full(load(root), use_cache=True)}


def test_whole_matters_come_back_equal_from_the_cache(demo_workspace: Path, trust_now: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from yilan_cli import checks

    ledger = demo_workspace / "schemas/ledgers/xiangmu.yaml"  # a 日期 extra field, so dates must survive marshal
    field = "  - {名称: 开工日期, 键: started, 类型: 日期, 必填: false, 敏感: false}\n"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("  - {名称: 总投资万元", field + "  - {名称: 总投资万元"),
                      encoding="utf-8")
    matter = sorted((demo_workspace / "ledgers/xiangmu").glob("*.yaml"))[0]
    matter.write_text(matter.read_text(encoding="utf-8") + "开工日期: 2022-03-01\n", encoding="utf-8")
    first = full(demo_workspace)
    assert (demo_workspace / store.FULL_CACHE_FILE).exists()
    reads: list[Path] = []
    real = checks.read_matter
    monkeypatch.setattr(checks, "read_matter", lambda ws, p: (reads.append(p), real(ws, p))[1])
    second = full(demo_workspace)
    assert reads == []  # every matter came from the cache
    assert len(second) == 42
    for path, v in first.items():
        w = second[path]
        assert (w.matter, w.ledger, w.cycle, w.extra, w.record()) == (v.matter, v.ledger, v.cycle, v.extra, v.record())
    assert second[f"ledgers/xiangmu/{matter.name}"].extra["started"] == date(2022, 3, 1)  # a date again, not text


def test_whole_matters_notice_a_same_size_edit(demo_workspace: Path, trust_now: None) -> None:
    path = demo_workspace / "ledgers/zhuanban/ZB-001.yaml"
    full(demo_workspace)
    st = path.stat()
    time.sleep(0.05)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("进度: 50", "进度: 59"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    got = full(demo_workspace)["ledgers/zhuanban/ZB-001.yaml"]
    assert got.matter.updates[-1].progress == 59 and got.record().updates[-1][1] == 59


def test_a_cache_entry_that_no_longer_fits_is_read_from_the_file(demo_workspace: Path, trust_now: None) -> None:
    """An entry another build of yilan wrote (a renamed key, a bad value) is never served: the file is the truth."""
    expected = full(demo_workspace)
    cache = demo_workspace / store.FULL_CACHE_FILE
    key, entries = read_cache_file(cache)
    rel = "ledgers/zhuanban/ZB-001.yaml"
    sig, (ledger, p, cycle, data, extra, record) = entries[rel]
    entries[rel] = (sig, (ledger, p, cycle, {**data, "交办日期": "不是日期"}, extra, record))
    write_cache_file(cache, (key, entries))  # a well-formed file (its CRC matches) holding a bad entry
    got = full(demo_workspace)
    assert got[rel].matter == expected[rel].matter and str(got[rel].matter.assigned) != "不是日期"
    assert len(got) == len(expected)


@pytest.mark.parametrize("entry", [5, (), ("x",), (None, None), "one-value-short"], ids=repr)
def test_an_entry_of_another_shape_is_a_miss_never_an_error(demo_workspace: Path, trust_now: None,
                                                           entry: Any) -> None:
    """Both caches: an entry of any shape is read again from its file (no internal error, the right values).
    (An entry of the right shape with forged values needs the file's inode and ctime in its key: a cache file
    pulled from git never matches; one written by a local user is as trusted as the ledgers that user can edit.)"""
    expected_full, (expected_records, _) = full(demo_workspace), records(demo_workspace)
    rel = "ledgers/zhuanban/ZB-001.yaml"
    for name in (store.FULL_CACHE_FILE, store.CACHE_FILE):
        key, entries = read_cache_file(demo_workspace / name)
        sig = entries[rel][0]
        entries[rel] = (sig, entries[rel][1][:-1]) if entry == "one-value-short" else entry
        write_cache_file(demo_workspace / name, (key, entries))
    assert full(demo_workspace)[rel].matter == expected_full[rel].matter
    got, loaded = records(demo_workspace)
    assert got == expected_records and loaded.findings == []


def test_a_damaged_byte_rebuilds_the_cache(demo_workspace: Path, trust_now: None) -> None:
    """A changed byte anywhere in the payload fails its CRC-32: the file is ignored, never half-read."""
    expected, _ = records(demo_workspace)
    cache = demo_workspace / store.CACHE_FILE
    data = bytearray(cache.read_bytes())
    data[len(data) // 2] ^= 0x01
    cache.write_bytes(bytes(data))
    assert read_cache_file(cache) is None
    got, loaded = records(demo_workspace)
    assert got == expected and loaded.cache_hits == 0
    assert read_cache_file(cache) is not None  # rebuilt


@pytest.mark.parametrize("kind", ["link-to-dev-zero", "fifo", "directory", "planted-temporary-link"])
def test_a_cache_path_that_is_not_a_regular_file(demo_workspace: Path, trust_now: None, kind: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A link (even to /dev/zero), a pipe or a folder where a cache file belongs is never read or followed: the
    command answers at once from the files; a link planted at the temporary name is replaced, not written through."""
    cache = demo_workspace / store.FULL_CACHE_FILE
    cache.parent.mkdir(parents=True, exist_ok=True)
    victim = demo_workspace / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    if kind == "link-to-dev-zero":
        cache.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(cache)
    elif kind == "directory":
        cache.mkdir()
    else:
        import itertools

        from yilan_cli import filecheck

        monkeypatch.setattr(filecheck, "_temp_names", itertools.count())  # the temporary names tried, in order
        for n in range(3):
            cache.with_name(f".{cache.name}.{os.getpid()}-{n}.tmp").symlink_to(victim)
    started = time.monotonic()
    got = full(demo_workspace)
    assert len(got) == 42 and time.monotonic() - started < 30
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not [p for p in cache.parent.glob(".*.tmp") if not p.is_symlink()]  # nothing of ours left behind
    if kind == "planted-temporary-link":
        assert read_cache_file(cache) is not None  # written as a file of its own
