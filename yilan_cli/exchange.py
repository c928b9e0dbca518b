"""Matters ↔ spreadsheet rows: export, import (create or update), and the monthly fill-in round.

Every matter an import creates or changes goes through the same edits and the same validation as
`yilan add/update/close/signoff`; a row that would make an invalid matter is reported with its
spreadsheet row number and skipped. Nothing here writes files or commits: the CLI does, in one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import edits
from .asof import matter_at
from .checks import Validated, check_text
from .errors import UsageError, YilanError
from .periods import Period, YearMissing
from .progress import counted
from .records import ID_RE
from .sheets import (
    DATE_FIELDS,
    LIST_FIELDS,
    Place,
    Sheet,
    Uncomputed,
    cell_date,
    cell_indicators,
    cell_list,
    cell_marks,
    cell_progress,
    cell_text,
)
from .status import Status, evaluate
from .store import load_full
from .terminal import inline
from .yamlio import dump, positioned_load

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .findings import Finding
    from .workspace import LedgerDef, Workspace

MASKED = "(敏感,已隐藏)"
BASE_COLUMNS = ["编号", "事项", "任务来源", "目标要求", "牵头领导", "牵头单位", "配合单位", "责任人", "专班", "交办日期",
                "完成时限", "报告周期", "状态", "办结日期", "进度", "进展日期", "进展情况", "存在问题", "下步措施"]
TAIL_COLUMNS = ["延期至", "延期理由", "延期申请日期", "延期批准人", "延期批准日期",
                "标签", "备注", "销号日期", "审核人", "批准人", "佐证材料"]
COMPUTED_COLUMNS = ["台账", "预警灯", "序时进度", "超期天数"]
LIGHT_WORDS = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿", "none": "无"}


# --------------------------------------------------------------------------- export
def extra_names(ws: Workspace) -> list[str]:
    names: list[str] = []
    for lg in ws.ledgers.values():
        for f in lg.fields:
            if f.name not in names:
                names.append(f.name)
    return names


def export_header(ws: Workspace) -> list[str]:
    return BASE_COLUMNS + extra_names(ws) + TAIL_COLUMNS + COMPUTED_COLUMNS


def export_row(ws: Workspace, v: Validated, st: Status, include_sensitive: bool) -> list[Any]:
    """One matter as a sheet row at D = ``st.today``: its facts dated ≤ D (asof.matter_at), like ``show``.

    Cells in export_header order: dates as ``date`` (CSV writes them 2022-06-30), 进度 and 序时进度 in
    percentage points (50, 49.6), 超期天数 in days, lists joined with 、."""
    m = matter_at(v.matter, st.today)
    last = m.updates[-1] if m.updates else None
    progress = next((u.progress for u in reversed(m.updates) if u.progress is not None), None)
    sensitive = {f.name for f in ws.ledgers[v.ledger].fields if f.sensitive}
    extras = {f.name: v.extra.get(f.key) for f in ws.ledgers[v.ledger].fields}
    row: list[Any] = [
        m.id, m.title, m.source, m.target, "、".join(m.leaders), m.lead_unit, "、".join(m.co_units), m.owner,
        m.task_force, m.assigned, m.deadline, m.cycle, m.state, m.closed_on, progress,
        last.date if last else None, last.note if last else None,
        last.problem if last else None, last.next_steps if last else None,
    ]
    for name in extra_names(ws):
        value = extras.get(name)
        if value is not None and name in sensitive and not include_sensitive:
            value = MASKED
        row.append("、".join(value) if isinstance(value, (list, tuple)) else value)
    e = m.extensions[-1] if m.extensions else None  # the latest 延期; the full list lives in the file
    row += [e.new_deadline if e else None, e.reason if e else None, e.applied_on if e else None,
            e.approver if e else None, e.approved_on if e else None]
    s = m.signoff
    row += ["、".join(m.tags), m.remarks, s.date if s else None, s.reviewer if s else None,
            s.approver if s else None, "、".join(s.evidence) if s else None]
    expected = None if st.expected is None else int(st.expected * 10 + 0.5) / 10
    # a withdrawn matter stays in the 台账 (never deleted) and says so where the light is read (computed, not
    # imported back: 状态 keeps the file's state, so the sheet round-trips)
    row += [ws.ledgers[v.ledger].name, "已撤销" if st.withdrawn else LIGHT_WORDS[st.light], expected, st.overdue_days or None]
    return row


# The xlsx export's column order: what an office reads first (and prints), then the rest as export_header has it.
PRINTED_COLUMNS = ["预警灯", "编号", "事项", "牵头单位", "进度", "序时进度", "完成时限", "超期天数", "状态", "牵头领导",
                   "进展情况", "存在问题"]
_POINTS = ("进度", "序时进度")  # percentage points in a row (50), fractions in a cell (0.5 shown 50%)
SUMMARY_HEADER = ["台账", "事项数", "红灯", "黄灯", "蓝灯", "绿灯", "已办结", "阶段性办结", "超期", "办结率（含阶段性办结）"]


def sheet_header(header: list[str]) -> list[str]:
    """export_header in the order people read it: PRINTED_COLUMNS first, then every other column in its order."""
    return [c for c in PRINTED_COLUMNS if c in header] + [c for c in header if c not in PRINTED_COLUMNS]


def write_export(ws: Workspace, rows: list[tuple[Validated, Status]], today: date, include_sensitive: bool) -> Any:
    """The xlsx export: a 汇总 sheet, then one sheet per ledger with a matter a row (sheet_header order; the
    light as a cell fill), every sheet ready to print (sheet_print). Import reads it back by header names.

    A write-only workbook: each row goes to disk as it is written (sheets.StyledSheet), so 20,000 matters
    take seconds and no cell objects are kept; a bar (progress.counted, on a terminal) counts the rows."""
    from openpyxl import Workbook

    from .progress import counted
    from .sheet_print import INTEGER, PERCENT, PERCENT_1, Layout
    from .sheets import StyledSheet, sheet_title, style_sheet
    from .status import summarize

    header = export_header(ws)
    order = [header.index(c) for c in sheet_header(header)]
    columns = [header[i] for i in order]
    points = [columns.index(c) for c in _POINTS]
    at = f"截至{today.year}年{today.month}月{today.day}日"
    by_ledger: dict[str, list[tuple[Validated, Status]]] = {key: [] for key in ws.ledgers}
    for v, st in rows:
        by_ledger.get(v.ledger, []).append((v, st))
    ledgers = [(lg, by_ledger[key]) for key, lg in ws.ledgers.items() if by_ledger[key]]
    sum_rows = [_summary_row(lg.name, summarize([st for _, st in mine])) for lg, mine in ledgers]
    sum_rows.append(_summary_row("合计", summarize([st for _, st in rows])))
    wb = Workbook(write_only=True)
    titles = {"汇总"}
    style_sheet(wb.create_sheet("汇总"), SUMMARY_HEADER, sum_rows,
                layout=Layout(title=f"督办台账汇总（{at}）", formats={SUMMARY_HEADER[-1]: PERCENT_1}))

    def sheet_rows() -> Iterator[tuple[StyledSheet, list[Any], str]]:
        """Each ledger's sheet started (header, widths, print set-up) as its first row comes, then its rows."""
        for lg, mine in ledgers:
            table = []
            for v, st in mine:
                cells = export_row(ws, v, st, include_sensitive)
                row = [cells[i] for i in order]
                for c in points:
                    row[c] = None if row[c] is None else row[c] / 100
                table.append(row)
            layout = Layout(title=f"{lg.name}（{at}）", freeze="D2", columns=len(PRINTED_COLUMNS),
                            formats={"进度": PERCENT, "序时进度": PERCENT_1, "超期天数": INTEGER},
                            widest={"事项": 28, "牵头单位": 20, "牵头领导": 12, "进展情况": 36, "存在问题": 24})
            sheet = StyledSheet(wb.create_sheet(sheet_title(lg.name, titles)), columns, table[:500], len(table), 0,
                                layout)
            for row, (_, st) in zip(table, mine, strict=True):
                yield sheet, row, st.light

    for sheet, row, light in counted(sheet_rows(), len(rows), "写入 Excel"):
        sheet.append(row, light)
    return wb


