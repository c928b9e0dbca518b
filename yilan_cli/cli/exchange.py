"""Spreadsheet commands: import (ledger sheets and filled 填报表) and export (xlsx, csv, json, 填报表)."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import ExitCode, UsageError
from ..i18n import t
from ..terminal import continued
from .common import (
    STATE,
    FutureOpt,
    TodayOpt,
    choice,
    fact_day,
    handled,
    out,
    output_file,
    today_arg,
    warn_invalid,
    workspace,
    write_output,
)


def register(app: typer.Typer) -> None:
    app.command("import", help="从 Excel(.xlsx)或 CSV 导入台账;--progress 导入各单位填好的进展填报表。")(import_)
    app.command("export", help="导出台账为 Excel/CSV/JSON;--fill 生成发给单位的进展填报表。")(export)


def _maps(values: Optional[list[str]]) -> dict[str, str]:
    out_: dict[str, str] = {}
    for v in values or []:
        col, sep, name = v.replace("＝", "=").partition("=")
        if not sep:
            raise UsageError(f"--map 应写成 列名=字段:{v}", "例如 --map 工作内容=事项", code="E213")
        out_[col.strip()] = name.strip()
    return out_


def _row_error(file: str, row: int | str, e: Any) -> None:
    typer.echo(f"{file}:{row}: {t('severity.error')}[{e.code}] {e.message}", err=True)
    if e.hint:
        typer.echo(f"  {t('hint')}: {e.hint}", err=True)


@handled
def import_(
    file: Annotated[Path, typer.Argument(help="要导入的 .xlsx 或 .csv 文件")],
    ledger: Annotated[Optional[str], typer.Option("--ledger", help="没有编号的行导入到哪个台账")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="工作表名称,默认第一个")] = None,
    assigned: Annotated[Optional[str], typer.Option(
        "--assigned", help="缺少交办日期时使用,默认今天;表中没写年份的日期(6月底)在表内找不到年份时也取它的年份")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将要做的修改,不写入")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="有任何错误行就什么都不写(退出码 2)")] = False,
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="列名=字段,可多次,如 工作内容=事项")] = None,
    progress: Annotated[bool, typer.Option("--progress", help="导入单位填好的进展填报表")] = False,
    today: Annotated[Optional[str], typer.Option(
        "--today", help="没有进展日期的行按这天记进展(--progress:报送日期),默认今天")] = None,
    future: FutureOpt = False,
) -> None:
    from .. import exchange
    from ..query import resolve_ledgers
    from ..sheets import read_table

    ws = workspace()
    day = fact_day(today, "报送日期(--today)" if progress else "进展日期(--today)", future)
    extra = tuple(exchange.extra_names(ws))
    table = read_table(file, sheet, extra, _maps(map_), ws.rules.sheet_limits)
    name = file.name
    for col in table.unknown:
        typer.echo(f"{name}: 提示:列“{col}”未识别,已忽略(可用 --map {col}=字段 指定)", err=True)
    for note in table.notes:
        typer.echo(f"{name}: 提示:{note}", err=True)
    if progress:  # a column the unit added (备注, 佐证材料) is read by no step of the round: say so
        unused = sorted({k for _, values in table.rows for k in values} - set(exchange.FILL_FIELDS))
        if unused:
            typer.echo(f"{name}: 提示:填报表不导入这些列的内容：{'、'.join(unused)}（需要记录的请写在进展情况中）", err=True)
    from ..terminal import NOT_XML

    pasted = [str(row) for row, values in table.rows if any(isinstance(v, str) and NOT_XML.search(v) for v in values.values())]
    if pasted:
        typer.echo(f"{name}: 提示:第 {'、'.join(pasted[:10])} 行有 Word/Excel 无法容纳的控制字符(如从 Word 复制带来的换行),"
                   "已换成空格", err=True)
    lg = ws.ledgers[resolve_ledgers(ws, [ledger])[0]] if ledger and not progress else None
    if not progress and not today:  # progress rows without a date: as of the sheet's own day, never silently now
        places = [p for p, _ in table.places.values()]
        as_of = next((p.as_of for p in places if p.as_of), None)
        year = next((p.year for p in places if p.year), None)
        if as_of is not None and as_of <= day:
            day = as_of
            typer.echo(f"{name}: 提示:没有进展日期的行按表头的填报日期 {as_of} 记进展（--today 可另指定）", err=True)
        elif year is not None and year < day.year:
            typer.echo(f"{name}: 提示:这是 {year} 年的表，没有进展日期的行按今天 {day} 记进展、没有交办日期的按"
                       f"{'今天' if not assigned else ' --assigned'}记；往年的台账请加 --today {year}-12-31 和 "
                       f"--assigned {year}-01-01 等", err=True)
    default_assigned = fact_day(assigned, "交办日期(--assigned)", future, context=day) if assigned else day
    # the year of a cell written without one: the sheet's, the row's 交办日期, else what was typed — never the clock
    dates = exchange.ImportDates(default_assigned if assigned else None, day if today else None, future)

    def plan_rows() -> tuple[Any, str, dict[str, int]]:
        """The plan of every row, from the files as they are now (called under the lock to write)."""
        if progress:
            plan: Any = exchange.plan_progress(ws, table, day, dates)
            new = sum(1 for p in plan.planned if p.action != "不变")
            return plan, f"导入 {plan.unit} {plan.period.label}进展填报:{new} 项", {}
        plan = exchange.plan_import(ws, table, lg, default_assigned, day, dates)
        added = sum(1 for p in plan.planned if p.action == "新增")
        changed = sum(1 for p in plan.planned if p.action == "更新")
        return plan, f"导入 {name}:新增 {added} 项,更新 {changed} 项", plan.issued

    def show(plan: Any) -> list[Any]:
        for row, e in plan.errors:
            _row_error(name, row, e)
        for p in plan.planned:
            out(f"第 {p.row} 行 {continued(p.summary)}")
        return [p for p in plan.planned if p.action != "不变"]

    if dry_run:
        plan, _, _ = plan_rows()
        writes = show(plan)
        out(f"试运行:{len(writes)} 个事项将被写入,{len(plan.errors)} 行有错误;未写入任何文件")
    else:
        from ..txn import Transaction

        with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:
            plan, subject, issued = plan_rows()
            writes = show(plan)
            if plan.errors and strict:
                raise UsageError(f"{len(plan.errors)} 行有错误,按 --strict 未导入任何内容", "改正上面列出的行后重新导入",
                                 code="X010")
            if writes:
                rels = [p.rel for p in writes] + [f"ledgers/{k}/.last-id" for k in issued]
                tx.refuse_dirty(rels)
                for p in writes:
                    tx.write(p.rel, p.text)
                for key, number in issued.items():
                    tx.write(f"ledgers/{key}/.last-id", f"{number}\n")
                tx.commit(subject, "import")
        out(f"已导入:{subject}" if writes else "没有需要写入的修改")
    if plan.errors:
        raise typer.Exit(ExitCode.FINDINGS)


@handled
def export(
    ledgers: Annotated[Optional[list[str]], typer.Argument(help="台账(键、前缀或中文名),默认全部")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="xlsx | csv | json,默认按 -o 的扩展名")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件;csv/json 不指定时输出到屏幕")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只导出某单位牵头或配合的事项")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="只导出某位领导牵头的事项")] = None,
    light: Annotated[Optional[str], typer.Option("--light", help="只导出某些灯,如 红,黄")] = None,
    today: TodayOpt = None,
    include_sensitive: Annotated[bool, typer.Option("--include-sensitive", help="包含标为敏感的字段")] = False,
    fill: Annotated[bool, typer.Option("--fill", help="生成单位进展填报表(需 --unit 和 --period)")] = False,
    period: Annotated[Optional[str], typer.Option("--period", help="填报期间,如 2022-06、2022年6月、2022Q2")] = None,
    assessment: Annotated[Optional[int], typer.Option("--assessment", help="年度考核结果表(组织部用),如 2022")] = None,
) -> None:
    from .. import exchange
    from ..leaders import select
    from ..query import Filters, parse_lights, resolve_ledgers, selected
    from ..store import load_full

    ws = workspace()
    d = today_arg(today)
    if fill:
        _fill(ws, unit, period, output)
        return
    if assessment is not None:
        _assessment(ws, assessment, today, output)
        return
    fmt = choice(fmt or (output.suffix.lstrip(".").lower() if output else "csv"), ("xlsx", "csv", "json"))
    if fmt == "xlsx" and output is None:
        raise UsageError("导出 Excel 需要用 -o 指定文件名", "例如 -o 台账.xlsx", code="X011")
    problems: list[Any] = []
    full = load_full(ws, problems)
    chosen = select(ws, [v.record() for v in full], leader)  # E327/E328 before anything is written
    from ..lookup import unit_scope

    scope = unit_scope(ws, unit) if unit is not None else None  # 住建局 → 县住建局; unknown: E327 (an empty export is no answer)
    filters = Filters(resolve_ledgers(ws, ledgers), scope, chosen, parse_lights(light), True)
    rows = [(v, st) for v, st in exchange.statuses(ws, full, d)
            if v.matter.assigned <= d and selected(v.record(), filters) and (not filters.lights or st.light in filters.lights)]
    warn_invalid(problems)
    if fmt == "json":
        from ..asof import matter_at
        from ..render import envelope, status_json

        docs = []
        for v, st in rows:  # the matter at D, as show --format json gives it
            doc = {"matter": matter_at(v.matter, d).model_dump(mode="json", exclude_none=True),
                   "status": status_json(v.record(), st)}
            sensitive = {f.key for f in ws.ledgers[v.ledger].fields if f.sensitive}
            doc["extra"] = {k: val for k, val in v.extra.items() if include_sensitive or k not in sensitive}
            docs.append(doc)
        text = envelope(d, matters=docs)
        if output:
            write_output(output_file(output), text + "\n")
        else:
            out(text)
        return
    if fmt == "xlsx":
        assert output is not None
        save_workbook(exchange.write_export(ws, rows, d, include_sensitive), output)
        out(f"已导出 {len(rows)} 项到 {output}")
        return
    from ..progress import counted
    from ..sheets import write_csv

    data = write_csv(exchange.export_header(ws), [exchange.export_row(ws, v, st, include_sensitive)
                                                  for v, st in counted(rows, len(rows), "导出事项")])
    if output is not None:
        write_output(output_file(output), data)
        out(f"已导出 {len(rows)} 项到 {output}")
    else:
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def save_workbook(wb: Any, target: Path) -> None:
    """An openpyxl workbook to ``target``: a folder, a missing folder or a file open in WPS is a sentence."""
    import io

    buf = io.BytesIO()
    wb.save(buf)
    write_output(output_file(target), buf.getvalue())


def _fill(ws: Any, unit: Optional[str], period: Optional[str], output: Optional[Path]) -> None:
    from .. import exchange
    from ..periods import DateError, parse_period

    if not unit or not period:
        raise UsageError("生成填报表需要 --unit 和 --period", "例如 yilan export --fill --unit 县住建局 --period 2022-06",
                         code="X012")
    from contextlib import suppress

    from ..lookup import unit_name

    with suppress(UsageError):  # unregistered: E305 below
        unit = unit_name(ws, unit)  # 住建局 → 县住建局
    if unit not in ws.units:
        from ..checks import suggest_unit

        raise UsageError(f"单位未登记:{unit}", suggest_unit(unit, list(ws.units)), code="E305")
    try:
        p = parse_period(period)
    except DateError:
        raise UsageError(t("err.bad_period", text=period), t("hint.bad_period"), code="C004") from None
    problems: list[Any] = []
    rows = exchange.fill_matters(ws, unit, p, problems)
    warn_invalid(problems)  # a form without one of the unit's matters must say so
    from ..sheets import safe_name

    target = output or Path(f"填报表-{safe_name(unit)}-{p.code}.xlsx")
    if output is None and target.exists():  # the name a unit's filled form comes back under: never blanked
        raise UsageError(f"{target} 已存在（可能是单位填好发回的表），未覆盖", "用 -o 指定另一个文件名，或先把它移走",
                         code="E504")
    save_workbook(exchange.write_fill_form(unit, p, rows), target)
    out(f"已生成 {unit} {p.label}进展填报表:{len(rows)} 项 → {target}")



def _assessment(ws: Any, year: int, today: Optional[str], output: Optional[Path]) -> None:
    """The annual 1+N+1 assessment workbook: one sheet per group, every unit with its score and breakdown."""
    from openpyxl import Workbook

    from ..exchange import assessment_table
    from ..periods import make_period
    from ..sheet_print import Layout
    from ..sheets import sheet_title, style_sheet
    from .reports import _records_or_refuse

    p = make_period("year", year)
    d = today_arg(today, p.last) if today else p.last
    target = output or Path(f"{year}年度督办考核结果.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise UsageError("考核结果表只能导出为 .xlsx", f"例如 -o {year}年度督办考核结果.xlsx", code="X012")
    header, sheets = assessment_table(ws, _records_or_refuse(ws), p, d)
    wb = Workbook()
    first = True
    titles: set[str] = set()
    for group, rows in sheets:
        sheet = wb.active if first else wb.create_sheet()
        first = False
        sheet.title = sheet_title(group or "未分组", titles)
        style_sheet(sheet, header, rows, layout=Layout(title=f"{year}年度督办考核结果（{group or '未分组'}）", freeze="C2",
                                                       widest={"得分说明": 60}))
    save_workbook(wb, target)
    out(f"已导出 {year} 年度考核结果({sum(len(r) for _, r in sheets)} 个单位,评估日 {d})→ {target}")
