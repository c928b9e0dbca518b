"""`report` and `rank` against tests/expected/demo_2022Q2.yaml, worked out by hand from the demo data."""

from __future__ import annotations

import json
from typing import Any

import yaml
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.periods import parse_period
from yilan_cli.report import build
from yilan_cli.store import load_ledgers
from yilan_cli.workspace import load

from .conftest import REPO

EXPECTED: dict[str, Any] = yaml.safe_load((REPO / "tests/expected/demo_2022Q2.yaml").read_text(encoding="utf-8"))


def test_report_figures_match_the_hand_worked_facts() -> None:
    ws = load(REPO)
    r = build(ws, load_ledgers(ws).records, parse_period(EXPECTED["period"]))
    t = EXPECTED["totals"]
    assert (r.total, r.closed, r.stage_closed, r.overdue) == (t["existing"], t["closed"], t["stage_closed"], t["overdue"])
    assert (r.completion_rate, r.on_time_rate) == (t["completion_rate"], t["on_time_rate"])
    assert len(r.closed_in_period) == t["closed_in_period"] and len(r.added_in_period) == t["added_in_period"]
    assert r.schedule == t["schedule"]
    text = CliRunner().invoke(app, ["--root", str(REPO), "report", "2022Q2"]).stdout
    assert f"超期{t['overdue']}项；办结率（含阶段性办结）{t['completion_rate']}，" in text
    assert f"，按期办结率{t['on_time_rate']}。" in text


def test_ranking_matches_the_hand_worked_order() -> None:
    doc = json.loads(CliRunner().invoke(app, ["--root", str(REPO), "rank", "2022Q2", "--format", "json"]).stdout)
    groups = {g["group"]: g for g in doc["groups"]}
    for name, want in EXPECTED["ranking"].items():
        got = groups[name]
        ranked = [u for u in got["units"] if u["rank"] is not None]
        assert [u["unit"] for u in ranked] == want["order"], name
        assert [u["rank"] for u in ranked] == want["ranks"], name  # ties share a rank (并列)
        scores = {u["unit"]: u["score"] for u in got["units"]}
        for unit, score in want["scores"].items():
            assert scores[unit] == score, unit
        assert got["red_list"] == want["red_list"] and got["black_list"] == want["black_list"]
        if "unranked" in want:
            assert [u["unit"] for u in got["units"] if u["rank"] is None] == want["unranked"]
