"""Git as the audit trail: history of one matter, a semantic diff of a range for leaders."""

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..semantic import ACTIONS
from ..terminal import continued, inline
from .common import TodayOpt, choice, handled, out, parse_day_arg, today_arg, workspace

LINKED = ("research", "reply", "escalate", "issue")  # commits that name a matter without changing its file


def register(app: typer.Typer) -> None:
    app.command("history", help="一个事项的全部修改记录:谁、何时、做了什么(含手工编辑)。")(history_)
    app.command("diff", help="一段时间内台账的变化简报:新增、办结、进度、延期、删除……")(diff)
    app.command("sync", help="同步:拉取远端更新、合并本地提交、推送(使用当前分支的上游);有名为 city 的远端仓库时,"
                           "随后接收市级交办事项(同 yilan assignments pull)。")(sync_)
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
    path = matter_path(ws, matter_id)
    rel = ws.rel(path)
    rows: list[tuple[Any, list[semantic.Change]]] = []
    edge = history.shallow_boundary(root)
    with history.Blobs(root) as blobs:
        for c in history.log(root, "--follow", paths=(rel,)):
            if c.sha in edge:
                rows.append((c, [semantic.Change("shallow")]))
                continue
            for ch in c.changes:
                found = semantic.between(blobs.text(ch.old_blob), blobs.text(ch.new_blob), ws.sensitive)
                rows.append((c, [x for x in found if not x.derived]))
    # field research and supervision documents that name the matter (Yilan-Matter trailers), newest first
    mid = path.stem  # the ID as the file names it (ZB-3 typed → ZB-003)
    linked = history.log(root, "-E", f"--grep=^Yilan-Matter: {re.escape(mid)}$", paths=("research", "reports"))
    rows += [(c, []) for c in linked if c.action in LINKED]
    rows.sort(key=lambda row: row[0].date, reverse=True)  # stable: same-day order of each log is kept
    if fmt == "json":
        doc = {"version": 2, "id": mid, "history": [
            {"commit": c.sha, "date": c.date, "author": c.author, "email": c.email, "action": c.action or "manual",
             "subject": c.subject, "changes": [x.as_json() for x in found]} for c, found in rows]}
        out(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    for c, found in rows:
        head = f"{c.date}  {c.sha[:8]}  {c.author}  {ACTIONS.get(c.action, c.action)}"
        if c.action in LINKED:
            out(continued(f"{head}  {c.subject}"))
            continue
        out(inline(head + ("" if found else "  (内容未变)")))
        if c.action == "edit" and "；理由：" in c.subject:  # write.edit puts the reason last in the subject
            out("    " + inline("理由：" + c.subject.rpartition("；理由：")[2]))
        for x in found:
            out("    " + inline(x.words))


def _period(since: str, until: Optional[str], today: date) -> tuple[date, date]:
    """The days ``--since`` and ``--until`` (default today) name, in order (E505 otherwise)."""
    first, last = parse_day_arg(since, today), parse_day_arg(until, today) if until else today
    if first > last:
        raise UsageError(f"--since {first} 晚于 --until {last}", "起始日期应早于截止日期", code="E505")
    return first, last


def _range(ws: Any, root: Path, rng: Optional[str], since: Optional[str], until: Optional[str],
           today: date) -> tuple[str, str, str]:
    """(from, to, which time chose them, in words) for ``diff``."""
    from .. import history

    if rng:
        a, sep, b = rng.partition("..")
        start, end = (a, b or "HEAD") if sep else (a, "HEAD")
        basis, origin = "两次提交之间的全部修改(提交号见标题)", ""
    elif since:
        first, last = _period(since, until, today)
        start = history.commit_before(root, (first - timedelta(days=1)).isoformat()) or ""
        end = (history.commit_before(root, last.isoformat()) if until else None) or "HEAD"
        basis, origin = f"按提交时间:{first} 至 {last} 提交到台账的修改(业务日期见 --business)", ""
    else:
        from ..issuing import read_register

        issued = [e for e in read_register(root) if e.get("源提交")]
        origin = "(reports/issued.yaml 中最近一次印发的源提交)" if issued else ""
        start = str(issued[-1]["源提交"]) if issued else (history.commit_before(root, (today - timedelta(days=7)).isoformat())
                                                       or "")
        end = "HEAD"
        basis = (f"自最近一次印发({issued[-1].get('编号', '')},{issued[-1].get('印发日期', '')})以来提交的修改" if issued
                 else f"近 7 天({today - timedelta(days=7)} 以来)提交的修改")
    # nothing that old: from the very first commit's parent (the empty tree)
    a_sha = history.verified(root, start, origin) if start else \
        history.run_git(root, "hash-object", "-t", "tree", "/dev/null").stdout.strip()
    return a_sha, history.verified(root, end), basis


def _tree_changes(ws: Any, root: Path, a: str, b: str) -> list[dict[str, Any]]:
    """Every change between commits ``a`` and ``b``: per matter the semantic changes, per other file one."""
    from .. import history, semantic

    found: list[dict[str, Any]] = []
    with history.Blobs(root) as blobs:
        # no rename detection: a matter file moved to another name is a deletion, never a quiet rename
        for ch in history.diff_trees(root, a, b, ("ledgers", "schemas"), renames=False):
            path = ch.new_path if ch.status != "D" else ch.old_path
            parts = Path(path).parts
            if path.endswith(".last-id"):
                continue  # the ID record
            if not (parts[0] == "ledgers" and len(parts) == 3 and path.endswith(".yaml")):  # not a matter file
                verb = {"A": "新增了", "D": "删除了"}.get(ch.status, "修改了")
                found.append({"id": path, "ledger": "", "path": path, "brief": True,
                              **semantic.Change("config", path).as_json(),
                              "words": f"{verb}{'配置' if parts[0] == 'schemas' else '台账文件夹中的文件'} {path}"})
                continue
            changes = semantic.between(blobs.text(ch.old_blob), blobs.text(ch.new_blob), ws.sensitive)
            shown = semantic.brief(changes)
            found += [{"id": Path(path).stem, "ledger": parts[1], "path": path, "brief": x in shown, **x.as_json()}
                      for x in changes]
    return found


def _business_changes(ws: Any, root: Path, end: str, first: date, last: date) -> list[dict[str, Any]]:
    """Records whose business date lies in [first, last], as the ledgers stand at commit ``end``: matters
    assigned, 进展 reported for those days, 延期 applied or approved, 节点 completed, matters closed, 销号."""
    from .. import history, semantic

    lo, hi = first.isoformat(), last.isoformat()

    def within(value: Any) -> bool:
        return isinstance(value, str) and lo <= value[:10] <= hi

    listing = history.run_git(root, "ls-tree", "-r", "-z", end, "--", "ledgers").stdout
    found: list[dict[str, Any]] = []
    with history.Blobs(root) as blobs:
        for item in listing.split("\0"):
            meta, _, path = item.partition("\t")
            if not path.endswith(".yaml") or len(Path(path).parts) != 3:
                continue
            doc = semantic.parse(blobs.text(meta.split()[-1])) or {}
            mid, ledger = Path(path).stem, Path(path).parts[1]
            hits: list[tuple[semantic.Change, str]] = []
            if within(doc.get("交办日期")):
                hits.append((semantic.Change("added", after=doc.get("事项"), key=str(doc.get("交办日期"))),
                             f"交办 {doc.get('交办日期')}:{semantic.short(doc.get('事项'))}"))
            for part, dates in (("进展", ("日期",)), ("延期", ("申请日期", "批准日期")), ("节点", ("完成日期",)),
                                ("销号", ("日期",))):
                for entry in semantic.records(doc, part):
                    if isinstance(entry, dict) and any(within(entry.get(k)) for k in dates):
                        key = semantic.identity(entry, part)
                        hits.append((semantic.Change("entry_added", part, key, after=entry),
                                     f"{semantic.ENTRY_WORDS[part]} {key}:{semantic.entry_words(part, entry)}"))
            if within(doc.get("办结日期")):
                hits.append((semantic.Change("closed", "办结日期", after=doc.get("办结日期")), f"办结 {doc.get('办结日期')}"))
            found += [{"id": mid, "ledger": ledger, "path": path, "brief": True, **x.as_json(), "words": words}
                      for x, words in hits]
    return found


@handled
def diff(
    rng: Annotated[Optional[str], typer.Argument(metavar="[REV..REV]", help="提交范围,默认:上次印发报告以来,否则近 7 天")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="从这一天起(如 2022-07-01、7月1日)")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="到这一天止(默认今天)")] = None,
    business: Annotated[bool, typer.Option("--business", help="按业务日期(进展、延期、办结的日期)而不是提交时间选取")] = False,
    today: TodayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="md | table | json")] = "md",
) -> None:
    fmt = choice(fmt, ("md", "table", "json"))
    ws = workspace()
    root = _git_root(ws)
    d = today_arg(today)
    from .. import history

    history.run_git(root, "rev-parse", "HEAD", "--")  # no commit yet: G014, before any register is read
    if business:
        if rng or not since:
            raise UsageError("--business 按业务日期选取,需要 --since(可加 --until),不能与提交范围同用",
                             "例如 yilan diff --business --since 2022-07-01 --until 2022-07-07", code="E505")
        first, last = _period(since, until, d)
        a, b = "", history.verified(root, "HEAD")
        basis = f"按业务日期:{first} 至 {last} 的进展、延期、节点、办结与销号(以当前台账记载为准)"
        found = _business_changes(ws, root, b, first, last)
    else:
        a, b, basis = _range(ws, root, rng, since, until, d)
        found = _tree_changes(ws, root, a, b)
    if fmt == "json":
        out(json.dumps({"version": 2, "from": a, "to": b, "basis": "business" if business else "commits",
                        "basis_words": basis, "changes": found}, ensure_ascii=False, indent=2))
        return
    from ..report import md_text

    show = md_text if fmt == "md" else str  # the brief is a Markdown document: values are text, not structure
    title = f"台账变化简报 {a[:8]}..{b[:8]}" if a else f"台账变化简报 截至 {b[:8]}"
    lines = [f"# {title}", "", show(basis), ""] if fmt == "md" else [basis, ""]
    deleted = [c for c in found if c["change"] == "deleted"]
    if deleted:
        ids = "、".join(c["id"] for c in deleted)
        warning = f"注意:删除了 {len(deleted)} 个事项:{show(ids)}"
        lines += [f"**{warning}**" if fmt == "md" else warning, ""]
    by_ledger: dict[str, list[dict[str, Any]]] = {}
    for c in found:
        if c["brief"]:
            by_ledger.setdefault(c["ledger"], []).append(c)
    for key in [k for k in ws.ledgers if k in by_ledger] + [k for k in by_ledger if k not in ws.ledgers]:
        name = ws.ledgers[key].name if key in ws.ledgers else "配置"
        lines.append(f"## {show(name)}" if fmt == "md" else f"【{name}】")
        for c in by_ledger[key]:
            lines.append(f"- {show(c['id'])}:{show(inline(c['words']))}")
        lines.append("")
    if not found:
        lines.append("这段时间台账没有变化。")
    out("\n".join(lines).rstrip())


