"""``yilan city …``: a city office over its member counties (issue 23; yilan_cli/federation.py, docs/city.md)."""

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..federation import read_members
from .common import TodayOpt, choice, handled, out, real_today, today_arg

city_app = typer.Typer(help="市级督查:汇总各县(市、区)台账仓库,统一查看、县级赛马、市级通报、向各县交办事项。",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(city_app, name="city", help="市级督查:汇总各县台账仓库的查看、赛马、通报和交办(yilan city --help)。")


MEMBERS_TEXT = """\
# 成员县(市、区):市级督查室汇总、排名的各县台账仓库,每项一行(yilan city fetch 逐个获取)。
#   名称:成员名称,与该县 schemas/units.yaml 的 本级 一致(事项编号显示为 依兰县/ZB-003)
#   分组:县 | 县级市 | 区(赛马在组内排名)
#   地址:该县台账仓库的 git 地址(内网 Gitea/GitLab 的 https:// 或 ssh:// 地址,或 git@主机:路径;本机仓库 file:///…)
#   分支:可不写,默认仓库的默认分支
# 例:
# - {名称: 依兰县, 分组: 县, 地址: https://git.example.gov.cn/yilan/ledgers.git}
# - {名称: 尚志市, 分组: 县级市, 地址: git@git.example.gov.cn:shangzhi/ledgers.git, 分支: main}
[]
"""


def _city_rules(text: str, name: str) -> str:
    """The shipped rules.yaml with the 公文 of a city office (发文机关, 主送, 抄送, 印发机关, 文号)."""
    swaps = (("发文机关: [中共依兰县委督查室, 依兰县人民政府督查室]", f"发文机关: [中共{name}委督查室, {name}人民政府督查室]"),
             ("主送: 各乡(镇)党委和政府,县直各部门", "主送: 各县(市、区)党委和政府,市直各部门"),
             ("抄送: 县委、县人大常委会、县政府、县政协领导", "抄送: 市委、市人大常委会、市政府、市政协领导"),
             ("印发机关: 依兰县委县政府督查室", f"印发机关: {name}委市政府督查室"),
             ("文号格式: 依督通〔{year}〕{n}号", "文号格式: 市督通〔{year}〕{n}号"),
             ("文号格式: 依督办〔{year}〕{n}号", "文号格式: 市督办〔{year}〕{n}号"),
             ('"依督提〔{year}〕{n}号"', '"市督提〔{year}〕{n}号"'), ('"依督督〔{year}〕{n}号"', '"市督督〔{year}〕{n}号"'),
             ('"依督批〔{year}〕{n}号"', '"市督批〔{year}〕{n}号"'), ('"依督移〔{year}〕{n}号"', '"市督移〔{year}〕{n}号"'),
             ("移交单位: [县纪委监委, 县作风办]", "移交单位: [市纪委监委, 市作风办]"))
    for old, new in swaps:
        text = text.replace(old, new)
    return text


CITY_UNITS = """\
# 市级责任单位名录:市级工作区自己登记的督办事项(市直部门牵头的)用;各县的事项按各县自己的名录校验。
# 县级赛马按 schemas/members.yaml 的 分组(县 | 县级市 | 区)排名,与这里无关。按本市实际增删。
单位:
  - 分组: 市直部门
    统称: [市直各单位]
    成员: [市委办, 市政府办, 市纪委监委, 市作风办, 市委组织部, 市发改委, 市财政局, 市住建局, 市交通运输局, 市农业农村局]
领导职务: [市委书记, 市长, 常务副市长, 副市长]
"""


@city_app.command("init", help="新建市级工作区:成员名单 schemas/members.yaml、规则、通报模板,并做第一次提交。")
@handled
def city_init(
    path: Annotated[Path, typer.Argument(help="工作区目录(须为空目录或空的 git 仓库)")],
    name: Annotated[str, typer.Option("--name", help="本市名称,用于通报的发文机关,如 哈尔滨市")] = "××市",
) -> None:
    from ..terminal import one_line
    from . import init as county

    name = one_line(name).strip() or "××市"
    root = path.resolve()
    county.refuse_empty_target(root)
    files = county.workspace_files(False)
    files["schemas/rules.yaml"] = _city_rules(files["schemas/rules.yaml"], name)
    files["schemas/units.yaml"] = CITY_UNITS  # not the county's 乡镇 and 县直部门, nor its 本级
    files["schemas/members.yaml"] = MEMBERS_TEXT
    files["assignments/.keep"] = ""
    county.create(root, files)
    out(f"已新建市级工作区:{root}\n下一步:在 schemas/members.yaml 中登记各县台账仓库,提交后运行 yilan city fetch")
    if name == "××市":
        out("请在 schemas/rules.yaml 的 公文 中把 ××市 改为本市名称(或重新运行并加 --name 哈尔滨市)")


def _city() -> tuple[Any, Any]:
    """The city workspace and its members (F001 when this is not a city workspace)."""
    from ..federation import load_members
    from .common import workspace

    ws = workspace()
    return ws, load_members(ws.root)


@city_app.command("fetch", help="获取各成员县的台账仓库(只读,不检出文件);连不上的保留上次获取的数据并标为 数据未更新。")
@handled
def city_fetch(
    member: Annotated[Optional[str], typer.Option("--member", help="只获取某个成员")] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="同时获取的成员数", min=1, max=16)] = 4,
    today: TodayOpt = None,
) -> None:
    from ..federation import fetch, pick
    from ..txn import Transaction

    ws, members = _city()
    chosen = pick(members, member)
    d = today_arg(today)
    with Transaction(ws.root, commit=False):  # one fetch at a time: refs and the fetch record change together
        results = fetch(ws.root, chosen, d, jobs)
    failed = 0
    for r in results:
        name = r.member.name
        if not r.ok:
            failed += 1
            kept = f",保留上次获取的数据({r.commit[:8]})" if r.commit else ",还没有数据"
            out(f"✗ {name}:无法获取 —— {r.error}{kept}")
        elif r.before == r.commit:
            out(f"✓ {name}:无变化({r.commit[:8]})")
        else:
            out(f"✓ {name}:{(r.before[:8] + ' → ') if r.before else '首次获取 '}{r.commit[:8]}")
        if r.rewritten:
            out(f"  ⚠ {name} 的提交历史被改写:原提交 {r.before[:8]} 已不在其历史中(已保留在 refs/yilan/kept/{name}/),"
                "请向该县核实")
    out(f"共 {len(results)} 个成员,获取成功 {len(results) - failed} 个" + (f",失败 {failed} 个" if failed else ""))
    if failed:
        raise typer.Exit(1)


