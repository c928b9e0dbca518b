"""A matter as it stood at a business date D: only the facts dated on or before D (docs/time.md).

Pure functions of a validated ``models.Matter``; no I/O. Every view that prints a matter's content
(show, the site's matter page, export, the fill-in form) reads ``matter_at(m, D)``; the status engine
reads the same rules from the compact ``records.Record`` (status.log_at, deadline_at, milestones,
``indicator_at``). Which fact counts at D:

- a 进展 entry: its 日期 ≤ D;
- 状态 and 办结日期: derived from those entries (the last transition; 推进中 once any entry exists);
- a 节点: met iff its 完成日期 ≤ D;
- a 延期: known iff 申请日期 ≤ D, in force iff 批准日期 ≤ D (approved later: shown as 待批准);
- 销号: iff its 日期 ≤ D;
- a 撤销 or 恢复 record: its 日期 ≤ D (withdrawn at D: status.withdrawn);
- a 量化指标: its value is the latest observation (进展[].指标) dated ≤ D; an old-format 完成 (no date)
  counts as observed on the date of the last 进展 entry, or 交办日期 when there is none
  (``legacy_day``) — exactly the date ``yilan fmt --migrate`` gives it when git cannot tell.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .status import FINISH, entries_at

if TYPE_CHECKING:
    from .models import Matter

# (date ordinal, value) in the order they count: date order, a later entry after an earlier one
Observation = tuple[int, float]


def legacy_day(m: Matter) -> date:
    """The date an old-format 完成 (no date of its own) counts from: the last 进展 entry, else 交办日期."""
    return max((u.date for u in m.updates), default=m.assigned)


def observations(m: Matter) -> dict[str, tuple[Observation, ...]]:
    """名称 → that indicator's observations in counting order (old-format 完成 first on its day)."""
    out: dict[str, list[tuple[int, int, float]]] = {i.name: [] for i in m.indicators}
    legacy = legacy_day(m).toordinal()
    for i in m.indicators:
        if i.done is not None:
            out[i.name].append((legacy, -1, i.done))
    for n, u in enumerate(m.updates):
        for name, value in u.indicators.items():
            out.setdefault(name, []).append((u.date.toordinal(), n, value))
    return {name: tuple((d, v) for d, _, v in sorted(obs)) for name, obs in out.items()}


def indicator_at(obs: tuple[Observation, ...], d: int) -> float | None:
    """The latest observation dated ≤ d (an ordinal), or None before the first."""
    value = None
    for day, v in obs:
        if day > d:
            break
        value = v
    return value


def later_entries(m: Matter, day: date) -> int:
    """How many 进展 entries are dated after ``day`` (a page at ``day`` says so, without their content)."""
    return sum(1 for u in m.updates if u.date > day)


def matter_at(m: Matter, day: date) -> Matter:
    """``m`` with only the facts dated ≤ ``day``; each indicator's 完成 holds its value at ``day``; an indicator
    or milestone set after 交办 appears from its 设立日期 on.

    The result is a view, not a file: it is never written back (the old-format 完成 field is reused
    so that every reader of a matter shows the value at ``day`` without knowing about observations).
    """
    d = day.toordinal()
    state, _, finished = entries_at(((u.date.toordinal(), u.progress, u.state) for u in m.updates), d)
    obs = observations(m)
    extensions = []
    for e in m.extensions:
        if e.applied_on > day:
            continue
        if e.approved_on is not None and e.approved_on > day:
            e = e.model_copy(update={"approved_on": None, "approver": None})
        extensions.append(e)
    return m.model_copy(update={
        "updates": [u for u in m.updates if u.date <= day],
        "state": state,
        "closed_on": date.fromordinal(finished) if finished is not None and (state in FINISH or state == "已销号")
        else None,
        "milestones": [ms if ms.done_on is None or ms.done_on <= day else ms.model_copy(update={"done_on": None})
                       for ms in m.milestones if ms.since is None or ms.since <= day],
        "extensions": extensions,
        "signoff": m.signoff if m.signoff is not None and m.signoff.date <= day else None,
        "withdrawals": [w for w in m.withdrawals if w.date <= day],
        "reinstatements": [x for x in m.reinstatements if x.date <= day],
        "indicators": [i.model_copy(update={"done": indicator_at(obs.get(i.name, ()), d)}) for i in m.indicators
                       if i.since is None or i.since <= day],
    })
