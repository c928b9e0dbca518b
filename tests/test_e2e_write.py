"""End to end: the installed `yilan` writing in temporary git repositories, as separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import git
from .test_e2e import yilan, yilan_exe

pytestmark = pytest.mark.slow


def status_of(ws: Path, matter_id: str, today: str) -> dict[str, object]:
    doc = json.loads(yilan(ws, "status", "--all", "--format", "json", "--today", today).stdout)
    return next(m for m in doc["matters"] if m["id"] == matter_id)


def test_the_life_of_a_matter(tmp_path: Path) -> None:
    yilan(tmp_path, "init", "ws")
    ws = tmp_path / "ws"
    r = yilan(ws, "add", "重点工作专班", "--title", "中植肉牛养殖屠宰加工项目", "--lead-unit", "县畜牧水产服务中心",
              "--deadline", "8月底", "--assigned", "2022-01-10", "--leader", "赵某", "--cycle", "季")
    mid = r.stdout.strip().splitlines()[-1]
    assert mid == "ZB-001"
    assert status_of(ws, mid, "2022-01-20")["status"] == "not_started"

    yilan(ws, "update", mid, "--progress", "40", "--note", "主体工程开工建设", "--date", "2022-03-31")
    s = status_of(ws, mid, "2022-04-10")
    assert (s["status"], s["progress"], s["light"]) == ("in_progress", 40, "green")
    assert status_of(ws, mid, "2022-03-30")["progress"] == 0  # business time: the entry is dated 03-31

    yilan(ws, "update", mid, "--progress", "70", "--note", "已完成项目建设内容的70%", "--date", "2022-06-30")
    assert status_of(ws, mid, "2022-08-10")["light"] == "yellow"  # 96.1% expected, 70% done
    yilan(ws, "update", mid, "--progress", "95", "--note", "设备安装", "--date", "2022-08-15")
    s = status_of(ws, mid, "2022-08-28")
    assert (s["light"], s["days_left"]) == ("blue", 3)

    yilan(ws, "extend", mid, "--to", "2022-10-31", "--reason", "设备到货延迟", "--date", "2022-08-20",
          "--approved-by", "常务副县长", "--approved-on", "2022-08-25")
    assert status_of(ws, mid, "2022-08-24")["deadline"] == "2022-08-31"
    assert status_of(ws, mid, "2022-09-05")["deadline"] == "2022-10-31"
    assert status_of(ws, mid, "2022-09-05")["overdue_days"] == 0

    yilan(ws, "close", mid, "--date", "2022-11-02", "--note", "正式投产")
    s = status_of(ws, mid, "2022-11-30")
    assert (s["status"], s["progress"], s["light"], s["closed_on"]) == ("closed", 100, "none", "2022-11-02")
    assert status_of(ws, mid, "2022-11-01")["overdue_days"] == 1  # before closing it was one day late

    yilan(ws, "signoff", mid, "--reviewer", "县委督查室", "--approver", "常务副县长", "--evidence", "依督〔2022〕15号验收意见",
          "--date", "2022-11-10")
    assert status_of(ws, mid, "2022-11-30")["status"] == "signed_off"
    assert yilan(ws, "check", "--today", "2022-11-30").returncode == 0

    log = git(ws, "log", "--format=%s").splitlines()
    assert log == [
        "销号 ZB-001 中植肉牛养殖屠宰加工项目:已办结 → 已销号",
        "办结 ZB-001 中植肉牛养殖屠宰加工项目:推进中 → 已办结,进度 95% → 100%",
        "延期 ZB-001 中植肉牛养殖屠宰加工项目:完成时限 2022-08-31 → 2022-10-31",
        "更新 ZB-001 中植肉牛养殖屠宰加工项目:进度 70% → 95%",
        "更新 ZB-001 中植肉牛养殖屠宰加工项目:进度 40% → 70%",
        "更新 ZB-001 中植肉牛养殖屠宰加工项目:进度 0% → 40%,状态 未启动 → 推进中",
        "新增 ZB-001 中植肉牛养殖屠宰加工项目",
        "初始化台账工作区",
    ]
    assert git(ws, "status", "--porcelain") == ""


BARRIER = """
import os, sys, time
start = sys.argv[1]
while not os.path.exists(start):
    time.sleep(0.001)
os.execv(sys.argv[2], sys.argv[2:])
"""


def released_together(ws: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[bytes]]:
    """Start every command, hold them at a barrier, release them at once, wait for all."""
    start = ws / ".." / "go"
    procs = [subprocess.Popen([sys.executable, "-c", BARRIER, str(start), yilan_exe(), *cmd], cwd=ws,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for cmd in commands]
    time.sleep(1.0)  # every process is up and spinning on the barrier
    start.write_text("go", encoding="utf-8")
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    start.unlink()
    return out


@pytest.mark.skipif(os.name == "nt", reason="the barrier uses os.execv, which on Windows starts a new process")
@pytest.mark.parametrize("n", [10, 20])
def test_concurrent_writers_all_land(tmp_path: Path, n: int) -> None:
    yilan(tmp_path, "init", "ws", "--example")
    ws = tmp_path / "ws"
    before = int(git(ws, "rev-list", "--count", "HEAD"))
    # different matters
    ids = ["ZSJ-002", "ZY-001", "ZY-002", "SW-001", "SW-002", "SHW-001", "XW-002", "ZB-001", "ZB-002", "XM-001",
           "ZSJ-001", "SHW-002", "XM-003", "BL-001", "XF-003", "YQ-001", "YQ-002", "XC-003", "ZD-001", "XM-002"][:n]
    results = released_together(ws, [["update", i, "--progress", "99", "--date", "2022-07-01",
                                       "--note", f"并发{i}"] for i in ids])
    assert all(r.returncode == 0 for r in results), [r.stderr.decode() for r in results]
    assert int(git(ws, "rev-list", "--count", "HEAD")) == before + n
    for i in ids:
        assert f"情况: 并发{i}" in next(ws.glob(f"ledgers/*/{i}.yaml")).read_text(encoding="utf-8")
    # one matter
    results = released_together(ws, [["update", "XM-002", "--progress", str(10 + k), "--date", "2022-07-02",
                                       "--note", f"第{k}次"] for k in range(n)])
    assert all(r.returncode == 0 for r in results), [r.stderr.decode() for r in results]
    assert int(git(ws, "rev-list", "--count", "HEAD")) == before + 2 * n
    text = (ws / "ledgers/xiangmu/XM-002.yaml").read_text(encoding="utf-8")
    for k in range(n):
        assert f"情况: 第{k}次" in text
    # adds into one ledger: ten distinct new IDs
    results = released_together(ws, [["add", "xiangmu", "--title", f"并发新增{k}", "--lead-unit", "县发改局",
                                       "--deadline", "2022-12-31", "--assigned", "2022-07-01"] for k in range(n)])
    assert all(r.returncode == 0 for r in results), [r.stderr.decode() for r in results]
    new_ids = sorted(r.stdout.decode().strip().splitlines()[-1] for r in results)
    assert new_ids == [f"XM-{k:03d}" for k in range(4, 4 + n)]
    assert git(ws, "status", "--porcelain") == ""
    assert yilan(ws, "check", "--today", "2022-07-05").returncode in (0, 1)
    checked = json.loads(yilan(ws, "check", "--today", "2022-07-05", "--format", "json").stdout)
    assert checked["files"] == 42 + n + 10  # and the 10 一线调研 files

