"""The horse race (赛马): units ranked within their group (乡镇 / 县直部门) for a period. Pure.

Scores are rate based so a unit with many matters is not punished for volume (weights in rules.yaml):

    score = 按期办结权重 × 按期办结率 + 序时达标权重 × 序时达标率 + 按期报告权重 × 按期报告率
            − 超期扣分 × overdue matters − 红灯扣分 × red matters

over the matters the unit leads that exist at the period's end D:
- 按期办结率: of the matters that fell due by D (effective deadline ≤ D) or closed within the period,
  and were not already closed before it began, those 已办结/已销号 on time or 阶段性办结 by the deadline;
- 序时达标率: of the matters with an expected progress at D (欠进度/达进度/超进度), those not behind;
- 按期报告率: of the matters that owed a report for their cycle's last due period, those that reported.
A rate with nothing to measure counts as full. Ties: fewer overdue, then fewer red; units equal on score,
overdue and red share a rank (并列: 1, 1, 3), listed in the unit registry's order. The 红榜 is the units ranked
within 红榜名额 (ties at the edge all in); the 黑榜 the bottom 黑榜名额 below full marks, counted from the
bottom the same way. Units that lead nothing are listed without a rank.

"1+N+1": a ledger may carry its own 赛马 rules (schemas/ledgers/<key>.yaml, the sector department's
"N"). A unit's matters are then scored in groups of equal rules — each group's weighted rates count in
proportion to its share of the unit's matters, and each group's own deductions apply to its matters:

    score = Σ_g (n_g / n) × (weights_g · rates_g) − Σ_g deductions_g

With no overrides this is exactly the formula above. The year ranks on the four quarters: each
quarter's score (evaluated at the quarter's end, or at D for the quarter in progress) weighted by
赛马.年度季度权重, over the quarters in which the unit had matters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from .status import CLOSED, Status, evaluate, log_at, report_check

if TYPE_CHECKING:
    from .periods import Period
    from .records import Record
    from .workspace import Rules, Workspace


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
    quarters: tuple[float | None, ...] = ()  # annual ranking: the four quarters' scores


@dataclass(frozen=True)
class GroupRanking:
    group: str
    units: list[UnitScore]  # ranked units first, then units without matters
    red_list: list[UnitScore]  # 红榜
    black_list: list[UnitScore]  # 黑榜


@dataclass
class _Tally:
    on_hit: int = 0
    on_of: int = 0
    sch_hit: int = 0
    sch_of: int = 0
    rep_hit: int = 0
    rep_of: int = 0
    overdue: int = 0
    red: int = 0
    matters: int = 0

    def add(self, r: Record, st: Status, period: Period, today: date, rules: Rules) -> None:
        self.matters += 1
        closed_before = log_at(r, period.first.toordinal() - 1)[0] in CLOSED
        closed_in = st.closed_on is not None and period.first <= st.closed_on <= period.last
        due = st.deadline is not None and st.deadline <= today
        if not closed_before and (due or closed_in):
            self.on_of += 1
            finished_in_time = st.closed_on is not None and (st.deadline is None or st.closed_on <= st.deadline)
            if (st.state in CLOSED or st.state == "阶段性办结") and finished_in_time:
                self.on_hit += 1
        if st.category in ("欠进度", "达进度", "超进度"):
            self.sch_of += 1
            self.sch_hit += st.category != "欠进度"
        owed, missing = report_check(r, today.toordinal(), rules.grace_days)
        if owed is not None:
            self.rep_of += 1
            self.rep_hit += not missing
        self.overdue += st.overdue_days > 0
        self.red += st.light == "red"

    def rates(self) -> tuple[Rate, Rate, Rate]:
        return Rate(self.on_hit, self.on_of), Rate(self.sch_hit, self.sch_of), Rate(self.rep_hit, self.rep_of)


def rules_for(ws: Workspace, ledger: str) -> Rules:
    """The 赛马 rules of a ledger's matters: the defaults with the ledger's own overrides."""
    lg = ws.ledgers.get(ledger)
    if lg is None or not lg.scoring:
        return ws.rules
    overrides: dict[str, Any] = dict(lg.scoring)
    return replace(ws.rules, **overrides)


def unit_score(ws: Workspace, unit: str, records: list[Record], period: Period, today: date) -> UnitScore:
    total = _Tally()
    groups: dict[tuple[tuple[str, float], ...], tuple[Rules, _Tally, list[str]]] = {}
    for r in records:
        lg = ws.ledgers.get(r.ledger)
        key = lg.scoring if lg is not None else ()
        if key not in groups:
            groups[key] = (rules_for(ws, r.ledger), _Tally(), [])
        rules, tally, names = groups[key]
        if lg is not None and key and lg.name not in names:
            names.append(lg.name)
        st = evaluate(r, today, ws.rules)
        tally.add(r, st, period, today, ws.rules)
        total.add(r, st, period, today, ws.rules)
    on_time, schedule, report = total.rates()
    score = None
    parts = ["本期无牵头事项"]
    if records:
        score = 0.0
        parts = []
        for key, (rules, tally, names) in sorted(groups.items(), key=lambda kv: (bool(kv[0]), kv[1][2])):  # defaults first
            share = tally.matters / total.matters
            on, sch, rep = tally.rates()
            got = [rules.weight_on_time * on.value, rules.weight_schedule * sch.value, rules.weight_report * rep.value]
            score += share * sum(got) - rules.deduct_overdue * tally.overdue - rules.deduct_red * tally.red
            words = [f"按期办结 {on} 得{got[0]:.1f}", f"序时达标 {sch} 得{got[1]:.1f}", f"按期报告 {rep} 得{got[2]:.1f}"]
            if tally.overdue:
                words.append(f"超期{tally.overdue}项 −{rules.deduct_overdue * tally.overdue:g}")
            if tally.red:
                words.append(f"红灯{tally.red}项 −{rules.deduct_red * tally.red:g}")
            text = " · ".join(words)
            if len(groups) > 1 or key:
                label = "、".join(names) + "规则" if key else "通用规则"
                text = f"[{label} {tally.matters}项,占{share:.0%}] {text}"
            parts.append(text)
        score = round(score, 2)
    return UnitScore(unit, ws.units.get(unit, ""), len(records), on_time, schedule, report, total.overdue, total.red,
                     score, " | ".join(parts))


def rank(ws: Workspace, records: list[Record], period: Period, today: date | None = None) -> list[GroupRanking]:
    """Every registered unit, group by group (in registry order), ranked at ``today`` (default: period end)."""
    d = today or period.last
    by_unit: dict[str, list[Record]] = {u: [] for u in ws.units}
    for r in records:
        if r.assigned <= d.toordinal() and r.lead_unit in by_unit:
            by_unit[r.lead_unit].append(r)
    groups: dict[str, list[UnitScore]] = {}
    for unit, mine in by_unit.items():
        groups.setdefault(ws.units[unit], []).append(unit_score(ws, unit, mine, period, d))
    return _ordered(ws, groups)


def _ordered(ws: Workspace, groups: dict[str, list[UnitScore]]) -> list[GroupRanking]:
    """Rank each group's scored units, then pick the red and black lists."""
    order = {u: i for i, u in enumerate(ws.units)}
    full = ws.rules.weight_on_time + ws.rules.weight_schedule + ws.rules.weight_report
    out = []
    for group, scores in groups.items():
        ranked = sorted((s for s in scores if s.score is not None), key=lambda s: (*_merit(s), order[s.unit]))
        ranked = [UnitScore(**{**s.__dict__, "rank": r}) for s, r in zip(ranked, _places(ranked), strict=True)]
        idle = [s for s in scores if s.score is None]
        red_list = [s for s in ranked if (s.rank or 0) <= ws.rules.red_list]
        pool = [s for s in reversed(ranked) if s not in red_list and (s.score or 0) < full]
        # the black list counts from the bottom the same way: ties at its edge all in
        black_list = [s for s, r in zip(pool, _places(pool), strict=True) if r <= ws.rules.black_list]
        out.append(GroupRanking(group, ranked + idle, red_list, black_list))
    return out


