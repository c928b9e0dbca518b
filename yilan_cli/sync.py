"""`yilan sync`: fetch, replay the unpushed local commits on the upstream, push — holding the writers' lock.

No remote or branch is hard-coded: the current branch's configured upstream is used. The whole run holds
the lock every yilan writer takes, so no write can land between reading HEAD and moving the branch.

The replay never touches the user's work tree: the local commits are cherry-picked onto the upstream in a
separate worktree (``.git/yilan/sync-tree``), matter files merging through the yilan merge driver. Only when
that succeeded is the branch moved — a compare-and-swap ``update-ref`` from the head that was read — and the
files that changed are brought up to date (journalled in ``.git/yilan/sync.json``, so that a sync killed in
between is finished by the next yilan command). A failure or a kill before that leaves the branch, the index
and every file exactly as they were.

Two clones that each added a matter under the same new ID (both took "the next number") would collide: the
local, unpushed matter is renumbered to the next ID free on the upstream. The local commits are rewritten
first (object database only: the file moves to its new name, its 编号 and the commit messages follow), then
replayed like any others — so every other file those commits touched still merges with what the colleague
pushed, instead of being overwritten.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import YilanError
from .history import diff_trees, log, run_git
from .txn import exact_text, plain_path

SYNC_JOURNAL = "sync.json"
SYNC_TREE = "sync-tree"


class SyncFailed(YilanError):
    pass


@dataclass
class SyncResult:
    upstream: str
    pulled: int
    pushed: int
    renumbered: dict[str, str] = field(default_factory=dict)  # old ID → new ID


_AUTH = ("Authentication failed", "could not read Username", "Permission denied", "403", "401")
_UNREACHABLE = ("Could not resolve host", "unable to access", "does not appear to be a git repository",
                "Connection refused", "timed out", "not found", "No such file or directory", "Could not read from remote")
_REFUSED = ("hook declined", "protected branch", "remote rejected", "pre-receive", "not allowed", "denied")


def _git_words(err: str) -> str:
    """What git and the forge said (their own lines, for the hint)."""
    lines = [ln.strip() for ln in err.splitlines() if ln.strip() and not ln.startswith("hint:")]
    return "\n".join(f"    {ln}" for ln in lines[-6:])


def _fail_git(r: object, what: str) -> SyncFailed:
    err = getattr(r, "stderr", "") or ""
    said = _git_words(err)
    if any(s in err for s in _AUTH):
        return SyncFailed(f"{what}失败:台账服务器拒绝了身份验证",
                          "检查内网 Gitea/GitLab 的用户名、密码或令牌(git credential),再运行 yilan sync;服务器的原话:\n" + said,
                          code="S003")
    if any(s in err for s in _UNREACHABLE):
        return SyncFailed(f"{what}失败:连不上台账服务器,或服务器上没有这个仓库",
                          "检查网络和远端地址(git remote -v),地址不对用 git remote set-url origin 正确地址;git 的原话:\n" + said,
                          code="S004")
    return SyncFailed(f"{what}失败", "git 的原话:\n" + said, code="S004")


def push_refusal(pushed: object) -> SyncFailed:
    """Why the forge did not take a push: it moved on (run again), it refuses (permissions), or it is not there."""
    err = getattr(pushed, "stderr", "") or ""
    if "fetch first" in err or "non-fast-forward" in err:
        return SyncFailed("推送被拒绝:台账服务器上又有了同事的新提交", "再运行一次同一条命令", code="S005")
    if any(s in err for s in _REFUSED):
        return SyncFailed("台账服务器拒绝了推送(分支受保护,或您没有推送权限)",
                          "请台账服务器管理员开放该分支的推送权限,或按单位规定提交合并请求;服务器的原话:\n" + _git_words(err),
                          code="S009")
    return _fail_git(pushed, "推送")


def sync(root: Path) -> SyncResult:
    from .txn import Transaction

    with Transaction(root) as tx:  # lock, git checks, recovery of an interrupted write or sync
        top = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())  # git's paths are from the top
        upstream = _upstream(top, required=True)
        assert upstream is not None
        return _sync(top, tx.state_dir, upstream)


def has_upstream(root: Path) -> bool:
    """Whether the current branch has an upstream to sync with (S010 when the configured one is gone)."""
    top = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())
    return _upstream(top, required=False) is not None


def describe(result: SyncResult) -> list[str]:
    """What a sync did, in the office's words."""
    lines = [f"本地新增的 {old} 与 {result.upstream} 上的事项编号重复,已改为 {new}(本地提交已改写)"
             for old, new in result.renumbered.items()]
    return [*lines, f"已与 {result.upstream} 同步:拉取 {result.pulled} 个提交,推送 {result.pushed} 个提交"]


