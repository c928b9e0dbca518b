"""The compact, validated form of a matter that listings and the status engine read.

A ``Record`` is built once from a validated pydantic ``Matter`` (checks.py) and is what the cache stores:
plain tuples, dates as ordinals, so 20,000 of them unpickle in tens of milliseconds and the engine
compares integers. Everything a listing needs is here; ``show`` and the writers read the full file.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import Any, NamedTuple

ID_RE = re.compile(r"^([A-Z]{1,8})-([0-9]{1,6})$")  # 编号: <前缀>-<数字>

# (date ordinal, 进度 or None, 状态 or None)
Entry = tuple[int, "int | None", "str | None"]


class Record(NamedTuple):
    id: str
    ledger: str  # ledger key
    path: str  # workspace-relative, POSIX separators
    title: str
    lead_unit: str
    co_units: tuple[str, ...]
    leaders: tuple[str, ...]
    task_force: str | None
    assigned: int  # date ordinal
    deadline: int | None  # date ordinal; None for 长期
    cycle: str  # effective report cycle (月/季/半年/年)
    state: str  # top-level 状态 (validated equal to the latest transition)
    updates: tuple[Entry, ...]
    milestones: tuple[tuple[str, int, int | None, int], ...]  # (名称, 时限, 完成日期, 设立日期 or 交办日期)
    extensions: tuple[tuple[int, int | None], ...]  # (新时限, 批准日期)
    # (名称, 单位, 目标, 类型, observations: ((date ordinal, 完成值), ...) in counting order; asof.indicator_at,
    #  设立日期 or 交办日期: the indicator exists in views dated on or after it)
    indicators: tuple[tuple[str, str | None, float, str, tuple[tuple[int, float], ...], int], ...]
    extra: tuple[tuple[str, Any], ...]  # (ASCII key, value) of the ledger's extra fields
    owner: str | None = None  # 责任人 (named in referral letters)
    # (撤销 日期, 恢复 日期 or None) ordinals: withdrawn from the first, counted again from the second (status.withdrawn)
    withdrawals: tuple[tuple[int, int | None], ...] = ()
    parent: str | None = None  # 上级编号: the city assignment this matter answers (yilan assignments pull)


def figure_text(x: Any) -> str:
    """A figure (指标 完成/目标) as offices write it: ``600``, ``13.5``, ``—`` for none. One spelling for the
    commit subjects, show, the circulars and the migration's lines (``户厕改造 240 → 600``)."""
    if x is None:
        return "—"
    f = float(x)
    return str(int(f)) if f.is_integer() else str(f)


def _ord(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def record_of(m: Any, ledger: str, path: str, cycle: str, extra: dict[str, Any] | None = None) -> Record:
    """A Record from a validated ``models.Matter`` (duck-typed: this module never imports pydantic).

    Names that repeat across thousands of matters (units, leaders, states) are interned, so the
    marshal cache stores each once and loading it creates one object instead of thousands.
    """
    it = sys.intern
    return Record(
        id=m.id,
        ledger=it(ledger),
        path=path,
        title=m.title,
        lead_unit=it(m.lead_unit),
        co_units=tuple(it(u) for u in m.co_units),
        leaders=tuple(it(x) for x in m.leaders),
        task_force=None if m.task_force is None else it(m.task_force),
        assigned=m.assigned.toordinal(),
        deadline=None if isinstance(m.deadline, str) else m.deadline.toordinal(),
        cycle=it(cycle),
        state=it(m.state),
        updates=tuple((u.date.toordinal(), u.progress, None if u.state is None else it(u.state)) for u in m.updates),
        milestones=tuple((ms.name, ms.deadline.toordinal(), _ord(ms.done_on), (ms.since or m.assigned).toordinal())
                         for ms in m.milestones),
        extensions=tuple((e.new_deadline.toordinal(), _ord(e.approved_on)) for e in m.extensions),
        indicators=_indicators(m),
        extra=tuple(sorted((k, _plain(v)) for k, v in (extra or {}).items())),
        owner=m.owner,
        withdrawals=_withdrawals(m),
        parent=m.parent_ref,
    )


def _withdrawals(m: Any) -> tuple[tuple[int, int | None], ...]:
    """The i-th 撤销 with the i-th 恢复 (checks._withdrawal_issues: they alternate), as ordinal spans."""
    back = [x.date.toordinal() for x in m.reinstatements]
    return tuple((w.date.toordinal(), back[i] if i < len(back) else None) for i, w in enumerate(m.withdrawals))


def _indicators(m: Any) -> tuple[tuple[str, str | None, float, str, tuple[tuple[int, float], ...], int], ...]:
    from .asof import observations

    obs = observations(m)
    return tuple((i.name, i.unit, i.target, sys.intern(i.kind), obs[i.name], (i.since or m.assigned).toordinal())
                 for i in m.indicators)


def _plain(v: Any) -> Any:
    """Extra-field values as marshal-able plain values (dates as ISO text, lists as tuples)."""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return tuple(v)
    return v
