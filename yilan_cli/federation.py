"""The city level (issue 23): a city workspace reads its member counties' ledger repositories from git.

A city workspace is an ordinary workspace (its own schemas/, report_templates/, report_notes/, reports/) plus
``schemas/members.yaml``, the list of member repositories. ``yilan city fetch`` fetches each member with plain
git into ``refs/yilan/members/<名称>`` of the city repository (no work tree, bounded parallelism); the
members' ledgers are then read straight from git objects — ``git ls-tree`` for the names and blob ids, one
``git cat-file --batch`` for the contents — and validated against the member's own schemas/ (exported from the
same commit into ``.yilan/cache/members/``). Reads are cached by commit (a member whose ref did not move costs
nothing) and by blob id (a member that changed 20 files re-reads 20 files): ``.yilan/cache/city.bin``.

Every member's matters are evaluated under the city's rules.yaml (one standard for every county's lights and
赛马); their IDs and paths carry the member's name (依兰县/ZB-003). The county 赛马 and the city circular run
the county's own ranking and report code on a *federated* workspace (:func:`federated`) whose units are the
members (grouped 县 / 县级市 / 区) and whose "ledgers" are the members, so each county's matters count for the
county as a whole, by the same rules and with the same explanations as a county ranks its units.

Members are untrusted input: a name becomes a ref and a folder only after it passed :func:`name_problem`; a
URL reaches git only after :func:`url_problem`, after ``--`` and with ext:: and other command transports
disabled; file contents pass the same checks as a county's own files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError, YilanError
from .findings import Finding, make_finding
from .yamlio import MAX_FILE_BYTES

if TYPE_CHECKING:
    from .records import Record
    from .workspace import Workspace

MEMBERS_FILE = "schemas/members.yaml"
GROUPS = ("县", "县级市", "区")  # 分组: the county 赛马 ranks within each
REF_BASE = "refs/yilan/members/"
KEPT_BASE = "refs/yilan/kept/"  # a member's commit the city saw before the member rewrote its history
INCOMING_BASE = "refs/yilan/incoming/"  # where a fetch lands before it is known to be a commit
STATE_FILE = "members.json"  # under .git/yilan/: what each member's last fetch gave (not a cache: not rebuilt)
CITY_CACHE = Path(".yilan") / "cache" / "city.bin"
SCHEMA_DIRS = Path(".yilan") / "cache" / "members"
CITY_CACHE_FORMAT = 1
FETCH_JOBS = 4  # members fetched at once: a county forge and the city's link are the limit, not the CPU
FETCH_BAR = 20  # members before `city fetch` shows a progress bar (each fetch takes seconds, not microseconds)
FETCH_TIMEOUT = 300  # seconds one member's fetch may take before it counts as unreachable


@dataclass(frozen=True)
class Member:
    """One member repository of schemas/members.yaml."""

    name: str  # 名称: 依兰县 (the county's units.yaml 本级)
    group: str  # 分组: 县 | 县级市 | 区
    url: str  # 地址: a git URL (https://, ssh://, git@host:path, file://)
    branch: str | None = None  # 分支: None → the remote's default branch

    @property
    def ref(self) -> str:
        return REF_BASE + self.name


_NAME_BAD = re.compile(r"[\x00-\x20\x7f-\x9f/\\:*?\"<>|~^\[\]{}@'`$!&;#%,，、。]")


# invisible or layout characters (format marks such as U+200B and the bidi overrides, private use, unassigned,
# any kind of space, line and paragraph separators): a name with them looks like another name, or like nothing
_NAME_INVISIBLE = frozenset(("Cc", "Cf", "Co", "Cs", "Cn", "Zs", "Zl", "Zp"))


def name_problem(name: str) -> str:
    """What keeps ``name`` from naming a member ("" when nothing): it becomes a git ref, a folder name and the
    prefix of IDs (依兰县/ZB-003), so it is 1–20 characters, no blank, invisible character, slash, quote or
    git-special character, and does not start with a dot or a dash nor end with a dot."""
    import unicodedata

    if not 1 <= len(name) <= 20:
        return "应为1–20个字"
    if (_NAME_BAD.search(name) or name.startswith((".", "-")) or name.endswith((".", ".lock")) or ".." in name
            or any(unicodedata.category(c) in _NAME_INVISIBLE for c in name)):
        return "不能含空白、不可见字符、斜杠、引号、标点或 git 的特殊字符,不能以 . 或 - 开头,不能以 . 结尾"
    return ""


def name_key(name: str) -> str:
    """What two names must not share: the same name in full or half width, another case, or a compatibility
    form (ＡＢ县, ab县, AB县) is one ref file on Windows and macOS and reads the same in a circular."""
    import unicodedata

    return unicodedata.normalize("NFKC", name).casefold()


_SCP = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$")  # git@git.example.cn:county/ledgers.git
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://[^\s]+$")
_BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,100}(?<![./])$")


def url_problem(url: str) -> str:
    """What keeps ``url`` from being fetched ("" when nothing): a URL of a transport in history.FETCH_PROTOCOLS
    (https://…, ssh://…, git://…, file:///…) or scp-like ``user@host:path``; never a text git would read as an
    option or a command transport (``-u…``, ``ext::sh -c …``)."""
    if url.startswith("-") or any(ord(c) < 32 or c.isspace() for c in url):
        return "不能以 - 开头,不能含空白或控制字符"
    m = _SCHEME.match(url)
    if m:
        from .history import FETCH_PROTOCOLS

        return "" if m.group(1) in FETCH_PROTOCOLS else f"不支持 {m.group(1)}:// (可用 https、ssh、git、file)"
    if _SCP.match(url) and "::" not in url:
        return ""
    return "应为 https://、ssh://、git://、file:// 地址,或 用户@主机:路径"


def load_members(root: Path) -> tuple[Member, ...]:
    """schemas/members.yaml: a list of {名称, 分组, 地址, 分支}. Refused (E400, naming the entry and field): a
    bad name, group, URL or branch, or a name given twice. Missing file: F001 (not a city workspace)."""
    from .workspace import Values, read_schema

    path = root / MEMBERS_FILE
    if not path.is_file() or path.is_symlink():
        raise UsageError(f"{MEMBERS_FILE} 不存在:这里不是市级工作区", "用 yilan city init <文件夹> 新建市级工作区,"
                         "或在市级工作区中运行", code="F001")
    v = Values(path)
    out: list[Member] = []
    seen: dict[str, str] = {}  # name_key → the name
    for i, item in enumerate(v.items(read_schema(path), "")):
        where = f"第{i + 1}个成员"
        item = v.mapping(item, where, optional=False)
        for key in item:
            v.need(key in ("名称", "分组", "地址", "分支"), f"{where}.{key}", "只能写 名称、分组、地址、分支")
        name = v.text(item.get("名称"), f"{where}.名称")
        v.need(not name_problem(name), f"{where}.名称", name_problem(name))
        other = seen.setdefault(name_key(name), name)
        v.need(other == name and not any(m.name == name for m in out), f"{where}.名称",
               f"“{name}”重复" if other == name else f"“{name}”与“{other}”重复(只差大小写或全角半角)")
        group = v.text(item.get("分组"), f"{where}.分组")
        v.need(group in GROUPS, f"{where}.分组", f"应为 {' | '.join(GROUPS)}")
        url = v.text(item.get("地址"), f"{where}.地址")
        v.need(not url_problem(url), f"{where}.地址", url_problem(url))
        branch = v.text(item.get("分支"), f"{where}.分支", "") or None
        v.need(branch is None or bool(_BRANCH.match(branch)), f"{where}.分支", "不是有效的分支名")
        out.append(Member(name, group, url, branch))
    return tuple(out)


def pick(members: tuple[Member, ...], name: str | None) -> tuple[Member, ...]:
    """``--member``: that member alone (F002 naming the members there are); None: all of them."""
    if name is None:
        return members
    chosen = tuple(m for m in members if m.name == name)
    if not chosen:
        known = "、".join(m.name for m in members) or "(还没有成员)"
        raise UsageError(f"没有这个成员:{name}", f"schemas/members.yaml 中的成员:{known}", code="F002")
    return chosen


# --------------------------------------------------------------------------- fetch state
@dataclass
class Fetched:
    """What the city knows of a member's last fetch: the commit it holds, when it was fetched, and — when the
    last attempt failed — when and why (the member is then 数据未更新)."""

    commit: str = ""  # "" never fetched
    fetched: str = ""  # ISO date of the last successful fetch
    failed: str = ""  # ISO date of the last failed attempt after it ("" when the last attempt succeeded)
    error: str = ""
    rewritten: str = ""  # the commit the member's history no longer contains (kept under refs/yilan/kept/)

    @property
    def stale(self) -> bool:
        return bool(self.failed) or not self.commit


def _state_path(root: Path) -> Path:
    from .history import git_dir

    gdir = git_dir(root)
    if gdir is None:
        raise UsageError(f"{root} 不是 git 仓库", "市级工作区是一个 git 仓库:用 yilan city init 新建", code="F003")
    return gdir / "yilan" / STATE_FILE


def read_state(root: Path) -> dict[str, Fetched]:
    """The fetch state (a damaged file counts as no fetch recorded: the refs still hold the commits)."""
    try:
        doc = json.loads(_state_path(root).read_text(encoding="utf-8"))
        return {str(k): Fetched(**{f: str(v.get(f, "")) for f in Fetched.__dataclass_fields__})
                for k, v in doc.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError, TypeError, RecursionError):  # RecursionError: [[[[… nested deep
        return {}


def _write_state(root: Path, state: dict[str, Fetched]) -> None:
    from dataclasses import asdict

    from .filecheck import replace_file

    path = _state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(os.fspath(path), json.dumps({k: asdict(v) for k, v in state.items()}, ensure_ascii=False,
                                             indent=1).encode())


def refs(root: Path) -> dict[str, str]:
    """Member name → the commit its ref holds, in one git call. A ref that holds no commit (a blob or a tree
    put there by hand or by an older yilan's fetch) counts as nothing held, never as something to read."""
    from .history import run_git

    listing = run_git(root, "for-each-ref", "--format=%(objectname) %(objecttype) %(refname)", REF_BASE).stdout
    out = {}
    for line in listing.split("\n"):  # not splitlines(): that also splits at U+2028 and friends
        sha, kind, ref = [*line.split(" ", 2), "", ""][:3]
        if kind == "commit" and ref.startswith(REF_BASE):
            out[ref[len(REF_BASE):]] = sha
    return out


# --------------------------------------------------------------------------- fetch
@dataclass
class FetchResult:
    member: Member
    ok: bool
    commit: str  # the commit now held ("" none)
    before: str  # the commit held before
    error: str = ""
    rewritten: bool = False  # the member's new history does not contain what the city held


def _fetch_one(root: Path, m: Member, before: str, timeout: float) -> FetchResult:
    """One member's fetch. It lands in ``refs/yilan/incoming/<名称>``, never in the member's ref itself: what a
    member's forge sends may name a blob or a tree, and the commit the city holds must survive that."""
    from .history import GIT_ENV, run_git, untrusted_fetch

    source = f"refs/heads/{m.branch}" if m.branch else "HEAD"
    args, extra = untrusted_fetch(m.url, f"+{source}:{INCOMING_BASE}{m.name}")
    try:  # not run_git: each member has a time limit, and members are fetched side by side in threads
        r = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=root, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, encoding="utf-8", errors="replace",
                           env={**os.environ, **GIT_ENV, **extra}, timeout=timeout)
    except subprocess.TimeoutExpired:
        return FetchResult(m, False, before, before, f"超过 {timeout:g} 秒未完成")
    except OSError as e:
        return FetchResult(m, False, before, before, e.strerror or str(e))
    if r.returncode != 0:
        return FetchResult(m, False, before, before, fetch_error(r.stderr, r.returncode))
    incoming = INCOMING_BASE + m.name
    now = run_git(root, "rev-parse", "--verify", "--quiet", f"{incoming}^{{commit}}", check=False).stdout.strip()
    run_git(root, "update-ref", "-d", incoming, check=False)
    if not now:  # a blob or a tree (a hostile or broken forge): the commit the city held stays where it was
        return FetchResult(m, False, before, before, "获取到的不是提交(该县仓库的分支指向的不是提交,请该县核对)")
    if now != before:  # the commit itself (an annotated tag peeled), so every reader gets a commit
        run_git(root, "update-ref", m.ref, now)
    rewritten = bool(before) and now != before and run_git(
        root, "merge-base", "--is-ancestor", before, now, check=False).returncode != 0
    if rewritten:  # keep what the city saw: a circular made from it can still be re-made, and the change is told
        run_git(root, "update-ref", f"{KEPT_BASE}{m.name}/{before}", before, check=False)
    return FetchResult(m, True, now, before, "", rewritten)


# git's words for why a fetch failed → the office's (checked in this order; anything else: git's own first line)
_FETCH_ERRORS = (
    (("could not resolve host", "name or service not known", "temporary failure in name resolution"),
     "找不到服务器(地址中的主机名有误,或内网域名解析不可用)"),
    (("connection timed out", "connection refused", "no route to host", "network is unreachable", "timed out"),
     "连接不上服务器(服务器未开或网络不通)"),
    (("permission denied", "authentication failed", "could not read username", "terminal prompts disabled",
      "403", "401", "host key verification failed"), "没有访问权限(检查该县仓库给市级的只读部署密钥或账号)"),
    (("does not appear to be a git repository", "repository not found", "not found", "no such file"),
     "仓库不存在(核对 schemas/members.yaml 中的地址)"),
    (("couldn't find remote ref", "invalid refspec"), "仓库中没有这个分支(核对 分支,或不写 分支 用默认分支)"),
)


def fetch_error(stderr: str, code: int) -> str:
    """Why a member's fetch failed, in the office's words, with git's own line after it (terminal-safe)."""
    from .terminal import inline

    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    first = next((ln for ln in lines if ln.lower().startswith(("fatal:", "error:"))), lines[0] if lines else "")
    low = stderr.lower()
    said = next((words for keys, words in _FETCH_ERRORS if any(k in low for k in keys)), "")
    git_line = inline(first)[:200] or f"git 退出码 {code}"
    return f"{said}:{git_line}" if said else git_line


def fetch(root: Path, members: tuple[Member, ...], today: date, jobs: int = FETCH_JOBS,
          timeout: float = FETCH_TIMEOUT) -> list[FetchResult]:
    """Fetch every member (``jobs`` at a time, each at most ``timeout`` seconds), in members.yaml order.

    A member that cannot be reached keeps the commit it had and is recorded as failed on ``today`` (数据未更新);
    one whose history no longer contains the commit the city held is fetched all the same and told
    (``rewritten``), the old commit kept under ``refs/yilan/kept/<名称>/<commit>``. The state is written
    after every member is done (under the city's writers' lock, taken by the caller)."""
    from concurrent.futures import ThreadPoolExecutor

    from .progress import counted

    held = refs(root)
    state = read_state(root)
    with ThreadPoolExecutor(max(1, min(jobs, len(members) or 1))) as pool:
        futures = [pool.submit(_fetch_one, root, m, held.get(m.name, ""), timeout) for m in members]
        results = [f.result() for f in counted(futures, len(futures), "获取成员仓库", minimum=FETCH_BAR)]
    day = today.isoformat()
    for r in results:
        old = state.get(r.member.name, Fetched())
        if r.ok:
            state[r.member.name] = Fetched(r.commit, day, "", "", r.before if r.rewritten else old.rewritten)
        else:
            state[r.member.name] = Fetched(r.commit or old.commit, old.fetched, day, r.error, old.rewritten)
    _write_state(root, state)
    return results


# --------------------------------------------------------------------------- reading members from git
@dataclass
class MemberView:
    """One member as the city sees it: its fetch state and its valid matters (IDs prefixed 依兰县/)."""

    member: Member
    fetched: Fetched
    commit: str
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    read: int = 0  # matter files read from git objects by this run (not from the cache by commit or by blob id)
    cacheable: bool = True  # False: what was read depends on more than the commit (its schemas not exported, an
    # object missing), so it is read again next time instead of being kept in city.bin by the commit

    @property
    def stale(self) -> bool:
        return self.fetched.stale

    @property
    def invalid_files(self) -> list[str]:
        return sorted({f.file for f in self.findings if f.severity == "error"})


def _cache_key() -> str:
    from . import __version__
    from .store import CACHE_FORMAT

    return f"{CITY_CACHE_FORMAT}|{CACHE_FORMAT}|{__version__}|{sys.version_info[:2]}"


def _finding_values(f: Finding) -> tuple[Any, ...]:
    return (f.file, f.line, f.column, f.code, f.severity, f.message, f.hint)


def read_members(root: Path, members: tuple[Member, ...], use_cache: bool | None = None,
                 commits: dict[str, str] | None = None) -> list[MemberView]:
    """Every member's matters at the commit the city holds for it (never fetched: none), read from git objects;
    ``commits`` (name → commit, a circular's record): those commits instead, read afresh (no cache is trusted).

    Cached in ``.yilan/cache/city.bin``, per member: its commit, its records and findings — a member whose ref
    did not move is taken whole — and each record's key (the member's schemas, the file's path and blob id): a
    member whose ref moved re-reads only the files whose blob (or whose member's schemas) changed."""
    from .records import Record
    from .store import cache_enabled
    from .workspace import read_cache_file, write_cache_file

    use = (cache_enabled() if use_cache is None else use_cache) and commits is None
    doc = read_cache_file(root / CITY_CACHE) if use else None
    ok = isinstance(doc, tuple) and len(doc) == 2 and doc[0] == _cache_key() and isinstance(doc[1], dict)
    cached: dict[str, Any] = doc[1] if ok else {}  # type: ignore[index]
    held = refs(root) if commits is None else commits
    state = read_state(root) if commits is None else {n: Fetched(c, "", "", "") for n, c in commits.items()}
    views = []
    changed = False
    size = len(Record._fields)
    fresh: dict[str, Any] = {}
    todo: list[tuple[MemberView, dict[str, Any]]] = []  # members whose ref moved (or never read): from git objects
    for m in members:
        commit = held.get(m.name, "")
        view = MemberView(m, state.get(m.name) or Fetched(commit, "", "", ""), commit)
        views.append(view)
        hit: Any = cached.get(m.name)
        shaped = type(hit) is tuple and len(hit) == 5 and type(hit[1]) is tuple and type(hit[2]) is tuple \
            and len(hit[1]) == len(hit[2])
        if commit and shaped and hit[0] == commit:
            try:
                view.records = [Record._make(r) for r in hit[2]]
                view.findings = [Finding(*f) for f in hit[3]]
                view.files = int(hit[4])
                fresh[m.name] = hit
                continue
            except (TypeError, ValueError):
                view.records, view.findings = [], []
        if commit:
            changed = True
            todo.append((view, dict(zip(hit[1], hit[2], strict=True)) if shaped else {}))
    place = {v.member.name: i for i, v in enumerate(views)}
    for view, keys in _read_all(root, todo, size):
        views[place[view.member.name]] = view  # a worker's copy, read there
        if not view.cacheable:
            continue
        fresh[view.member.name] = (view.commit, tuple(keys), tuple(tuple(r) for r in view.records),
                                   tuple(_finding_values(f) for f in view.findings), view.files)
    if use and (changed or fresh.keys() != cached.keys()):
        write_cache_file(root / CITY_CACHE, (_cache_key(), fresh))
    return views


PARALLEL_MEMBERS = 4  # members to read from git objects before worker processes pay for their start-up


def _read_all(root: Path, todo: list[tuple[MemberView, dict[str, Any]]],
              size: int) -> list[tuple[MemberView, list[str]]]:
    """Each member of ``todo`` read (:func:`_read_member`), with the keys of its records; a first read of many
    members (a new city, a yilan upgrade) by one forked worker process per core (Linux; elsewhere in this
    process), each member wholly in one worker, with a progress bar on a terminal. The result does not depend on
    how they were read."""
    from .progress import counted
    from .store import _can_fork

    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_MEMBERS or workers < 2 or not _can_fork():
        return [(view, _read_member(root, view, known, size))
                for view, known in counted(todo, len(todo), "读取成员台账", minimum=20)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .store import end_with

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=end_with,
                             initargs=(os.getpid(),)) as pool:
        done = pool.map(_read_in_worker, [(root, view, known, size) for view, known in todo])
        return list(counted(done, len(todo), "读取成员台账", minimum=20))


def _read_in_worker(task: tuple[Path, MemberView, dict[str, Any], int]) -> tuple[MemberView, list[str]]:
    root, view, known, size = task
    keys = _read_member(root, view, known, size)
    return view, keys


def _tree(root: Path, commit: str) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of the member's schemas/ and ledgers/ files at ``commit``."""
    from .history import run_git

    listing = run_git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", "schemas", "ledgers").stdout
    out = []
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode, kind, sha = meta.split(" ")
        if kind in ("blob", "commit"):
            out.append((mode, sha, path))
    return out


_SCHEMA_PATH = re.compile(r"^schemas/(rules|units|taskforces)\.yaml$|^schemas/ledgers/[^/]+\.yaml$")
_LEDGER_PATH = re.compile(r"^ledgers/([^/.][^/]*)/([^/]+)\.yaml$")


def _member_workspace(root: Path, m: Member, schema: list[tuple[str, str, str]], blobs: Any) -> Workspace:
    """The member's own schemas at its commit, exported into ``.yilan/cache/members/<hash>/`` and loaded as a
    county workspace loads its schemas (every value checked). A link among them is refused (E114)."""
    from .filecheck import link_on_the_way, replace_file
    from .workspace import load

    folder = root / SCHEMA_DIRS / hashlib.sha256(m.name.encode()).hexdigest()[:16]
    wanted = {}
    for mode, sha, path in schema:
        if mode == "120000" or mode == "160000":
            raise YilanError(f"{path} 是符号链接或子模块,不能作为成员的定义文件", "成员仓库的 schemas/ 须为普通文件",
                             code="E114", path=path)
        size, data = blobs.sized(sha, MAX_FILE_BYTES)
        if data is None:
            raise YilanError(f"{path} 读不到(仓库对象缺失)" if size < 0 else f"{path} 有 {size:,} 字节,超过 1 MB",
                             "核对成员仓库的 schemas/" if size >= 0 else "重新运行 yilan city fetch", code="F004", path=path)
        wanted[path] = data
    if "schemas/rules.yaml" not in wanted:
        raise YilanError("成员仓库中没有 schemas/rules.yaml:不是 yilan 台账仓库", "核对 schemas/members.yaml 中的地址和分支",
                         code="F005", path="schemas/rules.yaml")
    link = link_on_the_way(folder / "schemas" / "ledgers", root)
    if link is not None:  # yilan writes and deletes *.yaml there: never through a link, to wherever it points
        raise YilanError(f"{link.relative_to(root).as_posix()} 是符号链接,不导出该成员的定义文件",
                         f"删除这个链接(yilan 会重建 {SCHEMA_DIRS.as_posix()}/)", code="E114", path="schemas")
    existing = {p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml")} if folder.is_dir() else set()
    for rel in existing - set(wanted):
        (folder / rel).unlink(missing_ok=True)
    for rel, data in wanted.items():
        target = folder / rel
        try:
            if target.read_bytes() == data and not target.is_symlink():
                continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(os.fspath(target), data)
    return load(folder)


def _read_member(root: Path, view: MemberView, known: dict[str, Any], size: int) -> list[str]:
    """Fill ``view`` from git objects, taking each record whose key is in ``known`` (the member's cached records,
    already named 依兰县/…) instead of reading its blob; returns the keys of ``view.records``, in order."""
    from .history import Blobs
    from .records import Record

    m = view.member
    tree = _tree(root, view.commit)
    schema = [e for e in tree if _SCHEMA_PATH.match(e[2])]
    matters = [(mode, sha, path, match) for mode, sha, path in tree if (match := _LEDGER_PATH.match(path))]
    view.files = len(matters)
    keys: list[str] = []
    with Blobs(root) as objects:
        try:
            ws = _member_workspace(root, m, schema, objects)
        except YilanError as e:
            view.cacheable = False  # a member with no schemas costs little to look at again
            view.findings.append(Finding(f"{m.name}/{_in_member(e.path or 'schemas')}", max(e.line or 1, 1),
                                         max(e.column or 1, 1), e.code or "E400", "error",
                                         e.message.replace(str(root / SCHEMA_DIRS), "…"), e.hint))
            return keys
        skey = hashlib.sha256("".join(f"{p}\0{s}\0" for _, s, p in schema).encode()).hexdigest()[:20]
        seen: dict[str, str] = {}
        for mode, sha, path, match in matters:
            key = f"{skey}:{sha}:{path}"
            shown = f"{m.name}/{path}"
            hit = known.get(key)
            if type(hit) is tuple and len(hit) == size and str(hit[0]).startswith(f"{m.name}/"):
                record = Record._make(hit)  # the same schemas, path and content: the record it gave before
            else:
                found = _read_blob(objects, ws, view, mode, sha, path, match)
                if found is None:
                    continue
                record = found._replace(id=f"{m.name}/{found.id}", path=shown)
            plain = record.id.partition("/")[2]
            other = seen.get(plain)
            if other is not None:
                view.findings.append(make_finding(shown, 1, 1, "E304", {"id": plain, "other": other}))
                continue
            seen[plain] = shown
            keys.append(key)
            view.records.append(record)
    return keys


def _in_member(path: str) -> str:
    """A file of the member's exported schemas (…/.yilan/cache/members/<hash>/schemas/units.yaml) as the member's
    own path (schemas/units.yaml): findings name the county's file, never the city's cache folder."""
    posix = path.replace("\\", "/")
    return "schemas/" + posix.split("/schemas/", 1)[1] if "/schemas/" in posix else posix


def _read_blob(objects: Any, ws: Workspace, view: MemberView, mode: str, sha: str, path: str,
               match: re.Match[str]) -> Record | None:
    """One matter file of a member from its blob, validated against the member's schemas; None (with the
    member's findings added) for a link, a submodule, an oversized, binary or invalid file."""
    from .checks import check_text
    from .filecheck import decode_text

    shown = f"{view.member.name}/{path}"
    if mode == "120000":
        view.findings.append(make_finding(shown, 1, 1, "E114"))
        return None
    if mode == "160000":
        return None
    view.read += 1
    size, raw = objects.sized(sha, MAX_FILE_BYTES)
    if raw is None:
        view.findings.append(make_finding(shown, 1, 1, "E100", {"size": size, "limit": MAX_FILE_BYTES}) if size >= 0
                             else make_finding(shown, 1, 1, "E104", {"detail": "仓库对象缺失,重新运行 yilan city fetch"}))
        view.cacheable = view.cacheable and size >= 0
        return None
    text, problems = decode_text(raw, shown)
    if text is None:
        view.findings.extend(problems)
        return None
    valid, problems = check_text(ws, text, path, match.group(1), match.group(2))
    if valid is None:
        view.findings.extend(replace(f, file=f"{view.member.name}/{f.file}") for f in problems)
        return None
    return valid.record()


# --------------------------------------------------------------------------- the federated workspace
def federated(city: Workspace, members: tuple[Member, ...]) -> Workspace:
    """The workspace the county 赛马 and the city circular run on: units are the members (group 县/县级市/区, in
    members.yaml order), each member is one "ledger" (the circular's per-ledger table becomes the per-county
    table), rules are the city's. Pair it with :func:`as_county_records`."""
    from .workspace import LedgerDef, Workspace

    ledgers = {m.name: LedgerDef(m.name, "", m.name, m.name, "季", order=i) for i, m in enumerate(members)}
    return Workspace(city.root, ledgers, {m.name: m.group for m in members}, (), city.rules, city.schema_hash,
                     (), {}, level="city")


def member_of(record: Record) -> str:
    """The member a city record belongs to (依兰县/ZB-003 → 依兰县)."""
    return record.id.partition("/")[0]


def as_county_records(views: list[MemberView]) -> list[Record]:
    """Each member's matters led, for the city, by the member itself (its ledger and lead unit its name)."""
    return [r._replace(ledger=v.member.name, lead_unit=v.member.name) for v in views for r in v.records]