@dataclass
class Upstream:
    branch: str
    remote: str
    merge: str  # the upstream branch's ref on the remote (refs/heads/main)
    name: str  # origin/main


def _upstream(root: Path, required: bool) -> Upstream | None:
    """The current branch's upstream from git's configuration (None, or S002 when ``required``)."""
    branch = run_git(root, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    remote = run_git(root, "config", "--get", f"branch.{branch}.remote", check=False).stdout.strip() if branch else ""
    merge = run_git(root, "config", "--get", f"branch.{branch}.merge", check=False).stdout.strip() if branch else ""
    up = run_git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    if remote and merge and remote != "." and up.returncode != 0:  # configured, but the server's branch is gone
        raise SyncFailed(f"分支 {branch} 的上游 {remote}/{merge.removeprefix('refs/heads/')} 在台账服务器上已不存在",
                         f"请管理员确认服务器上的分支名;改用新的分支:git branch -u {remote}/新分支名"
                         "(文号和同步都以服务器为准,不会在本地另起编号)", code="S010")
    if up.returncode != 0 or not remote or not merge or remote == ".":
        if not required:
            return None
        if not run_git(root, "remote", check=False).stdout.split():
            raise SyncFailed("这个台账仓库还没有连到台账服务器(没有远端仓库)",
                             "先运行 git remote add origin <内网 Gitea/GitLab 上台账仓库的地址>,"
                             f"再运行 git push -u origin {branch}", code="S002")
        raise SyncFailed(f"当前分支 {branch} 没有设置上游(远端分支)",
                         f"第一次推送时设置:git push -u origin {branch}(origin 换成内网仓库的远端名)", code="S002")
    if remote.startswith("-") or merge.startswith("-"):
        raise SyncFailed(f"分支 {branch} 的上游设置不正确:{remote} {merge}", "用 git branch -u 远端名/分支名 重新设置",
                         code="S002")
    return Upstream(branch, remote, merge, up.stdout.strip())


def _sync(root: Path, state: Path, upstream: Upstream) -> SyncResult:
    if run_git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip():
        raise SyncFailed("有未提交的修改,不能同步", "先提交(或放弃)这些修改,再运行 yilan sync", code="S001")
    fetched = run_git(root, "fetch", "--quiet", upstream.remote, check=False)
    if fetched.returncode != 0:
        raise _fail_git(fetched, "获取远端更新")
    head = run_git(root, "rev-parse", "--verify", "HEAD").stdout.strip()
    theirs = run_git(root, "rev-parse", "--verify", "@{u}^{commit}").stdout.strip()
    base = run_git(root, "merge-base", head, theirs).stdout.strip()
    local = [c.sha for c in log(root, "--reverse", f"{base}..{head}")]
    pulled = len(log(root, f"{base}..{theirs}"))
    dropped = _interrupted_issue(root, state, local)
    if dropped:
        local.remove(dropped)
    renumbered: dict[str, str] = {}
    new_head = head
    if local and (pulled or dropped):
        new_head, renumbered = _replay(root, state, base, head, theirs, local)
    elif pulled or dropped:
        new_head = theirs
    if new_head != head:
        move_branch(root, state, upstream.branch, head, new_head)
    (state / ISSUE_JOURNAL).unlink(missing_ok=True)
    if local:
        _push(root, upstream)
    return SyncResult(upstream.name, pulled, len(local), renumbered)


def _push(root: Path, upstream: Upstream) -> None:
    pushed = run_git(root, "push", "--quiet", upstream.remote, f"HEAD:{upstream.merge}", check=False)
    if pushed.returncode != 0:
        raise push_refusal(pushed)


# --------------------------------------------------------------------------- numbers issued on a shared ledger
# A document number must be unique across every clone, so on a branch with an upstream the forge decides:
# issuing syncs first, numbers from the register it then holds, commits and pushes at once. A push the forge
# refuses (a colleague issued in between) takes the local commit back and asks to run the command again;
# a run killed between its commit and its push is found by the next sync or issue (.git/yilan/issue.json)
# and, not being on the forge, is dropped: its documents were never written, its number goes back.
ISSUE_JOURNAL = "issue.json"


@dataclass
class Shared:
    """Publishing a register commit to the upstream (see above)."""

    root: Path
    state: Path
    upstream: Upstream

    def begin(self) -> None:
        from .txn import atomic_write

        head = run_git(self.root, "rev-parse", "--verify", "HEAD").stdout.strip()
        atomic_write(self.state / ISSUE_JOURNAL, json.dumps({"version": 1, "before": head}))

    def publish(self) -> None:
        journal = self.state / ISSUE_JOURNAL
        pushed = run_git(self.root, "push", "--quiet", self.upstream.remote, f"HEAD:{self.upstream.merge}", check=False)
        if pushed.returncode == 0:
            journal.unlink(missing_ok=True)
            return
        before = json.loads(journal.read_text(encoding="utf-8"))["before"]
        head = run_git(self.root, "rev-parse", "--verify", "HEAD").stdout.strip()
        move_branch(self.root, self.state, self.upstream.branch, head, before)
        journal.unlink(missing_ok=True)
        why = push_refusal(pushed)
        raise SyncFailed(f"文号没能在台账服务器({self.upstream.name})上登记,本次未印发,文号已收回:{why.message}",
                         why.hint + "(文号须在服务器登记,保证全县唯一)", code=why.code)


def shared_for_issue(root: Path, state: Path) -> Shared | None:
    """On a branch with an upstream: sync now, and return what publishes the register commit; else None."""
    top = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())
    upstream = _upstream(top, required=False)
    if upstream is None:
        return None
    try:
        result = _sync(top, state, upstream)
    except SyncFailed as e:
        raise SyncFailed(f"印发前须先与台账服务器同步(保证文号唯一),同步失败:{e.message}", e.hint, code=e.code) from None
    for line in describe(result)[:-1]:
        print(line, file=sys.stderr)
    return Shared(top, state, upstream)


