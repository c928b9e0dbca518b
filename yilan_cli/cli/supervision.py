"""督导问责 commands: notice (督办通知单) and notice reply, escalate (the ladder), accountability (referrals)."""

from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..terminal import inline
from .common import (
    STATE,
    FutureOpt,
    TodayOpt,
    choice,
    document_format,
    fact_day,
    handled,
    not_after_today,
    out,
    output_dir,
    output_file,
    real_today,
    today_arg,
    workspace,
    write_output,
)
from .reports import _records_or_refuse, period_arg

notice_app = typer.Typer(invoke_without_command=True,
                         help="督办通知单:给每个有红灯、黄灯事项的牵头单位各出一份;notice reply 记录单位的书面回复。")


def register(app: typer.Typer) -> None:
    app.add_typer(notice_app, name="notice")
    notice_app.callback()(notice)
    notice_app.command("reply", help="记录单位对督办通知单(或提示单、督办单等)的书面回复。")(reply)
    app.command("escalate", help="督办升级:逾期未回复或仍为红灯的,按 提示单→督办单→通报批评→问责移交 逐级升级。")(escalate)
    app.command("accountability", help="问责移交清单:超期过久、连续红灯、督办文书不回复的事项,报县纪委监委、县作风办。")(
        accountability)


@handled
def notice(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只给这个单位出通知单")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="只含某位县领导牵头的事项")] = None,
    today: TodayOpt = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="输出目录")] = Path("督办通知单"),
    fmt: Annotated[str, typer.Option("--format", help="md | docx")] = "md",
    issue_: Annotated[bool, typer.Option("--issue", help="编号印发:登记到 reports/issued.yaml 并提交")] = False,
    as_issued: Annotated[Optional[str], typer.Option(
        "--as-issued", help="按编号原样重新生成已印发的通知单,如 依督办〔2022〕3号")] = None,
    future: FutureOpt = False,
) -> None:
    from ..report import notices

    if ctx.invoked_subcommand:
        return
    fmt = choice(fmt, ("md", "docx"))
    ws = workspace()
    output_dir(output, create=False)  # checked now, made when a document is written
    if as_issued:
        _notice_as_issued(ws, as_issued.strip(), output, fmt)
        return
    d = today_arg(today)
    if not issue_:
        found = notices(ws, _records_or_refuse(ws), d, unit, leader)
        if not found:
            out(f"截至 {d} 没有红灯、黄灯事项,无需督办通知")
            return
        for n, target in zip(found, _save_documents(output, fmt, _render_notices(ws, found, fmt)), strict=True):
            out(f"(未编号) {n.unit}:{len(n.items)} 项 → {target}")
        return
    not_after_today(d, "印发日期(--today)", future, today)  # issued, the evaluation day is the 印发日期
    from ..escalation import NOTICE
    from ..issuing import issuing, next_number

    with issuing(ws.root, not STATE.no_commit, STATE.author) as iss:  # data, numbers and register under the lock
        found = notices(ws, _records_or_refuse(ws), d, unit, leader)
        if not found:
            out(f"截至 {d} 没有红灯、黄灯事项,无需督办通知")
            return
        fresh: list[tuple[Any, str]] = []
        again: list[tuple[Any, str]] = []
        for n in found:
            earlier = _same_notice(iss.entries, NOTICE, n)
            (again if earlier else fresh).append((n, earlier))
        for n, earlier in again:
            typer.echo(f"{n.unit} {n.date} 的督办通知单已印发:{earlier}(事项相同,不再重复编号;重新生成文件用 "
                       f"yilan notice --as-issued {earlier} -o {output})", err=True)
        if not fresh:
            raise UsageError(f"这些督办通知单 {d} 已经印发过:{'、'.join(e for _, e in again)}",
                             f"重新生成文件用 yilan notice --as-issued 编号 -o {output}", code="I007")
        numbers = next_number(iss.entries, ws.rules.notice_format, d.year, len(fresh), kinds=("督办通知单",))
        records = []
        for (n, _), number in zip(fresh, numbers, strict=True):
            n.number = number
            records.append({"编号": number, "种类": NOTICE, "单位": n.unit, "印发日期": n.date,
                            "回复期限": n.reply_by, "事项": [m.id for m in n.items], "源提交": iss.sha})
        issued = [n for n, _ in fresh]
        documents = _render_notices(ws, issued, fmt)
        iss.register(records, f"印发督办通知单 {records[0]['编号']} 等 {len(records)} 份")
    for n, target in zip(issued, _save_documents(output, fmt, documents), strict=True):
        out(f"{n.number} {n.unit}:{len(n.items)} 项 → {target}")


