"""Git as the audit trail: history of one matter, a semantic diff of a range for leaders."""

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..semantic import ACTIONS
from ..terminal import continued
from .common import choice, handled, out, parse_day_arg, workspace

LINKED = ("research", "reply", "escalate", "issue")  # commits that name a matter without changing its file


def register(app: typer.Typer) -> None:
    app.command("history", help="一个事项的全部修改记录:谁、何时、做了什么(含手工编辑)。")(history_)
    app.command("diff", help="一段时间内台账的变化简报:新增、办结、进度、延期、删除……")(diff)
    app.command("sync", help="同步:拉取远端更新、合并本地提交、推送(使用当前分支的上游)。")(sync_)
    app.command("audit", help="审计:手工提交、删除事项、编号重复使用、重新打开、签名无效、非维护人提交。")(audit)


def _git_root(ws: Any) -> Path:
    from ..history import git_dir

    if git_dir(ws.root) is None:
        raise UsageError(f"{ws.root} 不是 git 仓库,没有修改记录", "在台账目录运行 git init,或用 yilan init 新建工作区",
                         code="G002")
    return Path(ws.root)


@handled
def history_(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    from .. import history, semantic
    from .read import matter_path

    fmt = choice(fmt, ("table", "json"))
    ws = workspace()
    root = _git_root(ws)
    rel = ws.rel(matter_path(ws, matter_id.strip().upper()))
    rows = []
    with history.Blobs(root) as blobs:
        for c in history.log(root, "--follow", paths=(rel,)):
            for ch in c.changes:
                found = semantic.changes(semantic.parse(blobs.text(ch.old_blob)), semantic.parse(blobs.text(ch.new_blob)))
                rows.append((c, found))
    # field research and supervision documents that name the matter (Yilan-Matter trailers), newest first
    mid = matter_id.strip().upper()
    linked = history.log(root, "-E", f"--grep=^Yilan-Matter: {re.escape(mid)}$", paths=("research", "reports"))
    rows += [(c, [(c.action, None, c.subject)]) for c in linked if c.action in LINKED]
    rows.sort(key=lambda row: row[0].date, reverse=True)  # stable: same-day order of each log is kept
    if fmt == "json":
        doc = {"version": 1, "id": matter_id.upper(), "history": [
            {"commit": c.sha, "date": c.date, "author": c.author, "action": c.action or "manual", "subject": c.subject,
             "changes": [{"change": k, "before": b, "after": a} for k, b, a in found]} for c, found in rows]}
        out(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    for c, found in rows:
        words = (c.subject if c.action in LINKED else ";".join(semantic.describe(*x) for x in found)) or "(内容未变)"
        out(continued(f"{c.date}  {c.sha[:8]}  {c.author}  {ACTIONS.get(c.action, c.action)}  {words}"))


def _range(ws: Any, root: Path, rng: Optional[str], since: Optional[str], until: Optional[str]) -> tuple[str, str]:
    from .. import history

    today = date.today()
    origin = ""  # where a revision came from, when the user did not type it
    if rng:
        a, sep, b = rng.partition("..")
        start, end = (a, b or "HEAD") if sep else (a, "HEAD")
    elif since:
        start = history.commit_before(root, (parse_day_arg(since, today) - timedelta(days=1)).isoformat()) or ""
        end = (history.commit_before(root, parse_day_arg(until, today).isoformat()) if until else None) or "HEAD"
    else:
        from ..issuing import read_register

        issued = [e for e in read_register(root) if e.get("源提交")]
        origin = "(reports/issued.yaml 中最近一次印发的源提交)" if issued else ""
        start = str(issued[-1]["源提交"]) if issued else (history.commit_before(root, (today - timedelta(days=7)).isoformat())
                                                       or "")
        end = "HEAD"
    # nothing that old: from the very first commit's parent (the empty tree)
    a_sha = history.verified(root, start, origin) if start else \
        history.run_git(root, "hash-object", "-t", "tree", "/dev/null").stdout.strip()
    return a_sha, history.verified(root, end)


@handled
def diff(
    rng: Annotated[Optional[str], typer.Argument(metavar="[REV..REV]", help="提交范围,默认:上次印发报告以来,否则近 7 天")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="从这一天起(如 2022-07-01、7月1日)")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="到这一天止")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md | table | json")] = "md",
) -> None:
    from .. import history, semantic

    fmt = choice(fmt, ("md", "table", "json"))
    ws = workspace()
    root = _git_root(ws)
    a, b = _range(ws, root, rng, since, until)
    found: list[dict[str, Any]] = []
    with history.Blobs(root) as blobs:
        for ch in history.diff_trees(root, a, b, ("ledgers", "schemas")):
            path = ch.new_path if ch.status != "D" else ch.old_path
            parts = Path(path).parts
            if parts[0] == "ledgers" and not path.endswith(".yaml"):
                continue  # .last-id and other bookkeeping
            if parts[0] == "schemas" or len(parts) != 3:
                found.append({"id": path, "ledger": "", "change": "edited", "before": None, "after": None})
                continue
            for kind, before, after in semantic.changes(semantic.parse(blobs.text(ch.old_blob)),
                                                        semantic.parse(blobs.text(ch.new_blob))):
                found.append({"id": Path(path).stem, "ledger": parts[1], "change": kind, "before": before, "after": after})
    if fmt == "json":
        out(json.dumps({"version": 1, "from": a, "to": b, "changes": found}, ensure_ascii=False, indent=2))
        return
    lines = [f"# 台账变化简报 {a[:8]}..{b[:8]}", ""] if fmt == "md" else []
    deleted = [c for c in found if c["change"] == "deleted"]
    if deleted:
        from ..report import md_text

        ids = "、".join(c["id"] for c in deleted)
        lines += [f"**注意:删除了 {len(deleted)} 个事项:{md_text(ids) if fmt == 'md' else ids}**", ""]
    by_ledger: dict[str, list[dict[str, Any]]] = {}
    for c in found:
        by_ledger.setdefault(c["ledger"], []).append(c)
    for key in [k for k in ws.ledgers if k in by_ledger] + [k for k in by_ledger if k not in ws.ledgers]:
        name = ws.ledgers[key].name if key in ws.ledgers else "配置"
        from ..report import md_text

        show = md_text if fmt == "md" else str  # the brief is a Markdown document: values are text, not structure
        lines.append(f"## {show(name)}" if fmt == "md" else f"【{name}】")
        for c in by_ledger[key]:
            words = semantic.describe(c["change"], c["before"], c["after"]) if c["ledger"] else "修改"
            lines.append(f"- {show(c['id'])}:{continued(show(words), '  ')}")
        lines.append("")
    if not found:
        lines.append("这段时间台账没有变化。")
    out("\n".join(lines).rstrip())


@handled
def audit(
    since: Annotated[Optional[str], typer.Option("--since", help="只查这一天以后的提交")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """Hand commits, deletions, reused IDs, reopened matters, bad signatures, unlisted authors. Exit 1 if any."""
    from .. import history, semantic

    fmt = choice(fmt, ("text", "json"))
    ws = workspace()
    root = _git_root(ws)
    args = ["--reverse"] + ([f"--since={parse_day_arg(since, date.today()).isoformat()} 00:00:00"] if since else [])
    commits = history.log(root, *args, paths=("ledgers",))
    deleted: dict[str, str] = {}  # path → the commit that deleted it
    found: list[dict[str, str]] = []

    def note(c: Any, kind: str, what: str) -> None:
        found.append({"commit": c.sha, "date": c.date, "author": f"{c.author} <{c.email}>", "kind": kind, "detail": what})

    with history.Blobs(root) as blobs:
        for c in commits:
            touched = [ch for ch in c.changes if ch.new_path.endswith(".yaml") or ch.old_path.endswith(".yaml")]
            if not touched:
                continue
            if not c.action:
                note(c, "手工提交", f"不是 yilan 命令做的提交:{c.subject}")
            if c.signature not in ("N", "G"):
                note(c, "签名无效", f"提交签名未通过验证(git %G? = {c.signature})")
            for ch in touched:
                path = ch.new_path if ch.status != "D" else ch.old_path
                parts = Path(path).parts
                key = parts[1] if len(parts) == 3 else ""
                maintainers = ws.ledgers[key].maintainers if key in ws.ledgers else ()
                if maintainers and c.email not in maintainers and c.action != "init":
                    note(c, "非维护人提交", f"{c.email} 不在台账 {ws.ledgers[key].name} 的维护人名单中:{path}")
                if ch.status == "D":
                    deleted[ch.old_path] = c.sha
                    note(c, "删除事项", f"删除了 {Path(ch.old_path).stem}")
                    continue
                if ch.status == "A" and ch.new_path in deleted:
                    note(c, "编号重复使用", f"{Path(ch.new_path).stem} 曾在 {deleted[ch.new_path][:8]} 删除,又被重新使用")
                for kind, before, after in semantic.changes(semantic.parse(blobs.text(ch.old_blob)),
                                                            semantic.parse(blobs.text(ch.new_blob))):
                    if kind == "reopened":
                        note(c, "重新打开", f"{Path(path).stem} 由{before}改回{after}")
    if fmt == "json":
        out(json.dumps({"version": 1, "findings": found}, ensure_ascii=False, indent=2))
    else:
        for f in found:
            out(continued(f"{f['date']}  {f['commit'][:8]}  {f['author']}  【{f['kind']}】{f['detail']}"))
        out(f"审计发现 {len(found)} 处需要关注" if found else "审计未发现问题")
    if found:
        raise typer.Exit(1)


@handled
def sync_() -> None:
    """Fetch, replay unpushed commits on the upstream (renumbering a clashing new ID), push."""
    from ..sync import describe, sync

    ws = workspace()
    for line in describe(sync(_git_root(ws))):
        out(line)
