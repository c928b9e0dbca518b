"""The horse race (赛马): units ranked within their group (乡镇 / 县直部门) for a period. Pure.

Scores are rate based so a unit with many matters is not punished for volume (weights in rules.yaml):

    score = 按期办结权重 × 按期办结率 + 序时达标权重 × 序时达标率 + 按期报告权重 × 按期报告率
            − 超期扣分 × overdue matters − 红灯扣分 × red matters

over the matters the unit leads that exist at the period's end D:
- 按期办结率: of the matters that fell due by D (effective deadline ≤ D) or closed within the period,
  and were not already closed before it began, those 已办结/已销号 on time or 阶段性办结 by the deadline;
- 序时达标率: of the matters with an expected progress at D (欠进度/达进度/超进度), those not behind;
- 按期报告率: of the matters that owed a report for their cycle's last due period, those that reported.
A rate with nothing to measure counts as full. Ties: fewer overdue, fewer red, more matters, then the
order of the unit registry. Units that lead nothing are listed without a rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .status import CLOSED, Status, evaluate, log_at, report_check

if TYPE_CHECKING:
    from .periods import Period
    from .records import Record
    from .workspace import Workspace


@dataclass(frozen=True)
class Rate:
    hit: int
    of: int

    @property
    def value(self) -> float:
        return self.hit / self.of if self.of else 1.0

    def __str__(self) -> str:
        return f"{self.hit}/{self.of}" if self.of else "—"


@dataclass(frozen=True)
class UnitScore:
    unit: str
    group: str
    matters: int
    on_time: Rate
    schedule: Rate
    report: Rate
    overdue: int
    red: int
    score: float | None  # None: the unit leads no matter in the period
    breakdown: str  # every point explained: 按期办结 3/4 得30.0 · 序时达标 2/3 得20.0 · … · 超期1项 −2
    rank: int | None = None


@dataclass(frozen=True)
class GroupRanking:
    group: str
    units: list[UnitScore]  # ranked units first, then units without matters
    red_list: list[UnitScore]  # 红榜
    black_list: list[UnitScore]  # 黑榜


def unit_score(ws: Workspace, unit: str, records: list[Record], period: Period, today: date) -> UnitScore:
    d = today.toordinal()
    first = period.first.toordinal()
    on_hit = on_of = sch_hit = sch_of = rep_hit = rep_of = overdue = red = 0
    statuses: list[Status] = []
    for r in records:
        st = evaluate(r, today, ws.rules)
        statuses.append(st)
        closed_before = log_at(r, first - 1)[0] in CLOSED
        closed_in = st.closed_on is not None and period.first <= st.closed_on <= period.last
        due = st.deadline is not None and st.deadline <= today
        if not closed_before and (due or closed_in):
            on_of += 1
            finished_in_time = st.closed_on is not None and (st.deadline is None or st.closed_on <= st.deadline)
            if (st.state in CLOSED or st.state == "阶段性办结") and finished_in_time:
                on_hit += 1
        if st.category in ("欠进度", "达进度", "超进度"):
            sch_of += 1
            sch_hit += st.category != "欠进度"
        owed, missing = report_check(r, d, ws.rules.grace_days)
        if owed is not None:
            rep_of += 1
            rep_hit += not missing
        overdue += st.overdue_days > 0
        red += st.light == "red"
    on_time, schedule, report = Rate(on_hit, on_of), Rate(sch_hit, sch_of), Rate(rep_hit, rep_of)
    rules = ws.rules
    score = None
    parts = ["本期无牵头事项"]
    if records:
        score = round(rules.weight_on_time * on_time.value + rules.weight_schedule * schedule.value
                      + rules.weight_report * report.value - rules.deduct_overdue * overdue - rules.deduct_red * red, 2)
        parts = [f"按期办结 {on_time} 得{rules.weight_on_time * on_time.value:.1f}",
                 f"序时达标 {schedule} 得{rules.weight_schedule * schedule.value:.1f}",
                 f"按期报告 {report} 得{rules.weight_report * report.value:.1f}"]
        if overdue:
            parts.append(f"超期{overdue}项 −{rules.deduct_overdue * overdue:g}")
        if red:
            parts.append(f"红灯{red}项 −{rules.deduct_red * red:g}")
    return UnitScore(unit, ws.units.get(unit, ""), len(records), on_time, schedule, report, overdue, red, score,
                     " · ".join(parts))


def rank(ws: Workspace, records: list[Record], period: Period, today: date | None = None) -> list[GroupRanking]:
    """Every registered unit, group by group (in registry order), ranked at ``today`` (default: period end)."""
    d = today or period.last
    by_unit: dict[str, list[Record]] = {u: [] for u in ws.units}
    for r in records:
        if r.assigned <= d.toordinal() and r.lead_unit in by_unit:
            by_unit[r.lead_unit].append(r)
    order = {u: i for i, u in enumerate(ws.units)}
    groups: dict[str, list[UnitScore]] = {}
    for unit, mine in by_unit.items():
        groups.setdefault(ws.units[unit], []).append(unit_score(ws, unit, mine, period, d))
    full = ws.rules.weight_on_time + ws.rules.weight_schedule + ws.rules.weight_report
    out = []
    for group, scores in groups.items():
        ranked = sorted((s for s in scores if s.score is not None),
                        key=lambda s: (-(s.score or 0), s.overdue, s.red, -s.matters, order[s.unit]))
        ranked = [UnitScore(**{**s.__dict__, "rank": i}) for i, s in enumerate(ranked, start=1)]
        idle = [s for s in scores if s.score is None]
        red_list = ranked[: ws.rules.red_list]
        black_pool = [s for s in reversed(ranked) if s not in red_list and (s.score or 0) < full]
        out.append(GroupRanking(group, ranked + idle, red_list, black_pool[: ws.rules.black_list]))
    return out