def _stale_text(v: Any) -> str:
    if not v.commit:
        return "未获取"
    if v.fetched.failed:
        last = v.fetched.fetched or "未知"
        return f"数据未更新（最后获取 {last}）"
    return f"{v.fetched.fetched or '已获取'} {v.commit[:8]}"


@city_app.command("status", help="各成员县的全部事项和预警灯,以及分县汇总表;编号显示为 依兰县/ZB-003。")
@handled
def city_status(
    member: Annotated[Optional[str], typer.Option("--member", help="只看某个成员")] = None,
    light: Annotated[Optional[str], typer.Option("--light", help="只看某些灯,如 红,黄")] = None,
    all_: Annotated[bool, typer.Option("--all", help="同时列出已办结、已销号、中止和已撤销的事项")] = False,
    assignment: Annotated[Optional[str], typer.Option("--assignment", help="某项市级交办(如 SJ-001)各县的落实情况")] = None,
    today: TodayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
) -> None:
    from ..federation import pick
    from ..query import Filters, evaluate_all, parse_lights
    from ..store import Ledgers

    fmt = choice(fmt, ("table", "json", "csv"))
    d = today_arg(today)
    ws, members = _city()
    views = read_members(ws.root, pick(members, member))
    if assignment is not None:
        _assignment_status(ws, views, assignment, d, fmt)
        return
    records = [r for v in views for r in v.records]
    findings = [f for v in views for f in v.findings]
    result = evaluate_all(ws, Ledgers(records, findings, sum(v.files for v in views)), d,
                          Filters(lights=parse_lights(light), include_closed=all_))
    summaries = _member_summaries(views, result.evaluated)
    if fmt == "json":
        from ..render import envelope, status_json, summary_json

        rows = [{**status_json(r, s), "member": r.id.partition("/")[0]} for r, s in result.rows]
        doc = [{"name": v.member.name, "group": v.member.group, "commit": v.commit or None,
                "fetched": v.fetched.fetched or None, "stale": v.stale, "last_error": v.fetched.error or None,
                "invalid_files": v.invalid_files, "summary": summary_json(s)} for v, s in summaries]
        out(envelope(d, matters=rows, summary=summary_json(result.summary), members=doc))
    elif fmt == "csv":
        from ..render import status_csv

        out(status_csv(result.rows, member=True))
    else:
        from ..render import status_table

        status_table(result.rows, ws.rules, result.summary, result.hidden, result.withdrawn, d, bool(light))
        _member_table(ws, summaries)
    _warn_members(views)