def _summary_row(name: str, s: Any) -> list[Any]:
    """A 汇总 row; 办结率 as a fraction rounded half up to 0.1% (status.percent), so the cell shows what
    circulars print."""
    rate = None if s.completion_rate is None else int(s.completion_rate * 10 + 0.5 + 1e-9) / 1000
    return [name, s.total, s.lights["red"], s.lights["yellow"], s.lights["blue"], s.lights["green"], s.closed,
            s.stage_closed, s.overdue, rate]


def statuses(ws: Workspace, matters: list[Validated], today: date) -> list[tuple[Validated, Status]]:
    return [(v, evaluate(v.record(), today, ws.rules)) for v in matters]


# --------------------------------------------------------------------------- import
@dataclass
class Planned:
    row: int | str
    action: str  # "新增" or "更新"
    matter_id: str
    rel: str
    text: str
    summary: str


@dataclass
class ImportPlan:
    planned: list[Planned] = field(default_factory=list)
    errors: list[tuple[int | str, YilanError | Finding]] = field(default_factory=list)
    issued: dict[str, int] = field(default_factory=dict)  # ledger key → highest number now issued
    texts: dict[str, str] = field(default_factory=dict)  # rel → the text planned so far (a later row builds on it)


class RowError(YilanError):
    pass


# what Excel/WPS save as the value of a formula that failed
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                          "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def _validated(ws: Workspace, text: str, rel: str) -> Validated:
    valid, findings = check_text(ws, text, rel, Path(rel).parent.name, Path(rel).stem)
    if valid is None:
        f = findings[0]
        raise RowError(f.message, f.hint, code=f.code)
    return valid


DEADLINES = ("完成时限", "延期至")  # after today by nature: never checked against it; every other date is a fact


@dataclass(frozen=True)
class ImportDates:
    """What an import reads its date cells against (docs/time.md, 日期的校验).

    A cell without a year (6月底, 年底, 3月1日) takes the year of its row's business context: the sheet's own
    year (its title rows, worksheet or file name; a fill-in form's period), else the row's 交办日期, else
    ``assigned`` (--assigned), else ``as_of`` (--today) — what the user typed, never the clock. With none the
    cell is refused (E324), naming it. A fact (any date but 完成时限 and 延期至) after the real today is refused
    (E323) unless ``future``.
    """

    assigned: date | None = None
    as_of: date | None = None
    future: bool = False