def _places(units: list[UnitScore]) -> list[int]:
    """Competition places along ``units`` (sorted by merit either way): equal merit, equal place (1 1 3)."""
    out: list[int] = []
    for i, s in enumerate(units):
        out.append(out[-1] if i and _merit(units[i - 1]) == _merit(s) else i + 1)
    return out


def _merit(s: UnitScore) -> tuple[float, int, int]:
    """What ranks a unit: higher score, then fewer overdue, then fewer red matters. Units equal on all three
    share a rank (并列, 1 1 3); the registry's order only lists them, it never ranks them (issue 19)."""
    return -(s.score or 0), s.overdue, s.red


QUARTER_NAMES = ("一季度", "二季度", "三季度", "四季度")


def rank_year(ws: Workspace, records: list[Record], year: Period, today: date | None = None) -> list[GroupRanking]:
    """The annual ranking: each unit's four quarter scores weighted by 赛马.年度季度权重 (rates, overdue and
    red counts shown are the whole year's at ``today``)."""
    from .periods import make_period

    d = today or year.last
    quarter_scores: dict[str, list[float | None]] = {u: [] for u in ws.units}
    for q in range(1, 5):
        qp = make_period("quarter", year.year, q)
        scored: dict[str, float | None] = {}
        if qp.first <= d:
            for g in rank(ws, records, qp, min(qp.last, d)):
                scored.update({u.unit: u.score for u in g.units})
        for unit in ws.units:
            quarter_scores[unit].append(scored.get(unit))
    weights = ws.rules.quarter_weights
    groups: dict[str, list[UnitScore]] = {}
    for g in rank(ws, records, year, d):
        for u in g.units:
            qs = quarter_scores.get(u.unit, [None] * 4)
            used = [(w, s, name) for w, s, name in zip(weights, qs, QUARTER_NAMES, strict=True) if s is not None]
            score = None
            breakdown = "本年无牵头事项"
            if used and u.score is not None and not sum(w for w, _, _ in used):
                breakdown = "有得分的季度权重均为 0"  # rules.yaml may weigh a quarter 0 (never all four)
            elif used and u.score is not None:
                score = round(sum(w * s for w, s, _ in used) / sum(w for w, _, _ in used), 2)
                breakdown = " + ".join(f"{name} {s:.1f}×{w:g}" for w, s, name in used)
                if len(used) < 4 or abs(sum(weights) - 1) > 1e-9:
                    breakdown += f",按权重 {sum(w for w, _, _ in used):g} 折算"
            groups.setdefault(g.group, []).append(replace(u, score=score, breakdown=breakdown, rank=None,
                                                          quarters=tuple(qs)))
    return _ordered(ws, groups)


def standings(ws: Workspace, records: list[Record], period: Period, today: date | None = None) -> list[GroupRanking]:
    """The ranking a period's circular shows: the year on its quarters, any other period on its own."""
    return rank_year(ws, records, period, today) if period.kind == "year" else rank(ws, records, period, today)
