"""Turning results into what people and scripts read. The only module that imports rich.

rich is imported inside the table functions so ``--format json`` never pays for it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from .i18n import lang, t
from .records import figure_text
from .status import LIGHTS, STATE_EN, Status, Summary, percent
from .terminal import continued, inline, visible

if TYPE_CHECKING:
    from .checks import Validated
    from .findings import Finding
    from .records import Record
    from .search import Hit
    from .workspace import Rules, Workspace

JSON_VERSION = 1


def envelope(today: date, **body: Any) -> str:
    """One JSON document: {"version": 1, "today": …, …} (SPEC §6).

    Indented for a person at a terminal; compact, in one call to the C encoder, for a pipe or a file
    (``indent=`` switches json to its pure-Python encoder: 20,000 matters take 4× longer).
    """
    doc = {"version": JSON_VERSION, "today": today.isoformat(), **body}
    if sys.stdout.isatty():
        return json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default)
    return _ENCODER.encode(doc)


def _json_default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o).__name__)


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default)  # one encoder, not one per item


def one_decimal(x: float | None) -> float | None:
    return None if x is None else int(x * 10 + 0.5 + 1e-9) / 10


def status_json(rec: Record, st: Status) -> dict[str, Any]:
    return {
        "id": rec.id,
        "ledger": rec.ledger,
        "title": rec.title,
        "lead_unit": rec.lead_unit,
        "status": STATE_EN[st.state],
        "deadline": st.deadline.isoformat() if st.deadline else "ongoing",
        "progress": st.progress,
        "expected_progress": one_decimal(st.expected),
        "light": st.light,
        "overdue_days": st.overdue_days,
        "days_left": st.days_left,
        "report_missing": st.report_missing,
        "closed_on": st.closed_on.isoformat() if st.closed_on else None,
        "withdrawn": st.withdrawn,  # 撤销 at the evaluation day: in no total (listed with --all)
    }


def summary_json(s: Summary) -> dict[str, Any]:
    return {
        "total": s.total,
        "lights": s.lights,
        "closed": s.closed,
        "stage_closed": s.stage_closed,
        "suspended": s.suspended,
        "overdue": s.overdue,
        "completion_rate": one_decimal(s.completion_rate),
        "on_time_rate": one_decimal(s.on_time_rate),
    }


def reasons(st: Status, rules: Rules) -> list[str]:
    """Why a matter has its light, in words (only what the rules count: a lag within 黄灯滞后 is not a reason)."""
    if st.withdrawn:
        return [t("reason.withdrawn")]
    out = []
    if st.overdue_days:
        out.append(t("reason.overdue", days=st.overdue_days))
    if st.lag is not None and st.lag > rules.yellow_lag and not st.overdue_days:
        out.append(t("reason.lag", lag=f"{one_decimal(st.lag):.1f}"))
    for name in st.missed_milestones:
        out.append(t("reason.milestone", name=name))
    if st.missing_period:
        out.append(t("reason.missing", period=st.missing_period))
    if st.light == "blue" and st.days_left is not None:
        out.append(t("reason.due_soon", days=st.days_left))
    return out


def light_name(light: str, rules: Rules) -> str:
    if lang() == "zh" and light in rules.light_names:
        return rules.light_names[light]
    return t(f"light.{light}")


def deadline_text(st: Status) -> str:
    return st.deadline.isoformat() if st.deadline else t("ongoing")


def state_text(state: str) -> str:
    return STATE_EN[state] if lang() == "en" else state


def state_label(st: Status) -> str:
    """The 状态 a listing shows: 已撤销 for a matter withdrawn at the evaluation day (its file keeps the state it
    had), else the state."""
    return t("state.withdrawn") if st.withdrawn else state_text(st.state)


def _console(file: Any = None) -> Any:
    from rich.console import Console

    from .terminal import raw

    stream = raw(file or sys.stdout)  # rich's own colour codes go to the terminal; cells are Text (visible)
    width = None if stream.isatty() else int(os.environ.get("COLUMNS", "160"))
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


def status_table(rows: list[tuple[Record, Status]], rules: Rules, summary: Summary, hidden: int,
                 withdrawn: int = 0, today: date | None = None, narrowed: bool = False) -> None:
    """The status listing: the table, then the evaluation day and the totals over every selected matter —
    when a light or deadline filter (``narrowed``) listed only some, the line says the totals are wider."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = _console()
    if rows:
        # IDs, dates, states and figures never break inside; the texts wrap. Below 120 columns (an office PC's
        # terminal) the grid lines give way to one space between columns, and 序时 is left out, so a row
        # still reads at 80 columns (issue 20)
        narrow = console.width < 120
        table = Table(show_lines=False, header_style="bold", box=None if narrow else box.HEAVY_HEAD,
                      padding=(0, 1), collapse_padding=narrow, show_edge=not narrow)
        keys = ["col.light", "col.id", "col.title", "col.unit", "col.state", "col.deadline", "col.progress",
                "col.expected", "col.note"]
        if narrow:
            keys.remove("col.expected")
        for key in keys:
            justify: Literal["left", "right"] = "right" if key in ("col.progress", "col.expected") else "left"
            rigid = key not in ("col.title", "col.unit", "col.note")
            table.add_column(t(key), justify=justify, overflow="fold", no_wrap=rigid,
                             ratio=None if rigid else (2 if key == "col.unit" else 3))
        for rec, st in rows:
            color = rules.light_colors.get(st.light) or ""
            style = f"bold {color}" if color else ""
            exp = "—" if st.expected is None else f"{one_decimal(st.expected):.1f}%"
            cells = [rec.id, rec.title, rec.lead_unit, state_label(st), deadline_text(st), f"{st.progress}%",
                     *([] if narrow else [exp]), "; ".join(reasons(st, rules))]
            table.add_row(Text("● " + light_name(st.light, rules), style=style),
                          *(Text(visible(str(cell))) for cell in cells))
        console.print(table)
    else:
        console.print(t("no_matters"))
    if narrowed:
        console.print(t("listed_of", n=len(rows)))
    console.print((t("as_of", day=today.isoformat()) if today else "") + summary_line(summary))
    if hidden:
        console.print(t("hidden_closed", n=hidden))
    if withdrawn:
        console.print(t("hidden_withdrawn", n=withdrawn))