def _member_summaries(views: list[Any], evaluated: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Each member's summary over its matters' statuses, already evaluated for the listing (never twice)."""
    from ..status import summarize

    by_member: dict[str, list[Any]] = {v.member.name: [] for v in views}
    for r, st in evaluated:
        by_member[r.id.partition("/")[0]].append(st)
    return [(v, summarize(by_member[v.member.name])) for v in views]


def _member_table(ws: Any, summaries: list[tuple[Any, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..render import _console, light_name
    from ..status import percent
    from ..terminal import visible

    table = Table(title="分县（市、区）汇总", header_style="bold", title_justify="left")
    table.add_column("县（市、区）")
    table.add_column("分组")
    for head in ("事项", *(light_name(k, ws.rules) for k in ("red", "yellow", "blue", "green")), "超期", "办结率"):
        table.add_column(head, justify="right")  # counts line up, whatever rules.yaml calls the lights
    table.add_column("数据")
    table.add_column("有错误的文件", justify="right")
    for v, s in summaries:
        table.add_row(Text(visible(v.member.name)), v.member.group, str(s.total),
                      *(str(s.lights[k]) for k in ("red", "yellow", "blue", "green")), str(s.overdue),
                      percent(s.completion_rate), _stale_text(v), str(len(v.invalid_files)) if v.invalid_files else "")
    _console().print(table)


def _warn_members(views: list[Any]) -> None:
    """On stderr: members whose data are not current, and each member's invalid files (their valid matters count)."""
    import sys

    from ..terminal import one_line

    for v in views:
        if v.stale:
            print(f"注意:{v.member.name} {_stale_text(v)}" + (f"——{one_line(v.fetched.error)}" if v.fetched.error else ""),
                  file=sys.stderr)
        for f in [f for f in v.findings if f.severity == "error"][:20]:
            print(f"{f.place}: [{f.code}] {one_line(f.message)}", file=sys.stderr)
        if len(v.invalid_files):
            print(f"注意:{v.member.name} 有 {len(v.invalid_files)} 个文件有错误,其中的事项未计入(其余事项照常计入)",
                  file=sys.stderr)


def read_assignment(root: Path, text: str) -> Any:
    """The committed-or-not file ``assignments/<编号>.yaml`` of the city workspace (F007 when there is none)."""
    from ..assignments import ASSIGNMENTS_DIR, ID_RE, parse_assignment
    from ..filecheck import linked

    aid = text.strip().upper()
    rel = f"{ASSIGNMENTS_DIR}/{aid}.yaml"
    path = root / rel
    if not ID_RE.fullmatch(aid) or linked(path, rel) or not path.is_file():
        known = "、".join(sorted(p.stem for p in (root / ASSIGNMENTS_DIR).glob("SJ-*.yaml"))[:20]) or "(还没有交办)"
        raise UsageError(f"没有这项市级交办:{text}", f"写 assignments/ 中的编号:{known}", code="F007")
    return parse_assignment(path.read_bytes().decode("utf-8", errors="replace"), rel)


def _assignment_status(ws: Any, views: list[Any], assignment: str, d: date, fmt: str) -> None:
    """Every addressed county's answer to one assignment: the matters carrying its 上级编号, or 未接收."""
    from ..render import envelope, light_name, state_label, status_json
    from ..status import evaluate

    a = read_assignment(ws.root, assignment)
    by_name = {v.member.name: v for v in views}
    rows: list[tuple[str, Any, Any, str]] = []  # (member, record, status, what is missing)
    for name in a.to:
        v = by_name.get(name)
        answers = [r for r in v.records if r.parent == a.id] if v is not None else []
        for r in answers:
            rows.append((name, r, evaluate(r, d, ws.rules), ""))
        if not answers:
            why = ("不在成员名单中" if v is None else "尚未获取该县数据" if not v.commit
                   else "尚未接收（该县还没有运行 yilan assignments pull 或 sync）")
            rows.append((name, None, None, why + (f"；{_stale_text(v)}" if v is not None and v.fetched.failed else "")))
    if fmt == "json":
        doc = {"id": a.id, "title": a.title, "assigned": a.assigned, "deadline": a.deadline, "to": list(a.to)}
        answers_doc = [{"member": n, "taken_up": r is not None, "note": why or None,
                        "matter": None if r is None else status_json(r, st)} for n, r, st, why in rows]
        out(envelope(d, assignment=doc, answers=answers_doc))
        return
    if fmt == "csv":
        import csv
        import io

        from ..sheets import guard

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["成员", "县级编号", "事项", "状态", "进度", "预警灯", "说明"])
        for n, r, st, why in rows:
            w.writerow([guard(x) for x in (n, r.id if r else "", r.title if r else "", st.state if st else "",
                                           f"{st.progress}%" if st else "", light_name(st.light, ws.rules) if st else "",
                                           why)])
        out(buf.getvalue())
        return
    from rich.table import Table
    from rich.text import Text

    from ..render import _console
    from ..terminal import visible

    table = Table(title=f"{a.id} {visible(a.title)}(交办 {a.assigned},时限 {a.deadline})", title_justify="left",
                  header_style="bold")
    for head in ("县（市、区）", "县级编号", "状态", "进度", "预警灯", "说明"):
        table.add_column(head, justify="right" if head == "进度" else "left")
    for n, r, st, why in rows:
        table.add_row(Text(visible(n)), r.id if r else "—", state_label(st) if st else "—",
                      f"{st.progress}%" if st else "—", light_name(st.light, ws.rules) if st else "—", Text(why))
    _console().print(table)
    taken = len({n for n, r, _, _ in rows if r is not None})
    out(f"交办 {len(a.to)} 个县(市、区),已接收 {taken} 个,未接收 {len(a.to) - taken} 个")


