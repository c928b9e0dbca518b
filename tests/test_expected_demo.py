"""The engine against tests/expected/demo_2022-06-30.yaml, written by hand from the demo data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from yilan_cli.query import Filters, evaluate_all
from yilan_cli.status import percent
from yilan_cli.store import load_ledgers
from yilan_cli.workspace import load

REPO = Path(__file__).resolve().parent.parent
EXPECTED = yaml.safe_load((REPO / "tests" / "expected" / "demo_2022-06-30.yaml").read_text(encoding="utf-8"))


def test_demo_matches_hand_worked_facts() -> None:
    ws = load(REPO)
    loaded = load_ledgers(ws)
    assert loaded.findings == []
    today = date.fromisoformat(str(EXPECTED["today"]))
    result = evaluate_all(ws, loaded, today, Filters(include_closed=True))
    got = {rec.id: st for rec, st in result.rows}
    assert set(got) == set(EXPECTED["matters"])
    for mid, want in EXPECTED["matters"].items():
        st = got[mid]
        assert st.light == want["light"], mid
        assert st.category == want["category"], mid
        assert st.progress == want["progress"], mid
        assert st.overdue_days == want["overdue_days"], mid
        if "expected" in want:
            exp = None if st.expected is None else int(st.expected * 10 + 0.5) / 10
            assert exp == want["expected"], mid
        if "on_time" in want:
            assert st.on_time is want["on_time"], mid
        if "report_missing" in want:
            assert st.missing_period == str(want["report_missing"]), mid
        if "days_left" in want:
            assert st.days_left == want["days_left"], mid
        if "deadline" in want:
            assert st.deadline == want["deadline"], mid
        if "state" in want:
            assert st.state == want["state"], mid

    totals = EXPECTED["totals"]
    s = result.summary
    assert s.total == totals["existing"]
    assert s.lights == totals["lights"]
    assert (s.closed, s.stage_closed, s.overdue) == (totals["closed"], totals["stage_closed"], totals["overdue"])
    assert percent(s.completion_rate) == totals["completion_rate"]
    assert percent(s.on_time_rate) == totals["on_time_rate"]
    cats: dict[str, int] = {}
    for st in got.values():
        cats[st.category] = cats.get(st.category, 0) + 1
    assert cats == totals["categories"]


def test_demo_covers_the_source_facts() -> None:
    """SPEC §1: the 14 petition cases (11 closed, 3 stage-closed), the beef-cattle project, 132 villages."""
    ws = load(REPO)
    records = {r.id: r for r in load_ledgers(ws).records}
    hb = [r for r in records.values() if r.ledger == "huanbao"]
    assert len(hb) == 14
    states = sorted(r.state for r in hb)
    assert states.count("阶段性办结") == 3
    assert sum(s in ("已办结", "已销号") for s in states) == 11
    cattle = {name: (target, done) for name, _, target, _, done, _ in records["ZB-003"].indicators}
    assert cattle["年底存栏肉牛"][0] == 4000 and cattle["年底出栏肉牛"][0] == 1000
    straw = {name: target for name, _, target, _, _, _ in records["XC-001"].indicators}
    assert straw == {"完成清理的乡镇": 9, "完成清理的村": 132}
    assert len({r.ledger for r in records.values()}) >= 8 and len(records) >= 30