def find_lines(hits: list[Hit], rules: Rules, hidden: int, query: str, withdrawn: int = 0) -> str:
    """``yilan find`` as text: one line per matter (编号, 事项, 牵头单位, 状态 with its light, then each
    field where a word was found: ``事项：…中植肉牛养殖…``), a count, and the closed matters left out.
    ``query`` is the search as typed (named when nothing is found)."""
    if not hits:
        lines = [t("find.none_open" if hidden or withdrawn else "find.none", words=inline(query).strip())]
    else:
        lines = []
        for h in hits:
            rec, st = h.record, h.status
            state = state_label(st)
            if st.light != "none":
                state += t("find.light", light=light_name(st.light, rules))
            found = t("find.sep").join(t("find.snippet", field=f, text=text) for f, text in h.snippets)
            lines.append(visible(inline(f"{rec.id}  {rec.title}  {rec.lead_unit}  {state}  {found}")))
        lines.append(t("find.count", n=len(hits)))
    if hidden:
        lines.append(t("hidden_closed", n=hidden))
    if withdrawn:
        lines.append(t("hidden_withdrawn", n=withdrawn))
    return "\n".join(lines)


def find_json(hits: list[Hit]) -> list[dict[str, Any]]:
    """``yilan find --format json``: each matter as ``status --format json`` gives it, with its ``snippets``
    (``[{"field": "事项", "text": "…"}]``)."""
    return [{**status_json(h.record, h.status), "snippets": [{"field": f, "text": x} for f, x in h.snippets]}
            for h in hits]


def summary_line(s: Summary) -> str:
    return t(
        "summary",
        total=s.total,
        red=s.lights["red"],
        yellow=s.lights["yellow"],
        blue=s.lights["blue"],
        green=s.lights["green"],
        closed=s.closed,
        stage=s.stage_closed,
        rate=percent(s.completion_rate),
    )


CSV_COLUMNS = (
    ("id", "编号"), ("ledger", "台账"), ("title", "事项"), ("lead_unit", "牵头单位"), ("status", "状态"),
    ("deadline", "完成时限"), ("progress", "进度"), ("expected_progress", "序时进度"), ("light", "预警灯"),
    ("overdue_days", "超期天数"), ("days_left", "剩余天数"), ("report_missing", "未按期报告"),
    ("closed_on", "办结日期"),
)


def status_csv(rows: list[tuple[Record, Status]], member: bool = False) -> str:
    """The status rows as CSV; ``member``: a city's listing, with the county (依兰县/ZB-003 → 依兰县) in a first
    column of its own, so a spreadsheet can sort and filter by it."""
    from .sheets import guard

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    head = [en if lang() == "en" else zh for en, zh in CSV_COLUMNS]
    w.writerow((["member" if lang() == "en" else "县（市、区）"] if member else []) + head)
    for rec, st in rows:
        d = status_json(rec, st)
        if lang() == "zh":
            d["status"] = st.state
            d["light"] = t(f"light.{st.light}")
            d["deadline"] = deadline_text(st)
            d["report_missing"] = "是" if st.report_missing else ""
        cells = ["" if d[k] is None else guard(d[k]) for k, _ in CSV_COLUMNS]  # a cell is never a formula
        w.writerow(([guard(rec.id.partition("/")[0])] if member else []) + cells)
    return buf.getvalue()