def _year_context(values: dict[str, Any], dates: ImportDates, place: Place | None, year: int | None) -> date | None:
    """The date whose year a cell without one takes (ImportDates), or None when the row has no context."""
    year = year if year is not None else place.year if place is not None else None
    if year is not None:
        return date(year, 1, 1)
    try:
        assigned = cell_date(values.get("交办日期"), None)
    except (ValueError, TypeError, OverflowError):
        assigned = None
    if isinstance(assigned, date):
        return assigned
    return dates.assigned or dates.as_of


def _row_fields(ws: Workspace, values: dict[str, Any], dates: ImportDates, where: tuple[Place, int] | None = None,
                year: int | None = None) -> dict[str, Any]:
    """Cell values → typed fields; a cell that cannot be read is a RowError naming the column.

    ``where`` is the row's worksheet and row number (cells are then named F9 …); ``year`` overrides the
    sheet's own year (a fill-in form's period).
    """
    from .clock import not_after_today

    def cell(name: str) -> str:
        return where[0].cell(where[1], name) if where else name

    out: dict[str, Any] = {}
    context = _year_context(values, dates, where[0] if where else None, year)
    for name, value in values.items():
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS:  # a formula's error, saved as its value
            raise RowError(f"{cell(name)} 是公式出错的结果 {value.strip()}，不是数据",
                           "在 Excel/WPS 中改正公式（或改填数值）后再导入", code="X014")
        if isinstance(value, Uncomputed):  # never read as empty or 0: the value is not in the file
            raise RowError(f"{cell(name)} 是公式（{str(value)[:40]}），文件中没有保存计算结果",
                           "请在 Excel/WPS 中打开该文件、保存后再导入（保存时才算出公式的值）", code="X014")
        try:
            if name in DATE_FIELDS:
                out[name] = cell_date(value, context, bool(where and where[0].epoch1904))
                if isinstance(out[name], date) and not 1900 <= out[name].year <= 2100:
                    raise RowError(f"{name} 的年份 {out[name].year} 不在 1900–2100 年之间:{value}", "请核对年份,如 2022-07-31",
                                   code="E214")
                if isinstance(out[name], date) and name not in DEADLINES:
                    not_after_today(out[name], cell(name), dates.future, value if isinstance(value, str) else None)
            elif name == "进度":
                if where and where[0].mixed and str(value).strip() in ("1", "1.0"):
                    raise RowError(f"{cell(name)} 的 1 是 1% 还是 100%？同列既有 0–1 的比例，也有百分数",
                                   "写成百分数，如 100% 或 1%", code="E205")
                out[name] = cell_progress(value, bool(where and where[0].fractions))
                if out[name] is not None and not 0 <= out[name] <= 100:
                    raise RowError(f"{cell(name)} 的进度 {value} 不在 0–100 之间",
                                   "进度是完成的百分数，最大为100（超额完成写100，在进展情况中说明）", code="E206")
            elif name == "指标":
                out[name] = cell_indicators(value)
            elif name == "节点完成":
                out[name] = cell_marks(value, context)
            elif name in LIST_FIELDS:
                out[name] = cell_list(value)
            else:
                text = cell_text(value)
                if text == MASKED:
                    continue  # a masked export never overwrites the real value
                out[name] = text
        except YearMissing:
            raise RowError(f"{cell(name)}的“{value}”没写年份,表中也找不到是哪一年",
                           "写明年份(如 2023年6月底);或在表头上方加一行标题写明年份(如 2023年重点工作台账);"
                           "或用 --assigned 指定交办日期(取它的年份)", code="E324") from None
        except (ValueError, TypeError, OverflowError):
            hint = ("“每季度”“每月”是报告周期，不是完成时限：完成时限写 长期，报告周期写 季 或 月" if name in DATE_FIELDS
                    and "每" in str(value)
                    else "日期可写成 2022-08-31、2022年8月底、2022年上半年、三季度、9月中旬 或 长期（docs/excel.md）"
                    if name in DATE_FIELDS
                    else "指标写成 名称=数值,多个用分号或换行分开,如 户厕改造=600" if name == "指标"
                    else "写节点名称，或 名称=完成日期，多个用、或换行分开，如 完成招标=7月10日" if name == "节点完成"
                    else "进度写 0 到 100 的整数或百分数，如 80 或 80%（八成、过半等文字不能识别）")
            raise RowError(f"{cell(name)} 无法识别：{value}", hint, code="E203" if name in DATE_FIELDS else "E205") from None
    return out