def _undo_verified(root: Path, commit: Any, matter_changes: list[Any]) -> bool:
    """Whether an undo is what ``yilan undo`` makes (a trailer is text: all of it is checked): the commit its
    Yilan-Undoes trailer names is an earlier yilan command that may be undone, touched exactly these matter
    files and was the newest commit of each of them; and each is restored to its version before that commit."""
    from .. import history
    from .write import _NOT_UNDONE

    target = history.resolve(root, commit.undoes)
    parents = history.parents(root, target) if target else []
    if len(parents) != 1 or len(commit.parents) != 1:
        return False
    named = history.log(root, "-1", "--no-renames", target, paths=("ledgers",))
    if not named or named[0].sha != target or not named[0].action or named[0].action in _NOT_UNDONE:
        return False
    mine = {ch.new_path if ch.status != "D" else ch.old_path for ch in matter_changes}
    theirs = {ch.new_path if ch.status != "D" else ch.old_path for ch in named[0].changes
              if ch.new_path.endswith(".yaml") or ch.old_path.endswith(".yaml")}
    if mine != theirs:
        return False
    for path in mine:  # nothing committed to the file between the named commit and the undo
        newest = history.run_git(root, "log", "-1", "--format=%H", commit.parents[0], "--", path).stdout.strip()
        if newest != target:
            return False
    for ch in matter_changes:
        path = ch.new_path if ch.status != "D" else ch.old_path
        r = history.run_git(root, "rev-parse", "-q", "--verify", f"{parents[0]}:./{path}", check=False)
        before = r.stdout.strip() if r.returncode == 0 else ""
        if (ch.status == "D" and before) or (ch.status != "D" and before != ch.new_blob):
            return False
    return True


