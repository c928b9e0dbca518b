"""`yilan site`: the static supervision dashboard — index, a page per ledger, per unit and per matter.

Plain files any intranet web server can serve: no database, no CDN, no fetched font; CSS and the few
lines of filtering JavaScript are inline. Lights are text as well as colour; every page carries
“内部资料 注意保存”; fields a ledger marks 敏感 are masked unless ``include_sensitive``. Pages come from
the same sandboxed, autoescaped templates as the reports (``report_templates/site_*.html.j2``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .indicators import assess
from .render import light_name, reasons
from .report import MARK, environment, render_template
from .sheets import safe_name
from .status import LIGHTS, evaluate, percent, summarize
from .store import cache_enabled

if TYPE_CHECKING:
    from .checks import Validated
    from .status import Status
    from .workspace import Workspace

MASKED = "(敏感,已隐藏)"


@dataclass
class Site:
    office: str
    today: str
    mark: str = MARK
    up: str = ""  # the relative way back to the site's root from the page being rendered
    total: int = 0
    completion_rate: str = ""
    overdue: int = 0
    lights: dict[str, int] = field(default_factory=dict)
    light_names: dict[str, str] = field(default_factory=dict)
    ledgers: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    matters: list[dict[str, Any]] = field(default_factory=list)
    overdue_list: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)  # 撤销 at the site's day: in no count, listed apart
    ranking: list[Any] = field(default_factory=list)
    ranking_period: str = ""
    issued: list[dict[str, str]] = field(default_factory=list)


def _row(ws: Workspace, v: Validated, st: Status) -> dict[str, Any]:
    m = v.matter
    return {"id": m.id, "title": m.title, "unit": m.lead_unit, "ledger_key": v.ledger, "state": st.state,
            "deadline": st.deadline.isoformat() if st.deadline else "长期", "progress": st.progress,
            "light": light_name(st.light, ws.rules), "light_key": st.light, "overdue_days": st.overdue_days,
            "reasons": ";".join(reasons(st, ws.rules)),
            "expected": "—" if st.expected is None else percent(st.expected), "withdrawn": st.withdrawn,
            "withdrawn_on": max((w.date for w in m.withdrawals if w.date <= st.today), default=None)}


def _counts(sts: list[Status]) -> dict[str, Any]:
    s = summarize(sts)
    return {"total": s.total, **s.lights, "rate": percent(s.completion_rate)}


HISTORY_CACHE = Path(".yilan") / "cache" / "site-history.bin"
HISTORY_FORMAT = 1


def _history(ws: Workspace) -> dict[str, list[dict[str, str]]]:
    """Per matter file, its commits with the change in words — from one log stream and, for a change not seen
    before, the two versions through one cat-file.

    What changed between two blobs never changes, so the words are kept per (old blob, new blob) in
    ``.yilan/cache/site-history.bin`` (git-ignored, marshal: loading it cannot run code), under a header holding
    the yilan version and the fields the workspace masks (Workspace.sensitive). A rebuild reads only the versions
    of new commits; a corrupt or unwritable cache is ignored and rebuilt."""
    from . import history
    from .semantic import ACTIONS

    if history.git_dir(ws.root) is None:
        return {}
    key = hashlib.sha256(f"{HISTORY_FORMAT}|{__version__}|{sorted(ws.sensitive)}".encode()).hexdigest()
    cache_path = ws.root / HISTORY_CACHE
    cached = _read_words(cache_path, key) if cache_enabled() else {}
    fresh: dict[str, str] = {}
    out: dict[str, list[dict[str, str]]] = {}
    blobs: history.Blobs | None = None  # started at the first change not in the cache
    with ExitStack() as stack:
        for c in history.log(ws.root, paths=("ledgers",)):
            action = ACTIONS.get(c.action, c.action)
            for ch in c.changes:
                if not ch.new_path.endswith(".yaml"):
                    continue
                pair = f"{ch.old_blob}:{ch.new_blob}"
                words = fresh.get(pair)
                if words is None:
                    words = cached.get(pair)
                if words is None:
                    if blobs is None:
                        blobs = stack.enter_context(history.Blobs(ws.root))
                    words = _words(ws, blobs, ch.old_blob, ch.new_blob)
                fresh[pair] = words
                out.setdefault(ch.new_path, []).append({"date": c.date, "author": c.author, "action": action,
                                                        "words": words})
    if cache_enabled() and fresh.keys() != cached.keys():
        _write_words(cache_path, key, fresh)
    return out


def _words(ws: Workspace, blobs: Any, old_blob: str, new_blob: str) -> str:
    from . import semantic

    found = semantic.between(blobs.text(old_blob), blobs.text(new_blob), ws.sensitive)
    return ";".join(x.words for x in found if not x.derived) or "(内容未变)"


def _read_words(path: Path, key: str) -> dict[str, str]:
    try:
        if path.is_symlink():
            return {}
        doc = marshal.loads(path.read_bytes())
        if isinstance(doc, tuple) and len(doc) == 2 and doc[0] == key and isinstance(doc[1], dict):
            return doc[1]  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - a corrupt or unreadable cache is simply rebuilt
        pass
    return {}


def _write_words(path: Path, key: str, words: dict[str, str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            marshal.dump((key, words), f)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only workspace works without a cache


def build_site(ws: Workspace, today: date, target: Path, save: Callable[[Path, str], None],
               include_sensitive: bool = False) -> int:
    """Write the dashboard under ``target`` through ``save(path, html)`` (which creates folders and refuses
    links); returns the number of pages."""
    from .issuing import read_register
    from .periods import period_of
    from .ranking import rank
    from .store import load_full

    d = today.toordinal()
    records: dict[int, Any] = {}  # id(matter) → its record, made once
    matters = []
    for v in load_full(ws):
        if v.matter.assigned.toordinal() <= d:
            records[id(v)] = rec = v.record()
            matters.append((v, evaluate(rec, today, ws.rules)))
    matters.sort(key=lambda x: (LIGHTS.index(x[1].light), -x[1].overdue_days, x[0].ledger, x[0].matter.id))
    summary = summarize([st for _, st in matters])
    quarter = period_of(today, "quarter")
    site_day = today.isoformat()  # a document, commit or fact dated after the site's day is not on it
    site = Site(office=ws.rules.office, today=today.isoformat(), total=summary.total,
                completion_rate=percent(summary.completion_rate), overdue=summary.overdue, lights=dict(summary.lights),
                light_names={k: light_name(k, ws.rules) for k in LIGHTS},
                ranking=rank(ws, [records[id(v)] for v, _ in matters], quarter, today), ranking_period=quarter.label,
                issued=[{"number": str(e.get("编号", "")), "title": _issued_title(e), "date": str(e.get("印发日期", ""))}
                        for e in read_register(ws.root) if str(e.get("印发日期", "")) <= site_day])
    rows = [_row(ws, v, st) for v, st in matters]
    site.matters = [r for r in rows if not r["withdrawn"]]
    site.withdrawn = [r for r in rows if r["withdrawn"]]
    site.overdue_list = [r for r in rows if r["overdue_days"]]
    by_ledger: dict[str, list[Status]] = {}
    by_unit: dict[str, list[Status]] = {}
    for v, st in matters:  # one pass, not one per ledger and per unit
        by_ledger.setdefault(v.ledger, []).append(st)
        by_unit.setdefault(v.matter.lead_unit, []).append(st)
    for key, lg in ws.ledgers.items():
        if key in by_ledger:
            site.ledgers.append({"key": key, "name": lg.name, **_counts(by_ledger[key])})
    for unit in ws.units:
        if unit in by_unit:
            site.units.append({"name": unit, "file": safe_name(unit), **_counts(by_unit[unit])})
    rows_of_ledger: dict[str, list[dict[str, Any]]] = {}
    rows_of_unit: dict[str, list[dict[str, Any]]] = {}
    for r in site.matters:
        rows_of_ledger.setdefault(r["ledger_key"], []).append(r)
        rows_of_unit.setdefault(r["unit"], []).append(r)
    env = environment(ws.root, "html")
    env.auto_reload = False  # one build: a template is looked up once, not checked on disk for every page
    pages = 0

    def write(rel: str, template: str, up: str, **extra: Any) -> None:
        nonlocal pages
        site.up = up
        save(target / rel, render_template(env, template, "看板", s=site, **extra))  # T001–T006 as for reports
        pages += 1

    write("index.html", "site_index.html.j2", "")
    for row_lg in site.ledgers:
        mine = rows_of_ledger.get(row_lg["key"], [])
        write(f"ledger/{row_lg['key']}.html", "site_list.html.j2", "../", page={
            "title": f"{row_lg['name']}台账", "matters": mine, "lights": {k: row_lg[k] for k in LIGHTS if k in row_lg}})
    for u in site.units:
        mine = rows_of_unit.get(u["name"], [])
        write(f"unit/{u['file']}.html", "site_list.html.j2", "../", page={
            "title": f"{u['name']}牵头的督办事项", "matters": mine, "lights": {k: u[k] for k in LIGHTS if k in u}})
    history = _history(ws)
    for (v, _), row in zip(matters, rows, strict=True):
        page = _matter_page(ws, v, today, row, include_sensitive,
                            [h for h in history.get(v.path, []) if h["date"] <= site_day])
        write(f"matter/{v.matter.id}.html", "site_matter.html.j2", "../", m=page)
    return pages


def _matter_page(ws: Workspace, v: Validated, today: date, row: dict[str, Any], include_sensitive: bool,
                 history: list[dict[str, str]]) -> dict[str, Any]:
    """A matter's page at ``today``: its facts dated ≤ today (asof.matter_at), how many later 进展 entries
    exist (their number only), and the commits recorded by then."""
    from .asof import later_entries, matter_at

    m = matter_at(v.matter, today)
    lg = ws.ledgers[v.ledger]
    fields = [("台账", lg.name), ("任务来源", m.source), ("目标要求", m.target), ("牵头领导", "、".join(m.leaders)),
              ("牵头单位", m.lead_unit), ("配合单位", "、".join(m.co_units)), ("责任人", m.owner), ("专班", m.task_force),
              ("交办日期", m.assigned.isoformat()), ("完成时限", str(m.deadline)), ("报告周期", v.cycle), ("状态", m.state)]
    for e in m.extensions:
        fields.append(("延期", f"{e.applied_on} 申请延至 {e.new_deadline}:{e.reason}"
                               f"({e.approver or ''}{' ' + str(e.approved_on) + ' 批准' if e.approved_on else ' 待批准'})"))
    for w in m.withdrawals:
        fields.append(("撤销", f"{w.date} 撤销：{w.reason}（{w.approver}批准）"))
    for x in m.reinstatements:
        fields.append(("恢复", f"{x.date} 恢复：{x.reason}"))
    for f in lg.fields:
        if f.key in v.extra:
            value = v.extra[f.key]
            fields.append((f.name, MASKED if f.sensitive and not include_sensitive else value))
    rates = []
    for i in m.indicators:
        rates.append({"name": i.name, "target": f"{i.target:g}{i.unit or ''}",
                      "done": "—" if i.done is None else f"{i.done:g}{i.unit or ''}",
                      "rate": assess(i.kind, i.target, i.done, i.unit).text})
    return {**row, "fields": [(k, val) for k, val in fields if val not in (None, "")], "indicators": rates,
            "milestones": [{"name": n.name, "deadline": n.deadline.isoformat(),
                            "done": n.done_on.isoformat() if n.done_on else "未完成"} for n in m.milestones],
            "updates": [{"date": u.date.isoformat(), "progress": u.progress, "state": u.state, "note": u.note or "",
                         "indicators": "、".join(f"{k} {x:g}" for k, x in u.indicators.items()),
                         "problem": u.problem, "next": u.next_steps} for u in m.updates],
            "later": later_entries(v.matter, today), "history": history}


def _issued_title(entry: dict[str, Any]) -> str:
    """A circular's title, or what a notice or escalation document is and to whom (督办单(县住建局))."""
    return str(entry.get("标题") or f"{entry.get('种类', '')}({entry.get('单位', '')})")
