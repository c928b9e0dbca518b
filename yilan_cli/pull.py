"""`yilan assignments pull`: the city office's assignments (市级交办事项) into this county's ``shi`` ledger.

1. fetch — the city repository's default branch (``--from URL``, else the git remote ``city``) with plain git
   into ``refs/yilan/city``; no value ever reaches git as an option (a URL starting with ``-`` is refused
   first, and ``--`` separates it), only the transports of history.untrusted_fetch (https, http, ssh, git,
   file — never ``ext::``) are on, and git never prompts for a password (ssh in BatchMode);
2. read — ``assignments/*.yaml`` straight from the fetched commit's objects (``git ls-tree`` and one
   ``git cat-file --batch``), each through :func:`assignments.parse_assignment`: the city repository is
   untrusted, and one file off the shape stops the pull before anything is written (A001–A009);
3. receive — under the writers' lock, every file of the ``shi`` ledger (withdrawn and edited matters too) is
   read for its ``上级编号``; each assignment addressed to this county (units.yaml ``本级`` or ``--as``) that
   no matter carries yet becomes one new matter (IDs as ``yilan add`` issues them), validated, written and
   committed in one commit (``Yilan-Action: assignments-pull``). Nothing new: no commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .assignments import ASSIGNMENTS_DIR, MAX_ASSIGNMENT_BYTES, Assignment, parse_assignment
from .errors import UsageError
from .terminal import one_line

CITY_REMOTE = "city"
CITY_REF = "refs/yilan/city"
LEDGER = "shi"  # the ledger of 市委市政府决策部署落实
ACTION = "assignments-pull"
MAX_FILES = 100_000  # assignments one city repository may hold
_PARENT_LINE = re.compile(r"(?m)^上级编号[ \t]*:[ \t]*[\"']?([^\s\"'#]+)")


class PullFailed(UsageError):
    pass


@dataclass
class Received:
    matter_id: str
    assignment: Assignment


@dataclass
class PullResult:
    source: str  # what was fetched: the URL as given, or the remote's name
    commit: str  # the city commit read
    mine: int  # assignments addressed to this county
    received: list[Received] = field(default_factory=list)
    lead_unit: str = ""
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- fetch
def city_source(root: Path, typed: str | None) -> str:
    """``--from`` as given (refused when git could read it as an option), else the remote ``city``."""
    from .history import run_git

    if typed is not None:
        url = typed.strip()
        if not url:
            raise PullFailed("--from 没有写市级台账仓库的地址", "例如 --from https://git.example.gov.cn/dbs/shi.git", code="A010")
        if url.startswith("-") or any(c in url for c in "\0\n\r") or re.search(r"[\x00-\x1f\x7f]", url):
            raise PullFailed(f"市级台账仓库的地址不正确：{one_line(url)}",
                             "地址应为 https://…、ssh://…、git@主机:路径 或本机文件夹，不能以 - 开头", code="A011")
        return url
    remotes = run_git(root, "remote", check=False).stdout.split()
    if CITY_REMOTE not in remotes:
        raise PullFailed("不知道从哪里接收市级交办事项：没有名为 city 的远端仓库，也没有写 --from",
                         "先运行 git remote add city <市委市政府督查室台账仓库的地址>，或写 --from <地址>", code="A010")
    return CITY_REMOTE


def fetch(root: Path, source: str) -> str:
    """Fetch the default branch of ``source`` into refs/yilan/city; the full sha of the commit fetched."""
    from .history import run_git, untrusted_fetch
    from .sync import _git_words

    args, env = untrusted_fetch(source, f"+HEAD:{CITY_REF}")
    fetched = run_git(root, *args, env=env, check=False)
    if fetched.returncode != 0:
        raise PullFailed(f"未能从市级台账仓库 {one_line(source)} 获取交办事项（连不上，或地址不对、没有权限、仓库为空）",
                         "检查网络和地址（git remote -v；改地址用 git remote set-url city 正确地址）；git 的原话:\n"
                         + _git_words(fetched.stderr or ""), code="A012")
    sha = run_git(root, "rev-parse", "--verify", "-q", f"{CITY_REF}^{{commit}}", check=False).stdout.strip()
    if not sha:
        raise PullFailed(f"市级台账仓库 {one_line(source)} 的默认分支不是提交", "请市委市政府督查室核对其仓库", code="A012")
    return sha


# --------------------------------------------------------------------------- read
def read_assignments(root: Path, commit: str) -> list[Assignment]:
    """Every ``assignments/*.yaml`` of ``commit``, parsed (numeric order of 编号). Any file off the shape,
    not a plain file or over 1 MiB (judged by its size before it is read): the A-code naming it."""
    from .history import Blobs, run_git

    listing = run_git(root, "ls-tree", "-z", "-l", commit, "--", f"{ASSIGNMENTS_DIR}/").stdout
    entries = []
    for item in listing.split("\0"):
        if not item:
            continue
        head, _, path = item.partition("\t")
        if not path.endswith(".yaml"):
            continue  # a README, .gitkeep: not assignments
        mode, kind, sha, size = head.split()
        if mode not in ("100644", "100755") or kind != "blob":
            raise PullFailed(f"市级交办文件 {one_line(path)} 不是普通文件（链接、文件夹或子模块）", "请市委市政府督查室更正；"
                             "本次没有接收任何事项", code="A002")
        if int(size) > MAX_ASSIGNMENT_BYTES:
            raise PullFailed(f"市级交办文件 {one_line(path)} 大于 1 MiB（{size} 字节），不是交办文件",
                             "请市委市政府督查室更正；本次没有接收任何事项", code="A001")
        entries.append((path, sha))
        if len(entries) > MAX_FILES:
            raise PullFailed(f"市级台账仓库的 {ASSIGNMENTS_DIR}/ 中有超过 {MAX_FILES} 个文件", "请市委市政府督查室核对其仓库",
                             code="A009")
    out = []
    with Blobs(root) as blobs:
        for path, sha in entries:
            data = blobs.data(sha) or b""
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise PullFailed(f"市级交办文件 {one_line(path)} 不是 UTF-8 文本", "请市委市政府督查室更正；本次没有接收任何事项",
                                 code="A002") from None
            out.append(parse_assignment(text, path))
    return sorted(out, key=lambda a: (int(a.id.split("-")[1]), a.id))


# --------------------------------------------------------------------------- receive
def parents_in(text: str) -> set[str]:
    """The 上级编号 a matter file carries — read as YAML, and line by line as well (a file broken by hand
    still tells which assignment it answers: never received twice)."""
    from .yamlio import fast_load

    found = set(_PARENT_LINE.findall(text))
    try:
        data = fast_load(text)
    except Exception:  # noqa: BLE001 - a broken file: the line scan above has read it
        return found
    value = data.get("上级编号") if isinstance(data, dict) else None
    if isinstance(value, str) and value.strip():
        found.add(value.strip())
    return found


def shi_ledger(ws: Any) -> Any:
    """The ``shi`` ledger and its 主管单位 (the lead unit of every received matter until the office reassigns)."""
    lg = ws.ledgers.get(LEDGER)
    if lg is None:
        raise PullFailed("这个工作区没有台账 shi（市委市政府决策部署落实），市级交办事项无处登记",
                         "从 yilan 自带的 schemas/ledgers/shi.yaml 复制一份到本工作区的 schemas/ledgers/，提交后再运行",
                         code="A014")
    if not lg.unit.strip():
        raise PullFailed(f"台账 shi（{lg.name}）没有写主管单位：接收的事项先由主管单位牵头",
                         "在 schemas/ledgers/shi.yaml 写 主管单位: 县委办（须是 units.yaml 中登记的单位）", code="A014")
    if lg.unit not in ws.units:
        raise PullFailed(f"台账 shi（{lg.name}）的主管单位 {one_line(lg.unit)} 不在 schemas/units.yaml 中",
                         "在 schemas/units.yaml 登记该单位，或改正 schemas/ledgers/shi.yaml 的主管单位", code="A014")
    return lg


def self_name(ws: Any, typed: str | None) -> str:
    """This county's name as the city calls it: ``--as``, else units.yaml 本级 (A013 when neither)."""
    name = " ".join((typed or "").split()) or ws.self_name
    if not name:
        raise PullFailed("不知道本县在市级名录中的名称：schemas/units.yaml 没有写 本级，也没有写 --as",
                         "在 schemas/units.yaml 加一行 本级: 依兰县（与市委市政府督查室名录中的名称一致）并提交，"
                         "或写 --as 依兰县",
                         code="A013")
    return name


def receive(ws: Any, assignments: list[Assignment], name: str, today: date, *, commit: bool = True,
            author: str | None = None, city_commit: str = "") -> tuple[list[Received], list[str]]:
    """Under the writers' lock: the new matters for the assignments addressed to ``name`` that no file of
    the ``shi`` ledger carries as 上级编号 — planned, validated, written, committed once. Also what the
    office should know (an assignment dated after ``today``, or already past its deadline)."""
    from .checks import check_text
    from .cli.write import WriteRefused
    from .edits import new_matter, next_id, read_last_id
    from .models import ONGOING
    from .txn import Transaction
    from .yamlio import dump

    lg = shi_ledger(ws)
    mine = [a for a in assignments if name in a.to]
    folder = ws.root / "ledgers" / lg.key
    seq_rel = f"ledgers/{lg.key}/.last-id"
    received: list[Received] = []
    with Transaction(ws.root, commit=commit, author=author) as tx:
        names = sorted(p.name for p in folder.glob("*.yaml")) if folder.is_dir() else []
        taken: set[str] = set()
        for file in names:
            taken |= parents_in(tx.read(f"ledgers/{lg.key}/{file}") or "")
        new = [a for a in mine if a.id not in taken]
        if not new:
            return [], []
        issued = read_last_id(tx.read(seq_rel), seq_rel)
        present = [Path(n).stem for n in names]
        planned: list[tuple[str, str]] = []
        for a in new:
            matter_id = next_id(lg, issued, present)
            present.append(matter_id)
            rel = f"ledgers/{lg.key}/{matter_id}.yaml"
            deadline = a.deadline.isoformat() if isinstance(a.deadline, date) else ONGOING
            tree = new_matter(ws, lg, matter_id, title=a.title, lead_unit=lg.unit, deadline=deadline,
                              assigned=a.assigned, leaders=[], co_units=[], source=a.source or f"市级交办 {a.id}",
                              target=a.target, owner=None, cycle=None, tags=[], extra={}, parent=a.id)
            text = dump(tree)
            record, findings = check_text(ws, text, rel, lg.key, matter_id)
            if record is None:
                raise WriteRefused(findings, f"市级交办 {a.id} 登记成事项后无效，没有接收任何事项", located=False)
            planned.append((rel, text))
            received.append(Received(matter_id, a))
        tx.refuse_dirty([rel for rel, _ in planned] + [seq_rel])
        for rel, text in planned:
            tx.write(rel, text)
        tx.write(seq_rel, f"{int(received[-1].matter_id.split('-')[1])}\n")
        ids = [r.assignment.id for r in received]
        shown = "、".join(ids[:10]) + (f"等{len(ids)}件" if len(ids) > 10 else "")
        tx.commit(f"接收市级交办 {shown}", ACTION, [r.matter_id for r in received],
                  trailers={"Yilan-City-Commit": city_commit} if city_commit else None)
    notes = []
    for r in received:
        a = r.assignment
        if a.assigned > today:
            notes.append(f"注意：{a.id} 的交办日期 {a.assigned.isoformat()} 晚于今天 {today.isoformat()}，已按市级文件登记")
        if isinstance(a.deadline, date) and a.deadline < today:
            notes.append(f"注意：{a.id} 的完成时限 {a.deadline.isoformat()} 已过（今天 {today.isoformat()}），"
                         f"{r.matter_id} 接收即超期")
    return received, notes


def pull(ws: Any, typed_from: str | None, typed_as: str | None, today: date, *, commit: bool = True,
         author: str | None = None) -> PullResult:
    """Fetch, read and receive (see the module's docstring)."""
    from .history import git_dir, run_git
    from .txn import refuse_source_checkout

    refuse_source_checkout(ws.root)  # U007 before anything is fetched into yilan's own repository
    if git_dir(ws.root) is None:
        raise PullFailed(f"{ws.root} 不是 git 仓库，无法接收市级交办事项", "在台账仓库中运行（yilan init 新建的工作区即是）",
                         code="G002")
    name = self_name(ws, typed_as)
    lg = shi_ledger(ws)
    top = Path(run_git(ws.root, "rev-parse", "--show-toplevel").stdout.strip())
    source = city_source(top, typed_from)
    sha = fetch(top, source)
    assignments = read_assignments(top, sha)
    received, notes = receive(ws, assignments, name, today, commit=commit, author=author, city_commit=sha)
    return PullResult(source, sha, sum(name in a.to for a in assignments), received, lg.unit, notes)


def describe(result: PullResult) -> list[str]:
    """What a pull did, in the office's words."""
    where = f"市级台账仓库 {one_line(result.source)}（提交 {result.commit[:8]}）"
    if not result.received:
        already = f"：交办本县的 {result.mine} 件均已接收" if result.mine else "：没有交办本县的事项"
        return [f"没有新的市级交办事项（{where}{already}）"]
    lines = [f"从{where}接收市级交办事项 {len(result.received)} 件，登记在台账 shi："]
    for r in result.received:
        a = r.assignment
        due = a.deadline.isoformat() if isinstance(a.deadline, date) else a.deadline
        lines.append(f"  {r.matter_id} ← {a.id} {a.title}（交办日期 {a.assigned.isoformat()}，完成时限 {due}）")
    first = result.received[0].matter_id
    lines.append(f"牵头单位暂定为 {result.lead_unit}（台账 shi 的主管单位）；请按市级要求确定实际牵头单位，"
                 f"用 yilan edit {first} --lead-unit 单位 --reason 理由 改正")
    return [*lines, *result.notes]