def _interrupted_issue(root: Path, state: Path, local: list[str]) -> str | None:
    """The register commit of an issuing run killed before its push (not on the upstream), if any."""
    try:
        before = str(json.loads((state / ISSUE_JOURNAL).read_text(encoding="utf-8"))["before"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None
    if run_git(root, "merge-base", "--is-ancestor", before, "HEAD", check=False).returncode != 0:
        return None
    for c in log(root, "--reverse", f"{before}..HEAD"):
        if c.action in ("issue", "escalate"):
            if c.sha not in local:
                return None  # it reached the upstream after all
            print(f"上次被中断的印发“{c.subject}”没有在台账服务器登记,已作废(文件未生成,文号收回);需要时重新印发",
                  file=sys.stderr)
            return c.sha
    return None


# --------------------------------------------------------------------------- moving the branch
def move_branch(root: Path, state: Path, branch: str, old: str, new: str) -> None:
    """Move ``branch`` from ``old`` to ``new`` (only if it is still at ``old``) and bring the changed files up to date."""
    from .history import Blobs

    changed = _changed(root, old, new)
    with Blobs(root) as blobs:
        for rel in changed:  # an untracked file where the upstream brings one would be overwritten
            path = root / rel
            if path.exists() and blobs.text(f"{old}:{rel}") is None and exact_text(path) != blobs.text(f"{new}:{rel}"):
                raise SyncFailed(f"远端新增的 {rel} 与本地一个未提交的同名文件冲突,未同步",
                                 f"先把本地的 {rel} 移走或改名,再运行 yilan sync", code="S008")
    journal = state / SYNC_JOURNAL
    from .txn import atomic_write

    atomic_write(journal, json.dumps({"version": 1, "branch": branch, "old": old, "new": new}))
    moved = run_git(root, "update-ref", "-m", "yilan sync", f"refs/heads/{branch}", new, old, check=False)
    if moved.returncode != 0:
        journal.unlink(missing_ok=True)
        raise SyncFailed(f"同步期间分支 {branch} 有了新的提交,未同步", "再运行一次 yilan sync", code="S007")
    _bring_up_to_date(root, old, new, changed)
    journal.unlink(missing_ok=True)


def finish_interrupted(root: Path, state: Path) -> None:
    """A sync killed after moving its branch: bring the files up to date (never over a file changed since)."""
    journal = state / SYNC_JOURNAL
    try:
        doc = json.loads(journal.read_text(encoding="utf-8"))
        branch, old, new = str(doc["branch"]), str(doc["old"]), str(doc["new"])
    except FileNotFoundError:
        return
    except (ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)
        return
    root = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())
    if any(run_git(root, "cat-file", "-e", f"{c}^{{commit}}", check=False).returncode for c in (old, new)):
        journal.unlink(missing_ok=True)  # its commits were pruned since: nothing left to finish
        return
    at = run_git(root, "rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False).stdout.strip()
    if at == new:
        _bring_up_to_date(root, old, new, _changed(root, old, new))
        print(f"上次被中断的同步已完成:{branch} 已更新到 {new[:8]}", file=sys.stderr)
    journal.unlink(missing_ok=True)


def _changed(root: Path, old: str, new: str) -> list[str]:
    r = run_git(root, "diff", "--name-only", "-z", "--no-renames", old, new, "--")
    return [p for p in r.stdout.split("\0") if p]


def _bring_up_to_date(root: Path, old: str, new: str, changed: list[str]) -> None:
    """Index and work tree of ``changed`` as in ``new`` — each file only while it still holds ``old``'s or
    ``new``'s content (anything else was written by someone else and is left for them)."""
    from .history import Blobs

    safe: list[str] = []
    kept: list[str] = []
    with Blobs(root) as blobs:
        for rel in changed:
            now = _on_disk(root, rel)
            ours = now is not _BEHIND_LINK and now in (blobs.text(f"{old}:{rel}"), blobs.text(f"{new}:{rel}"))
            (safe if ours else kept).append(rel)
    if safe:
        run_git(root, "restore", f"--source={new}", "--staged", "--worktree", "--pathspec-from-file=-",
                "--pathspec-file-nul", stdin="\0".join(f":(top,literal){p}" for p in safe))
    if kept:
        from .terminal import one_line

        print(f"同步后这些文件与本地修改不同,yilan 没有改动它们,请核对:{'、'.join(map(one_line, kept))}", file=sys.stderr)


_BEHIND_LINK = "\0behind a link"


def _on_disk(root: Path, rel: str) -> str | None:
    """What ``rel`` holds now, as git stores it: a link's target (never what it points to), a file's exact
    text, None when missing; _BEHIND_LINK for a file behind a linked folder (left alone, never read)."""
    from .filecheck import linked

    path = root / rel
    if path.is_symlink():
        return os.readlink(path)
    if linked(path.parent, str(Path(rel).parent)):
        return _BEHIND_LINK
    return exact_text(path)


# --------------------------------------------------------------------------- the replay
def _replay(root: Path, state: Path, base: str, head: str, theirs: str, local: list[str]) -> tuple[str, dict[str, str]]:
    """Replay ``local`` commits on ``theirs`` in a separate worktree; the new head and the renumbered IDs."""
    moves = _clashes(root, base, local, theirs)
    ids = {Path(a).stem: Path(b).stem for a, b in moves.items()}
    picks = _renumbered(root, base, local, moves, ids) if moves else local
    tree = state / SYNC_TREE
    _remove_worktree(root, tree)
    run_git(root, "worktree", "add", "--quiet", "--detach", str(tree), theirs)
    try:
        for sha in picks:
            _pick(tree, sha)
        return run_git(tree, "rev-parse", "HEAD").stdout.strip(), ids
    finally:
        _remove_worktree(root, tree)


def _remove_worktree(root: Path, tree: Path) -> None:
    run_git(root, "worktree", "remove", "--force", "--force", str(tree), check=False)
    shutil.rmtree(tree, ignore_errors=True)
    run_git(root, "worktree", "prune", check=False)


def _pick(tree: Path, sha: str) -> None:
    """Cherry-pick one commit; a clash on a ``.last-id`` record resolves to the higher number."""
    # no rename detection: one matter deleted and another added look alike (same keys), and a colleague's
    # update to the first must never be carried into the second
    picked = run_git(tree, "cherry-pick", "--keep-redundant-commits", "-X", "no-renames", sha, check=False)
    if picked.returncode == 0:
        return
    unmerged = [p for p in run_git(tree, "diff", "--name-only", "-z", "--diff-filter=U").stdout.split("\0") if p]
    if unmerged and all(p.endswith(".last-id") for p in unmerged):
        for rel in unmerged:
            values = [run_git(tree, "show", f":{n}:{rel}", check=False).stdout.strip() for n in (2, 3)]
            numbers = [int(v) for v in values if v.isascii() and v.isdigit()] or [0]
            plain_path(tree, rel).write_text(f"{max(numbers)}\n", encoding="utf-8", newline="\n")  # never a link
            run_git(tree, "add", "--", rel)
        if run_git(tree, "-c", "core.editor=true", "cherry-pick", "--continue", check=False).returncode == 0:
            return
    run_git(tree, "cherry-pick", "--abort", check=False)
    raise SyncFailed("同步时有无法自动合并的冲突,未同步(本地提交和文件都没有改动)",
                     "先用 git pull --no-rebase 合并并处理冲突,再运行 yilan check", code="S006")


def _clashes(root: Path, base: str, local: list[str], theirs: str) -> dict[str, str]:
    """Matter files a local commit added whose path the upstream also added, with other content: path → new path.

    Every local commit counts, not only the net change: an add that a later local commit took back (undo)
    still has to be replayed, and would collide just the same. Renames are not detected on either side (a
    matter deleted by an undo and another added look like a rename to git).
    """
    ours: dict[str, set[str]] = {}
    for c in log(root, "--reverse", "--no-renames", f"{base}..{local[-1]}", paths=("ledgers",)) if local else []:
        for ch in c.changes:
            if ch.status == "A" and ch.new_path.endswith(".yaml"):
                ours.setdefault(ch.new_path, set()).add(ch.new_blob)
    up = {c.new_path: c.new_blob for c in diff_trees(root, base, theirs, ("ledgers",), renames=False) if c.status == "A"}
    clash = sorted(p for p in ours if p in up and ours[p] != {up[p]})
    taken: dict[str, set[int]] = {}
    out = {}
    for path in clash:
        folder = str(Path(path).parent)
        names = run_git(root, "ls-tree", "--name-only", f"{theirs}:{folder}", check=False).stdout.split()
        for sha in local:
            names += run_git(root, "ls-tree", "--name-only", f"{sha}:{folder}", check=False).stdout.split()
        numbers = taken.setdefault(folder, {int(m.group(1)) for n in names if (m := re.search(r"-(\d+)\.yaml$", n))})
        for ref in (theirs, *local):
            seq = run_git(root, "show", f"{ref}:{folder}/.last-id", check=False).stdout.strip()
            if seq.isascii() and seq.isdigit():
                numbers.add(int(seq))
        new = max(numbers) + 1
        numbers.add(new)
        prefix = Path(path).stem.rsplit("-", 1)[0]
        out[path] = f"{folder}/{prefix}-{new:03d}.yaml"
    return out


def _id_pattern(old: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(old)}(?!\d)")


def _renumbered(root: Path, base: str, local: list[str], moves: dict[str, str], ids: dict[str, str]) -> list[str]:
    """The local commits rewritten with each clashing file under its new name (object database only)."""
    from .history import Blobs

    parent = base
    out = []
    fd, index = tempfile.mkstemp(prefix="yilan-sync-index-")
    os.close(fd)
    env = {"GIT_INDEX_FILE": index}
    floor: dict[str, int] = {}  # folder → the highest renumbered ID so far: no later .last-id may go below it
    try:
        with Blobs(root) as blobs:
            for sha in local:
                run_git(root, "read-tree", sha, env=env)
                for old_path, new_path in moves.items():
                    text = blobs.text(f"{sha}:{old_path}")
                    if text is None:
                        continue
                    for old, new in ids.items():
                        text = re.sub(rf"(?m)^编号:\s*{re.escape(old)}\s*$", f"编号: {new}", text)
                    blob = run_git(root, "hash-object", "-w", "--stdin", stdin=text).stdout.strip()
                    run_git(root, "update-index", "--force-remove", "--", old_path, env=env)
                    run_git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{new_path}", env=env)
                    folder = Path(new_path).parent.as_posix()
                    floor[folder] = max(floor.get(folder, 0), int(Path(new_path).stem.rsplit("-", 1)[1]))
                for folder, number in floor.items():
                    seq = f"{folder}/.last-id"
                    current = (blobs.text(f"{sha}:{seq}") or "0").strip()
                    value = max(number, int(current) if current.isascii() and current.isdigit() else 0)
                    seq_blob = run_git(root, "hash-object", "-w", "--stdin", stdin=f"{value}\n").stdout.strip()
                    run_git(root, "update-index", "--add", "--cacheinfo", f"100644,{seq_blob},{seq}", env=env)
                tree = run_git(root, "write-tree", env=env).stdout.strip()
                message = run_git(root, "log", "-1", "--format=%B", sha).stdout
                for old, new in ids.items():
                    message = _id_pattern(old).sub(new, message)
                who = run_git(root, "log", "-1", "--format=%an%x00%ae%x00%aI", sha).stdout.strip().split("\0")
                author = {"GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1], "GIT_AUTHOR_DATE": who[2]}
                parent = run_git(root, "commit-tree", tree, "-p", parent, "-F", "-", stdin=message, env=author).stdout.strip()
                out.append(parent)
    finally:
        Path(index).unlink(missing_ok=True)
    return out
