"""The write pipeline: every write decided under the lock, recovery that never destroys (issue 15).

Each test stands for a case in shared/cases/writes/ (named in its docstring) and asserts the value a user
would check: the acknowledged entry present exactly once, the hand edit intact, the 文号 unique.
The concurrency tests hold the writers' lock in the test process, start a real ``yilan`` that waits for
it, land another write meanwhile (a nested writer, as a git hook would run one), then release the lock.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.txn import decide

from .conftest import git, hook, tmpfs, written_notes
from .test_e2e import yilan_exe
from .test_merge import two_clones

POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX signals, modes and hooks")
ZB1 = "ledgers/zhuanban/ZB-001.yaml"
ZB2 = "ledgers/zhuanban/ZB-002.yaml"


def run(root: Path, *args: str, input: str | None = None) -> object:
    return CliRunner().invoke(app, ["--root", str(root), *args], input=input, catch_exceptions=False)


def start(root: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None,
          group: bool = False) -> subprocess.Popen[bytes]:
    """A real yilan process (``group``: in its own process group, as a terminal runs it, for Ctrl-C)."""
    p = subprocess.Popen([yilan_exe(), "--root", str(root), *args], env={**os.environ, **(env or {})},
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=group)
    if stdin is not None:
        assert p.stdin
        p.stdin.write(stdin)
        p.stdin.flush()
    return p


def finish(p: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=120)
    return p.returncode, out.decode(), err.decode()


def nested(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A write that lands while the test holds the lock (as a hook running yilan would)."""
    return subprocess.run([yilan_exe(), "--root", str(root), *args], env={**os.environ, "YILAN_LOCK_HELD": "1"},
                          capture_output=True, text=True, timeout=120)


@contextmanager
def lock_held(root: Path) -> Iterator[None]:
    from filelock import FileLock

    (root / ".git" / "yilan").mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(root / ".git" / "yilan" / "write.lock"))
    with lock:
        yield


def waiting(p: subprocess.Popen[bytes], seconds: float = 3.0) -> None:
    """Give the started yilan time to read its arguments and block on the lock."""
    time.sleep(seconds)
    assert p.poll() is None, "the command should be waiting for the lock"


def count(root: Path, rel: str, text: str) -> int:
    return (root / rel).read_text(encoding="utf-8").count(text)


# --------------------------------------------------------------------------- the recovery rule, in memory
OLD, NEW, OTHER = "old\n", "new\n", "someone else's\n"
DECIDE_CASES = [
    # (files as {rel: (old, new)}, current, head, may_finish) → action, pending, foreign
    ({"a": (OLD, NEW)}, {"a": NEW}, {"a": OLD}, True, "finish", ["a"], []),  # killed before the commit: finished
    ({"a": (OLD, NEW)}, {"a": NEW}, {"a": NEW}, True, "drop", [], []),  # already in HEAD: dropped
    ({"a": (OLD, NEW)}, {"a": OLD}, {"a": OLD}, True, "drop", [], []),  # never written: nothing to do
    ({"a": (OLD, NEW)}, {"a": OTHER}, {"a": OLD}, True, "aside", [], ["a"]),  # hand edit after the kill: left alone
    ({"a": (OLD, NEW)}, {"a": OTHER}, {"a": OTHER}, True, "drop", [], []),  # stale journal, later commit: not reverted
    ({"a": (OLD, NEW)}, {"a": NEW}, {"a": OTHER}, True, "aside", [], ["a"]),  # HEAD moved on: no guess
    ({"a": (OLD, NEW), "b": (None, NEW)}, {"a": NEW, "b": None}, {"a": OLD, "b": None}, True, "rollback", ["a"], []),
    ({"a": (OLD, NEW), "b": (None, NEW)}, {"a": NEW, "b": NEW}, {"a": OLD, "b": None}, True, "finish", ["a", "b"], []),
    ({"a": (OLD, NEW)}, {"a": NEW}, {"a": OLD}, False, "rollback", ["a"], []),  # a write reported as failed
    ({"a": (OLD, None)}, {"a": None}, {"a": OLD}, True, "finish", ["a"], []),  # a deletion, finished
]


@pytest.mark.parametrize(("files", "current", "head", "may_finish", "action", "pending", "foreign"), DECIDE_CASES)
def test_the_recovery_rule(files: dict[str, tuple[str | None, str | None]], current: dict[str, str | None],
                           head: dict[str, str | None], may_finish: bool, action: str, pending: list[str],
                           foreign: list[str]) -> None:
    journal = {rel: {"old": o, "new": n} for rel, (o, n) in files.items()}
    d = decide(journal, current, head, may_finish)
    assert (d.action, d.pending, d.foreign) == (action, pending, foreign)


TEXTS = st.sampled_from([None, OLD, NEW, OTHER, "其他\n"])


@given(old=TEXTS, new=TEXTS, now=TEXTS, head=TEXTS, may_finish=st.booleans())
def test_recovery_only_ever_touches_a_file_that_holds_its_own_write(old: str | None, new: str | None, now: str | None,
                                                                    head: str | None, may_finish: bool) -> None:
    d = decide({"a": {"old": old, "new": new}}, {"a": now}, {"a": head}, may_finish)
    if d.action in ("finish", "rollback"):
        assert now == new and head == old  # the file holds exactly what this write put there
    if now not in (new, head):
        assert d.action == "aside"  # anything else is someone's: never committed, never rolled back


