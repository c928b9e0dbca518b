"""Selecting and evaluating matters for listings (status, check, later reports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .asof import indicator_at
from .errors import UsageError
from .i18n import t
from .records import Record
from .status import LIGHTS, Status, Summary, counted, evaluate, exists, summarize

if TYPE_CHECKING:
    from .findings import Finding
    from .leaders import Leader
from .store import Ledgers
from .workspace import Workspace

_LIGHT_WORDS = {
    "红": "red", "红灯": "red", "red": "red",
    "黄": "yellow", "黄灯": "yellow", "yellow": "yellow",
    "蓝": "blue", "蓝灯": "blue", "blue": "blue",
    "绿": "green", "绿灯": "green", "green": "green",
    "无": "none", "none": "none",
}


@dataclass(frozen=True)
class UnitScope:
    """What ``--unit`` selects (lookup.unit_scope): the matters one of ``units`` leads or co-operates on, and
    those whose 配合单位 names one of ``words`` — a whole group of theirs (各乡镇 is 达连河镇's matter too)."""

    units: frozenset[str]
    words: frozenset[str] = frozenset()

    def covers(self, rec: Record) -> bool:
        return rec.lead_unit in self.units or any(u in self.units or u in self.words for u in rec.co_units)


@dataclass(frozen=True)
class Filters:
    ledgers: tuple[str, ...] = ()  # ledger keys
    unit: UnitScope | None = None  # lead or co-operating unit(s)
    leader: Leader | None = None  # leaders.select: a person (by name, id or unique 职务) or a title
    lights: tuple[str, ...] = ()  # empty: all lights (closed hidden unless include_closed)
    include_closed: bool = False
    task_force: str | None = None  # the task force's name
    due_within: int | None = None  # days: open matters whose effective deadline is today … today + N (any light)
    overdue: bool = False  # open matters past their effective deadline (any light)


@dataclass
class StatusResult:
    today: date
    rows: list[tuple[Record, Status]]  # what to list, sorted red → yellow → blue → green → none
    summary: Summary  # over every selected matter existing at ``today``, whatever the light filter
    hidden: int  # closed/suspended matters left out of rows because --all was not given
    withdrawn: int = 0  # withdrawn matters (status.withdrawn) left out of rows because --all was not given
    evaluated: list[tuple[Record, Status]] = field(default_factory=list)  # every selected matter, before any filter


def parse_lights(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    out = []
    for word in text.replace("，", ",").split(","):
        word = word.strip().lower()
        if not word:
            continue
        if word not in _LIGHT_WORDS:
            raise UsageError(t("err.bad_light", text=word), t("hint.bad_light"), code="C004")
        out.append(_LIGHT_WORDS[word])
    return tuple(out)


def resolve_ledgers(ws: Workspace, names: list[str] | None) -> tuple[str, ...]:
    """Ledger keys for the ledgers named (key, prefix or 中文名, full-width or not); an unknown name is refused
    (E330, lookup.unknown_ledger: 信访 → xinfang（信访积案化解）)."""
    from .lookup import plain, unknown_ledger

    keys = []
    for name in names or []:
        lg = ws.ledger(name) or ws.ledger(plain(name))
        if lg is None:
            raise unknown_ledger(ws, name)
        keys.append(lg.key)
    return tuple(keys)


def due(st: Status, within: int | None, overdue: bool) -> bool:
    """``status --due-within N`` / ``--overdue``, whatever the light: the matter is open (not 已办结, 已销号,
    中止 — light none — nor 阶段性办结) and its effective deadline (延期 applied) is ``within`` days of the
    evaluation day or less (0 ≤ days left ≤ N), or (``overdue``) has passed. Both given: either.
    A 长期 matter (no deadline) is never due."""
    if st.light == "none" or st.state == "阶段性办结" or st.days_left is None:
        return False
    return (within is not None and 0 <= st.days_left <= within) or (overdue and st.days_left < 0)


def selected(rec: Record, f: Filters) -> bool:
    if f.ledgers and rec.ledger not in f.ledgers:
        return False
    if f.unit is not None and not f.unit.covers(rec):
        return False
    if f.task_force and rec.task_force != f.task_force:
        return False
    return f.leader is None or f.leader.covers(rec.leaders)


def evaluate_all(ws: Workspace, ledgers: Ledgers, today: date, f: Filters) -> StatusResult:
    from .render import sort_key

    d = today.toordinal()
    evaluated = [
        (rec, evaluate(rec, today, ws.rules)) for rec in ledgers.records if exists(rec, d) and selected(rec, f)
    ]
    summary = summarize([st for _, st in evaluated])
    rows = []
    hidden = pulled = 0
    for rec, st in evaluated:
        if (f.due_within is not None or f.overdue) and not due(st, f.due_within, f.overdue):
            continue
        if st.withdrawn and not f.include_closed:  # listed only under --all, whatever the light filter
            pulled += 1
        elif f.lights:
            if st.light in f.lights:
                rows.append((rec, st))
        elif st.light != "none" or f.include_closed:
            rows.append((rec, st))
        else:
            hidden += 1
    rows.sort(key=lambda rs: sort_key(*rs))
    return StatusResult(today, rows, summary, hidden, pulled, evaluated)


def light_findings(ws: Workspace, records: list[Record], today: date) -> list[Finding]:
    """Red and yellow matters at ``today`` as findings of severity red/yellow (for check and CI)."""
    from .findings import make_finding
    from .render import reasons

    out = []
    d = today.toordinal()
    for rec in records:
        if not exists(rec, d):
            continue
        st = evaluate(rec, today, ws.rules)  # a withdrawn matter has light none: never lit
        if st.light not in ("red", "yellow"):
            continue
        params = {"id": rec.id, "title": rec.title, "reason": ";".join(reasons(st, ws.rules)), "unit": rec.lead_unit}
        code = "R001" if st.light == "red" else "Y001"
        out.append(make_finding(rec.path, 1, 1, code, params, severity=st.light))
    return out


def indicator_findings(records: list[Record], today: date) -> list[Finding]:
    """Y003 (yellow): an indicator whose value at ``today`` is more likely a mistake than a fact
    (indicators.implausible: a 数量 above 200 % of its target or negative, a 增速/比率 more than 100 percentage
    points from its target). Like the lights it is a finding at a date, placed at the file (1:1), not at a
    line: a fact appended after ``today`` may move the value's line, and check at a date shows nothing later."""
    from .findings import make_finding
    from .indicators import assess, implausible
    from .records import figure_text

    out = []
    d = today.toordinal()
    for rec in records:
        if not counted(rec, d):  # withdrawn: check says nothing about it
            continue
        for name, unit, target, kind, observed, since in rec.indicators:
            if since > d:
                continue
            a = assess(kind, target, indicator_at(observed, d), unit)
            why = implausible(a)
            if why is None:
                continue
            params = {"id": rec.id, "title": rec.title, "name": name, "value": figure_text(a.value) + (unit or ""),
                      "target": figure_text(target) + (unit or ""), "kind": kind, "reason": why}
            out.append(make_finding(rec.path, 1, 1, "Y003", params, severity="yellow"))
    return out


__all__ = ["LIGHTS", "Filters", "StatusResult", "evaluate_all", "parse_lights", "resolve_ledgers"]