def plan_import(ws: Workspace, sheet: Sheet, ledger: LedgerDef | None, assigned: date, today: date,
                dates: ImportDates | None = None) -> ImportPlan:
    """What importing ``sheet`` would do, row by row. Nothing is written.

    ``assigned`` is the 交办日期 of a row without one, ``today`` the 日期 of a progress without 进展日期;
    ``dates`` what cells are read against (without it: both taken as typed, no --future).
    """
    dates = dates or ImportDates(assigned, today)
    if sheet.meta.get("form", "").startswith("yilan-fill"):  # a unit's 填报表: its entries belong to its period
        raise UsageError(f"{sheet.path.name} 是单位进展填报表，不是台账", f"用 yilan import --progress {sheet.path.name} 导入",
                         code="X008")
    plan = ImportPlan()
    existing = {v.matter.id: v for v in load_full(ws)}
    by_title = {(v.ledger, v.matter.title, v.matter.lead_unit): v.matter.id for v in existing.values()}
    for row, values in counted(sheet.rows, len(sheet.rows), "核对表格"):
        try:
            fields = _row_fields(ws, values, dates, sheet.places.get(row))
            if fields.get("节点完成"):  # never a column read and dropped
                raise RowError("“本期完成节点”一列只在单位填报表（import --progress）中读取",
                               "在台账中标记节点完成用 yilan update 编号 --milestone 名称=完成日期", code="X016")
            planned = _plan_row(ws, fields, ledger, assigned, today, existing, by_title, plan)
            planned.row = row
            plan.planned.append(planned)
        except YilanError as e:
            if e.code == "E306" and "交办日期" not in values and dates.assigned is None:  # the default said so
                e = RowError(f"{e.message}（表中没有交办日期，按 {assigned} 记）",
                             "往年的台账请用 --assigned 写明交办日期（如 --assigned 2022-01-01）", code="E306")
            elif e.code == "E307":  # the command line's hint (--note) means nothing here
                e = RowError(e.message, "这张表可能是较早时导出的，比台账旧：请用最新导出的表；确需补记更早的情况，"
                             "由督查室用 yilan update 记录", code="E307")
            plan.errors.append((row, e))
    return plan


def _plan_row(ws: Workspace, f: dict[str, Any], default: LedgerDef | None, assigned: date, today: date,
              existing: dict[str, Validated], by_title: dict[tuple[str, str, str], str], plan: ImportPlan) -> Planned:
    matter_id = (f.get("编号") or "").strip().upper()
    if matter_id:
        m = ID_RE.match(matter_id)
        lg = ws.ledger_of_prefix(m.group(1)) if m else None
        if lg is None:
            raise RowError(f"编号 {matter_id} 不属于任何台账", "编号写成 前缀-数字,前缀见 schemas/ledgers/", code="E303")
    else:
        lg = default
        if lg is None:
            raise RowError("该行没有编号,也没有指定台账", "加 --ledger 台账名,或在表中填写编号", code="E202")
        if not f.get("事项"):
            raise RowError("该行缺少事项", "填写事项名称", code="E202")
        matter_id = by_title.get((lg.key, f["事项"], f.get("牵头单位", "")), "")
    if matter_id and matter_id in existing:
        planned = _plan_update(ws, existing[matter_id], f, today, plan.texts)
        if planned.action != "不变":  # a later row for the same matter builds on this one, never replaces it
            plan.texts[planned.rel] = planned.text
            existing[matter_id] = _validated(ws, planned.text, planned.rel)
        return planned
    if matter_id and (ws.root / "ledgers" / lg.key / f"{matter_id}.yaml").exists():
        raise RowError(f"编号 {matter_id} 的事项文件存在但有错误,不能用导入覆盖",
                       f"先运行 yilan check 改正 ledgers/{lg.key}/{matter_id}.yaml(如合并冲突标记),再重新导入", code="E318")
    if not matter_id:
        folder = ws.root / "ledgers" / lg.key
        issued = plan.issued.get(lg.key, _issued(ws, lg))
        present = [p.stem for p in folder.glob("*.yaml")] if folder.is_dir() else []
        matter_id = edits.next_id(lg, issued, present)
    planned = _plan_new(ws, lg, matter_id, f, assigned, today)
    number = int(matter_id.split("-")[1])
    plan.issued[lg.key] = max(plan.issued.get(lg.key, _issued(ws, lg)), number)
    valid = _validated(ws, planned.text, planned.rel)
    plan.texts[planned.rel] = planned.text
    existing[matter_id] = valid
    by_title[(lg.key, valid.matter.title, valid.matter.lead_unit)] = matter_id
    return planned


def _issued(ws: Workspace, lg: LedgerDef) -> int:
    from .txn import workspace_text

    rel = f"ledgers/{lg.key}/.last-id"
    return edits.read_last_id(workspace_text(ws.root, rel), rel)


def _plan_new(ws: Workspace, lg: LedgerDef, matter_id: str, f: dict[str, Any], assigned: date, today: date) -> Planned:
    rel = f"ledgers/{lg.key}/{matter_id}.yaml"
    if not f.get("事项"):
        raise RowError("该行缺少事项", "填写事项名称", code="E202")
    for need in ("牵头单位", "完成时限"):
        if not f.get(need):
            raise RowError(f"该行缺少{need}", f"填写{need}", code="E202")
    deadline = f["完成时限"]
    extra = {fd.name: str(f[fd.name]) for fd in lg.fields if f.get(fd.name) is not None}
    tree = edits.new_matter(
        ws, lg, matter_id, title=f["事项"], lead_unit=f["牵头单位"],
        deadline=deadline if isinstance(deadline, str) else deadline.isoformat(),
        assigned=f.get("交办日期") or assigned, leaders=f.get("牵头领导", []), co_units=f.get("配合单位", []),
        source=f.get("任务来源"), target=f.get("目标要求"), owner=f.get("责任人"), cycle=f.get("报告周期"),
        tags=f.get("标签", []), extra=extra)
    if f.get("专班"):
        edits.set_after(tree, "专班", f["专班"], "责任人", "配合单位", "牵头单位")
    if f.get("备注"):
        tree["备注"] = f["备注"]
    if isinstance(f.get("延期至"), date):
        _apply_extension(ws, tree, rel, f)
    tree = _apply_progress(ws, tree, rel, f, today)
    text = dump(tree)
    _validated(ws, text, rel)
    return Planned(0, "新增", matter_id, rel, text, f"新增 {matter_id} {f['事项']}")


