"""The status engine (SPEC §4): pure functions of (record, date, rules). No I/O.

Business time only: every rule reads the dates written in the matter (进展 日期, 批准日期 …),
never when a change was recorded in git. Dates are compared as ordinals (records.Record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .periods import CYCLE_KIND, last_reportable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .records import Entry, Record
    from .workspace import Rules

LIGHTS = ("red", "yellow", "blue", "green", "none")  # also the sort order of every listing
CATEGORIES = ("欠进度", "达进度", "超进度", "持续推进", "已完成", "中止")
STATES = ("未启动", "推进中", "阶段性办结", "已办结", "已销号", "中止")
STATE_EN = {  # the JSON names (SPEC §6)
    "未启动": "not_started",
    "推进中": "in_progress",
    "阶段性办结": "stage_closed",
    "已办结": "closed",
    "已销号": "signed_off",
    "中止": "suspended",
}
CLOSED = frozenset(("已办结", "已销号"))
FINISH = frozenset(("阶段性办结", "已办结"))  # transitions that set 办结日期
_DONE_OR_SUSPENDED = CLOSED | {"中止"}


class Status(NamedTuple):
    """A matter evaluated at one date. Every field is derived; nothing here is stored.

    A NamedTuple, not a frozen dataclass: 20,000 of them are built per listing, and a frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per field) costs three times as much.
    """

    today: date
    state: str  # one of models.STATES
    deadline: date | None  # effective deadline at ``today``; None for 长期
    progress: int
    expected: float | None  # 序时进度, None for 长期
    lag: float | None
    overdue_days: int
    days_left: int | None
    closed_on: date | None
    on_time: bool | None  # for 已办结/已销号: closed on or before the effective deadline
    missing_period: str | None  # code of the period whose report is missing (e.g. 2022Q1)
    missed_milestones: tuple[str, ...]
    light: str  # one of LIGHTS
    category: str  # one of CATEGORIES, or 撤销 for a withdrawn matter
    withdrawn: bool = False  # 撤销 at ``today`` (withdrawn): light none, left out of every total (summarize)

    @property
    def report_missing(self) -> bool:
        return self.missing_period is not None


def exists(r: Record, d: int) -> bool:
    """A matter assigned after ``d`` does not exist yet at ``d``."""
    return r.assigned <= d


def withdrawn(r: Record, d: int) -> bool:
    """撤销 at ``d``: a 撤销 dated ≤ d without a 恢复 dated ≤ d after it (docs/format.md, 撤销与恢复).

    Business time like every rule here: a withdrawal dated D counts from D on; views of earlier dates
    are unchanged. A withdrawn matter has light none and is left out of totals, lights and rates."""
    return any(start <= d and (end is None or end > d) for start, end in r.withdrawals)


def counted(r: Record, d: int) -> bool:
    """Whether ``r`` counts in the totals at ``d``: it exists and is not withdrawn."""
    return r.assigned <= d and not (r.withdrawals and withdrawn(r, d))


def log_at(r: Record, d: int) -> tuple[str, int, int | None]:
    """(status, progress, date of the latest 阶段性办结/已办结 transition) from the 进展 entries dated ≤ d."""
    return entries_at(r.updates, d)


def entries_at(updates: Iterable[Entry], d: int) -> tuple[str, int, int | None]:
    """:func:`log_at` over ``(date ordinal, 进度, 状态)`` entries in file order (also asof.matter_at's 状态).

    Status: the last transition's 状态; before any, 推进中 once there is an entry, else 未启动.
    Progress: the latest 进度 given (0 if none).
    """
    transition = None
    progress = 0
    finished = None
    any_entry = False
    for day, p, s in updates:
        if day > d:
            break
        any_entry = True
        if p is not None:
            progress = p
        if s is not None:
            transition = s
            if s in FINISH:
                finished = day
    return transition or ("推进中" if any_entry else "未启动"), progress, finished


def deadline_at(r: Record, d: int) -> int | None:
    """完成时限, or 新时限 of the last 延期 (list order) approved on or before d. None for 长期."""
    out = r.deadline
    for new_deadline, approved in r.extensions:
        if approved is not None and approved <= d:
            out = new_deadline
    return out


def expected_progress(assigned: int, deadline: int | None, d: int) -> float | None:
    if deadline is None:
        return None
    if d >= deadline:
        return 100.0
    span = deadline - assigned
    if span <= 0:
        return 100.0
    return min(100.0, max(0.0, (d - assigned) / span * 100))


@lru_cache(maxsize=64)
def _due_period(d: int, kind: str, grace_days: int) -> tuple[int, int, str]:
    p = last_reportable(date.fromordinal(d), kind, grace_days)
    return p.first.toordinal(), p.last.toordinal(), p.code


def report_check(r: Record, d: int, grace_days: int) -> tuple[str | None, bool]:
    """(code of the period the matter owes a report for, or None; whether that report is missing).

    The period is the last one of the matter's cycle that ended more than ``grace_days`` before d; it is
    owed when the matter was assigned by its first day and not closed or suspended before its last day.
    """
    first, last, code = _due_period(d, CYCLE_KIND[r.cycle], grace_days)
    if r.assigned > first:
        return None, False
    # closed or suspended before the period's last day owes nothing for it
    if log_at(r, last - 1)[0] in _DONE_OR_SUSPENDED:
        return None, False
    for day, _, _ in r.updates:
        if first <= day <= last:
            return code, False
    return code, True


def missing_report(r: Record, d: int, grace_days: int) -> str | None:
    """Code of the last due period with no 进展 entry, if it counts (SPEC §4), else None."""
    code, missing = report_check(r, d, grace_days)
    return code if missing else None


def evaluate(r: Record, today: date, rules: Rules) -> Status:
    """Evaluate record ``r`` at date ``today``. A matter withdrawn at ``today`` (:func:`withdrawn`) keeps its
    state and progress but has light none, category 撤销, no overdue days and no missing report."""
    d = today.toordinal()
    if r.withdrawals and withdrawn(r, d):
        st = _evaluate(r, today, d, rules)
        return st._replace(light="none", category="撤销", withdrawn=True, overdue_days=0, missing_period=None,
                           missed_milestones=())
    return _evaluate(r, today, d, rules)


def _evaluate(r: Record, today: date, d: int, rules: Rules) -> Status:
    state, progress, finished = log_at(r, d)
    deadline = deadline_at(r, d)
    closed_on = finished if state in FINISH or state == "已销号" else None
    days_left = deadline - d if deadline is not None else None
    done = state in CLOSED
    stage = state == "阶段性办结"
    suspended = state == "中止"

    on_time = None
    if done:
        on_time = closed_on is not None and (deadline is None or closed_on <= deadline)

    expected = lag = None
    overdue_days = 0
    if not (done or stage or suspended):
        expected = expected_progress(r.assigned, deadline, d)
        if expected is not None:
            lag = expected - progress
        if days_left is not None and days_left < 0:
            overdue_days = -days_left

    missing = None if done or suspended else missing_report(r, d, rules.grace_days)
    missed: tuple[str, ...] = ()
    if not stage:  # a stage-closed matter is judged on its reports only
        # met only if 完成日期 ≤ d: a milestone met later was still missed at d (business time)
        # a milestone set after 交办 (设立日期) does not exist in a view before it
        missed = tuple(name for name, due, done_on, since in r.milestones
                       if since <= d and d > due and (done_on is None or done_on > d))

    if done or suspended:
        light = "none"
    elif overdue_days > 0 or (lag is not None and lag > rules.red_lag):
        light = "red"
    elif (lag is not None and lag > rules.yellow_lag) or missed or missing:
        light = "yellow"
    elif not stage and days_left is not None and days_left <= rules.due_soon_days:
        light = "blue"
    else:
        light = "green"

    if suspended:
        category = "中止"
    elif done or stage:
        category = "已完成"
    elif expected is None:
        category = "持续推进"
    elif lag is not None and lag > rules.yellow_lag:
        category = "欠进度"
    elif progress - expected >= rules.yellow_lag:
        category = "超进度"
    else:
        category = "达进度"

    return Status(
        today=today,
        state=state,
        deadline=None if deadline is None else date.fromordinal(deadline),
        progress=progress,
        expected=expected,
        lag=lag,
        overdue_days=overdue_days,
        days_left=days_left,
        closed_on=None if closed_on is None else date.fromordinal(closed_on),
        on_time=on_time,
        missing_period=missing,
        missed_milestones=missed,
        light=light,
        category=category,
    )


@dataclass(frozen=True)
class Summary:
    total: int
    lights: dict[str, int]
    closed: int  # 已办结 + 已销号
    stage_closed: int
    on_time: int
    overdue: int
    suspended: int

    @property
    def completion_rate(self) -> float | None:
        """办结率（含阶段性办结） = (已办结 + 已销号 + 阶段性办结) ÷ matters existing at D, in percent."""
        return (self.closed + self.stage_closed) / self.total * 100 if self.total else None

    @property
    def full_rate(self) -> float | None:
        """完全办结率 = (已办结 + 已销号) ÷ matters existing at D, in percent (阶段性办结 not counted)."""
        return self.closed / self.total * 100 if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 = closed on or before the effective deadline ÷ 已办结 + 已销号, in percent."""
        return self.on_time / self.closed * 100 if self.closed else None


def summarize(statuses: list[Status]) -> Summary:
    """Totals over ``statuses``; a withdrawn matter (Status.withdrawn) is not counted anywhere."""
    lights = dict.fromkeys(LIGHTS, 0)
    closed = stage = on_time = overdue = suspended = 0
    statuses = [s for s in statuses if not s.withdrawn]
    for s in statuses:
        lights[s.light] += 1
        if s.state in CLOSED:
            closed += 1
            on_time += bool(s.on_time)
        elif s.state == "阶段性办结":
            stage += 1
        elif s.state == "中止":
            suspended += 1
        overdue += s.overdue_days > 0
    return Summary(len(statuses), lights, closed, stage, on_time, overdue, suspended)


def percent(value: float | None) -> str:
    """One decimal, as printed in circulars: 54.9%. Rounds half up, never banker's rounding."""
    if value is None:
        return "—"
    return f"{int(value * 10 + 0.5 + 1e-9) / 10:.1f}%"