# --------------------------------------------------------------------------- findings
def finding_lines(f: Finding, located: bool = True) -> str:
    """A finding as printed: ``file:line:col: 错误[CODE] message`` and its hint; without the place when not
    ``located`` (a new matter's file was never written)."""
    head = (f"{f.place}: " if located else "") + f"{t('severity.' + f.severity)}[{f.code}] {f.message}"
    return f"{head}\n  {t('hint')}: {f.hint}" if f.hint else head


def findings_github(findings: list[Finding]) -> str:
    out = []
    for f in findings:
        level = "warning" if f.severity == "yellow" else "error"
        # GitHub/Gitea workflow commands: data is escaped so that it cannot end the command or start another
        msg = f"{f.message} ({f.hint})".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        file = f.file.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")
        out.append(f"::{level} file={file},line={f.line},col={f.column},title={f.code}::{msg}")
    return "\n".join(out)


def findings_junit(findings: list[Finding], files: list[str]) -> str:
    """JUnit XML: one testcase per file, one failure per finding."""
    import xml.etree.ElementTree as ET

    from .terminal import xml_safe

    by_file: dict[str, list[Finding]] = {f: [] for f in files}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    failed = sum(1 for v in by_file.values() if v)
    suite = ET.Element("testsuite", name="yilan check", tests=str(len(by_file)), failures=str(failed), errors="0")
    for file, items in sorted(by_file.items()):
        case = ET.SubElement(suite, "testcase", classname="ledgers", name=file)
        for f in items:
            fail = ET.SubElement(case, "failure", type=f.severity, message=xml_safe(f"[{f.code}] {f.message}"))
            fail.text = xml_safe(finding_lines(f))  # XML 1.0 cannot hold every character a file may
    root = ET.Element("testsuites")
    root.append(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


_LIGHT_ORDER = {light: i for i, light in enumerate(LIGHTS)}


def sort_key(rec: Record, st: Status) -> tuple[Any, ...]:
    """red → yellow → blue → green → none; the most overdue, then the most behind, first."""
    num = rec.id.rpartition("-")[2]
    return (_LIGHT_ORDER[st.light], -st.overdue_days, -(st.lag or 0.0), rec.ledger,
            int(num) if num.isascii() and num.isdigit() else 0, rec.id)


def show_text(ws: Workspace, rec: Validated, st: Status, include_sensitive: bool) -> str:
    """A matter as a leader reads it at D = ``st.today``: its fields, and the indicators, milestones, log
    and status as they stood at D (asof.matter_at: nothing dated after D)."""
    from .asof import matter_at

    m = matter_at(rec.matter, st.today)
    lg = ws.ledgers[rec.ledger]
    lines = [inline(f"{m.id} {m.title}"), f"台账: {lg.name} ({lg.key})"]

    def add(label: str, value: object) -> None:
        if value not in (None, "", [], ()):
            lines.append(f"{label}: {value}")

    add("任务来源", m.source)
    add("上级编号", m.parent_ref)
    add("目标要求", m.target)
    add("牵头领导", "、".join(m.leaders))
    add("牵头单位", m.lead_unit)
    add("配合单位", "、".join(m.co_units))
    add("责任人", m.owner)
    add("专班", m.task_force)
    add("交办日期", m.assigned.isoformat())
    add("完成时限", m.deadline if isinstance(m.deadline, str) else m.deadline.isoformat())
    for ext in m.extensions:
        approved = f"{ext.approved_on} {ext.approver or ''}批准" if ext.approved_on else "待批准"
        add("  延期", f"{ext.applied_on} 申请延至 {ext.new_deadline}({ext.reason};{approved.strip()})")
    add("报告周期", rec.cycle)
    add("状态", m.state)
    add("办结日期", m.closed_on.isoformat() if m.closed_on else None)
    for f in lg.fields:
        if f.key in rec.extra:
            value = rec.extra[f.key] if include_sensitive or not f.sensitive else t("show.masked")
            add(f.name, "、".join(value) if isinstance(value, list) else value)
    if m.indicators:
        lines.append("量化指标:")
        lines.extend(f"  {indicator_text(ind, ': ')}" for ind in m.indicators)
    if m.milestones:
        lines.append("节点:")
        for ms in m.milestones:
            state = f"{ms.done_on} 完成" if ms.done_on else "未完成"
            lines.append(f"  {ms.name} 时限 {ms.deadline} {state}")
    if m.signoff:
        s = m.signoff
        lines.append(f"销号: {s.date} 审核 {s.reviewer} 批准 {s.approver} 佐证 {'、'.join(s.evidence)}")
    for w in m.withdrawals:  # only those dated ≤ the day shown (asof.matter_at)
        lines.append(f"撤销: {w.date} {w.approver}批准，理由：{w.reason}")
    for x in m.reinstatements:
        lines.append(f"恢复: {x.date} 理由：{x.reason}")
    if m.updates:
        lines.append("进展:")
        for u in m.updates:
            parts = [u.date.isoformat()]
            if u.progress is not None:
                parts.append(f"{u.progress}%")
            parts.extend(f"{name}={figure_text(value)}" for name, value in u.indicators.items())
            if u.state:
                parts.append(f"[{u.state}]")
            if u.note:
                parts.append(u.note)
            if u.reporter:
                parts.append(f"({u.reporter})")
            if u.reported_on:
                parts.append(f"报送 {u.reported_on}")
            lines.append("  " + " ".join(parts))
            if u.problem:
                lines.append(f"    存在问题: {u.problem}")
            if u.next_steps:
                lines.append(f"    下步措施: {u.next_steps}")
    exp = "—" if st.expected is None else f"{one_decimal(st.expected):.1f}%"
    lines.append(f"{t('show.status')}({t('show.as_of')} {st.today}):")
    lines.append(
        f"  {state_text(st.state)} · 进度 {st.progress}% · 序时 {exp} · {light_name(st.light, ws.rules)}"
        f" · 时限 {deadline_text(st)}"
    )
    why = reasons(st, ws.rules)
    if why:
        lines.append("  " + ";".join(why))
    return "\n".join(continued(line, "      ") for line in lines)  # a value's own line breaks stay inside it


def indicator_text(ind: Any, sep: str = " ") -> str:
    """``户厕改造 240/1200户 (20.0%)``, ``地区生产总值增速 10.2/6.5% 达标（超3.7个百分点）``: a ``models.Indicator``
    whose 完成 is its value at the view's date (asof.matter_at), read by its 类型 (indicators.assess); ``—``
    before the first observation, with nothing after it."""
    from .indicators import QUANTITY, assess

    a = assess(ind.kind, ind.target, ind.done, ind.unit)
    words = "" if a.value is None else a.text if a.kind != QUANTITY else "" if a.rate is None else f"({a.text})"
    return f"{ind.name}{sep}{figure_text(ind.done)}/{figure_text(ind.target)}{ind.unit or ''} {words}".rstrip()


def research_table(quotas: list[Any], rules: Rules, year: int, today: date) -> None:
    """The 一线调研 quota table, red first, with what each light means underneath."""
    from rich.table import Table
    from rich.text import Text

    console = _console()
    console.print(Text(f"{year}年一线调研定额完成情况(评估日 {today.isoformat()})"))
    table = Table(show_lines=False, header_style="bold")
    for name in ("灯", "姓名", "职务", "类别", "次数", "天数", "序时应达天数", "全年定额", "未达标周数", "每周还需天数"):
        table.add_column(name, justify="right" if "数" in name or name == "全年定额" else "left", overflow="fold")
    order = {"red": 0, "yellow": 1, "green": 2}
    for q in sorted(quotas, key=lambda q: (order[q.light], q.person.category, q.days, q.person.id)):
        color = rules.light_colors.get(q.light) or ""
        cells = (q.person.name, q.person.title, q.person.category, str(q.visits), str(q.days), f"{q.expected:.1f}",
                 f"{q.per_year}天", f"{q.weeks_below}/{q.weeks_done}",
                 "—" if q.needed_per_week is None else f"{q.needed_per_week:.1f}")
        table.add_row(Text("● " + light_name(q.light, rules), style=f"bold {color}" if color else ""),
                      *(Text(visible(c)) for c in cells))
    console.print(table)
    red = sum(q.light == "red" for q in quotas)
    yellow = sum(q.light == "yellow" for q in quotas)
    console.print(f"共 {len(quotas)} 人:{light_name('red', rules)} {red} 人(全年定额已无法完成),"
                  f"{light_name('yellow', rules)} {yellow} 人(落后于序时进度)。未达标周数 = 未达每周次数的周/已过的周。")