@city_app.command("assign", help="向各县(市、区)交办事项:写入市级仓库 assignments/,"
                  "各县 assignments pull 或 sync 时收入本县的市委市政府决策部署台账。")
@handled
def city_assign(
    title: Annotated[str, typer.Option("--title", help="事项名称")],
    deadline: Annotated[str, typer.Option("--deadline", help="完成时限,如 2027-03-31、3月底、长期")],
    to: Annotated[Optional[list[str]], typer.Option("--to", help="交办对象(成员名称),可多次;不写或写 各县 为全部成员")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="目标要求")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="任务来源,如 市委常委会2026年第20次会议")] = None,
    assigned: Annotated[Optional[str], typer.Option("--date", help="交办日期,默认今天;不能晚于今天,除非加 --future")] = None,
    future: Annotated[bool, typer.Option("--future", help="允许今天以后的日期")] = False,
) -> None:
    from ..assignments import ASSIGNMENT_PREFIX, ASSIGNMENTS_DIR, ID_RE, ONGOING, Assignment, assignment_text
    from ..edits import one_line, read_last_id
    from ..periods import ONGOING_WORDS
    from ..txn import Transaction
    from .common import STATE, deadline_arg, fact_day

    ws, members = _city()
    if not members:
        raise UsageError("schemas/members.yaml 中还没有成员,无处交办", "先登记各县台账仓库并提交", code="F006")
    typed = [" ".join(x.split()) for x in to or []]
    everyone = not typed or any(x in ("各县", "全部", "各县(市、区)", "各县（市、区）") for x in typed)
    names = tuple(m.name for m in members) if everyone else tuple(dict.fromkeys(typed))
    unknown = [n for n in names if n not in {m.name for m in members}]
    if unknown:
        raise UsageError(f"交办对象不在成员名单中:{'、'.join(unknown)}",
                         f"schemas/members.yaml 中的成员:{'、'.join(m.name for m in members)}", code="F002")
    day = fact_day(assigned, "交办日期", future)
    due = ONGOING if deadline.strip() in ONGOING_WORDS else deadline_arg(deadline, day)
    seq_rel = f"{ASSIGNMENTS_DIR}/.last-id"
    with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:  # the number, under the lock
        issued = read_last_id(tx.read(seq_rel), seq_rel)
        folder = ws.root / ASSIGNMENTS_DIR
        present = [int(p.stem.split("-")[1]) for p in folder.glob("*.yaml") if ID_RE.fullmatch(p.stem)]
        n = max([issued, *present]) + 1
        aid = f"{ASSIGNMENT_PREFIX}-{n:03d}"
        a = Assignment(aid, one_line(title), day, due, names, (target or "").strip() or None, one_line(source) or None)
        try:  # refused (A-codes) as a county would refuse it — told as the city typed it
            text = assignment_text(a)
        except UsageError as e:
            raise UsageError(e.message, "改正命令中的这个值(--title、--target、--source、--deadline、--date)后再运行",
                             code=e.code) from None
        tx.write(f"{ASSIGNMENTS_DIR}/{aid}.yaml", text)
        tx.write(seq_rel, f"{n}\n")
        tx.commit(f"市级交办 {aid} {a.title}(交办 {'、'.join(names)})", "city-assign")
    out(f"已交办 {aid}:{a.title} → {'、'.join(names)}")
    counties = (f"各县运行 yilan assignments pull(或 yilan sync)即收入本县 shi 台账;进展用 yilan city status --assignment "
                f"{aid} 查看")
    if _shared(ws.root):  # the counties read the city's repository on the forge, not this folder
        out(f"下一步:运行 yilan sync 把这项交办推送到市级台账仓库,各县才能接收;{counties}")
    else:
        out("注意:本工作区没有上游仓库;各县从内网的市级台账仓库接收,请先推送(git remote add origin 地址 && "
            f"git push -u origin main,见 docs/city.md 第一节)。推送后,{counties}")
    out(aid)