@handled
def audit(
    since: Annotated[Optional[str], typer.Option("--since", help="只查这一天以后的提交")] = None,
    today: TodayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """Rewritten records, actions that do not match their effect, hand edits, deletions, reused IDs, bad
    signatures, unlisted authors (docs/audit.md). Exit 1 if anything is 篡改."""
    from .. import auditing, history, semantic

    fmt = choice(fmt, ("text", "json"))
    ws = workspace()
    root = _git_root(ws)
    args = ["--reverse"] + ([f"--since={parse_day_arg(since, today_arg(today)).isoformat()} 00:00:00"] if since else [])
    # no rename detection: a matter moved to ZB-002.yaml.bak or renamed to another ID is deleted (and its ID
    # free to be reused), whatever git would call it
    commits = history.log(root, *args, "--no-renames", paths=("ledgers",))
    deleted: dict[str, str] = {}  # matter ID → the commit that deleted it
    found: list[dict[str, str]] = []

    def note(c: Any, severity: str, kind: str, matter: str, what: str) -> None:
        found.append({"commit": c.sha, "date": c.date, "author": f"{c.author} <{c.email}>", "action": c.action or "manual",
                      "matter": matter, "severity": severity, "kind": kind, "detail": what})

    edge = history.shallow_boundary(root)
    with history.Blobs(root) as blobs:
        for c in commits:
            touched = [ch for ch in c.changes if ch.new_path.endswith(".yaml") or ch.old_path.endswith(".yaml")]
            if not touched:
                continue
            if c.sha in edge:  # a shallow clone: what this commit changed is not known here
                note(c, auditing.NOTICE, "浅克隆", "", "这个提交之前的历史不在本仓库中,只审计它之后的提交;"
                     "完整审计请先运行 git fetch --unshallow")
                continue
            if not c.action:
                note(c, auditing.NOTICE, "手工提交", "", f"不是 yilan 命令做的提交:{c.subject}")
            if c.signature not in ("N", "G"):
                note(c, auditing.TAMPER, "签名无效", "", f"提交签名未通过验证(git %G? = {c.signature})")
            if c.action == "init" and c.parents:
                note(c, auditing.TAMPER, "操作不符", "", "提交标为「初始化」,但它不是仓库的第一个提交(初始化只有一次)")
            changed_ids = list(dict.fromkeys(Path(ch.new_path if ch.status != "D" else ch.old_path).stem for ch in touched))
            for mid in auditing.misnamed(c.action, c.matters, changed_ids):
                note(c, auditing.TAMPER, "操作不符", mid,
                     f"提交标为「{ACTIONS.get(c.action, c.action)}」，写明的事项是{'、'.join(c.matters) or '（无）'}，"
                     f"却改动了 {mid}")
            undo_ok = _undo_verified(root, c, touched) if c.action == "undo" else None
            for ch in touched:
                path = ch.new_path if ch.status != "D" else ch.old_path
                parts = Path(path).parts
                mid = Path(path).stem
                key = parts[1] if len(parts) == 3 else ""
                maintainers = ws.ledgers[key].maintainers if key in ws.ledgers else ()
                if maintainers and c.email not in maintainers and c.action != "init":
                    note(c, auditing.NOTICE, "非维护人提交", mid,
                         f"{c.email} 不在台账 {ws.ledgers[key].name} 的维护人名单中:{path}")
                if ch.status == "D":
                    deleted[mid] = c.sha
                    if not undo_ok:
                        note(c, auditing.TAMPER, "删除事项", mid, f"删除了 {mid}({path})")
                    continue
                if ch.status == "A" and mid in deleted:
                    note(c, auditing.TAMPER, "编号重复使用", mid, f"{mid} 曾在 {deleted[mid][:8]} 删除,又被重新使用")
                changes = semantic.between(blobs.text(ch.old_blob), blobs.text(ch.new_blob), ws.sensitive)
                for concern in auditing.judge(c.action, changes, undo_ok):
                    note(c, concern.severity, concern.kind, mid, concern.detail)
    tampered = sum(f["severity"] == auditing.TAMPER for f in found)
    if fmt == "json":
        out(json.dumps({"version": 2, "tampered": tampered, "notices": len(found) - tampered, "findings": found},
                       ensure_ascii=False, indent=2))
    else:
        for f in found:
            out(inline(f"{f['date']}  {f['commit'][:8]}  {f['author']}  【{f['kind']}】"
                       + (f"{f['matter']} " if f["matter"] else "") + f["detail"]))
        if tampered:
            out(f"审计发现 {tampered} 处篡改迹象" + (f",另有 {len(found) - tampered} 处提示" if len(found) > tampered else ""))
        else:
            out(f"审计未发现篡改迹象;{len(found)} 处提示(手工修改等)供核对" if found else "审计未发现问题")
    if tampered:
        raise typer.Exit(1)


@handled
def sync_() -> None:
    """Fetch, replay unpushed commits on the upstream (renumbering a clashing new ID), push. With a git remote
    named ``city``: then receive the city's new assignments (``assignments pull``) and push that commit too.

    The order keeps an assignment received once across clones: a colleague's pull reaches this clone before
    it decides what is new. A sync that fails stops before the pull; a pull that fails after the sync keeps
    the sync (its lines are printed first) and exits 2 with the pull's own code (docs/assignments.md)."""
    from ..errors import YilanError
    from ..history import run_git
    from ..pull import CITY_REMOTE, pull
    from ..pull import describe as pulled
    from ..sync import describe, has_upstream, sync
    from .common import STATE, real_today

    ws = workspace()
    root = _git_root(ws)
    if CITY_REMOTE not in run_git(root, "remote", check=False).stdout.split():
        for line in describe(sync(root)):
            out(line)
        return
    upstream = has_upstream(root)
    if upstream:
        for line in describe(sync(root)):
            out(line)
    else:
        out("没有设置台账服务器（上游分支），只接收市级交办事项")
    try:
        result = pull(ws, None, None, real_today(), commit=not STATE.no_commit, author=STATE.author)
    except YilanError as e:
        done = "同步已完成，但" if upstream else ""
        raise YilanError(f"{done}未能接收市级交办事项：{e.message}", e.hint, code=e.code, path=e.path) from None
    for line in pulled(result):
        out(line)
    if upstream and result.received and not STATE.no_commit:
        try:
            lines = describe(sync(root))
        except YilanError as e:
            raise YilanError(f"市级交办事项已接收并提交，但未能推送到台账服务器：{e.message}", e.hint, code=e.code,
                          path=e.path) from None
        out(lines[-1])
