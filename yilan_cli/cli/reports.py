"""Report commands: report (the periodic circular), rank (the horse race) and site (the dashboard)."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..i18n import t
from .common import (
    AsRecordedOpt,
    FutureOpt,
    PageWriter,
    TodayOpt,
    choice,
    document_format,
    fact_day,
    handled,
    out,
    output_dir,
    output_file,
    real_today,
    today_arg,
    typed_year,
    workspace,
    write_output,
)


def register(app: typer.Typer) -> None:
    app.command("report", help="生成督查通报:月报、季度通报、半年评估、年度总结(按期间自动判断)。")(report)
    app.command("notes", help="通报文稿:生成 report_notes/<期间>.md(主要成效、下步工作要求),或提交写好的内容。")(notes)
    app.command("rank", help="赛马排名:乡镇、县直部门分组排名,含得分说明、红榜和黑榜。")(rank)
    app.command("site", help="督办看板:生成静态网站(总览、各台账、各单位、各事项页面),放到内网 Web 服务器即可。")(site)


_RELATIVE = {"本月": ("month", 0), "上月": ("month", -1), "本季度": ("quarter", 0), "上季度": ("quarter", -1),
             "本半年": ("half", 0), "上半年度": ("half", -1), "本年": ("year", 0), "上年": ("year", -1)}


def period_arg(text: str, today: date) -> Any:
    """A period as people write it (2022Q2, 2022年二季度, 2022H1, 2022-06, 2022), or 本季度/上季度/本月/上月/本年/上年."""
    from ..periods import DateError, parse_period, period_of, previous

    if text in _RELATIVE:
        kind, step = _RELATIVE[text]
        p = period_of(today, kind)
        return previous(p) if step else p
    try:
        p = parse_period(text)
        typed_year(p.year, text)
        return p
    except DateError:
        raise UsageError(t("err.bad_period", text=text), t("hint.bad_period") + ";也可写 本季度、上季度、本月、上月",
                         code="E501") from None


def _records_or_refuse(ws: Any, use_cache: bool | None = None) -> Any:
    """Every matter, or exit 2 naming each invalid file: a report that silently drops matters is wrong.
    ``use_cache=False`` reads every file (a circular being issued is made from the committed files alone, never
    from the git-ignored cache)."""
    from ..store import load_ledgers

    loaded = load_ledgers(ws, use_cache)
    invalid = loaded.invalid_files
    if invalid:
        first = {f.file: f for f in reversed(loaded.findings) if f.severity == "error"}
        detail = "\n".join(f"  {f.place}: [{f.code}] {f.message}" for f in first.values())
        raise UsageError(f"有 {len(invalid)} 个事项文件有错误,不能生成报告(报告会漏掉这些事项):\n{detail}",
                         "先运行 yilan check 改正这些文件", code="E502")
    return loaded.records


@handled
def report(
    period: Annotated[str, typer.Argument(help="期间:2022-06(月报)、2022Q2(季度通报)、2022H1(半年)、2022(年度)、本季度…")],
    fmt: Annotated[Optional[str], typer.Option("--format", help="md | html | docx,默认按 -o 的扩展名,否则 md")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件,默认输出到屏幕")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="只含某位县领导牵头的事项(报分管领导的月报)")] = None,
    template: Annotated[Optional[str], typer.Option("--template", help="report_templates/ 下的模板文件名")] = None,
    today: TodayOpt = None,
    issue_: Annotated[bool, typer.Option("--issue", help="编号印发:登记到 reports/issued.yaml 并提交")] = False,
    issued_on: Annotated[Optional[str], typer.Option("--date", help="印发日期,默认今天;不能晚于今天,除非加 --future")] = None,
    as_issued: Annotated[bool, typer.Option("--as-issued", help="按印发时的提交原样重现已印发的这期报告")] = False,
    as_recorded: AsRecordedOpt = None,
    future: FutureOpt = False,
) -> None:
    import tempfile

    from ..report import KINDS, build

    fmt = document_format(fmt, output, ("md", "html", "docx"))
    if issue_ and as_recorded:
        raise UsageError("--issue 不能与 --as-recorded 同用", "印发总是基于当前提交", code="E503")
    ws = workspace(as_recorded)
    p = period_arg(period, real_today())
    d = today_arg(today, p.last) if today else None
    issued_day = fact_day(issued_on, "印发日期", future) if issue_ else None
    target = output_file(output) if output else None  # refused before anything is decided or numbered
    if issue_:
        from ..issuing import issuing
        from .common import STATE

        assert issued_day is not None
        with issuing(ws.root, not STATE.no_commit, STATE.author) as iss:  # data, number and register under the lock
            context = build(ws, _records_or_refuse(ws, use_cache=False), p, d, leader)
            _refuse_unwritten_notes(ws, p)
            # registered under the resolved leader (常务副县长孙某): 孙某, cwfxz and 常务副县长 are one circular
            record = _issue_record(context, p, context.leader, issued_day, iss, ws.rules.number_format)
            document = _render(ws, context, fmt, template)
            iss.register([record], f"印发 {context.number} {context.title}")
        _deliver(context, document, target)
        typer.echo(f"已印发并登记:{context.number}(reports/issued.yaml)", err=True)
        return
    with tempfile.TemporaryDirectory(prefix="yilan-issued-") as tmp:
        number, printed_on = "", ""
        if as_issued:
            from ..leaders import select

            chosen = select(ws, _records_or_refuse(ws), leader)  # as registered; a register from before: as typed
            names: set[Optional[str]] = {leader, chosen.label} if chosen else {None}
            ws, d, number, printed_on = _issued_workspace(ws, p.code, KINDS[p.kind][1], names, Path(tmp))
        # --as-issued: the issued commit's files in a fresh folder (read in full, no cache there to trust)
        context = build(ws, _records_or_refuse(ws, use_cache=False if as_issued else None), p, d, leader)
        context.number, context.issued_on = number, printed_on
        _deliver(context, _render(ws, context, fmt, template), target)


def _refuse_unwritten_notes(ws: Any, p: Any) -> None:
    """A circular is not numbered while a section the office writes is missing (E507): it would go out 【待撰写】."""
    from ..report import missing_notes, read_notes

    missing = missing_notes(read_notes(ws.root, p))
    if missing:
        rel = f"report_notes/{p.code}.md"
        raise UsageError(f"{rel} 中还没有撰写:{'、'.join(f'## {m}' for m in missing)},通报不能印发",
                         f"运行 yilan notes {p.code} 生成(或提交)文稿,在这些标题下写好后再印发", code="E507")


@handled
def notes(
    period: Annotated[str, typer.Argument(help="期间:2022Q2、2022-06、2022H1、2022、本季度…")],
) -> None:
    """report_notes/<期间>.md: create it with the headings to write under, or commit what was written."""
    from ..report import missing_notes, notes_skeleton, read_notes
    from ..txn import Transaction
    from .common import STATE

    ws = workspace()
    p = period_arg(period, real_today())
    rel = f"report_notes/{p.code}.md"
    with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:
        existing = tx.read(rel)
        if existing is None:
            tx.write(rel, notes_skeleton(p))
            tx.commit(f"新增通报文稿 {p.label}", "notes")
            out(f"已生成 {rel}:在各个 ## 标题下撰写,写好后再运行 yilan notes {p.code} 提交")
        else:
            read_notes(ws.root, p)  # refused (E101/E114/E116) before anything is committed
            from ..history import changed_paths

            if not STATE.no_commit and changed_paths(ws.root, [rel]):
                tx.write(rel, existing)
                tx.commit(f"更新通报文稿 {p.label}", "notes")
                out(f"已提交 {rel}")
    missing = missing_notes(read_notes(ws.root, p))
    out(f"{rel} 还待撰写:{'、'.join(missing)}" if missing else f"{rel} 各部分都已撰写,可以印发")


def _issued_workspace(ws: Any, period: str, kind_name: str, leader: set[Optional[str]], tmp: Path) -> Any:
    """The workspace exactly as the commit an issued report was made from, in ``tmp``."""
    from ..history import export_tree
    from ..issuing import read_register
    from ..workspace import load

    for e in read_register(ws.root):
        if e.get("期间") == period and e.get("种类") == kind_name and e.get("领导") in leader:
            export_tree(ws.root, str(e["源提交"]), tmp)
            evaluated = date.fromisoformat(str(e["评估日"])) if e.get("评估日") else None
            return load(tmp), evaluated, str(e["编号"]), str(e.get("印发日期") or "")
    raise UsageError(f"{period} 的{kind_name}还没有印发", "先用 --issue 印发;已印发的见 reports/issued.yaml", code="I002")


def _issue_record(context: Any, p: Any, leader: Optional[str], issued_on: date, iss: Any,
                  number_format: str) -> dict[str, Any]:
    """The register entry of this circular, numbered from the register read under the lock. Refused: the
    same circular again (I001); a 成文日期 before the evaluation date (I013) or before the last circular of
    the year's series (I014) — numbers follow the order documents are issued in."""
    from ..issuing import next_number
    from ..report import KINDS

    kinds = tuple(n for _, n in KINDS.values())
    for e in iss.entries:
        if e.get("种类") == context.kind_name and e.get("期间") == p.code and e.get("领导") == leader:
            raise UsageError(f"《{context.title}》已印发:{e.get('编号')}",
                             "同一期间只印发一次;重新生成已印发的这期用 --as-issued,需要更正请另行发文", code="I001")
    if issued_on.isoformat() < context.today:
        raise UsageError(f"印发日期 {issued_on} 早于评估日 {context.today}", "通报在评估日之后印发:改正 --date,"
                         "或用 --today 指定更早的评估日", code="I013")
    later = [e for e in iss.entries if e.get("种类") in kinds and str(e.get("印发日期", ""))[:4] == str(p.year)
             and str(e.get("印发日期", "")) > issued_on.isoformat()]
    if later:
        last = max(later, key=lambda e: str(e.get("印发日期")))
        raise UsageError(f"印发日期 {issued_on} 早于已印发的 {last.get('编号')}({last.get('印发日期')})",
                         "文号按印发先后编排:--date 不能早于本年已印发的通报", code="I014")
    context.number = next_number(iss.entries, number_format, p.year, kinds=kinds)[0]
    context.issued_on = issued_on.isoformat()  # the 成文日期 the document prints
    record = {"编号": context.number, "种类": context.kind_name, "期间": p.code, "标题": context.title,
              "评估日": context.today, "印发日期": issued_on.isoformat(), "源提交": iss.sha}
    if leader:
        record["领导"] = leader
    return record