def _apply_extension(ws: Workspace, tree: Any, rel: str, f: dict[str, Any]) -> str:
    current = _validated(ws, dump(tree), rel).matter
    applied = f.get("延期申请日期") or f.get("延期批准日期") or current.assigned
    approved = f.get("延期批准日期")
    if not f.get("延期理由"):
        raise RowError("有延期至但没有延期理由", "填写延期理由", code="E202")
    last = current.extensions[-1].new_deadline if current.extensions else None
    base = last or (None if isinstance(current.deadline, str) else current.deadline)
    return edits.extend(tree, current, to=f["延期至"], reason=f["延期理由"], applied=applied, approver=f.get("延期批准人"),
                        approved=approved if isinstance(approved, date) else None, current=base)


def _apply_progress(ws: Workspace, tree: Any, rel: str, f: dict[str, Any], today: date) -> Any:
    """State and progress from a row, as the write commands would record them."""
    state = f.get("状态")
    closed_on = f.get("办结日期")
    when = f.get("进展日期") or today
    note = dict(note=f.get("进展情况"))
    current = _validated(ws, dump(tree), rel).matter
    if state in ("已办结", "已销号", "阶段性办结"):
        if not isinstance(closed_on, date):
            raise RowError(f"状态为{state}但没有办结日期", "填写办结日期", code="E309")
        stage = state == "阶段性办结"
        if stage and f.get("进度") is not None:
            edits.update(tree, current, closed_on, progress=f["进度"], note=None, problem=None, next_steps=None,
                         indicators={}, milestones={}, state=None, reporter=None)
            current = _validated(ws, dump(tree), rel).matter
        edits.close(tree, current, closed_on, note=None if state == "已销号" else f.get("进展情况"), stage=stage,
                    reporter=None)
        if state == "已销号":
            current = _validated(ws, dump(tree), rel).matter
            signed = f.get("销号日期")
            if not isinstance(signed, date) or not f.get("审核人") or not f.get("批准人"):
                raise RowError("已销号的事项需要销号日期、审核人和批准人", "补全这三列", code="E311")
            edits.signoff(tree, current, signed, reviewer=f["审核人"], approver=f["批准人"],
                          evidence=f.get("佐证材料", []))
    elif state == "中止" or f.get("进度") is not None or f.get("进展情况"):
        if not isinstance(when, date):
            raise RowError(f"进展日期无法识别:{when}", "写成 2022-06-30", code="E203")
        edits.update(tree, current, when, progress=f.get("进度"), problem=f.get("存在问题"),
                     next_steps=f.get("下步措施"), indicators={}, milestones={},
                     state="中止" if state == "中止" else None, reporter=None, **note)
    elif state not in (None, "未启动", "推进中"):
        raise RowError(f"状态不正确:{state}", "状态只能是 未启动、推进中、阶段性办结、已办结、已销号、中止 之一", code="E207")
    return tree


_SCALARS = {"事项": "事项", "任务来源": "任务来源", "目标要求": "目标要求", "牵头单位": "牵头单位", "责任人": "责任人",
            "专班": "专班", "报告周期": "报告周期", "备注": "备注"}


def _current_text(ws: Workspace, rel: str, texts: dict[str, str]) -> str:
    """A matter's text as the plan has it so far (an earlier row of the sheet), else as the file holds it."""
    if rel in texts:
        return texts[rel]
    return (ws.root / rel).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")


