"""The horse race (赛马): units ranked within their group (乡镇 / 县直部门) for a period. Pure.

Scores are rate based so a unit with many matters is not punished for volume (weights in rules.yaml):

    score = 按期办结权重 × 按期办结率 + 序时达标权重 × 序时达标率 + 按期报告权重 × 按期报告率
            − 超期扣分 × overdue matters − 红灯扣分 × red matters

over the matters the unit leads that exist at the period's end D:
- 按期办结率: of the matters that fell due by D (effective deadline ≤ D) or closed within the period,
  and were not already closed before it began, those 已办结/已销号 on time or 阶段性办结 by the deadline;
- 序时达标率: of the matters with an expected progress at D (欠进度/达进度/超进度), those not behind;
- 按期报告率: of the matters that owed a report for their cycle's last due period, those that reported.
A rate with nothing to measure follows 赛马.无可计量 (issue 19): 分摊 (default) — it earns nothing and its weight
is spread over the measured rates in proportion to their weights (a unit with 1/1 on time and nothing else
measured scores 100, as does one with 3/3 on every rate); a unit with nothing measured at all gets no score, no
rank and is on neither list (无可计量) — or 满分, the old rule, where it counts full. Ties: fewer overdue, then
fewer red; units equal on score, overdue and red share a rank (并列: 1, 1, 3), listed in the unit registry's
order. The 红榜 is the units ranked within 红榜名额 with no overdue and no red matter and at least 60% of full
marks (RED_LIST_FLOOR); the 黑榜 the
bottom 黑榜名额 below full marks and not on the 红榜, counted from the bottom the same way; a tie across the
edge is all in or all out (赛马.名额并列). Units that lead nothing are listed without a rank.
method_text() says all this in 公文 sentences for the circular.

"1+N+1": a ledger may carry its own 赛马 rules (schemas/ledgers/<key>.yaml, the sector department's
"N"). A unit's matters are then scored in groups of equal rules — each group's weighted rates (nothing to
measure handled within the group) count in proportion to its share of the unit's matters, and each group's own
deductions apply to its matters:

    score = Σ_g (n_g / n) × (weights_g · rates_g) − Σ_g deductions_g

Under 分摊 a group with nothing measured hands its share on: n counts the matters of the groups that have
something measured.

With no overrides this is exactly the formula above. The year ranks on the four quarters: each
quarter's score (evaluated at the quarter's end, or at D for the quarter in progress) weighted by
赛马.年度季度权重, over the quarters in which the unit had a score.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from .status import CLOSED, Status, counted, evaluate, log_at, report_check

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .periods import Period
    from .records import Record
    from .workspace import LedgerDef, Rules, Workspace


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
    score: float | None  # None: the unit leads no matter in the period, or has nothing to measure (无可计量)
    breakdown: str  # every point explained: 按期办结 3/4 得30.0 · 序时达标 2/3 得20.0 · … · 超期1项 −2
    rank: int | None = None
    quarters: tuple[float | None, ...] = ()  # annual ranking: the four quarters' scores

    @property
    def score_text(self) -> str:
        """The score as documents print it: one decimal, a true minus sign (−3.0, as the breakdown's −2), — when
        the unit has no score."""
        return "—" if self.score is None else f"{self.score:.1f}".replace("-", "−")


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


CRITERIA = ("按期办结", "序时达标", "按期报告")


def _weights(rules: Rules) -> tuple[float, float, float]:
    return rules.weight_on_time, rules.weight_schedule, rules.weight_report


def _group_points(rules: Rules, tally: _Tally, spread: bool) -> tuple[float | None, list[str]]:
    """One rule group's weighted rates (out of the group's full score) and the words explaining them.

    ``spread`` (赛马.无可计量: 分摊): a criterion with nothing to measure earns nothing and its weight goes to the
    measured criteria in proportion to their weights, so the measured ones are scaled by full / measured weight;
    None when nothing weighted is measured. Otherwise (满分) such a criterion counts full, as before issue 19."""
    rates = tally.rates()
    weights = _weights(rules)
    full = sum(weights)
    measured = sum(w for w, r in zip(weights, rates, strict=True) if r.of)
    if spread and full and not measured:
        return None, [f"{name} —" for name in CRITERIA]
    scale = full / measured if spread and measured else 1.0
    points = 0.0
    words = []
    for name, w, r in zip(CRITERIA, weights, rates, strict=True):
        if r.of:
            got = w * scale * r.hit / r.of
            words.append(f"{name} {r} 得{got:.1f}")
        elif spread:
            got = 0.0
            words.append(f"{name} —（无可计量，权重分摊）")
        else:
            got = w
            words.append(f"{name} —（无可计量，按满分计）得{got:.1f}")
        points += got
    return points, words


def _deductions(rules: Rules, tally: _Tally) -> tuple[float, list[str]]:
    words = []
    if tally.overdue:
        words.append(f"超期{tally.overdue}项 −{rules.deduct_overdue * tally.overdue:g}")
    if tally.red:
        words.append(f"红灯{tally.red}项 −{rules.deduct_red * tally.red:g}")
    return rules.deduct_overdue * tally.overdue + rules.deduct_red * tally.red, words


UNMEASURED = "无可计量：按期办结、序时达标、按期报告均无可计量事项，不计分、不排名"


def unit_score(ws: Workspace, unit: str, records: list[Record], period: Period, today: date,
               known: dict[str, Status] | None = None) -> UnitScore:
    """A unit's score at ``today`` over ``records`` (the matters it leads), with every point explained; a
    matter withdrawn within the period is judged on the day before its 撤销 (:func:`judged_on`), and said so.

    Score None: the unit leads nothing (本期无牵头事项), or — under 赛马.无可计量: 分摊 — none of its rule groups
    has anything weighted to measure (无可计量); such a unit is listed without a rank and on neither list.
    ``known``: statuses at ``today`` under ws.rules already evaluated by the caller, by path (the same values)."""
    total = _Tally()
    groups: dict[tuple[tuple[str, float], ...], tuple[Rules, _Tally, list[str]]] = {}
    withdrawn_in = 0
    for r in records:
        day = judged_on(r, period, today.toordinal())
        on = today if day is None or day == today.toordinal() else date.fromordinal(day)
        withdrawn_in += on != today
        lg = ws.ledgers.get(r.ledger)
        key = lg.scoring if lg is not None else ()
        if key not in groups:
            groups[key] = (rules_for(ws, r.ledger), _Tally(), [])
        rules, tally, names = groups[key]
        if lg is not None and key and lg.name not in names:
            names.append(lg.name)
        st = known[r.path] if known is not None and on == today and r.path in known else evaluate(r, on, ws.rules)
        tally.add(r, st, period, on, ws.rules)
        total.add(r, st, period, on, ws.rules)
    on_time, schedule, report = total.rates()
    score: float | None = None
    breakdown = "本期无牵头事项"
    if records:
        spread = ws.rules.nothing_measured == "分摊"
        ordered = sorted(groups.items(), key=lambda kv: (bool(kv[0]), kv[1][2]))  # defaults first
        scored = [(key, rules, tally, names, *_group_points(rules, tally, spread))
                  for key, (rules, tally, names) in ordered]
        # a group with nothing to measure hands its share of the matters to the groups that have something
        measured = sum(tally.matters for _, _, tally, _, points, _ in scored if points is not None)
        parts = []
        total_points = 0.0
        for key, rules, tally, names, points, words in scored:
            minus, minus_words = _deductions(rules, tally)
            share = tally.matters / measured if points is not None and measured else 0.0
            total_points += share * (points or 0.0) - minus
            text = " · ".join(words + minus_words)
            if len(groups) > 1 or key:
                label = "、".join(names) + "规则" if key else "通用规则"
                portion = f"占{share:.0%}" if points is not None else "无可计量，份额分摊"
                text = f"[{label} {tally.matters}项,{portion}] {text}"
            parts.append(text)
        if measured:
            score = round(total_points, 2)
            breakdown = " | ".join(parts) + (f"（含期内撤销事项{withdrawn_in}项，按撤销前一日的情况计）" if withdrawn_in else "")
        else:
            breakdown = UNMEASURED
    return UnitScore(unit, ws.units.get(unit, ""), len(records), on_time, schedule, report, total.overdue, total.red,
                     score, breakdown)


def judged_on(r: Record, period: Period, d: int) -> int | None:
    """The day (ordinal) a matter is scored on in ``period`` judged at ``d``: ``d`` when it counts then; when
    it was withdrawn (撤销) after counting within the period, the day before its 撤销 — a matter overdue all
    quarter and withdrawn on its last day keeps its deduction, so a withdrawal never games the 赛马; None for
    a matter that did not count at any day of the period up to ``d`` (withdrawn before it began, or not yet
    assigned). Source: issue 20 (attacker review)."""
    if counted(r, d):
        return d
    start = max((w for w, back in r.withdrawals if w <= d and (back is None or back > d)), default=None)
    if start is None:
        return None
    last = start - 1
    return last if last >= period.first.toordinal() and counted(r, last) else None


def rank(ws: Workspace, records: list[Record], period: Period, today: date | None = None,
         known: dict[str, Status] | None = None) -> list[GroupRanking]:
    """Every registered unit, group by group (in registry order), ranked at ``today`` (default: period end).
    ``known``: the records' statuses at ``today`` under ws.rules, by path, when the caller has them."""
    d = today or period.last
    by_unit: dict[str, list[Record]] = {u: [] for u in ws.units}
    for r in records:
        if r.lead_unit in by_unit and judged_on(r, period, d.toordinal()) is not None:
            by_unit[r.lead_unit].append(r)
    groups: dict[str, list[UnitScore]] = {}
    for unit, mine in by_unit.items():
        groups.setdefault(ws.units[unit], []).append(unit_score(ws, unit, mine, period, d, known))
    return _ordered(ws, groups)


