"""`yilan sync`: fetch, replay the unpushed local commits on the upstream, push.

No remote or branch is hard-coded: the current branch's configured upstream is used. Matter files merge
through the yilan merge driver during the replay. Two clones that each added a matter under the same new
ID (both took "the next number") would collide; the local, unpushed matter is renumbered to the next ID
free on the upstream, its commit rewritten (subject and trailer name the new ID), and sync says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import YilanError
from .history import Blobs, diff_trees, log, run_git


class SyncFailed(YilanError):
    pass


@dataclass
class SyncResult:
    upstream: str
    pulled: int
    pushed: int
    renumbered: dict[str, str] = field(default_factory=dict)  # old ID → new ID


_AUTH = ("Authentication failed", "could not read Username", "Permission denied", "403", "401")


def _fail_git(r: object, what: str) -> SyncFailed:
    err = getattr(r, "stderr", "") or ""
    if any(s in err for s in _AUTH):
        return SyncFailed(f"{what}失败:服务器拒绝了身份验证",
                          "检查内网 Gitea/GitLab 的用户名、密码或令牌(git credential),再运行 yilan sync", code="S003")
    return SyncFailed(f"{what}失败:{err.strip().splitlines()[-1] if err.strip() else '未知错误'}",
                      "检查网络和远端仓库地址(git remote -v)", code="S004")


def sync(root: Path) -> SyncResult:
    from . import history

    history.preflight(root)
    if run_git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip():
        raise SyncFailed("有未提交的修改,不能同步", "先提交(或放弃)这些修改,再运行 yilan sync", code="S001")
    up = run_git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    if up.returncode != 0:
        branch = run_git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
        raise SyncFailed(f"当前分支 {branch} 没有设置上游(远端分支)",
                         f"第一次推送时设置:git push -u origin {branch}(origin 换成内网仓库的远端名)", code="S002")
    upstream = up.stdout.strip()
    remote = upstream.split("/", 1)[0]
    fetched = run_git(root, "fetch", "--quiet", remote, check=False)
    if fetched.returncode != 0:
        raise _fail_git(fetched, "获取远端更新")
    head = run_git(root, "rev-parse", "HEAD").stdout.strip()
    theirs = run_git(root, "rev-parse", "@{u}").stdout.strip()
    base = run_git(root, "merge-base", head, theirs).stdout.strip()
    local = [c.sha for c in log(root, "--reverse", f"{base}..{head}")]
    pulled = len(log(root, f"{base}..{theirs}"))
    renumbered: dict[str, str] = {}
    if local and pulled:
        renumbered = _replay(root, base, head, theirs, local)
    elif pulled:
        run_git(root, "merge", "--ff-only", "--quiet", theirs)
    if local:
        pushed = run_git(root, "push", "--quiet", check=False)
        if pushed.returncode != 0:
            if "rejected" in pushed.stderr or "fetch first" in pushed.stderr:
                raise SyncFailed("推送被拒绝:远端又有了新的提交", "再运行一次 yilan sync", code="S005")
            raise _fail_git(pushed, "推送")
    return SyncResult(upstream, pulled, len(local), renumbered)


def _clashes(root: Path, base: str, head: str, theirs: str) -> dict[str, str]:
    """Local additions whose path the upstream also added with different content: path → new path."""
    ours = {c.new_path: c.new_blob for c in diff_trees(root, base, head, ("ledgers",)) if c.status == "A"}
    up = {c.new_path: c.new_blob for c in diff_trees(root, base, theirs, ("ledgers",)) if c.status == "A"}
    clash = sorted(p for p in ours if p in up and ours[p] != up[p] and p.endswith(".yaml"))
    taken: dict[str, set[int]] = {}
    out = {}
    for path in clash:
        folder = str(Path(path).parent)
        names = run_git(root, "ls-tree", "--name-only", f"{theirs}:{folder}", check=False).stdout.split()
        names += run_git(root, "ls-tree", "--name-only", f"{head}:{folder}", check=False).stdout.split()
        numbers = taken.setdefault(folder, {int(m.group(1)) for n in names if (m := re.search(r"-(\d+)\.yaml$", n))})
        seq = run_git(root, "show", f"{theirs}:{folder}/.last-id", check=False).stdout.strip()
        if seq.isdigit():
            numbers.add(int(seq))
        new = max(numbers) + 1
        numbers.add(new)
        prefix = Path(path).stem.rsplit("-", 1)[0]
        out[path] = f"{folder}/{prefix}-{new:03d}.yaml"
    return out


def _replay(root: Path, base: str, head: str, theirs: str, local: list[str]) -> dict[str, str]:
    """Replay ``local`` commits on ``theirs`` (cherry-pick; renumbering clashing additions)."""
    moves = _clashes(root, base, head, theirs)
    ids = {Path(a).stem: Path(b).stem for a, b in moves.items()}
    branch = run_git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    run_git(root, "checkout", "--quiet", "--detach", theirs)
    try:
        with Blobs(root) as blobs:
            for sha in local:
                commit = log(root, "-1", sha)[0]
                touched = {c.new_path for c in commit.changes} | {c.old_path for c in commit.changes}
                if not touched & set(moves):
                    picked = run_git(root, "cherry-pick", "--allow-empty", sha, check=False)
                    if picked.returncode != 0:
                        run_git(root, "cherry-pick", "--abort", check=False)
                        raise SyncFailed("同步时有无法自动合并的冲突", "先用 git pull --no-rebase 合并并处理冲突,再 yilan check",
                                         code="S006")
                    continue
                _apply_renumbered(root, blobs, commit, moves, ids)
        new_head = run_git(root, "rev-parse", "HEAD").stdout.strip()
        run_git(root, "checkout", "--quiet", "-B", branch, new_head)
    except BaseException:
        run_git(root, "checkout", "--quiet", "-f", branch, check=False)
        run_git(root, "reset", "--quiet", "--hard", head, check=False)
        raise
    return ids


def _apply_renumbered(root: Path, blobs: Blobs, commit: object, moves: dict[str, str], ids: dict[str, str]) -> None:
    from .history import Commit

    assert isinstance(commit, Commit)
    for ch in commit.changes:
        text = blobs.text(ch.new_blob)
        if ch.new_path in moves:
            target = root / moves[ch.new_path]
            for old, new in ids.items():
                text = (text or "").replace(f"编号: {old}\n", f"编号: {new}\n")
            target.write_text(text or "", encoding="utf-8", newline="\n")
            run_git(root, "add", "--", moves[ch.new_path])
        elif ch.new_path.endswith(".last-id"):
            path = root / ch.new_path
            current = path.read_text(encoding="utf-8").strip() if path.exists() else "0"
            mine = (text or "0").strip()
            folder = str(Path(ch.new_path).parent)
            numbers = [int(x) for x in (current, mine) if x.isdigit()]
            numbers += [int(Path(v).stem.rsplit("-", 1)[1]) for v in moves.values() if str(Path(v).parent) == folder]
            path.write_text(f"{max(numbers)}\n", encoding="utf-8", newline="\n")
            run_git(root, "add", "--", ch.new_path)
        elif ch.status == "D":
            run_git(root, "rm", "-q", "--", ch.old_path, check=False)
        else:
            (root / ch.new_path).write_text(text or "", encoding="utf-8", newline="\n")
            run_git(root, "add", "--", ch.new_path)
    message = run_git(root, "log", "-1", "--format=%B", commit.sha).stdout
    for old, new in ids.items():
        message = message.replace(old, new)
    author = run_git(root, "log", "-1", "--format=%an <%ae>", commit.sha).stdout.strip()
    day = run_git(root, "log", "-1", "--format=%aI", commit.sha).stdout.strip()
    run_git(root, "commit", "--quiet", "--allow-empty", "-F", "-", f"--author={author}", f"--date={day}", stdin=message,
            env={"YILAN_LOCK_HELD": "1"})