def _plan_update(ws: Workspace, v: Validated, f: dict[str, Any], today: date, texts: dict[str, str]) -> Planned:
    """Fields the row changes, and a 进展 entry when its progress or note is new."""
    m = v.matter
    text = _current_text(ws, v.path, texts)
    tree = positioned_load(text)
    changes = []
    for name, key in _SCALARS.items():
        if f.get(name) is not None and str(tree.get(key) or "") != f[name]:
            tree[key] = f[name]
            changes.append(name)
    for name in ("牵头领导", "配合单位", "标签"):
        if name in f and list(tree.get(name) or []) != f[name]:
            tree[name] = edits.flow_seq(f[name])
            changes.append(name)
    if f.get("完成时限") is not None and str(m.deadline) != str(f["完成时限"]):
        raise RowError(f"完成时限不能通过导入修改({m.deadline} → {f['完成时限']})", f"延期请用 yilan extend {m.id}",
                       code="E306")
    latest_ext = m.extensions[-1].new_deadline if m.extensions else None
    if isinstance(f.get("延期至"), date) and f["延期至"] != latest_ext:
        changes.append(_apply_extension(ws, tree, v.path, f))
    last = m.updates[-1] if m.updates else None
    progress_now = next((u.progress for u in reversed(m.updates) if u.progress is not None), None)
    new_progress = f.get("进度") is not None and f["进度"] != progress_now
    new_note = bool(f.get("进展情况")) and (last is None or f["进展情况"] != last.note)
    state = f.get("状态")
    if state and state != m.state:
        if state in ("已办结", "阶段性办结") and m.state not in ("已办结", "已销号"):
            closed_on = f.get("办结日期")
            if not isinstance(closed_on, date):
                raise RowError(f"状态改为{state}需要办结日期", "填写办结日期", code="E309")
            edits.close(tree, m, closed_on, note=f.get("进展情况"), stage=state == "阶段性办结", reporter=None)
            changes.append(f"状态 {m.state} → {state}")
        else:
            raise RowError(f"状态不能通过导入从{m.state}改为{state}", "请用 yilan close / signoff / update --status",
                           code="E308")
    elif new_progress or new_note or f.get("指标"):
        f["指标"], units = _figures_of(f.get("指标") or [])
        when = f.get("进展日期") or today
        summary = edits.update(tree, m, when, progress=f.get("进度"), note=f.get("进展情况"), problem=f.get("存在问题"),
                               next_steps=f.get("下步措施"), indicators=f.get("指标") or {}, milestones={}, state=None,
                               reporter=None, units=units)
        changes.append(summary)
    new_text = dump(tree)
    _validated(ws, new_text, v.path)
    action = "更新" if changes else "不变"
    return Planned(0, action, m.id, v.path, new_text,
                   inline(f"{action} {m.id} {m.title}" + (f":{','.join(changes)}" if changes else "")))


# --------------------------------------------------------------------------- the fill-in round
FILL_COLUMNS = ["编号", "事项", "完成时限", "上期进度", "本期进度", "上期指标", "本期指标", "未完成节点", "本期完成节点",
                "进展情况", "存在问题", "下步措施"]
FILL_EDITABLE = ("本期进度", "本期指标", "本期完成节点", "进展情况", "存在问题", "下步措施")
# the fields the fill-in import reads (the form's columns as sheets.ALIASES names them)
FILL_FIELDS = ("编号", "事项", "完成时限", "进度", "指标", "节点完成", "进展情况", "存在问题", "下步措施")


def fill_matters(ws: Workspace, unit: str, period: Period, problems: list[Finding] | None = None
                 ) -> list[tuple[Validated, Status]]:
    """A unit's open matters at the period's end (the ones it leads); invalid files' findings to ``problems``."""
    out = []
    for v, st in statuses(ws, load_full(ws, problems), period.last):
        m = v.matter
        if m.lead_unit == unit and m.assigned <= period.last and st.state not in ("已办结", "已销号", "中止") \
                and not st.withdrawn:  # a withdrawn matter owes no report
            out.append((v, st))
    out.sort(key=lambda vs: (vs[0].ledger, vs[0].matter.id))
    return out


def write_fill_form(unit: str, period: Period, rows: list[tuple[Validated, Status]]) -> Any:
    """The 填报表: 编号/事项/完成时限 locked by sheet protection, 本期进度 validated 0–100."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    from .sheet_print import Layout
    from .sheets import META_SHEET, style_sheet

    wb = Workbook()
    ws = wb.active
    ws.title = "进展填报"
    data = [[v.matter.id, v.matter.title, str(st.deadline or "长期"), st.progress, None, _figures(v, st), None,
             _open_milestones(v, st), None, None, None, None] for v, st in rows]
    # printed for the unit's leader to sign off: the column names on every page (row 3 once the title rows are in)
    style_sheet(ws, FILL_COLUMNS, data, layout=Layout(title=f"{unit}进展填报表", title_rows="3:3", freeze="C4"))
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
    ws.insert_rows(1, 2)  # openpyxl moves the cells, not the rows' heights
    for r in sorted(heights, reverse=True):
        ws.row_dimensions[r + 2].height, ws.row_dimensions[r].height = heights[r], None
    ws["A1"] = f"依兰县督办事项进展填报表({period.label})"
    ws["A1"].font = Font(bold=True, size=16, name="方正小标宋简体")
    ws["A2"] = f"填报单位:{unit}    填报期间:{period.first} 至 {period.last}    请只填写浅色列,不要改动编号和事项"
    ws["A2"].alignment = Alignment(horizontal="left")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(FILL_COLUMNS))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(FILL_COLUMNS))
    ws.auto_filter.ref = None
    # room to write, the text wrapping; together no wider than the five columns of 36 before 节点 (A4 landscape)
    for name, width in (("上期指标", 24), ("本期指标", 24), ("未完成节点", 27), ("本期完成节点", 18), ("进展情况", 28),
                        ("存在问题", 28), ("下步措施", 28)):
        ws.column_dimensions[ws.cell(3, FILL_COLUMNS.index(name) + 1).column_letter].width = width
    from openpyxl.styles import PatternFill

    editable = [FILL_COLUMNS.index(c) + 1 for c in FILL_EDITABLE]
    for r in range(4, 4 + len(data)):
        for c in editable:
            cell = ws.cell(r, c)
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor="FFF8E1")
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    progress_col = ws.cell(3, FILL_COLUMNS.index("本期进度") + 1).column_letter
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True,
                        showErrorMessage=True, errorTitle="进度", error="进度请填写 0 到 100 的整数")
    ws.add_data_validation(dv)
    if data:
        dv.add(f"{progress_col}4:{progress_col}{3 + len(data)}")
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # units may widen columns to read long titles
    meta = wb.create_sheet(META_SHEET)
    for key, value in (("unit", unit), ("period", period.code), ("form", "yilan-fill-1")):
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    return wb


def _figures_of(typed: list[tuple[str, float, str]]) -> tuple[dict[str, float], dict[str, str]]:
    """A 本期指标 cell's pairs (sheets.cell_indicators) as ({名称: 值}, {名称: 单位 as written}); edits.update
    checks each unit against the indicator's own (``1.2万`` for 户 is refused, not read as 1.2; E215)."""
    return {name: value for name, value, _ in typed}, {name: unit for name, _, unit in typed}


