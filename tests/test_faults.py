"""Crash safety: kill a real `yilan update` at every step of a write; nothing is half-applied or lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git
from .test_e2e import yilan_exe

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    os.name == "nt", reason="kills with POSIX SIGKILL; Windows ends processes with TerminateProcess instead")]
STEPS = ["holding-lock", "after-journal", "after-temp", "after-replace", "before-commit", "after-commit"]


def start(repo: Path, *args: str, fault: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YILAN_TESTING": "1"}
    if fault:
        env["YILAN_FAULT"] = fault
    return subprocess.Popen([yilan_exe(), "--root", str(repo), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def assert_sound(repo: Path) -> None:
    """Every matter valid, git consistent, and nothing uncommitted left behind."""
    r = CliRunner().invoke(app, ["--root", str(repo), "check", "--today", "2022-06-30", "--format", "json"])
    assert '"severity": "error"' not in r.stdout
    assert subprocess.run(["git", "fsck", "--no-progress"], cwd=repo, capture_output=True).returncode == 0
    assert git(repo, "status", "--porcelain", "--", "ledgers") == ""
    assert not list(repo.rglob("*.tmp"))


@pytest.mark.parametrize("step", STEPS)
def test_a_write_killed_at_each_step_is_finished_or_rolled_back(git_demo: Path, step: str) -> None:
    before = int(git(git_demo, "rev-list", "--count", "HEAD"))
    p = start(git_demo, "update", "ZB-001", "--progress", "60", "--note", "断电前的更新", "--date", "2022-07-28", fault=step)
    p.communicate(timeout=60)
    assert p.returncode in (-signal.SIGKILL, 137), step
    # the next writer recovers first, then does its own work
    r = start(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-31")
    _, err = r.communicate(timeout=60)
    assert r.returncode == 0, err.decode()
    text = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
    landed = "断电前的更新" in text
    if step in ("after-replace", "before-commit", "after-commit"):
        assert landed  # the whole plan was journalled and every file holds it: finished
    if step in ("holding-lock", "after-journal", "after-temp"):
        assert not landed  # no file was changed yet
    if landed:
        assert "断电前的更新" in git(git_demo, "show", "HEAD~1:ledgers/zhuanban/ZB-001.yaml") or \
            "断电前的更新" in git(git_demo, "show", "HEAD:ledgers/zhuanban/ZB-001.yaml")
    count = int(git(git_demo, "rev-list", "--count", "HEAD"))
    assert count == before + 1 + landed  # ZB-002's commit, plus ZB-001's if it landed
    said = err.decode()
    if step in ("after-replace", "before-commit"):
        assert "上次被中断的写入已补交" in said  # reported, never silent
    elif step == "after-commit":
        assert "上次被中断的写入在中断前已经提交" in said  # the user saw it die: told it is in
    else:
        assert "上次被中断" not in said  # nothing to finish: HEAD or the file already says it all
    assert_sound(git_demo)


def test_an_add_killed_between_its_two_files_is_rolled_back(git_demo: Path) -> None:
    """A plan of two files (the matter and .last-id) killed after the first: the half is taken back, said."""
    seq = git_demo / "ledgers/zhuanban/.last-id"
    before = seq.read_text(encoding="utf-8")
    p = start(git_demo, "add", "zhuanban", "--title", "半途而废的事项", "--lead-unit", "县水务局", "--deadline", "2022-12-31",
              "--assigned", "2022-07-01", fault="after-replace")
    p.communicate(timeout=60)
    assert p.returncode in (-signal.SIGKILL, 137)
    assert list((git_demo / "ledgers/zhuanban").glob("ZB-004.yaml"))  # the first file was replaced
    r = start(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-31")
    _, err = r.communicate(timeout=60)
    assert r.returncode == 0 and "上次被中断的写入已撤销:新增 ZB-004 半途而废的事项" in err.decode()
    assert not (git_demo / "ledgers/zhuanban/ZB-004.yaml").exists()
    assert seq.read_text(encoding="utf-8") == before
    assert_sound(git_demo)


def test_25_random_kills_leave_a_sound_ledger(git_demo: Path) -> None:
    rng = random.Random(25)
    base = git(git_demo, "rev-parse", "HEAD").strip()  # the demo's year of history before it
    for k in range(25):
        p = start(git_demo, "update", "ZB-001", "--progress", str(50 + k), "--note", f"第{k}次", "--date", "2022-07-28")
        time.sleep(rng.uniform(0.05, 0.6))
        if p.poll() is None:
            p.kill()
        p.communicate(timeout=60)
    r = start(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-31")  # recovers whatever is left
    r.communicate(timeout=60)
    assert r.returncode == 0
    assert_sound(git_demo)
    text = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
    log = git(git_demo, "log", "--format=%s", f"{base}..HEAD", "--", "ledgers/zhuanban/ZB-001.yaml")
    landed = [k for k in range(25) if f"第{k}次" in text]
    assert len(landed) == log.count("更新 ZB-001")  # every entry in the file was committed, each once


@pytest.mark.parametrize("step", ["after-replace", "before-commit", "after-commit"])
def test_retrying_a_killed_write_after_it_was_finished_records_it_once(git_demo: Path, step: str) -> None:
    """The user's natural response to a power cut is to run the command again: recovery commits the killed
    write (or finds git had), and the retry — the same file — does nothing (G017): the entry is there once."""
    args = ("update", "ZB-001", "--progress", "60", "--note", "断电前的更新", "--date", "2022-07-28")
    p = start(git_demo, *args, fault=step)
    p.communicate(timeout=60)
    assert p.returncode in (-signal.SIGKILL, 137)
    r = start(git_demo, *args)
    _, err = r.communicate(timeout=60)
    said = err.decode()
    assert r.returncode == 2 and "上次被中断的写入" in said and "[G017]" in said, said
    text = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
    assert text.count("断电前的更新") == 1
    # a second matter's write after the same recovery goes ahead (only the retried file is stopped)
    p = start(git_demo, "update", "ZB-001", "--note", "再次断电", "--date", "2022-07-29", fault="after-replace")
    p.communicate(timeout=60)
    r = start(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-31")
    _, err = r.communicate(timeout=60)
    assert r.returncode == 0, err.decode()
    assert (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8").count("再次断电") == 1
    assert_sound(git_demo)
