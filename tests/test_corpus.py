"""The bad-input corpus: every broken file yields a finding with its file and line; nothing crashes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import REPO, make_workspace

CORPUS = Path(__file__).resolve().parent / "corpus"

# file → [(code, line)] — hand-checked against each file
EXPECTED: dict[str, list[tuple[str, int]]] = {
    "ledgers/foo/ZB-132.yaml": [("E313", 1)],
    "ledgers/xinfang/XF-139.yaml": [("E202", 1)],  # a ledger's required extra field
    "ledgers/zhuanban/XM-110.yaml": [("E303", 1)],  # wrong prefix for the ledger
    "ledgers/zhuanban/ZB-101.yaml": [("E113", 2)],  # full-width colon
    "ledgers/zhuanban/ZB-102.yaml": [("E103", 8)],  # tab indent
    "ledgers/zhuanban/ZB-103.yaml": [("E101", 1)],  # GBK bytes
    "ledgers/zhuanban/ZB-104.yaml": [("E204", 4)],  # 2022-02-30
    "ledgers/zhuanban/ZB-105.yaml": [("E206", 9)],  # progress 120
    "ledgers/zhuanban/ZB-106.yaml": [("E202", 1), ("E201", 6)],  # 完成时间 for 完成时限
    "ledgers/zhuanban/ZB-107.yaml": [("E202", 1)],  # no 牵头单位
    "ledgers/zhuanban/ZB-108.yaml": [("E305", 3)],  # 县发改委 (unregistered)
    "ledgers/zhuanban/ZB-109.yaml": [("E302", 1)],  # ID ≠ file name
    "ledgers/zhuanban/ZB-111.yaml": [("E112", 8)],  # conflict markers
    "ledgers/zhuanban/ZB-112.yaml": [("E110", 1)],  # empty
    "ledgers/zhuanban/ZB-113.yaml": [("E111", 1)],  # top-level list
    "ledgers/zhuanban/ZB-114.yaml": [("E207", 6)],  # 进行中
    "ledgers/zhuanban/ZB-115.yaml": [("E309", 6)],  # closed without 办结日期
    "ledgers/zhuanban/ZB-116.yaml": [("E306", 5)],  # deadline before assignment
    "ledgers/zhuanban/ZB-117.yaml": [("E307", 9)],  # entries out of order
    "ledgers/zhuanban/ZB-118.yaml": [("E108", 3)],  # duplicate key
    "ledgers/zhuanban/ZB-119.yaml": [("E106", 2)],  # python tag
    "ledgers/zhuanban/ZB-120.yaml": [("E107", 8)],  # alias bomb
    "ledgers/zhuanban/ZB-122.yaml": [("E308", 6), ("E310", 7)],  # 状态 not matching the log
    "ledgers/zhuanban/ZB-123.yaml": [("E104", 9)],  # unclosed bracket
    "ledgers/zhuanban/ZB-124.yaml": [("E205", 8)],  # 70%
    "ledgers/zhuanban/ZB-125.yaml": [("E209", 2)],  # empty title
    "ledgers/zhuanban/ZB-126.yaml": [("E109", 7)],  # nesting bomb
    "ledgers/zhuanban/ZB-127.yaml": [("E105", 7)],  # a list as a key
    "ledgers/zhuanban/ZB-128.yaml": [("E310", 7)],  # 办结日期 ≠ closing entry
    "ledgers/zhuanban/ZB-129.yaml": [("E311", 6)],  # 已销号 without 销号
    "ledgers/zhuanban/ZB-130.yaml": [("E312", 8)],  # entry before 交办日期
    "ledgers/zhuanban/ZB-131.yaml": [("E314", 8)],  # approved before applied
    "ledgers/zhuanban/ZB-134.yaml": [("E210", 7)],  # text where a list belongs
    "ledgers/zhuanban/ZB-135.yaml": [("E211", 7)],  # text where a mapping belongs
    "ledgers/zhuanban/ZB-136.yaml": [("E212", 8)],  # 四千
    "ledgers/zhuanban/ZB-137.yaml": [("E208", 7)],  # 每月
    "ledgers/zhuanban/ZB-138.yaml": [("E203", 5)],  # 8月底 in the file
    "ledgers/zhuanban/zb_133.yaml": [("E301", 1)],  # malformed ID
    "ledgers/zhuanban/ZB-141.yaml": [("E102", 1)],  # binary garbage (made by the fixture)
    "ledgers/zhuanban/ZB-142.yaml": [("E100", 1)],  # 5 MB (made by the fixture)
}
VALID = ["ZB-140"]  # CRLF line endings: accepted


@pytest.fixture
def corpus_ws(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "corpus")
    shutil.copytree(CORPUS / "ledgers", root / "ledgers", dirs_exist_ok=True)
    z = root / "ledgers" / "zhuanban"
    (z / "ZB-141.yaml").write_bytes(bytes(range(256)) * 12 + os.urandom(1000))
    (z / "ZB-142.yaml").write_bytes(b"# big\n" + b"x" * (5 * 1024 * 1024))
    return root


def run(root: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def test_check_reports_every_broken_file_with_its_line(corpus_ws: Path) -> None:
    r = run(corpus_ws, "check", "--today", "2022-06-30", "--format", "json")
    assert r.exit_code == 1  # type: ignore[attr-defined]
    doc = json.loads(r.stdout)  # type: ignore[attr-defined]
    errors: dict[str, list[tuple[str, int]]] = {}
    for f in doc["findings"]:
        if f["severity"] == "error":
            errors.setdefault(f["file"], []).append((f["code"], f["line"]))
            assert f["line"] >= 1 and f["column"] >= 1 and f["message"] and f["hint"]
    assert {k: sorted(v) for k, v in errors.items()} == {k: sorted(v) for k, v in EXPECTED.items()}
    assert len(EXPECTED) >= 22


def test_check_text_golden(corpus_ws: Path, golden) -> None:  # type: ignore[no-untyped-def]
    (corpus_ws / "ledgers" / "zhuanban" / "ZB-141.yaml").write_bytes(bytes(range(256)) * 12)  # fixed bytes
    r = run(corpus_ws, "check", "--today", "2022-06-30")
    assert r.exit_code == 1  # type: ignore[attr-defined]
    assert "Traceback" not in r.output  # type: ignore[attr-defined]
    golden("check_corpus.txt", r.stdout)  # type: ignore[attr-defined]


def test_status_lists_valid_matters_and_names_broken_files(corpus_ws: Path) -> None:
    r = run(corpus_ws, "status", "--today", "2022-06-30", "--format", "json")
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert [m["id"] for m in json.loads(r.stdout)["matters"]] == VALID  # type: ignore[attr-defined]
    for path in EXPECTED:
        assert path in r.stderr  # type: ignore[attr-defined]


def test_english_messages(corpus_ws: Path) -> None:
    r = run(corpus_ws, "--lang", "en", "check", "--today", "2022-06-30")
    assert "error[E113] full-width colon" in r.stdout  # type: ignore[attr-defined]
    assert "did you mean 完成时限?" in r.stdout  # type: ignore[attr-defined]
    assert "错误" not in r.stdout  # type: ignore[attr-defined]


def test_duplicate_id_across_ledgers_sharing_a_prefix(tmp_workspace: Path) -> None:
    from .conftest import write_matter

    (tmp_workspace / "schemas" / "ledgers" / "zz.yaml").write_text("键: zz\n前缀: ZB\n名称: 重复前缀台账\n", encoding="utf-8")
    write_matter(tmp_workspace, "zhuanban", "ZB-001")
    write_matter(tmp_workspace, "zz", "ZB-001")
    r = run(tmp_workspace, "check", "--today", "2022-06-30", "--format", "json")
    codes = [(f["file"], f["code"]) for f in json.loads(r.stdout)["findings"]]  # type: ignore[attr-defined]
    assert ("ledgers/zz/ZB-001.yaml", "E304") in codes


@pytest.mark.parametrize("whole", [False, True])
def test_worker_processes_read_exactly_what_one_process_reads(corpus_ws: Path, whole: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold read of many files goes to one worker per core (store.read_files): the same values and findings,
    in the same order, broken files included."""
    from yilan_cli import store
    from yilan_cli.workspace import load

    shutil.copytree(REPO / "ledgers", corpus_ws / "ledgers", dirs_exist_ok=True)  # valid matters beside the broken
    ws = load(corpus_ws)
    paths = [str(p) for p in store.matter_files(corpus_ws)]
    one = store.read_files(ws, paths, whole)
    monkeypatch.setattr(store, "PARALLEL_MIN", 1)
    monkeypatch.setattr(store, "CHUNK", 7)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    many = store.read_files(ws, paths, whole)
    assert list(many) == list(one) == paths
    assert many == one
    assert sum(v is None for v, _ in one.values()) == len(EXPECTED)
    assert sum(v is not None for v, _ in one.values()) == 42 + len(VALID)


def test_workers_end_with_the_command_that_started_them(tmp_path: Path) -> None:
    """A cold read killed mid-way (CI's timeout, the OOM killer) leaves no worker blocked on its result pipe."""
    import signal
    import subprocess
    import sys
    import time

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    ws = tmp_path / "ws"
    generate(3000, ws)
    yilan = shutil.which("yilan", path=str(Path(sys.executable).parent)) or "yilan"
    p = subprocess.Popen([yilan, "export", "--format", "json", "--today", "2022-06-30"], cwd=ws,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat[1]) == p.pid and stat[0] != "Z":
                found.append(int(entry.name))
        return found

    deadline = time.monotonic() + 60
    while not (kids := children()) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert kids, "the cold export of 3,000 files started no workers"
    p.send_signal(signal.SIGKILL)
    p.wait()

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 10
    while any(alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [k for k in kids if alive(k)]
