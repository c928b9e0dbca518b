"""Validation of one matter file into findings. Never prints, never raises for bad input.

Pipeline for a file: bytes → text (size, binary, encoding) → fast parse → model + semantic rules.
Only when something is wrong is the file parsed again with positions, so each finding carries the
file, 1-based line and column; a good file costs one libyaml parse and one pydantic validation.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .filecheck import Issue, locate, read_text, scan_values, text_scan, unreadable
from .findings import Finding, make_finding
from .i18n import t
from .models import FINISH_STATES, ID_RE, NESTED, Matter, known_keys, parse_iso_day
from .records import Record, record_of
from .yamlio import YamlProblem, fast_load, positioned_load, to_plain

if TYPE_CHECKING:
    from .workspace import FieldDef, LedgerDef, Workspace

@dataclass(slots=True)
class Validated:
    """A valid matter file: the full model and what its ledger says about it."""

    matter: Matter
    ledger: str  # ledger key
    path: str  # workspace-relative, POSIX separators
    cycle: str  # effective report cycle
    extra: dict[str, Any] = field(default_factory=dict)  # ASCII key → value of ledger extra fields
    known: Record | None = None  # the record, when it came with the matter (store.load_full's cache)

    def record(self) -> Record:
        if self.known is None:
            self.known = record_of(self.matter, self.ledger, self.path, self.cycle, self.extra)
        return self.known

    def frozen(self) -> tuple[Any, ...]:
        """Plain, marshal-able values (store.load_full's cache): (ledger, path, cycle, the matter as pydantic's
        JSON-mode dict under the file's Chinese keys, extra fields with dates as ISO text, the record)."""
        extra = {k: v.isoformat() if isinstance(v, date) else v for k, v in self.extra.items()}
        return (self.ledger, self.path, self.cycle, self.matter.model_dump(mode="json", by_alias=True),
                extra, tuple(self.record()))


FROZEN_SIZE = 6  # the values in Validated.frozen()


def revive(ws: Workspace, frozen: tuple[Any, ...]) -> Validated | None:
    """The Validated that ``Validated.frozen`` stored: the model re-validated by pydantic alone (the file passed
    every other check when it was stored), 日期 extra fields back to dates by the ledger's field types. None
    when the stored values no longer fit (a cache written by another build of yilan): the file is read again."""
    try:
        ledger, path, cycle, data, extra, record = frozen
        days = {f.key for f in ws.ledgers[ledger].fields if f.type == "日期"}
        extra = {k: parse_iso_day(v) if k in days else v for k, v in extra.items()}
        return Validated(Matter.model_validate(data), ledger, path, cycle, extra, Record._make(record))
    except Exception:  # noqa: BLE001 - whatever is wrong with a cache entry, the file itself is the truth
        return None


_BLOCK_SCALAR = re.compile(r"(^|[:\-\s])[|>][-+0-9]*[ \t]*(#.*)?$", re.M)
def read_matter(ws: Workspace, path: Path) -> tuple[Validated | None, list[Finding]]:
    """Read and validate one matter file."""
    rel = ws.rel(path)
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    return check_text(ws, text, rel, path.parent.name, path.stem)


def check_text(ws: Workspace, text: str, rel: str, ledger_key: str, stem: str) -> tuple[Validated | None, list[Finding]]:
    """Validate matter ``text`` as if it were ``ledgers/<ledger_key>/<stem>.yaml``."""
    try:
        data = fast_load(text)
    except Exception:  # noqa: BLE001 - any parse failure goes to the positioned reader
        return None, unreadable(text, rel)
    record, issues = validate(ws, data, ledger_key, stem)
    if not issues and ("\t" in text or _BLOCK_SCALAR.search(text)):
        # libyaml and ruamel differ on tabs and on some block scalars (| >): the writer must read exactly
        # what the reader accepted, so such a file is parsed both ways and must agree
        try:
            same = to_plain(positioned_load(text)) == data
        except YamlProblem as p:
            return None, [make_finding(rel, p.line, p.column, p.code, p.params)]
        if not same:
            return None, [make_finding(rel, 1, 1, "E104", {"detail": t("ambiguous")})]
    if not issues:
        return record, []
    if not isinstance(data, dict):
        early = text_scan(text, rel)
        if early:
            return None, early
    return None, locate(text, rel, issues)


# --------------------------------------------------------------------------- validation
def validate(ws: Workspace, data: Any, ledger_key: str, stem: str) -> tuple[Validated | None, list[Issue]]:
    """Validate parsed data. Returns the record (when there are no issues) and the issues."""
    if data is None:
        return None, [("E110", (), {})]
    if not isinstance(data, dict):
        kind = t("kind.list") if isinstance(data, list) else t("kind.text") if isinstance(data, str) else t("kind.other")
        return None, [("E111", (), {"kind": kind})]
    for k in data:
        if not isinstance(k, str):
            return None, [("E105", (), {})]
    ledger = ws.ledgers.get(ledger_key)
    issues: list[Issue] = []
    if ledger is None:
        issues.append(("E313", (), {"ledger": ledger_key}))
    data = dict(data)
    sensitive = {f.name for f in ledger.fields if f.sensitive} if ledger else set()
    issues.extend(scan_values(data, sensitive))
    extra = _extract_extra(data, ledger.fields if ledger else (), issues)
    try:
        matter = Matter.model_validate(data)
    except ValidationError as e:
        extra_names = [f.name for f in ledger.fields] if ledger else []
        issues.extend(_pydantic_issue(err, extra_names) for err in e.errors())
        return None, issues
    issues.extend(semantic_issues(ws, matter, ledger, stem))
    if issues:
        return None, issues
    assert ledger is not None
    return Validated(matter, ledger.key, f"ledgers/{ledger_key}/{stem}.yaml", matter.cycle or ledger.cycle, extra), []


def _extract_extra(data: dict[str, Any], fields: tuple[FieldDef, ...], issues: list[Issue]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.name not in data:
            if f.required:
                issues.append(("E202", (), {"field": f.name}))
            continue
        value = data.pop(f.name)
        loc = (f.name,)
        if value is None:
            if f.required:
                issues.append(("E202", (), {"field": f.name}))
            continue
        if f.type == "日期":
            try:
                value = parse_iso_day(value)
            except Exception:  # noqa: BLE001
                issues.append(("E203", loc, {"field": f.name, "value": value}))
        elif f.type == "整数" and (isinstance(value, bool) or not isinstance(value, int)):
            issues.append(("E205", loc, {"field": f.name, "value": value}))
        elif f.type == "数值" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            issues.append(("E212", loc, {"field": f.name, "value": value}))
        elif f.type == "是否" and not isinstance(value, bool):
            issues.append(("E213", loc, {"field": f.name, "value": value}))
        elif f.type == "列表" and not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            issues.append(("E210", loc, {"field": f.name}))
        elif f.type == "文本" and not (isinstance(value, str) and value.strip()):
            issues.append(("E209", loc, {"field": f.name}))
        out[f.key] = value
    return out


_TYPE_CODES = {
    "day_format": "E203",
    "day_impossible": "E204",
    "int_parsing": "E205",
    "int_type": "E205",
    "int_from_float": "E205",
    "greater_than_equal": "E206",
    "less_than_equal": "E206",
    "string_type": "E209",
    "string_too_short": "E209",
    "list_type": "E210",
    "dict_type": "E211",
    "model_type": "E211",
    "model_attributes_type": "E211",
    "float_parsing": "E212",
    "float_type": "E212",
}


def _pydantic_issue(err: Any, extra_names: list[str]) -> Issue:
    loc = tuple(err["loc"])
    names = [p for p in loc if isinstance(p, str)]
    label = names[-1] if names else ""
    value = err.get("input")
    etype = err["type"]
    if etype == "extra_forbidden":
        parent = names[-2] if len(names) >= 2 else None
        model: type[BaseModel] = NESTED.get(parent, Matter) if parent else Matter
        candidates = known_keys(model) + ([] if parent else extra_names)
        return ("E201", loc, {"key": label, "suggest": suggest(label, candidates)})
    if etype == "missing":
        return ("E202", loc[:-1], {"field": label})
    if etype == "literal_error":
        return ({"状态": "E207", "类型": "E329"}.get(label, "E208"), loc, {"value": value})
    if etype in ("day_format", "day_impossible") and isinstance(value, date):
        value = value.isoformat()
    code = _TYPE_CODES.get(etype, "E213")
    return (code, loc, {"field": label, "value": value})


def suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.5)
    if close:
        return t("did_you_mean", name=close[0])
    return t("allowed_keys")


def suggest_unit(name: str, units: list[str]) -> str:
    close = difflib.get_close_matches(name, units, n=1, cutoff=0.5)
    return t("unit_suggest", name=close[0]) if close else t("unit_register")


GROUP_LEADS = "分组的统称只能作配合单位，牵头单位须写一个登记的单位"  # E305's hint for 牵头单位: 各乡镇


def semantic_issues(ws: Workspace, m: Matter, ledger: LedgerDef | None, stem: str) -> list[Issue]:
    """Rules across fields of one matter and against the workspace (SPEC §3)."""
    out: list[Issue] = []
    idm = ID_RE.match(m.id)
    if not idm:
        out.append(("E301", ("编号",), {"value": m.id}))
    elif m.id != stem:
        out.append(("E302", ("编号",), {"id": m.id, "name": f"{stem}.yaml"}))
    if idm and ledger is not None and idm.group(1) != ledger.prefix:
        out.append(("E303", ("编号",), {"prefix": idm.group(1), "ledger": ledger.name, "expected": ledger.prefix}))
    units = list(ws.units)
    if m.lead_unit in ws.unit_groups:  # 各乡镇 may co-operate; leading takes one unit that answers for it
        out.append(("E305", ("牵头单位",), {"unit": m.lead_unit, "suggest": GROUP_LEADS}))
    elif m.lead_unit not in ws.units:
        out.append(("E305", ("牵头单位",), {"unit": m.lead_unit, "suggest": suggest_unit(m.lead_unit, units)}))
    for i, co in enumerate(m.co_units):
        if co not in ws.units and co not in ws.unit_groups:  # a group's 统称 (各乡镇): schemas/units.yaml
            out.append(("E305", ("配合单位", i), {"unit": co, "suggest": suggest_unit(co, units)}))
    if m.task_force and ws.task_forces and ws.task_force(m.task_force) is None:
        names = [tf.name for tf in ws.task_forces]
        close = difflib.get_close_matches(m.task_force, names, n=1, cutoff=0.4)
        out.append(("E316", ("专班",), {"value": m.task_force,
                                        "suggest": t("did_you_mean", name=close[0]) if close else t("tf_register")}))
    if isinstance(m.deadline, date) and m.deadline < m.assigned:
        out.append(("E306", ("完成时限",), {"deadline": m.deadline, "assigned": m.assigned}))
    prev: date | None = None
    last_state: str | None = None
    last_finish: date | None = None
    indicator_names = [ind.name for ind in m.indicators]
    for part, names in (("量化指标", indicator_names), ("节点", [ms.name for ms in m.milestones])):
        for i, name in enumerate(names):
            if name in names[:i]:
                out.append(("E325", (part, i, "名称"), {"part": part, "name": name}))
    set_dates = [("量化指标", i, x.since) for i, x in enumerate(m.indicators)] + \
        [("节点", i, x.since) for i, x in enumerate(m.milestones)]
    for part, i, since in set_dates:
        if since is not None and since < m.assigned:
            out.append(("E312", (part, i, "设立日期"), {"assigned": m.assigned, "value": since}))
    for i, ms in enumerate(m.milestones):
        if ms.since is not None and ms.done_on is not None and ms.done_on < ms.since:
            out.append(("E339", ("节点", i, "完成日期"), {"name": ms.name, "since": ms.since, "value": ms.done_on}))
    set_on = {ind.name: ind.since for ind in m.indicators if ind.since is not None}
    for i, u in enumerate(m.updates):
        for name in u.indicators:
            if name in set_on and u.date < set_on[name]:  # a value before the indicator existed: seen by no view
                out.append(("E338", ("进展", i, "指标", name), {"name": name, "since": set_on[name], "value": u.date}))
        if prev is not None and u.date < prev:
            out.append(("E307", ("进展", i, "日期"), {"date": u.date, "prev": prev}))
        if u.date < m.assigned:
            out.append(("E312", ("进展", i, "日期"), {"assigned": m.assigned, "value": u.date}))
        prev = u.date if prev is None else max(prev, u.date)
        for name in u.indicators:
            if name not in indicator_names:
                out.append(("E322", ("进展", i, "指标", name), {"name": name, "known": "、".join(indicator_names) or t("empty")}))
        if u.state is not None:
            last_state = u.state
            if u.state in FINISH_STATES:
                last_finish = u.date
    for i, ext in enumerate(m.extensions):
        if ext.new_deadline < m.assigned:
            out.append(("E312", ("延期", i, "新时限"), {"assigned": m.assigned, "value": ext.new_deadline}))
        if ext.approved_on is not None and ext.approved_on < ext.applied_on:
            out.append(("E314", ("延期", i, "批准日期"), {"approved": ext.approved_on, "applied": ext.applied_on}))
    out += _withdrawal_issues(m)
    expected_state = last_state or ("推进中" if m.updates else "未启动")
    if m.state != expected_state:
        out.append(("E308", ("状态",), {"state": m.state, "expected": expected_state}))
    closing = m.state in FINISH_STATES or m.state == "已销号"
    if closing and m.closed_on is None:
        out.append(("E309", ("状态",), {"state": m.state}))
    elif m.closed_on is not None and m.closed_on != (last_finish if closing else None):
        out.append(("E310", ("办结日期",), {"value": m.closed_on, "expected": (closing and last_finish) or t("empty")}))
    if m.state == "已销号" and m.signoff is None:
        out.append(("E311", ("状态",), {}))
    return out



def _withdrawal_issues(m: Matter) -> list[Issue]:
    """撤销 and 恢复 alternate, each in date order and not before 交办日期: the i-th 恢复 is dated on or after
    the i-th 撤销 and on or before the (i+1)-th; there is one 恢复 per 撤销, or one fewer (withdrawn now)."""
    out: list[Issue] = []
    for part, days in (("撤销", [x.date for x in m.withdrawals]), ("恢复", [x.date for x in m.reinstatements])):
        for i, day in enumerate(days):
            if day < m.assigned:
                out.append(("E312", (part, i, "日期"), {"assigned": m.assigned, "value": day}))
    w, r = m.withdrawals, m.reinstatements
    for i, x in enumerate(r):
        if i >= len(w):
            out.append(("E340", ("恢复", i), {"date": x.date, "why": t("withdraw.none_before")}))
        elif x.date < w[i].date:
            out.append(("E340", ("恢复", i, "日期"), {"date": x.date, "why": t("withdraw.before", date=w[i].date)}))
    for i, y in enumerate(w[1:], 1):
        if i - 1 >= len(r):
            out.append(("E340", ("撤销", i), {"date": y.date, "why": t("withdraw.not_reinstated", date=w[i - 1].date)}))
        elif y.date < r[i - 1].date:
            out.append(("E340", ("撤销", i, "日期"), {"date": y.date, "why": t("withdraw.before_reinstated",
                                                                               date=r[i - 1].date)}))
    return out