# --------------------------------------------------------------------------- decided under the lock
@pytest.mark.slow
def test_import_plans_under_the_lock(git_demo: Path, tmp_path: Path) -> None:
    """import_stale_plan.sh: an update and an add acknowledged while import waits are kept, each once."""
    sheet = tmp_path / "导入.csv"
    sheet.write_text("编号,事项,牵头单位,完成时限,进展情况,进展日期\nZB-001,,,,七月进展,2022-07-31\n"
                     ",导入的新事项,县水务局,2022-12-31,,\n", encoding="utf-8")
    with lock_held(git_demo):
        p = start(git_demo, "import", str(sheet), "--ledger", "zhuanban", "--assigned", "2022-07-01", "--today", "2022-07-31")
        waiting(p)
        assert nested(git_demo, "update", "ZB-001", "--note", "同事的进展", "--date", "2022-07-20").returncode == 0
        added = nested(git_demo, "add", "zhuanban", "--title", "同事新增的事项", "--lead-unit", "县水务局",
                       "--deadline", "2022-12-31", "--assigned", "2022-07-01")
        assert added.returncode == 0 and added.stdout.splitlines()[-1] == "ZB-004"
    code, _, err = finish(p)
    assert code == 0, err
    assert "另一个 yilan 命令正在写入" in err  # the wait is said, not silent
    assert count(git_demo, ZB1, "同事的进展") == 1 and count(git_demo, ZB1, "七月进展") == 1
    assert "事项: 同事新增的事项" in (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    assert "事项: 导入的新事项" in (git_demo / "ledgers/zhuanban/ZB-005.yaml").read_text(encoding="utf-8")
    assert (git_demo / "ledgers/zhuanban/.last-id").read_text(encoding="utf-8") == "5\n"


def test_import_never_replaces_an_invalid_file_as_new(git_demo: Path, tmp_path: Path) -> None:
    """import_overwrites_invalid.sh: a row naming an existing but invalid file is refused with the file named."""
    path = git_demo / ZB2
    conflict = "<<<<<<< 本地\n备注: 甲\n=======\n备注: 乙\n>>>>>>> 远端\n"
    broken = path.read_text(encoding="utf-8").replace("目标要求:", conflict + "目标要求:", 1)
    path.write_text(broken, encoding="utf-8")
    git(git_demo, "commit", "-qam", "合并(有冲突标记)")
    sheet = tmp_path / "填报.csv"
    sheet.write_text("编号,事项,牵头单位,完成时限,交办日期,进展情况,进展日期\n"
                     "ZB-002,招商引资,县商务局,2022-12-31,2022-01-10,七月进展,2022-07-31\n", encoding="utf-8")
    r = run(git_demo, "import", str(sheet), "--today", "2022-07-31")
    assert r.exit_code == 1
    assert "填报.csv:2: 错误[E318] 编号 ZB-002 的事项文件存在但有错误" in r.stderr and "ledgers/zhuanban/ZB-002.yaml" in r.stderr
    assert path.read_text(encoding="utf-8") == broken  # every 进展 entry still there


@pytest.mark.slow
def test_fmt_computes_under_the_lock(git_demo: Path) -> None:
    """fmt_stale.sh: an update landing while fmt waits is kept (fmt formats the file as it is then)."""
    path = git_demo / "ledgers/baolian/BL-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("事项: ", "事项:   ", 1), encoding="utf-8")
    git(git_demo, "commit", "-qam", "手工调整")
    with lock_held(git_demo):
        p = start(git_demo, "fmt")
        waiting(p)
        assert nested(git_demo, "update", "BL-001", "--note", "包联进展", "--date", "2022-07-20").returncode == 0
    code, _, err = finish(p)
    assert code == 0, err
    assert count(git_demo, "ledgers/baolian/BL-001.yaml", "包联进展") == 1


@pytest.mark.slow
def test_undo_rechecks_its_commit_under_the_lock(git_demo: Path) -> None:
    """undo_race.sh: a write to the same file landing after the question makes undo refuse, not revert it."""
    assert run(git_demo, "update", "ZB-001", "--note", "要撤销的进展", "--date", "2022-07-10").exit_code == 0
    with lock_held(git_demo):
        p = start(git_demo, "undo", stdin=b"y\n")
        waiting(p)
        assert nested(git_demo, "update", "ZB-001", "--note", "后来确认的进展", "--date", "2022-07-20").returncode == 0
    code, _, err = finish(p)
    assert code == 2 and "[U004]" in err and "未撤销" in err
    assert count(git_demo, ZB1, "后来确认的进展") == 1 and count(git_demo, ZB1, "要撤销的进展") == 1
    # a write to another file does not stop it: the undo takes back exactly its own commit
    assert run(git_demo, "update", "ZB-001", "--note", "再次要撤销", "--date", "2022-07-25").exit_code == 0
    undone = git(git_demo, "rev-parse", "HEAD").strip()
    with lock_held(git_demo):
        p = start(git_demo, "undo", "--yes")
        waiting(p)
        assert nested(git_demo, "update", "ZB-002", "--note", "别的事项", "--date", "2022-07-25").returncode == 0
    code, _, err = finish(p)
    assert code == 0, err
    assert count(git_demo, ZB1, "再次要撤销") == 0 and count(git_demo, ZB2, "别的事项") == 1
    assert f"Yilan-Undoes: {undone}" in git(git_demo, "log", "-1", "--format=%B")


def test_undo_in_a_shallow_clone_refuses_instead_of_deleting_everything(git_demo: Path, tmp_path: Path) -> None:
    """A shallow clone's newest commit has no parent here: undo cannot know what it changed."""
    assert run(git_demo, "update", "ZB-001", "--note", "进展", "--date", "2022-07-10").exit_code == 0
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_demo}", str(shallow)], check=True)
    r = run(shallow, "undo", "--yes")
    assert r.exit_code == 2 and "[U003]" in r.stderr and "浅克隆" in r.stderr
    assert git(shallow, "status", "--porcelain") == "" and (shallow / "schemas" / "rules.yaml").exists()
    assert git(shallow, "rev-list", "--count", "HEAD").strip() == "1"


