"""督导问责 commands: notice (督办通知单) and notice reply, escalate (the ladder), accountability (referrals)."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import STATE, TodayOpt, choice, handled, out, parse_day_arg, today_arg, workspace
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
) -> None:
    from ..escalation import NOTICE
    from ..report import notices, render_notice

    if ctx.invoked_subcommand:
        return
    fmt = choice(fmt, ("md", "docx"))
    ws = workspace()
    d = today_arg(today)
    found = notices(ws, _records_or_refuse(ws), d, unit, leader)
    if not found:
        out(f"截至 {d} 没有红灯、黄灯事项,无需督办通知")
        return
    records = []
    if issue_:
        from ..issuing import next_number, read_register, source_commit

        sha = source_commit(ws.root)
        numbers = next_number(read_register(ws.root), ws.rules.notice_format, d.year, len(found))
        for n, number in zip(found, numbers, strict=True):
            n.number = number
            records.append({"编号": number, "种类": NOTICE, "单位": n.unit, "印发日期": n.date,
                            "回复期限": n.reply_by, "事项": [m.id for m in n.items], "源提交": sha})
    from ..docx_report import notice_docx

    targets = _write_documents(output, fmt, [(f"督办通知单-{n.unit}", lambda n=n: render_notice(ws, n, "md"),
                                              lambda n=n: notice_docx(n)) for n in found])
    for n, target in zip(found, targets, strict=True):
        out(f"{n.number or '(未编号)'} {n.unit}:{len(n.items)} 项 → {target}")
    if records:
        from ..issuing import issue

        issue(ws.root, records, f"印发督办通知单 {records[0]['编号']} 等 {len(records)} 份", not STATE.no_commit,
              STATE.author)


@handled
def reply(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="文书编号,如 督办〔2022〕3号")],
    day: Annotated[str, typer.Option("--date", help="回复日期(收到书面回复的日期)")],
    text: Annotated[str, typer.Option("--text", help="回复内容摘要")],
) -> None:
    from ..errors import UsageError
    from ..escalation import kinds
    from ..issuing import record_reply

    if not text.strip():
        raise UsageError("回复内容不能为空", "--text 写回复的主要内容,如 已制定整改方案,6月底前完成", code="I006")
    ws = workspace()
    d = parse_day_arg(day, date.today())
    entry = record_reply(ws.root, number.strip(), d.isoformat(), text.strip(), kinds(ws), not STATE.no_commit,
                         STATE.author)
    late = entry.get("回复期限") and d.isoformat() > str(entry["回复期限"])
    out(f"已记录 {entry.get('单位', '')} 对 {number} 的回复({d}{',逾期' if late else ''})")


def _write_documents(output: Path, fmt: str, docs: list[tuple[str, Any, Any]]) -> list[Path]:
    """Write each (name, make markdown, make docx) into ``output`` as <name>.<fmt>; the paths written."""
    from ..sheets import safe_name

    output.mkdir(parents=True, exist_ok=True)
    targets = []
    for name, markdown, docx in docs:
        target = output / f"{safe_name(name)}.{fmt}"
        if fmt == "docx":
            target.write_bytes(docx())
        else:
            target.write_text(markdown(), encoding="utf-8", newline="\n")
        targets.append(target)
    return targets


@handled
def escalate(
    today: TodayOpt = None,
    apply: Annotated[bool, typer.Option("--apply", help="印发升级文书:编号、登记到 reports/issued.yaml 并提交")] = False,
    output: Annotated[Path, typer.Option("-o", "--output", help="升级文书的输出目录")] = Path("督办升级"),
    fmt: Annotated[str, typer.Option("--format", help="md | docx")] = "md",
) -> None:
    from ..escalation import plan, register_records
    from ..issuing import issue, next_number, read_register, source_commit

    fmt = choice(fmt, ("md", "docx"))
    ws = workspace()
    d = today_arg(today)
    entries = read_register(ws.root)
    found = plan(ws, _records_or_refuse(ws), entries, d)
    if not found:
        out(f"截至 {d} 没有需要升级的督办事项(督办文书均已按期回复,或事项已不是红灯)")
        return
    out(f"截至 {d},需升级督办 {len(found)} 份{'' if apply else '(预览;加 --apply 印发)'}:")
    for esc in found:
        items = ";".join(f"{s.matter} {s.title}({'、'.join(s.reasons)})" for s in esc.steps)
        out(f"{esc.title} → {'、'.join(esc.referral_to) or esc.unit}:{items}")
    if not apply:
        return
    sha = source_commit(ws.root)
    fmts = {k: f for k, _, f in ws.rules.ladder}
    numbers: list[str] = []
    for esc in found:  # each rung has its own numbering
        numbers += next_number(entries + [{"编号": n} for n in numbers], fmts[esc.kind], d.year)
    records = register_records(ws, found, numbers, sha)
    from ..docx_report import escalation_docx
    from ..report import render_escalation

    for target in _write_documents(output, fmt, [(f"{e.kind}-{e.unit}", lambda e=e: render_escalation(ws, e),
                                                  lambda e=e: escalation_docx(e)) for e in found]):
        out(f"  → {target}")
    issue(ws.root, records, f"督办升级 {numbers[0]} 等 {len(numbers)} 份", not STATE.no_commit, STATE.author,
          action="escalate")


@handled
def accountability(
    period: Annotated[str, typer.Argument(help="期间,如 2022Q2、2022-06、本季度;评估日为期末")] = "本季度",
    today: TodayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="md | docx")] = "md",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件,默认输出到屏幕")] = None,
) -> None:
    from ..escalation import referrals
    from ..issuing import read_register

    fmt = choice(fmt, ("md", "docx"))
    ws = workspace()
    p = period_arg(period, date.today())
    d = today_arg(today) if today else p.last
    found = referrals(ws, _records_or_refuse(ws), read_register(ws.root), d, p.code, p.label)
    if fmt == "docx":
        from ..docx_report import accountability_docx

        target = output or Path(f"{found.title}.docx")
        target.write_bytes(accountability_docx(found))
        out(f"已生成问责移交清单({len(found.items)} 项)→ {target}")
        return
    from ..report import render_accountability

    text = render_accountability(ws, found)
    if output is None:
        out(text)
    else:
        output.write_text(text, encoding="utf-8", newline="\n")
        out(f"已生成问责移交清单({len(found.items)} 项)→ {output}")
