"""Read-only commands: status, find, show, check, schema."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import ExitCode, UsageError
from ..i18n import t
from ..terminal import inline
from .common import AsRecordedOpt, TodayOpt, choice, handled, out, today_arg, warn_invalid, workspace


def register(app: typer.Typer) -> None:
    app.command("status", help="列出事项及其预警灯(红黄蓝绿),按红→黄→蓝→绿排序。")(status)
    app.command("find", help="按关键词查找事项（事项、目标要求、进展、备注），几个词须同时出现。")(find)
    app.command("show", help="显示一个事项的全部内容和当前状态。")(show)
    app.command("check", help="校验全部事项文件并列出红灯、黄灯事项;供 CI 使用。")(check)
    app.command("schema", help="输出事项文件的 JSON Schema(供编辑器校验)。")(schema)


@handled
def status(
    ledgers: Annotated[Optional[list[str]], typer.Argument(help="台账(键、前缀或中文名),可多个")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只看某单位牵头或配合的事项")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="只看某位领导牵头的事项")] = None,
    light: Annotated[Optional[str], typer.Option("--light", help="只看某些灯,如 红,黄")] = None,
    all_: Annotated[bool, typer.Option("--all", help="同时列出已办结、已销号、中止和已撤销的事项")] = False,
    task_force: Annotated[Optional[str], typer.Option("--task-force", help="只看某个专班的事项(编号或名称)")] = None,
    due_within: Annotated[Optional[int], typer.Option(
        "--due-within", metavar="天数", help="只看完成时限在今后N天内(含当天)、尚未办结的事项,不论灯色")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看已超过完成时限、尚未办结的事项,不论灯色")] = False,
    today: TodayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    as_recorded: AsRecordedOpt = None,
) -> None:
    from ..leaders import select
    from ..lookup import unit_scope
    from ..query import Filters, evaluate_all, parse_lights, resolve_ledgers
    from ..store import load_ledgers

    fmt = choice(fmt, ("table", "json", "csv"))
    d = today_arg(today)
    ws = workspace(as_recorded)
    tf_name = None
    if task_force:
        from ..edits import task_force_name

        if not ws.task_forces:
            raise UsageError(f"没有这个专班：{task_force}", "schemas/taskforces.yaml 中没有登记专班", code="E316")
        tf_name = task_force_name(ws, task_force)  # TF02, tf02, a name or part of one; unknown: E316 with a suggestion
    if due_within is not None and due_within < 0:
        raise UsageError(f"--due-within 的天数不能为负数：{due_within}", "写今后的天数，如 --due-within 7", code="E331")
    keys = resolve_ledgers(ws, ledgers)  # unknown: E330 with the closest ledgers
    scope = unit_scope(ws, unit) if unit is not None else None  # 住建局 → 县住建局, 各乡镇 → the group; unknown: E327
    loaded = load_ledgers(ws)
    chosen = select(ws, loaded.records, leader)  # a person, a title or refused (E327/E328)
    filters = Filters(keys, scope, chosen, parse_lights(light), all_, tf_name, due_within, overdue)
    result = evaluate_all(ws, loaded, d, filters)
    warn_invalid(loaded.findings)
    if fmt == "json":
        from ..render import envelope, status_json, summary_json

        out(envelope(d, matters=[status_json(r, s) for r, s in result.rows], summary=summary_json(result.summary)))
    elif fmt == "csv":
        from ..render import status_csv

        out(status_csv(result.rows))
    else:
        from ..render import status_table

        narrowed = bool(filters.lights or due_within is not None or overdue)  # rows selected beyond the summary's
        status_table(result.rows, ws.rules, result.summary, result.hidden, result.withdrawn, d, narrowed)
        if scope is not None:  # the table shows the lead unit only: say which rows the unit co-operates on
            others = [r.id for r, _ in result.rows if r.lead_unit not in scope.units]
            if others:
                who = next(iter(scope.units)) if len(scope.units) == 1 else inline(unit or "")
                out(f"（其中 {len(others)} 项由其他单位牵头、{who}配合：{'、'.join(others)}）")


@handled
def find(
    words: Annotated[list[str], typer.Argument(metavar="文字", help="要查找的词，可多个（须同时出现）")],
    today: TodayOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="同时列出已办结、已销号和中止的事项")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    as_recorded: AsRecordedOpt = None,
) -> None:
    """Matters whose 事项, 目标要求, 进展 or 备注 contain every word (search.find); nothing found is no
    error: a message and exit 0, like status with no matching matter."""
    from ..search import find as search
    from ..store import load_ledgers

    fmt = choice(fmt, ("table", "json"))
    d = today_arg(today)
    ws = workspace(as_recorded)
    loaded = load_ledgers(ws)
    query = " ".join(words)
    result = search(ws, loaded, query, d, all_)
    warn_invalid(loaded.findings)
    if fmt == "json":
        from ..render import envelope, find_json

        out(envelope(d, words=result.words, matters=find_json(result.hits), hidden=result.hidden))
    else:
        from ..render import find_lines

        out(find_lines(result.hits, ws.rules, result.hidden, query, result.withdrawn))


@handled
def show(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号,如 ZB-003")],
    today: TodayOpt = None,
    include_sensitive: Annotated[bool, typer.Option("--include-sensitive", help="显示标为敏感的字段")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
    as_recorded: AsRecordedOpt = None,
) -> None:
    from ..checks import read_matter
    from ..render import envelope, show_text, status_json
    from ..status import evaluate

    fmt = choice(fmt, ("text", "json"))
    d = today_arg(today)
    ws = workspace(as_recorded)
    path = matter_path(ws, matter_id)
    record, findings = read_matter(ws, path)
    if record is None:
        f = findings[0]
        where = f"{f.place}: [{f.code}] {f.message}"
        raise UsageError(t("err.invalid_matter", id=matter_id), where, code=f.code)
    if record.matter.assigned > d:
        raise UsageError(f"{record.matter.id} 于 {record.matter.assigned} 交办,{d} 时尚未交办",
                         f"去掉 --today,或用 {record.matter.assigned} 以后的日期", code="E405")
    st = evaluate(record.record(), d, ws.rules)
    visits = [(v, p) for v, p in _linked_visits(ws, record.matter.id) if v.day <= d]
    if fmt == "json":
        from ..asof import matter_at

        body = status_json(record.record(), st)
        body["matter"] = matter_at(record.matter, d).model_dump(mode="json", exclude_none=True)
        body["extra"] = {
            f.key: record.extra.get(f.key)
            for f in ws.ledgers[record.ledger].fields
            if f.key in record.extra and (include_sensitive or not f.sensitive)
        }
        body["research"] = [{"date": v.day, "person": p.id, "name": p.name, "title": p.title, "place": v.place,
                             "topic": v.topic, "found": v.found, "result": v.result} for v, p in visits]
        out(envelope(d, **body))
    else:
        text = show_text(ws, record, st, include_sensitive)
        if visits:
            text += f"\n一线调研({len(visits)} 次):\n" + "\n".join(
                "  " + inline(f"{v.day} {p.name}({p.title}){v.place} {v.topic}" + (f";发现问题:{v.found}" if v.found else "")
                       + (f";解决情况:{v.result}" if v.result else "")) for v, p in visits)
        out(text)


def _linked_visits(ws: Any, matter_id: str) -> list[Any]:
    """The field-research visits that name this matter, with who made them (oldest first)."""
    from ..research import load_people, load_visits

    people = load_people(ws)
    by_id = {p.id: p for p in people}
    return [(v, by_id[v.person]) for v in load_visits(ws, people).visits if matter_id in v.matters]


def matter_path(ws: object, matter_id: str) -> Path:
    """The file of the matter ``matter_id`` names, as typed (lookup.matter_file: ZB-3, ｚｂ－００３; E404 with
    the closest IDs and the matters whose 事项 contains the text)."""
    from ..lookup import matter_file
    from ..workspace import Workspace

    assert isinstance(ws, Workspace)
    return matter_file(ws, matter_id)


@handled
def check(
    today: TodayOpt = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="error | red | yellow:到哪一级算失败")] = "error",
    fmt: Annotated[str, typer.Option("--format", help="text | json | github | junit")] = "text",
    as_recorded: AsRecordedOpt = None,
) -> None:
    from ..findings import SEVERITIES
    from ..query import indicator_findings, light_findings
    from ..render import envelope, finding_lines, findings_github, findings_junit
    from ..store import load_ledgers

    fail_on = choice(fail_on, SEVERITIES)
    fmt = choice(fmt, ("text", "json", "github", "junit"))
    d = today_arg(today)
    ws = workspace(as_recorded)
    loaded = load_ledgers(ws)
    from ..leaders import shared_titles
    from ..research import load_people, load_visits

    people = load_people(ws)
    research = load_visits(ws, people, {r.id for r in loaded.records})
    findings = (loaded.findings + research.findings + light_findings(ws, loaded.records, d)
                + shared_titles(ws, people, loaded.records) + indicator_findings(loaded.records, d))
    n_files = loaded.files + research.files
    from ..schema_export import stale_schema

    stale = stale_schema(ws)  # an editor validating against an old schema misleads the people typing
    if stale is not None:
        findings.append(stale)
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.file, f.line, f.column, f.code))
    if fmt == "json":
        out(envelope(d, files=n_files, findings=[f.as_json() for f in findings]))
    elif fmt == "github":
        if findings:
            out(findings_github(findings))
    elif fmt == "junit":
        files = [ws.rel(p) for p in _files(ws)]
        out(findings_junit(findings, files))
    else:
        for f in findings:
            out(finding_lines(f))
        counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
        # a doubtful figure (Y003) or an ambiguous leader (Y002) is of yellow severity but no yellow light:
        # each is counted on its own, so 黄灯 N 项 stays the number of matters on yellow
        doubtful = sum(1 for f in findings if f.code == "Y003")
        shared = sum(1 for f in findings if f.code == "Y002")
        counts["yellow"] -= doubtful + shared
        if any(counts.values()) or doubtful or shared:
            out(t("check_counts", files=n_files, **counts) + (t("check_doubtful", n=doubtful) if doubtful else "")
                + (t("check_shared_leader", n=shared) if shared else ""))
        else:
            out(t("check_ok", files=n_files))
    level = SEVERITIES.index(fail_on)
    if any(SEVERITIES.index(f.severity) <= level for f in findings):
        raise typer.Exit(ExitCode.FINDINGS)


def _files(ws: object) -> list[Path]:
    from ..research import research_files
    from ..store import matter_files
    from ..workspace import Workspace

    assert isinstance(ws, Workspace)
    return matter_files(ws.root) + research_files(ws.root)


@handled
def schema(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件而不是屏幕")] = None,
) -> None:
    from ..schema_export import schema_text

    text = schema_text(workspace())
    if output is None:
        out(text)
    else:
        from .common import output_file, write_output

        write_output(output_file(output, records=True), text)