def _same_notice(entries: list[dict[str, Any]], kind: str, n: Any) -> str:
    """The number of a notice already issued to the same unit, the same day, for the same matters ("" if none)."""
    ids = sorted(m.id for m in n.items)
    for e in entries:
        if (e.get("种类") == kind and e.get("单位") == n.unit and str(e.get("印发日期")) == n.date
                and sorted(str(m) for m in e.get("事项") or []) == ids):
            return str(e.get("编号"))
    return ""


def _render_notices(ws: Any, found: list[Any], fmt: str) -> list[tuple[str, str | bytes]]:
    from ..docx_report import notice_docx
    from ..report import render_notice

    return [(f"督办通知单-{n.unit}", notice_docx(n) if fmt == "docx" else render_notice(ws, n, "md")) for n in found]


def _notice_as_issued(ws: Any, number: str, output: Path, fmt: str) -> None:
    """Re-make an issued 督办通知单 exactly: the data of its source commit, its date, its matters, its number."""
    import tempfile
    from datetime import date as date_

    from ..errors import UsageError
    from ..escalation import NOTICE
    from ..history import export_tree
    from ..issuing import find_document, read_register
    from ..report import notices
    from ..store import load_ledgers
    from ..workspace import load

    entry = find_document(read_register(ws.root), number, (NOTICE,), "督办通知单")  # 依督办[2022]2号, 2号 (I003, I012)
    number = str(entry["编号"])
    with tempfile.TemporaryDirectory(prefix="yilan-issued-") as tmp:
        export_tree(ws.root, str(entry["源提交"]), Path(tmp))
        then = load(Path(tmp))
        day = date_.fromisoformat(str(entry["印发日期"]))
        listed = {str(m) for m in entry.get("事项") or []}
        found = [n for n in notices(then, load_ledgers(then, use_cache=False).records, day, str(entry.get("单位")))]
        if not found:
            raise UsageError(f"无法从源提交重现 {number}", "reports/issued.yaml 中该条记录可能被手工改过", code="I008")
        n = found[0]
        n.items = [m for m in n.items if m.id in listed]
        n.number = number
        document = _render_notices(then, [n], fmt)
    for target in _save_documents(output, fmt, document):
        out(f"{number} {n.unit}:{len(n.items)} 项 → {target}(按印发时的提交重新生成)")


@handled
def reply(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="文书编号,如 依督办〔2022〕3号")],
    text: Annotated[str, typer.Option("--text", help="回复内容摘要")],
    day: Annotated[Optional[str], typer.Option("--date", help="回复日期(收到书面回复的日期),默认今天")] = None,
    future: FutureOpt = False,
) -> None:
    from ..errors import UsageError
    from ..escalation import kinds
    from ..issuing import find_document, read_register, record_reply
    from ..periods import iso_day

    if not text.strip():
        raise UsageError("回复内容不能为空", "--text 写回复的主要内容,如 已制定整改方案,6月底前完成", code="I006")
    ws = workspace()
    # 依督办[2022]2号, 依督办（2022）2号, 2号 … → the number as registered; one that names no single document is
    # refused by record_reply (I003, I012) after the date is checked (E323), as every write checks its facts
    with suppress(UsageError):
        number = str(find_document(read_register(ws.root), number, kinds(ws))["编号"])
    # a reply date without a year (3月5日) is in the year of the document it answers, not of the clock;
    # no --date: today, like every write (common.fact_day)
    issued = next((iso_day(e.get("印发日期")) for e in read_register(ws.root) if str(e.get("编号")) == number), None)
    d = fact_day(day, "回复日期", future, context=issued)
    entry = record_reply(ws.root, number, d.isoformat(), text.strip(), kinds(ws), not STATE.no_commit,
                         STATE.author)
    late = entry.get("回复期限") and d.isoformat() > str(entry["回复期限"])
    out(f"已记录 {entry.get('单位', '')} 对 {number} 的回复({d}{',逾期' if late else ''})")


def _save_documents(output: Path, fmt: str, documents: list[tuple[str, str | bytes]]) -> list[Path]:
    """Write each rendered (name, document) into ``output`` as <name>.<fmt>; the paths written."""
    from ..sheets import safe_name

    targets = []
    for name, document in documents:
        target = output_dir(output) / f"{safe_name(name)}.{fmt}"
        write_output(target, document)
        targets.append(target)
    return targets