def _ordered(ws: Workspace, groups: dict[str, list[UnitScore]]) -> list[GroupRanking]:
    """Rank each group's scored units, then pick the red and black lists (units without a score: neither)."""
    order = {u: i for i, u in enumerate(ws.units)}
    full = ws.rules.weight_on_time + ws.rules.weight_schedule + ws.rules.weight_report
    all_in = ws.rules.list_ties == "全部列入"
    out = []
    for group, scores in groups.items():
        ranked = sorted((s for s in scores if s.score is not None), key=lambda s: (*_merit(s), order[s.unit]))
        ranked = [UnitScore(**{**s.__dict__, "rank": r}) for s, r in zip(ranked, _places(ranked), strict=True)]
        idle = [s for s in scores if s.score is None]
        # a unit with an overdue or red matter is praised for nothing, whatever its place (a group of three
        # would otherwise put all three on the 红榜, deductions and all)
        red_list = [s for s in _within(ranked, ws.rules.red_list, all_in)
                    if not s.overdue and not s.red and (s.score or 0) >= RED_LIST_FLOOR * full]
        # the black list counts from the bottom the same way, among the units below full marks not on the 红榜
        pool = [s for s in reversed(ranked) if s not in red_list and (s.score or 0) < full]
        black_list = _within(pool, ws.rules.black_list, all_in)
        out.append(GroupRanking(group, ranked + idle, red_list, black_list))
    return out