def _render(ws: Any, context: Any, fmt: str, template: Optional[str]) -> str | bytes:
    """The document in memory: DOCX bytes, or Markdown/HTML text."""
    if fmt == "docx":
        from ..docx_report import render_docx

        return render_docx(context)
    from ..report import render

    return render(ws, context, fmt, template)


def _deliver(context: Any, document: str | bytes, target: Optional[Path]) -> None:
    """Write the rendered document to ``target`` (or print Markdown/HTML when no file was named)."""
    if target is None and isinstance(document, bytes):
        from ..sheets import safe_name

        target = output_file(Path(f"{safe_name(context.title)}.docx"))
    if target is None:
        out(str(document))
        return
    write_output(target, document)
    out(f"已生成《{context.title}》→ {target}")


@handled
def rank(
    period: Annotated[str, typer.Argument(help="期间,如 2022Q2、2022-06、本季度")],
    fmt: Annotated[str, typer.Option("--format", help="table | json | md")] = "table",
    today: TodayOpt = None,
) -> None:
    fmt = choice(fmt, ("table", "json", "md"))
    ws = workspace()
    p = period_arg(period, real_today())
    d = today_arg(today, p.last) if today else p.last
    ranking_output(ws, _records_or_refuse(ws), p, d, fmt)


def ranking_output(ws: Any, records: Any, p: Any, d: date, fmt: str) -> None:
    """The ranking alone (not a whole report) as a table, JSON or Markdown: a county's units, or a city's
    counties (cli.city on federation.federated)."""
    from ..ranking import standings
    from ..render import envelope
    from ..report import md_cell, md_text

    groups = standings(ws, records, p, d)
    if fmt == "json":
        doc = [{"group": g.group, "red_list": [u.unit for u in g.red_list], "black_list": [u.unit for u in g.black_list],
                "units": [{"rank": u.rank, "unit": u.unit, "score": u.score, "matters": u.matters,
                           "on_time": [u.on_time.hit, u.on_time.of], "schedule": [u.schedule.hit, u.schedule.of],
                           "report": [u.report.hit, u.report.of], "overdue": u.overdue, "red": u.red,
                           "breakdown": u.breakdown} for u in g.units]} for g in groups]
        out(envelope(d, period=p.code, groups=doc))
        return
    from rich.cells import cell_len

    lines = []
    for g in groups:
        if fmt == "md":
            lines += [f"### {md_text(g.group)}", "", "| 名次 | 单位 | 得分 | 事项 | 得分说明 |", "|---:|---|---:|---:|---|"]
            for u in g.units:
                score = u.score_text
                lines.append(f"| {u.rank or '—'} | {md_cell(u.unit)} | {score} | {u.matters} | {md_cell(u.breakdown)} |")
        else:
            lines.append(f"【{g.group}】")
            for u in g.units:
                score = f"{u.score_text:>5}"
                pad = " " * max(1, 16 - cell_len(u.unit))  # display width: a CJK character takes two columns
                lines.append(f"  {u.rank or '—':>2}  {u.unit}{pad}{score}  {u.matters}项  {u.breakdown}")
        lines.append("")
        show = md_text if fmt == "md" else str
        lines.append(f"红榜:{show('、'.join(u.unit for u in g.red_list)) or '无'}")
        lines.append(f"黑榜:{show('、'.join(u.unit for u in g.black_list)) or '无'}")
        lines.append("")
    out(f"{p.label}赛马排名(评估日 {d})\n\n" + "\n".join(lines).rstrip())


@handled
def site(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出目录(交给内网 Web 服务器)")] = Path("督办看板"),
    today: TodayOpt = None,
    include_sensitive: Annotated[bool, typer.Option("--include-sensitive", help="显示标为敏感的字段")] = False,
) -> None:
    from ..site import build_site

    ws = workspace()
    records = _records_or_refuse(ws)
    d = today_arg(today)
    pages = PageWriter()
    built = build_site(ws, d, output_dir(output), pages.save, include_sensitive, remove=pages.remove, records=records)
    removed = f",删除旧页面 {built.removed:,} 页" if built.removed else ""
    out(f"已生成督办看板:{built.pages:,} 个页面(写入 {built.written:,} 页,未变 {built.unchanged:,} 页{removed})"
        f" → {output / 'index.html'}")
