"""The status engine (SPEC §4): pure functions of (matter, date, rules). No I/O.

Business time only: every rule reads the dates written in the matter (进展 日期, 批准日期 …),
never when a change was recorded in git.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .models import CLOSED_STATES, FINISH_STATES, ONGOING
from .periods import CYCLE_KIND, last_reportable

if TYPE_CHECKING:
    from .models import Matter
    from .workspace import Rules

LIGHTS = ("red", "yellow", "blue", "green", "none")  # also the sort order of every listing
CATEGORIES = ("欠进度", "达进度", "超进度", "持续推进", "已完成", "中止")


@dataclass(frozen=True, slots=True)
class Status:
    """A matter evaluated at one date. Every field is derived; nothing here is stored."""

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
    category: str  # one of CATEGORIES

    @property
    def report_missing(self) -> bool:
        return self.missing_period is not None

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def exists(m: Matter, d: date) -> bool:
    """A matter assigned after ``d`` does not exist yet at ``d``."""
    return m.assigned <= d


def state_at(m: Matter, d: date) -> str:
    last = None
    any_entry = False
    for u in m.updates:
        if u.date > d:
            break
        any_entry = True
        if u.state is not None:
            last = u.state
    if last is not None:
        return last
    return "推进中" if any_entry else "未启动"


def closed_on_at(m: Matter, d: date) -> date | None:
    """Date of the latest 阶段性办结/已办结 transition dated ≤ d."""
    out = None
    for u in m.updates:
        if u.date > d:
            break
        if u.state in FINISH_STATES:
            out = u.date
    return out


def deadline_at(m: Matter, d: date) -> date | None:
    """完成时限, or 新时限 of the last 延期 (list order) approved on or before d. None for 长期."""
    out = None if m.deadline == ONGOING else m.deadline
    for ext in m.extensions:
        if ext.approved_on is not None and ext.approved_on <= d:
            out = ext.new_deadline
    return out  # type: ignore[return-value]


def progress_at(m: Matter, d: date) -> int:
    out = 0
    for u in m.updates:
        if u.date > d:
            break
        if u.progress is not None:
            out = u.progress
    return out


def expected_progress(assigned: date, deadline: date | None, d: date) -> float | None:
    if deadline is None:
        return None
    if d >= deadline:
        return 100.0
    span = (deadline - assigned).days
    if span <= 0:
        return 100.0
    return min(100.0, max(0.0, (d - assigned).days / span * 100))


def missing_report(m: Matter, d: date, cycle: str, grace_days: int) -> str | None:
    """Code of the last due period with no 进展 entry, if it counts (SPEC §4), else None."""
    p = last_reportable(d, CYCLE_KIND[cycle], grace_days)
    if m.assigned > p.first:
        return None
    # closed or suspended before the period's last day owes nothing for it
    if state_at(m, p.last - _ONE_DAY) in _DONE_OR_SUSPENDED:
        return None
    for u in m.updates:
        if p.first <= u.date <= p.last:
            return None
    return p.code


_DONE_OR_SUSPENDED = CLOSED_STATES | {"中止"}


def evaluate(m: Matter, d: date, rules: Rules, cycle: str) -> Status:
    """Evaluate matter ``m`` at date ``d`` with report cycle ``cycle`` (月/季/半年/年)."""
    state = state_at(m, d)
    deadline = deadline_at(m, d)
    progress = progress_at(m, d)
    closed_on = closed_on_at(m, d) if state in FINISH_STATES or state == "已销号" else None
    days_left = (deadline - d).days if deadline is not None else None
    done = state in CLOSED_STATES
    stage = state == "阶段性办结"
    suspended = state == "中止"

    on_time = None
    if done:
        on_time = closed_on is not None and (deadline is None or closed_on <= deadline)

    expected = lag = None
    overdue_days = 0
    if not (done or stage or suspended):
        expected = expected_progress(m.assigned, deadline, d)
        if expected is not None:
            lag = expected - progress
        if days_left is not None and days_left < 0:
            overdue_days = -days_left

    missing = None
    if not (done or suspended):
        missing = missing_report(m, d, cycle, rules.grace_days)
    missed = tuple(ms.name for ms in m.milestones if ms.done_on is None and d > ms.deadline)
    if stage:
        missed = ()  # a stage-closed matter is judged on its reports only

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
        today=d,
        state=state,
        deadline=deadline,
        progress=progress,
        expected=expected,
        lag=lag,
        overdue_days=overdue_days,
        days_left=days_left,
        closed_on=closed_on,
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
        """办结率 = (已办结 + 已销号 + 阶段性办结) ÷ matters existing at D, in percent."""
        return (self.closed + self.stage_closed) / self.total * 100 if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 = closed on or before the effective deadline ÷ 已办结 + 已销号, in percent."""
        return self.on_time / self.closed * 100 if self.closed else None


def summarize(statuses: list[Status]) -> Summary:
    lights = dict.fromkeys(LIGHTS, 0)
    closed = stage = on_time = overdue = suspended = 0
    for s in statuses:
        lights[s.light] += 1
        if s.state in CLOSED_STATES:
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


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)