RED_LIST_FLOOR = 0.6  # of full marks: a unit below 及格 is praised for nothing, however few units the group has


def _within(units: list[UnitScore], quota: int, all_in: bool) -> list[UnitScore]:
    """The units placed within ``quota`` along ``units`` (sorted by merit either way). Units tied across the
    edge (places 3 3 3 with a quota of 4) are all in (赛马.名额并列: 全部列入, the list may run over its quota)
    or all out (全部不列入, it may run short)."""
    places = _places(units)
    out = []
    for s, place in zip(units, places, strict=True):
        last = place + places.count(place) - 1  # the last place the tie occupies
        if (place if all_in else last) <= quota:
            out.append(s)
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
            if u.matters and not used:
                breakdown = "本年无可计量：各季度均无可计量事项，不计分、不排名"
            elif used and not sum(w for w, _, _ in used):
                breakdown = "有得分的季度权重均为 0"  # rules.yaml may weigh a quarter 0 (never all four)
            elif used:
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


def _n(x: float) -> str:
    return f"{x:g}"


def method_text(rules: Rules, ledgers: Iterable[LedgerDef] = (), annual: bool = False, city: bool = False) -> list[str]:
    """The 赛马计分办法 a circular prints as an annex: the formula, the weights, the ledgers' own rules in force
    ("1+N+1"), the nothing-to-measure rule, the order and tie rule and the 红榜/黑榜 rule, one 公文 sentence
    (paragraph) each, all from ``rules`` (rules.yaml 赛马) and the ledgers' 赛马 overrides; ``annual`` adds
    the quarter weights; ``city``: the county 赛马 of a city office (federation.federated), in its words. Pure: the
    same rules give the same sentences."""
    w1, w2, w3 = _weights(rules)
    out = [
        f"一、计分公式。乡镇、县直部门分组排名，各单位按其牵头的督办事项计分，满分{_n(w1 + w2 + w3)}分。"
        f"得分＝按期办结率×{_n(w1)}＋序时达标率×{_n(w2)}＋按期报告率×{_n(w3)}"
        f"－超期事项数×{_n(rules.deduct_overdue)}－红灯事项数×{_n(rules.deduct_red)}。",
        "二、指标口径。按期办结率为期内到期或期内办结的事项中按期办结（含按期阶段性办结）的比例；"
        "序时达标率为有序时进度要求的事项中未滞后于序时进度的比例；按期报告率为应报告进展的事项中按期报告的比例。",
    ]
    labels = {"weight_on_time": "按期办结权重{}", "weight_schedule": "序时达标权重{}", "weight_report": "按期报告权重{}",
              "deduct_overdue": "超期每项扣{}分", "deduct_red": "红灯每项扣{}分"}
    own = [f"{lg.name}台账的事项另行计分：{'、'.join(labels[k].format(_n(v)) for k, v in lg.scoring)}"
           for lg in ledgers if lg.scoring]
    if own:
        out.append(f"三、行业规则。{'；'.join(own)}；其余事项按上述通用规则计分。单位牵头事项分属不同规则的，"
                   "各规则得分按其事项数占比加权合计，扣分各按其规则计算。")
    if rules.nothing_measured == "分摊":
        nothing = ("某项指标本期无可计量事项的，该项不得分，其权重按其余有可计量事项的指标的权重比例分摊；"
                   + ("某一规则下的事项均无可计量的，其事项数占比由其余规则分摊；" if own else "")
                   + "三项指标均无可计量事项的单位不计分、不排名，列为“无可计量”。")
    else:
        nothing = "某项指标本期无可计量事项的，该项按满分计。"
    out.append(f"{_ordinal(len(out))}、无可计量的处理。{nothing}")
    out.append(f"{_ordinal(len(out))}、名次。得分高的在前；得分相同的，超期事项少的在前；仍相同的，红灯事项少的在前。"
               "得分、超期事项数、红灯事项数均相同的并列同一名次，其后名次顺延（如1、1、3）；"
               "并列单位按单位名录顺序列出，名录顺序不影响名次。本期无牵头事项的单位不排名。")
    ties = ("名额边缘有并列的，并列单位全部列入，榜单单位数可多于名额" if rules.list_ties == "全部列入"
            else "名额边缘有并列的，并列单位均不列入，榜单单位数可少于名额")
    floor = _n(RED_LIST_FLOOR * (rules.weight_on_time + rules.weight_schedule + rules.weight_report))
    out.append(f"{_ordinal(len(out))}、红榜、黑榜。各组名次在前{rules.red_list}名以内、得分不低于{floor}分、"
               "且没有超期和红灯事项的单位列入红榜；"
               f"未列入红榜且未得满分的单位中，自后向前第{rules.black_list}名以内的单位列入黑榜。"
               f"{ties}；不计分的单位不列入红榜、黑榜。")
    if annual:
        weights = "、".join(_n(w) for w in rules.quarter_weights)
        out.append(f"{_ordinal(len(out))}、年度排名。年度得分为一至四季度得分的加权平均，权重依次为{weights}；"
                   "某季度无得分的，按其余季度的权重折算。")
    return [_city_words(s) for s in out] if city else out


_CITY_WORDS = (("乡镇、县直部门分组排名，各单位按其牵头的督办事项计分",
                "县、县级市、区分组排名，各县（市、区）按其台账的全部督办事项计分"),
               ("并列单位按单位名录顺序列出，名录顺序不影响名次。本期无牵头事项的单位不排名。",
                "并列的按成员名单顺序列出，名单顺序不影响名次。本期无督办事项的不排名。"),
               ("单位", "县（市、区）"))


def _city_words(sentence: str) -> str:
    """A 计分办法 sentence as a city office writes it of its counties (the rules themselves are the same)."""
    for county, city in _CITY_WORDS:
        sentence = sentence.replace(county, city)
    return sentence


def _ordinal(n: int) -> str:
    """The Chinese numeral heading the next sentence: 0 sentences so far → 一."""
    return "一二三四五六七八九十"[n]