def test_undo_never_takes_back_an_issued_document(git_demo: Path, tmp_path: Path) -> None:
    written_notes(git_demo, "2022Q2")
    r = run(git_demo, "report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "q2.md"))
    assert r.exit_code == 0
    r = run(git_demo, "undo", "--yes")
    assert r.exit_code == 2 and "[U002]" in r.stderr and "文号已发出" in r.stderr


# --------------------------------------------------------------------------- document numbers
@pytest.mark.slow
def test_overlapping_issues_never_share_a_number(git_demo: Path, tmp_path: Path) -> None:
    """issue_number_race.sh: numbers and "already issued" are decided under the lock."""
    written_notes(git_demo, "2022Q2", "2022-06")
    with lock_held(git_demo):
        runs = [start(git_demo, "report", period, "--issue", "--date", "2022-07-15", "-o", str(tmp_path / f"{k}.md"))
                for k, period in enumerate(("2022Q2", "2022-06", "2022Q2"))]
        time.sleep(2)
    results = [finish(p) for p in runs]
    assert sorted(code for code, _, _ in results) == [0, 0, 2]  # Q2 issued once, refused once
    assert any("[I001]" in err for _, _, err in results)
    register = yaml.safe_load((git_demo / "reports/issued.yaml").read_text(encoding="utf-8"))
    numbers = [e["编号"] for e in register]  # 第1期 is the demo's half-year evaluation (init --example)
    assert sorted(numbers) == ["依督通〔2022〕1号", "依督通〔2022〕2号", "依督通〔2022〕3号"]
    for k, (code, _, _) in enumerate(results):
        if code == 0:
            printed = (tmp_path / f"{k}.md").read_text(encoding="utf-8")
            assert sum(n in printed for n in numbers) == 1


def test_notice_is_issued_once_a_day_and_reissued_by_number(git_demo: Path, tmp_path: Path) -> None:
    """Running `notice --issue` twice the same day gives no new numbers and keeps the first files."""
    first, second, again = tmp_path / "first", tmp_path / "second", tmp_path / "again"
    r = run(git_demo, "notice", "--today", "2022-06-30", "--issue", "-o", str(first))
    assert r.exit_code == 0
    files = {p.name: p.read_bytes() for p in first.iterdir()}
    register = yaml.safe_load((git_demo / "reports/issued.yaml").read_text(encoding="utf-8"))
    notices = register[1:]  # after the demo's half-year evaluation
    r = run(git_demo, "notice", "--today", "2022-06-30", "--issue", "-o", str(first))
    assert r.exit_code == 2 and "[I007]" in r.stderr and notices[0]["编号"] in r.stderr
    assert yaml.safe_load((git_demo / "reports/issued.yaml").read_text(encoding="utf-8")) == register
    assert {p.name: p.read_bytes() for p in first.iterdir()} == files
    # the same files again, from the register: byte for byte
    for entry in notices:
        assert run(git_demo, "notice", "--as-issued", entry["编号"], "-o", str(again)).exit_code == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == files
    # a later day is a new notice
    r = run(git_demo, "notice", "--today", "2022-07-01", "--issue", "-o", str(second))
    assert r.exit_code == 0
    assert len(yaml.safe_load((git_demo / "reports/issued.yaml").read_text(encoding="utf-8"))) > len(register)


@pytest.mark.slow
def test_escalation_numbers_are_decided_under_the_lock(git_demo: Path, tmp_path: Path) -> None:
    """A second place of the kind: overlapping `escalate --apply` runs give each document one number."""
    assert run(git_demo, "notice", "--today", "2022-06-30", "--issue", "-o", str(tmp_path / "n")).exit_code == 0
    with lock_held(git_demo):
        runs = [start(git_demo, "escalate", "--today", "2022-07-20", "--apply", "-o", str(tmp_path / f"e{k}")) for k in range(3)]
        time.sleep(2)
    results = [finish(p) for p in runs]
    assert [code for code, _, _ in results].count(0) == 3
    numbers = [e["编号"] for e in yaml.safe_load((git_demo / "reports/issued.yaml").read_text(encoding="utf-8"))]
    assert len(numbers) == len(set(numbers)) and any("督提" in n for n in numbers)
    assert sum("需升级督办" in out for _, out, _ in results) == 1  # the later runs found nothing left to escalate


# --------------------------------------------------------------------------- recovery never destroys
@POSIX
@pytest.mark.slow
def test_a_hand_edit_after_a_killed_write_is_left_intact(git_demo: Path) -> None:
    """journal_eats_hand_edit.sh: the file changed by hand after the kill is neither rolled back nor committed."""
    p = start(git_demo, "update", "ZB-001", "--note", "被中断的写入", "--date", "2022-07-10",
              env={"YILAN_TESTING": "1", "YILAN_FAULT": "after-replace"})
    assert finish(p)[0] in (-signal.SIGKILL, 137)
    path = git_demo / ZB1
    edited = path.read_text(encoding="utf-8").replace("被中断的写入", "手工改过的内容")
    path.write_text(edited, encoding="utf-8")
    code, _, err = finish(start(git_demo, "update", "ZB-002", "--note", "别的事项", "--date", "2022-07-10"))
    assert code == 0 and "又被修改过" in err and ZB1 in err
    assert path.read_text(encoding="utf-8") == edited  # the hand edit is intact, uncommitted
    assert git(git_demo, "status", "--porcelain") == f" M {ZB1}\n"
    kept = list((git_demo / ".git" / "yilan").glob("journal-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text(encoding="utf-8"))["files"][ZB1]["new"].count("被中断的写入") == 1
    assert not (git_demo / ".git" / "yilan" / "journal.json").exists()


def test_a_stale_journal_never_reverts_later_commits(git_demo: Path) -> None:
    """stale_journal.sh: a journal whose write is already in history, then a later commit: nothing reverted."""
    path = git_demo / ZB1
    old = path.read_text(encoding="utf-8")
    assert run(git_demo, "update", "ZB-001", "--note", "已提交的写入", "--date", "2022-07-10").exit_code == 0
    new = path.read_text(encoding="utf-8")
    journal = git_demo / ".git" / "yilan" / "journal.json"
    journal.write_text(json.dumps({"version": 2, "message": "更新 ZB-001\n\nYilan-Action: update\n",
                                   "files": {ZB1: {"old": old, "new": new}}}), encoding="utf-8")
    later = re.sub(r"(?m)^目标要求:.*$", "目标要求: 手工修订后的目标(已提交)", new, count=1)
    path.write_text(later, encoding="utf-8")
    git(git_demo, "commit", "-qam", "手工修订目标")
    r = run(git_demo, "update", "ZB-002", "--note", "别的事项", "--date", "2022-07-10")
    assert r.exit_code == 0 and "上次被中断" not in r.stderr
    assert path.read_text(encoding="utf-8") == later and git(git_demo, "status", "--porcelain") == ""
    assert not journal.exists()


@POSIX
@pytest.mark.slow
def test_ctrl_c_after_git_committed_keeps_the_entry(git_demo: Path) -> None:
    """ctrl_c_after_commit.sh: SIGINT while a slow post-commit hook runs: committed, said so, index clean."""
    slow = hook(git_demo / ".git", "post-commit", "sleep 5")
    before = git(git_demo, "rev-parse", "HEAD")
    p = start(git_demo, "update", "ZB-001", "--progress", "60", "--note", "中断前已提交", "--date", "2022-07-10")
    deadline = time.monotonic() + 60
    while git(git_demo, "rev-parse", "HEAD") == before and time.monotonic() < deadline:
        time.sleep(0.05)  # until git has committed; its post-commit hook is still running
    p.send_signal(signal.SIGINT)
    code, _, err = finish(p)
    slow.unlink()
    assert code != 0 and "修改已经提交,无需重做" in err
    assert "中断前已提交" in git(git_demo, "show", f"HEAD:{ZB1}")
    assert count(git_demo, ZB1, "中断前已提交") == 1
    assert git(git_demo, "status", "--porcelain") == ""  # nothing staged apart from HEAD


@POSIX
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounting a small tmpfs needs root")
@pytest.mark.slow
def test_disk_full_is_reported_never_committed_later_and_a_retry_adds_once(tmp_path: Path) -> None:
    """disk_full_duplicate.sh / full_disk.sh: a real 2 MiB file system filled to a few KiB."""
    with tmpfs(tmp_path / "disk", "2m") as disk:
        ws = disk / "ws"
        assert CliRunner().invoke(app, ["init", str(ws), "--example"]).exit_code == 0
        run(ws, "status", "--today", "2022-06-30")
        results = []
        for free_kib in (0, 8, 16, 32):
            filler = disk / "filler"
            filler.unlink(missing_ok=True)
            avail = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize // 1024
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1k", f"count={max(avail - free_kib, 0)}"],
                           capture_output=True)
            code, _, err = finish(start(ws, "update", "ZB-001", "--note", f"磁盘满{free_kib}", "--date", "2022-07-10"))
            results.append((free_kib, code, err))
            filler.unlink()
            assert code in (0, 2) and "E999" not in err, err
            if code == 2:
                assert "[G010]" in err and "磁盘空间不足" in err
                assert f"磁盘满{free_kib}" not in git(ws, "show", f"HEAD:{ZB1}")
                # the next command puts back what was left, never commits it
                code2, _, _ = finish(start(ws, "update", "ZB-002", "--note", "下一条", "--date", "2022-07-10"))
                assert code2 == 0 and count(ws, ZB1, f"磁盘满{free_kib}") == 0
                assert f"磁盘满{free_kib}" not in git(ws, "log", "-p", "-5")
                # the user's retry adds it exactly once
                assert finish(start(ws, "update", "ZB-001", "--note", f"磁盘满{free_kib}", "--date", "2022-07-10"))[0] == 0
            assert count(ws, ZB1, f"磁盘满{free_kib}") == 1
            assert git(ws, "status", "--porcelain", "--", "ledgers") == ""
            assert subprocess.run(["git", "fsck", "--no-progress"], cwd=ws, capture_output=True).returncode == 0
        assert any(code == 2 for _, code, _ in results), results  # the disk really was full at least once


# --------------------------------------------------------------------------- files, folders and git states
@POSIX
def test_writes_keep_file_modes_and_refuse_read_only_files(git_demo: Path) -> None:
    """perm_0600.sh: a 0644 file stays 0644, a 0640 file stays 0640, new files get 0666 & ~umask."""
    old = os.umask(0o022)
    try:
        path = git_demo / ZB1
        assert run(git_demo, "update", "ZB-001", "--note", "x", "--date", "2022-07-10").exit_code == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)
        assert run(git_demo, "update", "ZB-001", "--note", "y", "--date", "2022-07-11").exit_code == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        r = run(git_demo, "add", "zhuanban", "--title", "新事项", "--lead-unit", "县水务局", "--deadline", "2022-12-31",
                "--assigned", "2022-07-01")
        assert r.exit_code == 0
        assert stat.S_IMODE((git_demo / "ledgers/zhuanban/ZB-004.yaml").stat().st_mode) == 0o644
        assert stat.S_IMODE((git_demo / "ledgers/zhuanban/.last-id").stat().st_mode) == 0o644
        path.chmod(0o444)
        before = path.read_text(encoding="utf-8")
        r = run(git_demo, "update", "ZB-001", "--note", "z", "--date", "2022-07-12")
        assert r.exit_code == 2 and "[G011]" in r.stderr and "只读" in r.stderr
        assert path.read_text(encoding="utf-8") == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    finally:
        os.umask(old)


def test_init_only_in_an_empty_folder_and_commits_only_its_own_files(tmp_path: Path) -> None:
    """init_sweeps_everything.sh: a folder with other files is refused untouched; an empty git repo works."""
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / ".env").write_text("PASSWORD=secret\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["init", str(busy)])
    assert r.exit_code == 2 and "[U005]" in r.stderr and ".env" in r.stderr
    assert sorted(p.name for p in busy.iterdir()) == [".env"]

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    r = CliRunner().invoke(app, ["init", str(repo)])
    assert r.exit_code == 0, r.output
    committed = set(git(repo, "ls-files").split())
    assert "schemas/rules.yaml" in committed and "ledgers/zhuanban/.last-id" in committed
    assert git(repo, "status", "--porcelain") == "" and git(repo, "rev-list", "--count", "HEAD").strip() == "1"


@pytest.mark.slow
def test_a_live_git_holding_index_lock_is_waited_for(git_demo: Path) -> None:
    """orphan_git_blocks_next.sh: the next writer waits for git, and only names the lock when it stays."""
    lock = git_demo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    p = start(git_demo, "update", "ZB-001", "--note", "等待后写入", "--date", "2022-07-10", env={"YILAN_INDEX_LOCK_WAIT": "30"})
    time.sleep(4)
    lock.unlink()  # the orphaned git finished
    code, _, err = finish(p)
    assert code == 0 and "等待它结束" in err and count(git_demo, ZB1, "等待后写入") == 1
    lock.write_text("", encoding="utf-8")
    r = run(git_demo, "update", "ZB-001", "--note", "锁还在", "--date", "2022-07-11")
    assert r.exit_code == 2 and "[G003]" in r.stderr and str(lock) in r.stderr and "确认所有这类程序都已关闭" in r.stderr
    lock.unlink()


@pytest.mark.parametrize(("state", "words"), [
    ("detached", "git switch main"),
    ("BISECT_LOG", "git bisect reset"),
    ("CHERRY_PICK_HEAD", "git cherry-pick --abort"),
    ("rebase-merge", "git rebase --abort"),
])
def test_every_write_refuses_odd_git_states_with_the_way_out(git_demo: Path, tmp_path: Path, state: str, words: str) -> None:
    """detached_head.sh and its kind: no write commits where it would be lost or tangled."""
    if state == "detached":
        git(git_demo, "checkout", "-q", "--detach")
    else:
        target = git_demo / ".git" / state
        target.mkdir() if state == "rebase-merge" else target.write_text("x\n", encoding="utf-8")
    before = git(git_demo, "rev-parse", "HEAD")
    for args in (["update", "ZB-001", "--note", "x", "--date", "2022-07-10"],
                 ["report", "2022Q2", "--issue", "-o", str(tmp_path / "q.md")],
                 ["research", "add", "--person", "fxz-nongye", "--date", "2022-07-01", "--place", "村", "--topic", "t"]):
        r = run(git_demo, *args)
        assert r.exit_code == 2 and words in r.stderr, (args, r.stderr)
    assert git(git_demo, "rev-parse", "HEAD") == before and git(git_demo, "status", "--porcelain") == ""


# --------------------------------------------------------------------------- sync
@pytest.mark.slow
def test_sync_holds_the_lock_so_an_update_during_its_replay_is_kept(tmp_path: Path) -> None:
    """sync_race.sh: a write started during sync waits for it and lands after, exactly once."""
    a, b = two_clones(tmp_path)
    assert run(b, "update", "ZB-002", "--note", "B的进展", "--date", "2022-07-10").exit_code == 0
    assert run(b, "sync").exit_code == 0
    assert run(a, "update", "XM-002", "--note", "A的进展", "--date", "2022-07-10").exit_code == 0
    slow = hook(a / ".git", "post-checkout", "sleep 2")  # runs when sync makes its replay worktree
    s = start(a, "sync")
    time.sleep(1.0)
    u = start(a, "update", "ZB-001", "--note", "同步期间确认的进展", "--date", "2022-07-10")
    assert finish(s)[0] == 0 and finish(u)[0] == 0
    slow.unlink()
    assert count(a, ZB1, "同步期间确认的进展") == 1 and count(a, ZB2, "B的进展") == 1
    assert git(a, "status", "--porcelain") == "" and git(a, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert run(a, "sync").exit_code == 0 and run(b, "sync").exit_code == 0
    assert count(b, ZB1, "同步期间确认的进展") == 1


@pytest.mark.slow
def test_sync_renumbering_merges_the_other_files_of_the_commit(tmp_path: Path) -> None:
    """sync_renumber_overwrites.sh: the colleague's pushed entry on another matter survives the renumbering."""
    a, b = two_clones(tmp_path)
    sheet = tmp_path / "填报.csv"
    sheet.write_text("编号,事项,牵头单位,完成时限,进展情况,进展日期\nZB-001,,,,A导入的进展,2022-07-31\n"
                     ",A导入的新事项,县水务局,2022-12-31,,\n", encoding="utf-8")
    r = run(a, "import", str(sheet), "--ledger", "zhuanban", "--assigned", "2022-07-01", "--today", "2022-07-31")
    assert r.exit_code == 0
    assert run(b, "add", "zhuanban", "--title", "B新增的事项", "--lead-unit", "县水务局", "--deadline", "2022-12-31",
               "--assigned", "2022-07-01").exit_code == 0
    assert run(b, "update", "ZB-001", "--note", "B的进展", "--date", "2022-07-20").exit_code == 0
    assert run(b, "sync").exit_code == 0
    r = run(a, "sync")
    assert r.exit_code == 0 and "已改为 ZB-005" in r.stdout
    for clone in (a,):
        assert count(clone, ZB1, "B的进展") == 1 and count(clone, ZB1, "A导入的进展") == 1
        assert "A导入的新事项" in (clone / "ledgers/zhuanban/ZB-005.yaml").read_text(encoding="utf-8")
        assert "B新增的事项" in (clone / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    origin = tmp_path / "remote.git"
    assert "B的进展" in git(origin, "show", f"main:{ZB1}") and "A导入的进展" in git(origin, "show", f"main:{ZB1}")


@pytest.mark.slow
def test_sync_after_an_undone_add_renumbers_instead_of_failing(tmp_path: Path) -> None:
    """Found by the stress test: an add undone locally still clashes with the colleague's add of that ID."""
    a, b = two_clones(tmp_path)
    args = ["add", "zhuanban", "--lead-unit", "县水务局", "--deadline", "2022-12-31", "--assigned", "2022-07-01"]
    assert run(a, *args, "--title", "A加了又撤").exit_code == 0
    assert run(a, "undo", "--yes").exit_code == 0
    assert run(a, "update", "ZB-001", "--note", "A的进展", "--date", "2022-07-10").exit_code == 0
    assert run(b, *args, "--title", "B新增").exit_code == 0 and run(b, "sync").exit_code == 0
    r = run(a, "sync")
    assert r.exit_code == 0, r.stderr
    assert "B新增" in (a / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    assert not (a / "ledgers/zhuanban/ZB-005.yaml").exists()  # still undone, under its new number
    assert int((a / "ledgers/zhuanban/.last-id").read_text(encoding="utf-8")) >= 5  # never given out again
    assert count(a, ZB1, "A的进展") == 1


@pytest.mark.slow
def test_issuing_on_a_shared_branch_takes_its_number_from_the_server(tmp_path: Path) -> None:
    """Two clones issuing the same day: the second one syncs first and takes the next number."""
    a, b = two_clones(tmp_path)
    written_notes(a, "2022-06")
    written_notes(b, "2022Q2")
    assert run(a, "report", "2022-06", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "a.md")).exit_code == 0
    r = run(b, "report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "b.md"))
    assert r.exit_code == 0, r.stderr
    origin = tmp_path / "remote.git"
    register = yaml.safe_load(git(origin, "show", "main:reports/issued.yaml"))  # 第1期: the demo's (init --example)
    assert [e["编号"] for e in register] == ["依督通〔2022〕1号", "依督通〔2022〕2号", "依督通〔2022〕3号"]
    assert "依督通〔2022〕3号" in (tmp_path / "b.md").read_text(encoding="utf-8")


def test_a_workspace_in_a_sub_folder_recovers_and_undoes_its_own_files(tmp_path: Path) -> None:
    """Journal, HEAD and undo agree on paths when the workspace is a folder inside a larger repository."""
    from .conftest import make_workspace

    repo = tmp_path / "机关文件"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "其他文件.txt").write_text("与台账无关\n", encoding="utf-8")
    ws = make_workspace(repo / "督查台账", demo=True)
    (ws / ".gitignore").write_text(".yilan/\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "台账放进机关仓库")
    path = ws / ZB1
    old = path.read_text(encoding="utf-8")
    assert run(ws, "update", "ZB-001", "--note", "子目录中的进展", "--date", "2022-07-10").exit_code == 0
    new = path.read_text(encoding="utf-8")
    journal = repo / ".git" / "yilan" / "journal.json"  # a writer killed after its commit, before dropping this
    journal.write_text(json.dumps({"version": 2, "message": "更新 ZB-001\n\nYilan-Action: update\n",
                                   "files": {ZB1: {"old": old, "new": new}}}), encoding="utf-8")
    r = run(ws, "update", "ZB-002", "--note", "另一条", "--date", "2022-07-10")
    assert r.exit_code == 0 and "上次被中断" not in r.stderr and not journal.exists()
    assert run(ws, "undo", "--yes").exit_code == 0
    assert count(ws, ZB2, "另一条") == 0 and count(ws, ZB1, "子目录中的进展") == 1
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [f"督查台账/{ZB2}"]
    assert git(repo, "status", "--porcelain") == ""


@POSIX
@pytest.mark.slow
def test_a_forge_that_refuses_pushes_is_named_and_no_number_is_kept(tmp_path: Path) -> None:
    """A protected branch (a pre-receive hook says no): the forge's words, not "a colleague pushed"."""
    a, _ = two_clones(tmp_path)
    written_notes(a, "2022-06")
    assert run(a, "sync").exit_code == 0  # the notes are on the server before the branch is protected
    hook(tmp_path / "remote.git", "pre-receive", "echo '您没有向受保护分支推送的权限' >&2\nexit 1")
    before = git(a, "rev-parse", "HEAD")
    register = (a / "reports" / "issued.yaml").read_bytes()
    r = run(a, "report", "2022-06", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "m6.md"))
    assert r.exit_code == 2 and "文号已收回" in r.stderr and "[S009]" in r.stderr
    assert not (tmp_path / "m6.md").exists() and (a / "reports" / "issued.yaml").read_bytes() == register
    assert git(a, "rev-parse", "HEAD") == before and git(a, "status", "--porcelain") == ""
    assert run(a, "update", "ZB-001", "--note", "本地进展", "--date", "2022-07-10").exit_code == 0
    r = run(a, "sync")
    assert r.exit_code == 2 and "[S009]" in r.stderr and "您没有向受保护分支推送的权限" in r.stderr
    assert "同事的新提交" not in r.stderr and count(a, ZB1, "本地进展") == 1


def test_undo_takes_back_only_your_own_commit_and_says_when_it_does_not(git_demo: Path) -> None:
    assert run(git_demo, "update", "ZB-001", "--note", "自己的进展", "--date", "2022-07-10").exit_code == 0
    r = run(git_demo, "undo", input="n\n")
    assert r.exit_code == 1 and "未撤销" in r.stdout and count(git_demo, ZB1, "自己的进展") == 1
    git(git_demo, "-c", "user.name=李四", "-c", "user.email=lisi@example.gov.cn", "commit", "--allow-empty", "-qm",
        "更新 ZB-002\n\nYilan-Action: update\n")
    r = run(git_demo, "undo", "--yes")
    assert r.exit_code == 2 and "[U006]" in r.stderr and "李四" in r.stderr


@POSIX
@pytest.mark.slow
def test_ctrl_c_before_the_commit_says_the_change_was_not_saved(git_demo: Path) -> None:
    started = git_demo / ".git" / "hook-started"
    slow = hook(git_demo / ".git", "pre-commit", f"touch '{started}'\nsleep 5")
    before = (git_demo / ZB1).read_text(encoding="utf-8")
    p = start(git_demo, "update", "ZB-001", "--note", "中断前未提交", "--date", "2022-07-10", group=True)
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # until git runs the hook: the file is written, the commit not made
    os.killpg(p.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches yilan and its git alike
    code, _, err = finish(p)
    slow.unlink()
    assert code == 130 and "本次修改没有保存" in err and "已中断" in err
    assert (git_demo / ZB1).read_text(encoding="utf-8") == before and git(git_demo, "status", "--porcelain") == ""


@POSIX
@pytest.mark.slow
def test_ctrl_c_while_yilan_is_still_loading_is_no_traceback(git_demo: Path) -> None:
    """From the moment the console script hands over to yilan (Python's own first ~30 ms are pip's wrapper)."""
    for delay in (0.15, 0.2, 0.25, 0.3, 0.4):
        p = start(git_demo, "update", "ZB-001", "--note", "刚启动就中断", "--date", "2022-07-10", group=True)
        time.sleep(delay)
        os.killpg(p.pid, signal.SIGINT)
        code, _, err = finish(p)
        assert "Traceback" not in err and code in (0, 130, -signal.SIGINT), (delay, code, err)
        assert count(git_demo, ZB1, "刚启动就中断") <= 1
    assert git(git_demo, "status", "--porcelain") == ""


# --------------------------------------------------------------------------- found by the attacker helper
def test_two_rows_for_one_matter_both_land(git_demo: Path, tmp_path: Path) -> None:
    """A sheet with two rows for the same matter: the second builds on the first (both entries, once each)."""
    sheet = tmp_path / "两行.csv"
    sheet.write_text("编号,进度,进展情况,进展日期\nZY-001,20,第一条,2022-07-01\nZY-001,30,第二条,2022-07-02\n", encoding="utf-8")
    assert run(git_demo, "import", str(sheet), "--today", "2022-07-03").exit_code == 0
    assert count(git_demo, "ledgers/zy/ZY-001.yaml", "第一条") == 1 and count(git_demo, "ledgers/zy/ZY-001.yaml", "第二条") == 1
    twins = tmp_path / "同名.csv"
    twins.write_text("事项,牵头单位,完成时限\n同名事项,县住建局,2022-12-31\n同名事项,县住建局,2022-12-31\n", encoding="utf-8")
    r = run(git_demo, "import", str(twins), "--ledger", "xian", "--today", "2022-07-03")
    assert r.exit_code == 0 and "E999" not in r.output and "新增 1 项" in r.stdout


def test_issuing_is_never_without_a_commit(git_demo: Path, tmp_path: Path) -> None:
    register = (git_demo / "reports" / "issued.yaml").read_bytes()
    r = run(git_demo, "--no-commit", "report", "2022-06", "--issue", "--date", "2022-07-01", "-o", str(tmp_path / "m.md"))
    assert r.exit_code == 2 and "[I010]" in r.stderr and (git_demo / "reports" / "issued.yaml").read_bytes() == register


def test_a_damaged_register_stops_numbering(git_demo: Path, tmp_path: Path) -> None:
    assert run(git_demo, "notice", "--today", "2022-06-30", "--issue", "-o", str(tmp_path / "a")).exit_code == 0
    register = git_demo / "reports" / "issued.yaml"
    register.write_text("已印发:\n" + register.read_text(encoding="utf-8"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "手工改坏")
    r = run(git_demo, "notice", "--today", "2022-07-01", "--issue", "-o", str(tmp_path / "b"))
    assert r.exit_code == 2 and "[I011]" in r.stderr
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())  # no document was written


@pytest.mark.slow
def test_an_upstream_branch_gone_from_the_server_stops_issuing(tmp_path: Path) -> None:
    a, _ = two_clones(tmp_path)
    origin = tmp_path / "remote.git"
    git(origin, "branch", "-m", "main", "trunk")
    git(a, "fetch", "-q", "--prune")
    register = (a / "reports" / "issued.yaml").read_bytes()
    r = run(a, "notice", "--today", "2022-06-30", "--issue", "-o", str(tmp_path / "n"))
    assert r.exit_code == 2 and "[S010]" in r.stderr and (a / "reports" / "issued.yaml").read_bytes() == register


@POSIX
@pytest.mark.slow
def test_a_killed_no_commit_write_is_never_committed_later(git_demo: Path) -> None:
    p = start(git_demo, "--no-commit", "update", "ZB-001", "--note", "不要提交", "--date", "2022-07-10",
              env={"YILAN_TESTING": "1", "YILAN_FAULT": "before-commit"})
    assert finish(p)[0] in (-signal.SIGKILL, 137)
    assert finish(start(git_demo, "update", "ZB-002", "--note", "别的", "--date", "2022-07-10"))[0] == 0
    assert "不要提交" not in git(git_demo, "log", "-p", "-3") and count(git_demo, ZB1, "不要提交") == 1


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("step", ["after-journal", "after-replace", "before-commit"])
def test_init_killed_half_way_can_simply_be_run_again(tmp_path: Path, step: str) -> None:
    target = tmp_path / "台账"
    p = subprocess.Popen([yilan_exe(), "init", str(target), "--example"], env={**os.environ, "YILAN_TESTING": "1",
                         "YILAN_FAULT": step}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.communicate(timeout=120)
    r = subprocess.run([yilan_exe(), "init", str(target), "--example"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    # taken back and done again: the whole demo history (tests/test_demo_history.py: the same commits)
    assert git(target, "status", "--porcelain") == "" and int(git(target, "rev-list", "--count", "HEAD")) > 400
    assert (target / "ledgers" / "zhuanban" / "ZB-003.yaml").exists()


@pytest.mark.slow
def test_sync_of_a_workspace_in_a_sub_folder_brings_the_colleagues_change(tmp_path: Path) -> None:
    from .conftest import make_workspace

    big = tmp_path / "big"
    big.mkdir()
    git(big, "init", "-q", "-b", "main")
    make_workspace(big / "督查台账", demo=True)
    (big / "督查台账" / ".gitignore").write_text(".yilan/\n", encoding="utf-8")
    git(big, "add", "-A")
    git(big, "commit", "-qm", "机关仓库")
    subprocess.run(["git", "clone", "-q", "--bare", str(big), str(tmp_path / "origin.git")], check=True)
    for name in ("a", "b"):
        subprocess.run(["git", "clone", "-q", str(tmp_path / "origin.git"), str(tmp_path / name)], check=True)
    a, b = tmp_path / "a" / "督查台账", tmp_path / "b" / "督查台账"
    assert run(a, "update", "ZY-001", "--note", "同事A的进展", "--date", "2022-07-05").exit_code == 0
    assert run(a, "sync").exit_code == 0
    r = run(b, "sync")
    assert r.exit_code == 0 and "没有改动它们" not in r.stderr
    assert count(b, "ledgers/zy/ZY-001.yaml", "同事A的进展") == 1 and git(tmp_path / "b", "status", "--porcelain") == ""


def test_output_never_lands_among_the_workspace_records(git_demo: Path) -> None:
    register = (git_demo / "reports" / "issued.yaml").read_bytes()  # the demo's register
    r = run(git_demo, "report", "2022Q2", "--format", "md", "-o", str(git_demo / "reports" / "issued.yaml"))
    assert r.exit_code == 2 and "[E504]" in r.stderr and (git_demo / "reports" / "issued.yaml").read_bytes() == register
    r = run(git_demo, "report", "2022Q2", "-o", str(git_demo / "reports" / "issued.yaml"))  # .yaml is no document
    assert r.exit_code == 2 and "[E506]" in r.stderr and (git_demo / "reports" / "issued.yaml").read_bytes() == register