def _marks_of(m: Any, typed: list[tuple[str, date | None]], period: Any, where: Any) -> dict[str, date]:
    """A 本期完成节点 cell's milestones as {名称: 完成日期}: a name without a date was met within the period (its
    last day); a date after the period is refused (the form reports that period), so is a name the matter has
    no milestone of (E201, with the closest name)."""
    import difflib

    names = [ms.name for ms in m.milestones]
    out: dict[str, date] = {}
    for name, day in typed:
        if name not in names:
            head = name.split()[0] if name.split() else name
            if head in names:  # 开工建设 7月20日: a date written without "="
                raise RowError(f"{m.id} 的本期完成节点写成了“{name}”", f"写成 {head}={name[len(head):].strip()}",
                               code="E201")
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.4)
            raise RowError(f"{m.id} 没有名为 {name} 的节点", f"您是否想写 {close[0]}?" if close else
                           (f"已有节点:{'、'.join(names)}" if names else "该事项没有节点"), code="E201")
        when = day or period.last
        if when < m.assigned:
            raise RowError(f"节点 {name} 的完成日期 {when} 早于交办日期 {m.assigned}", "核对完成日期（年份）", code="E312")
        if when > period.last:
            raise RowError(f"节点 {name} 的完成日期 {when} 晚于填报期间的最后一天 {period.last}",
                           "本表只填报本期内完成的节点", code="E323")
        out[name] = when
    return out


def _already_imported(m: Any, day: date, f: dict[str, Any], unit: str) -> bool:
    """Whether ``m`` already has this row's entry: dated ``day``, by ``unit``, with the same 进度, 情况, 存在问题,
    下步措施 and 指标 — a form sent (or imported) twice records its report once."""
    return any(u.date == day and u.reporter == unit and u.progress == f.get("进度") and u.note == f.get("进展情况")
               and u.problem == f.get("存在问题") and u.next_steps == f.get("下步措施")
               and dict(u.indicators) == (f.get("指标") or {}) for u in m.updates)


def _open_milestones(v: Validated, st: Status) -> str | None:
    """未完成节点: each milestone not met at the form's date (and set by then), one per line with its 时限, for the
    unit to write what it met in 本期完成节点 (主体完工 or 主体完工=7月20日)."""
    lines = [f"{ms.name}（时限 {ms.deadline}）" for ms in matter_at(v.matter, st.today).milestones if ms.done_on is None]
    return "\n".join(lines) or None


def _figures(v: Validated, st: Status) -> str | None:
    """上期指标: each indicator as it stood at the form's date, one per line (户厕改造 240/1200户), for the unit
    to write 本期指标 beside it (户厕改造=600)."""
    from .render import indicator_text

    lines = [indicator_text(i) for i in matter_at(v.matter, st.today).indicators]
    return "\n".join(lines) or None


@dataclass
class ProgressPlan:
    unit: str
    period: Period
    planned: list[Planned] = field(default_factory=list)
    errors: list[tuple[int | str, YilanError]] = field(default_factory=list)