def _shared(root: Path) -> bool:
    """Whether the city workspace's branch has an upstream (the repository the counties receive from)."""
    from ..errors import YilanError
    from ..sync import has_upstream

    try:
        return has_upstream(root)
    except YilanError:
        return False


# --------------------------------------------------------------------------- rank and report
def _county_view(ws: Any, members: Any, views: list[Any]) -> tuple[Any, list[Any]]:
    from ..federation import as_county_records, federated

    return federated(ws, members), as_county_records(views)


@city_app.command("rank", help="县级赛马:各县(市、区)按分组排名,规则和得分说明与县里给单位排名相同,含红榜、黑榜。")
@handled
def city_rank(
    period: Annotated[str, typer.Argument(help="期间,如 2026Q4、2026-11、本季度")],
    fmt: Annotated[str, typer.Option("--format", help="table | json | md")] = "table",
    today: TodayOpt = None,
) -> None:
    from .reports import period_arg, ranking_output

    fmt = choice(fmt, ("table", "json", "md"))
    ws, members = _city()
    p = period_arg(period, real_today())
    d = today_arg(today, p.last) if today else p.last
    views = read_members(ws.root, members)
    fed, records = _county_view(ws, members, views)
    ranking_output(fed, records, p, d, fmt)
    _warn_members(views)


def data_note(views: list[Any]) -> str:
    """The circular's sentence on members whose data are not current or have invalid files ("" when none)."""
    parts = []
    for v in views:
        if not v.commit:
            parts.append(f"{v.member.name}未获取到台账数据")
        elif v.fetched.failed:
            parts.append(f"{v.member.name}数据未更新（采用{v.fetched.fetched or '此前'}获取的数据）")
        if v.invalid_files:
            parts.append(f"{v.member.name}有{len(v.invalid_files)}个事项文件格式有误，未计入")
    return ("另：" + "；".join(parts) + "。") if parts else ""