@handled
def escalate(
    today: TodayOpt = None,
    apply: Annotated[bool, typer.Option("--apply", help="印发升级文书:编号、登记到 reports/issued.yaml 并提交")] = False,
    output: Annotated[Path, typer.Option("-o", "--output", help="升级文书的输出目录")] = Path("督办升级"),
    fmt: Annotated[str, typer.Option("--format", help="md | docx")] = "md",
    future: FutureOpt = False,
) -> None:
    from ..docx_report import escalation_docx
    from ..escalation import register_records
    from ..issuing import issuing, next_number, read_register
    from ..report import render_escalation

    fmt = choice(fmt, ("md", "docx"))
    ws = workspace()
    d = today_arg(today)
    if apply:
        not_after_today(d, "印发日期(--today)", future, today)  # applied, the evaluation day is the 印发日期
        output_dir(output, create=False)  # checked now, made when a document is written
        with issuing(ws.root, not STATE.no_commit, STATE.author) as iss:  # plan, numbers and register under the lock
            found = _escalation_plan(ws, iss.entries, d, apply)
            if not found:
                return
            fmts = {k: f for k, _, f in ws.rules.ladder}
            numbers: list[str] = []
            kinds_so_far: list[str] = []
            for esc in found:  # each rung has its own numbering
                numbers += next_number(iss.entries + [{"编号": n, "种类": k} for n, k in zip(numbers, kinds_so_far, strict=True)],
                                       fmts[esc.kind], d.year, kinds=(esc.kind,))
                kinds_so_far.append(esc.kind)
            records = register_records(ws, found, numbers, iss.sha)
            documents = [(f"{e.kind}-{e.unit}", escalation_docx(e, ws.rules.organ) if fmt == "docx" else render_escalation(ws, e))
                         for e in found]
            iss.register(records, f"督办升级 {numbers[0]} 等 {len(numbers)} 份", action="escalate")
        for target in _save_documents(output, fmt, documents):
            out(f"  → {target}")
        return
    _escalation_plan(ws, read_register(ws.root), d, apply)


def _escalation_plan(ws: Any, entries: list[dict[str, Any]], d: date, apply: bool) -> list[Any]:
    """The documents the ladder calls for at ``d`` (printed as a list), from the register ``entries``."""
    from ..escalation import plan

    found = plan(ws, _records_or_refuse(ws), entries, d)
    if not found:
        out(f"截至 {d} 没有需要升级的督办事项(督办文书均已按期回复,或事项已不是红灯)")
        return []
    out(f"截至 {d},需升级督办 {len(found)} 份{'' if apply else '(预览;加 --apply 印发)'}:")
    for esc in found:
        items = ";".join(f"{s.matter} {s.title}({'、'.join(s.reasons)})" for s in esc.steps)
        out(inline(f"{esc.title} → {'、'.join(esc.referral_to) or esc.unit}:{items}"))
    return list(found)


@handled
def accountability(
    period: Annotated[str, typer.Argument(help="期间,如 2022Q2、2022-06、本季度;评估日为期末")] = "本季度",
    today: TodayOpt = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="md | docx,默认按 -o 的扩展名,否则 md")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件,默认输出到屏幕")] = None,
    written: Annotated[Optional[str], typer.Option(
        "--date", help="成文日期(列入此日以前印发的督办文书),默认为评估日")] = None,
    future: FutureOpt = False,
) -> None:
    from ..escalation import referrals
    from ..issuing import read_register

    fmt = document_format(fmt, output, ("md", "docx"))
    ws = workspace()
    p = period_arg(period, real_today())
    d = today_arg(today, p.last) if today else p.last
    day = fact_day(written, "成文日期", future) if written else None
    if day is not None and day < d:
        raise UsageError(f"成文日期 {day} 早于评估日 {d}", "移交函在评估日之后成文:改正 --date", code="I013")
    found = referrals(ws, _records_or_refuse(ws), read_register(ws.root), d, p.code, p.label, day)
    if fmt == "docx":
        from ..docx_report import accountability_docx
        from ..sheets import safe_name

        target = output_file(output or Path(f"{safe_name(found.title)}.docx"))
        write_output(target, accountability_docx(found, ws.rules.organ))
        out(f"已生成问责移交清单({len(found.items)} 项)→ {target}")
        return
    from ..report import render_accountability

    text = render_accountability(ws, found)
    if output is None:
        out(text)
    else:
        write_output(output_file(output), text)
        out(f"已生成问责移交清单({len(found.items)} 项)→ {output}")