def plan_progress(ws: Workspace, sheet: Sheet, today: date, dates: ImportDates | None = None) -> ProgressPlan:
    """A filled 填报表 → one 进展 entry per filled row, dated the period's last day, 报送日期 today.

    A period not over yet is refused (E323) unless ``dates.future``: its entries would lie after today.
    """
    from .clock import not_after_today
    from .periods import DateError, parse_period

    dates = dates or ImportDates(as_of=today)
    unit, code = sheet.meta.get("unit"), sheet.meta.get("period")
    if not unit or not code:
        raise UsageError(f"{sheet.path.name} 不是 yilan 生成的填报表",
                         "用 yilan export --fill --unit 单位 --period 期间 生成填报表", code="X008")
    try:
        period = parse_period(code)
    except DateError:
        raise UsageError(f"{sheet.path.name} 的填报期间无法识别:{code}", "请重新生成填报表", code="X008") from None
    not_after_today(period.last, f"{sheet.path.name} 的进展日期(填报期间{period.label}的最后一天)", dates.future,
                    hint=f"{period.label}结束后再导入;确需提前导入时加 --future(进展记在 {period.last})")
    if today < period.last and not dates.future:  # 报送日期 before the day the entries are dated
        raise UsageError(f"报送日期 {today} 早于填报期间{period.label}的最后一天 {period.last}(各条进展记在这一天)",
                         f"{period.label}结束后再导入;确需提前导入时加 --future", code="E323")
    plan = ProgressPlan(unit, period)
    existing = {v.matter.id: v for v in load_full(ws)}
    texts: dict[str, str] = {}
    seen: dict[str, int | str] = {}  # matter ID → the row that reports it
    for row, values in counted(sheet.rows, len(sheet.rows), "核对表格"):
        try:
            f = _row_fields(ws, values, dates, sheet.places.get(row), period.year)
            if f.get("进度") is None and not any(f.get(k) for k in ("进展情况", "指标", "节点完成", "存在问题", "下步措施")):
                continue  # a row the unit left empty
            matter_id = (f.get("编号") or "").upper()
            v = existing.get(matter_id)
            if v is None or v.matter.title != f.get("事项"):
                raise RowError(f"第 {row} 行的编号或事项被改动({matter_id} {f.get('事项', '')})",
                               "编号和事项不能修改;请重新生成填报表后填写", code="X009")
            if v.matter.lead_unit != unit:
                raise RowError(f"{matter_id} 不由 {unit} 牵头", "每个单位只填报自己牵头的事项", code="X009")
            f["指标"], units = _figures_of(f.get("指标") or [])
            marks = _marks_of(v.matter, f.get("节点完成") or [], period, sheet.places.get(row))
            reporting = f.get("进度") is not None or any(f.get(k) for k in ("进展情况", "指标", "存在问题", "下步措施"))
            if marks and all(any(ms.name == n and ms.done_on == d for ms in v.matter.milestones) for n, d in marks.items()) \
                    and not reporting:
                plan.planned.append(Planned(row, "不变", matter_id, v.path, "", inline(
                    f"{matter_id} {v.matter.title}:节点完成已记录(此表已导入过),不重复写入")))
                continue
            reported = f.get("进度") is not None or any(f.get(k) for k in ("进展情况", "指标", "存在问题", "下步措施"))
            if matter_id in seen:  # two rows for one matter: which report is it? never both, never the last one
                raise RowError(f"{matter_id} 在表中出现两次（第 {seen[matter_id]} 行和第 {row} 行）",
                               "每个事项只填一行；删去多余的一行后重新导入", code="X018")
            seen[matter_id] = row
            if reported and _already_imported(v.matter, period.last, f, unit):
                plan.planned.append(Planned(row, "不变", matter_id, v.path, "", inline(
                    f"{matter_id} {v.matter.title}:已有相同的 {period.last} 进展(此表已导入过),不重复写入")))
                continue
            tree = positioned_load(_current_text(ws, v.path, texts))
            try:
                summary = edits.update(tree, v.matter, period.last, progress=f.get("进度"), note=f.get("进展情况"),
                                       problem=f.get("存在问题"), next_steps=f.get("下步措施"), indicators=f.get("指标") or {},
                                       milestones=marks, state=None, reporter=unit, reported_on=today, units=units)
            except UsageError as e:
                if e.code != "E307":
                    raise
                raise RowError(f"{matter_id} 已有更晚的进展({v.matter.updates[-1].date}),{period.label}的填报不能再按 "
                               f"{period.last} 记入", "进展按日期顺序追加;请督查室核对后用 yilan update 记一条说明补报情况的进展",
                               code="E307") from None
            new_text = dump(tree)
            existing[matter_id] = _validated(ws, new_text, v.path)  # a second row for it builds on this one
            texts[v.path] = new_text
            line = inline(f"{matter_id} {v.matter.title}:{summary}")
            plan.planned.append(Planned(row, "更新", matter_id, v.path, new_text, line))
        except YilanError as e:
            plan.errors.append((row, e))
    if not plan.planned and not plan.errors:
        raise UsageError(f"{sheet.path.name} 中没有填写的行（本期进度、本期指标、本期完成节点、进展情况都是空的）",
                         "请确认这是单位填好发回的表，而不是刚生成的空表", code="X019")
    return plan


ASSESSMENT_HEADER = ["名次", "单位", "分组", "年度得分", "一季度", "二季度", "三季度", "四季度", "牵头事项", "按期办结",
                     "序时达标", "按期报告", "超期事项", "红灯事项", "红黑榜", "得分说明"]


def assessment_table(ws: Workspace, records: list[Any], year: Period, today: date
                     ) -> tuple[list[str], list[tuple[str, list[list[Any]]]]]:
    """The organization department's table: per group, every unit ranked on the year (ranking.rank_year)."""
    from .ranking import rank_year

    sheets = []
    for g in rank_year(ws, records, year, today):
        red = {u.unit for u in g.red_list}
        black = {u.unit for u in g.black_list}
        rows = []
        for u in g.units:
            mark = "红榜" if u.unit in red else "黑榜" if u.unit in black else ""
            rows.append([u.rank if u.rank is not None else "—", u.unit, u.group,
                         u.score if u.score is not None else "—",
                         *(q if q is not None else "—" for q in (u.quarters or (None,) * 4)), u.matters,
                         str(u.on_time), str(u.schedule), str(u.report), u.overdue, u.red, mark, u.breakdown])
        sheets.append((g.group, rows))
    return ASSESSMENT_HEADER, sheets
