"""A new staff member's first day, end to end in Chinese (issue 20): add a matter with its 专班, 量化指标 and
节点 → report progress → correct a field → withdraw a matter the leadership cancelled → find → what falls due.
The transcript (every command with what it printed) is a golden file; it must hold no English word."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from yilan_cli.cli import app

DAY = [
    ["add", "重点工作专班", "--title", "县城供热管网二期改造", "--lead-unit", "县住建局", "--leader", "钱某",
     "--task-force", "TF04", "--indicator", "管网改造=12公里", "--milestone", "完成招标=2023-03-31",
     "--deadline", "2023-10-31", "--assigned", "2022-12-01"],
    ["update", "ZB-004", "--progress", "10%", "--note", "完成可研批复", "--indicator", "管网改造=1", "--date", "2022-12-15"],
    ["edit", "zb-4", "--lead-unit", "发改局", "--reason", "交办时牵头单位写错"],  # ID and unit as typed in a hurry
    ["withdraw", "XW-002", "--reason", "县政府常务会议决定并入ZB-004", "--approved-by", "县长", "--date", "2022-12-20"],
    ["find", "供热", "--today", "2022-12-31", "--all"],
    ["show", "ZB-4", "--today", "2022-12-31"],
    ["status", "--due-within", "10", "--today", "2022-12-21"],
]
ALLOWED = {"yilan", "git"}


def test_a_new_staff_members_first_day(git_demo: Path, golden: Any) -> None:
    runner = CliRunner()
    transcript = []
    for args in DAY:
        r = runner.invoke(app, ["--root", str(git_demo), *args], env={"COLUMNS": "160"})
        transcript.append(f"$ yilan {' '.join(args)}\n{r.stdout}{r.stderr}[退出码 {r.exit_code}]\n")
        assert r.exit_code == 0, r.output
    text = "\n".join(transcript)
    golden("first_day.txt", text)
    said = "\n".join(line for line in text.splitlines() if not line.startswith("$ "))  # not what was typed
    said = re.sub(r"(?<![A-Za-z])[A-Z]{1,8}-\d+|\d{4}(Q[1-4]|H[12])|\((?:zhuanban|xian)\)", "", said)  # IDs, periods, keys
    words = set(re.findall(r"[A-Za-z]{2,}", said)) - ALLOWED
    assert not words, words
    assert "更正 ZB-004 县城供热管网二期改造:牵头单位 县住建局 → 县发改局；理由：交办时牵头单位写错" in text
    assert "撤销 XW-002 县城集中供热老旧管网改造:自2022-12-20起撤销，县长批准" in text
    assert "XW-002" not in text.split("$ yilan status")[1]  # withdrawn: not due, not counted