@city_app.command("report", help="市级督查通报:各县(市、区)的总体情况、分县汇总、县级赛马和各县红灯事项(完整公文)。")
@handled
def city_report(
    period: Annotated[str, typer.Argument(help="期间:2026-11(月报)、2026Q4(季度通报)、2026H2(半年)、2026(年度)")],
    fmt: Annotated[Optional[str], typer.Option("--format", help="md | html | docx,默认按 -o 的扩展名,否则 md")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件,默认输出到屏幕")] = None,
    today: TodayOpt = None,
    issue_: Annotated[bool, typer.Option("--issue", help="编号印发:登记到 reports/issued.yaml(含各县所用的提交)并提交")] = False,
    issued_on: Annotated[Optional[str], typer.Option("--date", help="印发日期,默认今天")] = None,
    as_issued: Annotated[bool, typer.Option("--as-issued", help="按印发时的市级提交和各县提交原样重现已印发的这期通报")] = False,
) -> None:
    import tempfile

    from ..report import KINDS, build
    from .common import document_format, fact_day, output_file
    from .reports import _deliver, _issue_record, _refuse_unwritten_notes, _render, period_arg

    fmt = document_format(fmt, output, ("md", "html", "docx"))
    ws, members = _city()
    root = ws.root
    p = period_arg(period, real_today())
    d = today_arg(today, p.last) if today else None
    target = output_file(output) if output else None
    if issue_:
        from ..issuing import issuing
        from .common import STATE

        day = fact_day(issued_on, "印发日期")
        with issuing(ws.root, not STATE.no_commit, STATE.author) as iss:
            views = read_members(ws.root, members)
            fed, records = _county_view(ws, members, views)
            context = build(fed, records, p, d)
            context.data_note = note = data_note(views)
            _refuse_unwritten_notes(ws, p)
            record = _issue_record(context, p, None, day, iss, ws.rules.number_format)
            record["成员提交"] = [f"{v.member.name}:{v.commit}" for v in views if v.commit]
            if note:
                record["数据说明"] = note
            _keep(ws.root, views)
            document = _render(fed, context, fmt, None)
            iss.register([record], f"印发 {context.number} {context.title}")
        _deliver(context, document, target)
        typer.echo(f"已印发并登记:{context.number}(reports/issued.yaml)", err=True)
        return
    with tempfile.TemporaryDirectory(prefix="yilan-city-issued-") as tmp:
        number = printed = note = ""
        commits = None
        if as_issued:
            ws, d, number, printed, commits, note = _issued_city(ws, p.code, KINDS[p.kind][1], Path(tmp))
            from ..federation import load_members

            members = load_members(ws.root)
        views = read_members(root, members, commits=commits)
        fed, records = _county_view(ws, members, views)
        context = build(fed, records, p, d)
        context.data_note = note if as_issued else data_note(views)
        context.number, context.issued_on = number, printed
        _deliver(context, _render(fed, context, fmt, None), target)


def _keep(root: Path, views: list[Any]) -> None:
    """Each member commit a circular is made from, kept under refs/yilan/kept/ (never pruned by git gc)."""
    from ..federation import KEPT_BASE
    from ..history import run_git

    for v in views:
        if v.commit:
            run_git(root, "update-ref", f"{KEPT_BASE}{v.member.name}/{v.commit}", v.commit)


_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _issued_commits(root: Path, entries: Any) -> dict[str, str]:
    """The register's 成员提交 (名称:提交), each a full commit this repository holds — the only text that
    reaches git; F008 naming the member otherwise (an edited register, a fresh clone, a rewritten history)."""
    from ..history import resolve
    from ..terminal import one_line

    if not isinstance(entries, list):
        raise UsageError("reports/issued.yaml 中这期通报的成员提交不是清单", "该登记被改动过:用 git log -p reports/issued.yaml "
                         "查看原值并改回", code="F008")
    commits: dict[str, str] = {}
    for x in entries:
        name, _, sha = str(x).partition(":")
        sha = sha.strip()
        if not _FULL_SHA.fullmatch(sha):
            raise UsageError(f"reports/issued.yaml 中 {one_line(name)} 的成员提交不是完整的提交号:{one_line(sha)[:80]}",
                             "该登记被改动过:用 git log -p reports/issued.yaml 查看原值并改回", code="F008")
        if resolve(root, sha) != sha:
            raise UsageError(f"本仓库中没有印发时 {one_line(name)} 所用的提交 {sha[:8]}",
                             "先运行 yilan city fetch;若该县此后改写了提交历史,从印发这期通报的那个市级仓库取回保留的提交:"
                             "git fetch <该仓库地址> 'refs/yilan/kept/*:refs/yilan/kept/*'", code="F008")
        commits[name] = sha
    return commits


def _issued_city(ws: Any, period: str, kind_name: str, tmp: Path) -> tuple[Any, Optional[date], str, str,
                                                                              dict[str, str], str]:
    """The city workspace as the issued circular's commit held it, and the member commits it was made from."""
    from ..history import export_tree
    from ..issuing import read_register
    from ..workspace import load

    for e in read_register(ws.root):
        if e.get("期间") == period and e.get("种类") == kind_name and e.get("成员提交") is not None:
            export_tree(ws.root, str(e["源提交"]), tmp)
            commits = _issued_commits(ws.root, e.get("成员提交"))
            evaluated = date.fromisoformat(str(e["评估日"])) if e.get("评估日") else None
            return (load(tmp), evaluated, str(e["编号"]), str(e.get("印发日期") or ""), commits,
                    str(e.get("数据说明") or ""))
    raise UsageError(f"{period} 的市级{kind_name}还没有印发",
                     "先用 yilan city report --issue 印发;已印发的见 reports/issued.yaml", code="I002")
