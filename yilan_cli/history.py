"""Everything that talks to git (the git command line; never a library that could drift from it).

Commands that read ledgers never import this module, so ``yilan status`` does not pay for git.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import YilanError
from .i18n import t


def identity_error() -> YilanError:
    return YilanError(t("err.identity"), t("hint.identity"), code="G001")


# --------------------------------------------------------------------------- the git CLI
# One short process per step is faster than importing a git library, and `git commit --only` is exactly
# "commit these paths, leave the rest of the index".
# git as yilan reads it: C messages (matched by GitFailed), no password prompt, and the history as committed —
# a local `git replace` (or a graft) would otherwise let one clone show other content under the same commits
GIT_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_GRAFT_FILE": os.devnull}


def run_git(root: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git with pinned encodings; a Ctrl-C lets git finish (or clean up after its own signal) first.

    ``subprocess.run`` would SIGKILL git on KeyboardInterrupt, which can leave ``index.lock`` behind
    and a commit half made; waiting for git keeps the repository in a state the next command can judge.
    """
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    try:
        proc = subprocess.Popen(["git", "-c", "core.quotepath=false", "-c", "i18n.logOutputEncoding=UTF-8", *args],
                                cwd=root, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                errors="replace", env=full_env)
    except FileNotFoundError:
        raise YilanError(t("err.no_git"), t("hint.no_git"), code="G000") from None
    try:
        out, err = proc.communicate(stdin)
    except KeyboardInterrupt:
        proc.communicate()  # git got the same Ctrl-C (or not): either way it ends by itself
        raise
    r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check and r.returncode != 0:
        raise GitFailed(r)
    return r


# transports a fetch from another office's repository (a member county, the city) may use; every other one —
# ext:: and fd:: run commands, a remote helper is a program — is disabled for that fetch
FETCH_PROTOCOLS = ("file", "https", "http", "ssh", "git")


def untrusted_fetch(source: str, refspec: str) -> tuple[list[str], dict[str, str]]:
    """The git arguments (after ``git``) and the environment additions of a fetch from a repository yilan does
    not trust (a member county's for the city, the city's for a county): only :data:`FETCH_PROTOCOLS`, ``source``
    after ``--`` (never an option), no tags, no submodules, no FETCH_HEAD (fetches run side by side), no gc, and
    never a question — no password prompt (GIT_ENV), ssh in BatchMode unless the office set GIT_SSH_COMMAND."""
    allowed = [x for p in FETCH_PROTOCOLS for x in ("-c", f"protocol.{p}.allow=always")]
    args = ["-c", "protocol.allow=never", *allowed, "-c", "gc.auto=0", "-c", "maintenance.auto=false",
            "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", "--", source, refspec]
    return args, {"GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}


class GitFailed(YilanError):
    """A git command failed: the known causes in the office's words, anything else with git's own lines."""

    def __init__(self, r: subprocess.CompletedProcess[str]) -> None:
        err = r.stderr or ""
        detail = [ln for ln in (err or r.stdout).strip().splitlines() if not ln.startswith("hint:")]
        args = [a for a in (r.args if isinstance(r.args, list) else []) if isinstance(a, str)]
        sub = next((a for a, before in zip(args[1:], args[:-1], strict=True) if before != "-c" and not a.startswith("-")), "")
        if any(s in err for s in ("No space left on device", "Out of diskspace", "Disk quota exceeded")):
            super().__init__(t("err.no_space"), t("hint.no_space"), code="G010")
        elif any(s in err for s in ("does not have any commits yet", "ambiguous argument 'HEAD'", "bad revision 'HEAD'")):
            super().__init__(t("err.no_commits"), t("hint.no_commits"), code="G014")
        elif "Read-only file system" in err or "Permission denied" in err:
            where = next((ln.split(": ")[0].removeprefix("fatal: ").removeprefix("error: ") for ln in detail), "")
            super().__init__(t("err.readonly", path=where or "仓库"), t("hint.readonly"), code="G012")
        elif "ignored by one of your .gitignore files" in err:
            path = next((ln.strip() for ln in err.splitlines() if ln and not ln.startswith(("The following", "hint:"))), "")
            super().__init__(t("err.ignored", path=path), t("hint.ignored", path=path), code="G015")
        elif sub == "commit" and not detail:  # a hook that refuses without a word
            super().__init__(t("err.git_failed", detail=f"退出码 {r.returncode},没有说明原因"), t("hint.hook_refused"),
                             code="G009")
        else:
            words = "err.git_failed" if sub == "commit" else "err.git_other"
            super().__init__(t(words, detail=detail[-1] if detail else r.returncode, sub=sub),
                             "\n".join(detail[-5:]), code="G009")


def git_dir(root: Path) -> Path | None:
    """The repository's git directory (``.git`` or what a ``.git`` file points to), without a subprocess."""
    for p in (root, *root.parents):
        dot = p / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text[7:].strip())
                return target if target.is_absolute() else (p / target).resolve()
    return None


INDEX_LOCK_WAIT = 30.0  # seconds a writer waits for a live git (e.g. one orphaned by a killed writer)

# an operation git has left in progress → (what it is, how to get out of it)
IN_PROGRESS = (("MERGE_HEAD", "合并(merge)", "解决冲突后 git commit 完成合并,或 git merge --abort 放弃"),
               ("rebase-merge", "变基(rebase)", "git rebase --continue 继续,或 git rebase --abort 放弃"),
               ("rebase-apply", "变基或补丁(rebase/am)", "git rebase --abort(或 git am --abort)放弃"),
               ("CHERRY_PICK_HEAD", "拣选(cherry-pick)", "解决冲突后 git cherry-pick --continue,或 git cherry-pick --abort 放弃"),
               ("REVERT_HEAD", "还原(revert)", "git revert --continue 继续,或 git revert --abort 放弃"),
               ("BISECT_LOG", "二分查找(bisect)", "git bisect reset 结束二分查找,回到原来的分支"))


def wait_for_index_lock(gdir: Path, seconds: float | None = None) -> None:
    """Wait (bounded) while another git holds ``index.lock``; then refuse with the lock named."""
    import sys
    import time

    lock = gdir / "index.lock"
    limit = float(os.environ.get("YILAN_INDEX_LOCK_WAIT", INDEX_LOCK_WAIT)) if seconds is None else seconds
    deadline = time.monotonic() + limit
    said = False
    while lock.exists():
        if time.monotonic() >= deadline:
            raise YilanError(t("err.index_lock", path=lock, seconds=int(limit)), t("hint.index_lock", path=lock), code="G003")
        if not said:
            print(t("waiting_index_lock", path=lock), file=sys.stderr)
            said = True
        time.sleep(0.1)


def preflight(root: Path) -> Path:
    """Everything that would make a commit fail or go astray, checked before any file is touched."""
    gdir = git_dir(root)
    if gdir is None:
        raise YilanError(t("err.not_git", path=root), t("hint.not_git"), code="G002")
    wait_for_index_lock(gdir)
    for name, what, way_out in IN_PROGRESS:
        if (gdir / name).exists():
            raise YilanError(t("err.in_progress", what=what), way_out, code="G004")
    try:
        head = (gdir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        head = "ref:"
    if not head.startswith("ref:"):
        branches = run_git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads", check=False).stdout.split()
        branch = next((b for b in ("main", "master") if b in branches), branches[0] if branches else "main")
        raise YilanError(t("err.detached", commit=head[:8]), t("hint.detached", branch=branch), code="G013")
    # the committer's identity is what every commit needs (the author falls back to it, or is --author)
    if run_git(root, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
        raise identity_error()
    return gdir


def changed_paths(root: Path, paths: list[str]) -> list[str]:
    """Which of ``paths`` differ from HEAD in the index or the working tree (untracked included)."""
    r = run_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
    out = []
    for rec in r.stdout.split("\0"):
        if len(rec) > 3:
            out.append(rec[3:])
    return out


def tracked(root: Path, paths: list[str]) -> set[str]:
    r = run_git(root, "ls-files", "-z", "--", *paths)
    return {p for p in r.stdout.split("\0") if p}


def commit_paths(root: Path, paths: list[str], message: str, author: str | None = None,
                 new: list[str] | None = None) -> None:
    """One commit holding exactly ``paths``; the user's other staged and unstaged work is untouched.

    ``new``: the paths git does not track yet (they are added first); None means "ask git".
    """
    if new is None:
        new = [p for p in paths if p not in tracked(root, paths)]
    if new:
        run_git(root, "add", "--", *new)
    args = ["commit", "--only", "-q", "--no-edit", "-F", "-"]
    if author:
        args.append(f"--author={author if '<' in author else author + ' <>'}")
    try:
        run_git(root, *args, "--", *paths, stdin=message, env={"YILAN_LOCK_HELD": "1"})
    except GitFailed:
        if new:
            run_git(root, "rm", "--cached", "-q", "--ignore-unmatch", "--", *new, check=False)
        raise


def move_head(root: Path, sha: str, drop_ref: str | None = None) -> None:
    """Move the current branch forward to the commit ``sha``, built on it (or the first commit of a branch not
    born yet), and delete ``drop_ref``, in one all-or-nothing ref transaction that fails if the branch moved
    meanwhile: no commit is ever dropped. The work tree and the index are not touched."""
    old = resolve(root, "HEAD")
    if old and run_git(root, "merge-base", "--is-ancestor", old, sha, check=False).returncode != 0:
        raise YilanError(t("err.git_failed", detail=f"HEAD {old[:8]} 不在 {sha[:8]} 的历史中"), "请重新运行命令",
                         code="G009")
    lines = [f"update HEAD {sha} {old or '0' * len(sha)}"] + ([f"delete {drop_ref}"] if drop_ref else [])
    run_git(root, "update-ref", "--stdin", "-m", "yilan init", stdin="\n".join(lines) + "\n")


def reset_index(root: Path, paths: list[str]) -> None:
    """Make the index equal HEAD for ``paths`` (the work tree is not touched)."""
    if paths:
        r = run_git(root, "reset", "-q", "--", *paths, check=False)
        if r.returncode != 0:  # no commit yet: nothing to reset to, so nothing may stay staged
            run_git(root, "rm", "--cached", "-q", "--ignore-unmatch", "--", *paths, check=False)


def head_texts(root: Path, paths: list[str]) -> dict[str, str | None]:
    """The text of each path in HEAD (None where HEAD has no such file, or there is no commit yet)."""
    with Blobs(root) as blobs:
        return {p: blobs.text(f"HEAD:./{p}") for p in paths}  # ./: relative to the workspace, which may be a sub-folder


def export_tree(root: Path, commit: str, target: Path) -> None:
    """The workspace folders as they were at ``commit``, written under ``target`` (the work tree and the
    index are not touched). Read object by object (ls-tree, cat-file), not through ``git archive``: a
    committed .gitattributes could make an archive leave files out (export-ignore) or rewrite them
    (export-subst). Links and submodules in the tree are not written (a live workspace refuses them, E114)."""
    wanted = ("ledgers", "schemas", "report_notes", "report_templates", "research")
    commit = verified(root, commit)
    listing = run_git(root, "ls-tree", "-r", "-z", "--full-name", commit, "--", *wanted).stdout
    prefix = run_git(root, "rev-parse", "--show-prefix").stdout.strip()  # a workspace in a sub-folder
    with Blobs(root) as blobs:
        for item in filter(None, listing.split("\0")):
            meta, _, path = item.partition("\t")
            mode, kind, sha = meta.split()
            rel = Path(path.removeprefix(prefix))
            if kind != "blob" or mode not in ("100644", "100755") or rel.is_absolute() or ".." in rel.parts:
                continue
            data = blobs.data(sha)
            if data is not None:
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                (target / rel).write_bytes(data)


# --------------------------------------------------------------------------- reading history
# One `git log --raw -z` stream for the commits and one `git cat-file --batch` process for the blobs:
# never a subprocess per commit or per file.
ZERO = "0" * 40


@dataclass
class FileChange:
    status: str  # A M D R…
    old_blob: str
    new_blob: str
    old_path: str
    new_path: str


@dataclass
class Commit:
    sha: str
    author: str
    date: str
    subject: str
    action: str  # the Yilan-Action trailer; empty for a commit made outside yilan
    changes: list[FileChange] = field(default_factory=list)
    email: str = ""
    signature: str = "N"  # git's %G?: N none, G good, B bad, U/X/Y/R/E untrusted, expired, revoked, unknown
    undoes: str = ""  # the Yilan-Undoes trailer: the commit an undo takes back
    parents: tuple[str, ...] = ()
    matters: tuple[str, ...] = ()  # the Yilan-Matter trailers: the matters the command says it changed


_SHA = re.compile("[0-9a-f]{40}|[0-9a-f]{64}")
_FIELDS = ("%H", "%an", "%ad", "%s", "%(trailers:key=Yilan-Action,valueonly,separator=%x2C)", "%ae",
           "%(trailers:key=Yilan-Undoes,valueonly,separator=%x2C)", "%(trailers:key=Yilan-Matter,valueonly,separator=%x2C)",
           "%P", "%G?")


def _parse_raw(tokens: list[str]) -> list[FileChange]:
    out = []
    i = 0
    while i < len(tokens):
        head = tokens[i].lstrip("\n")
        if not head.startswith(":"):
            i += 1
            continue
        parts = head[1:].split()
        status = parts[4]
        if status[0] in "RC":
            out.append(FileChange(status[0], parts[2], parts[3], tokens[i + 1], tokens[i + 2]))
            i += 3
        else:
            out.append(FileChange(status[0], parts[2], parts[3], tokens[i + 1], tokens[i + 1]))
            i += 2
    return out


def log(root: Path, *args: str, paths: tuple[str, ...] = ()) -> list[Commit]:
    """Commits (newest first) with the files each changed, from one `git log --raw -z` stream.

    Commit fields are separated by a token drawn afresh for each call: a subject or author name is
    whatever a colleague typed, so no fixed separator character could be trusted not to occur in it
    (a subject holding the old \\x1e/\\x1f separators forged whole commits in the audit trail)."""
    token = secrets.token_hex(12)
    start, sep = f"<{token}>", f"|{token}|"
    fmt = start + sep.join(_FIELDS)
    # --relative: paths relative to ``root`` (a workspace may be a sub-folder of the repository), and only its own
    r = run_git(root, "log", "--no-abbrev", "--raw", "-z", "--relative", "--date=short", f"--format={fmt}", *args, "--",
                *paths)
    commits: list[Commit] = []
    for chunk in r.stdout.split(start)[1:]:
        fields = chunk.split(sep)
        if len(fields) != len(_FIELDS) or not _SHA.fullmatch(fields[0]):
            raise YilanError(f"无法读取 git log 的输出(提交 {fields[0][:12]!r})", "请运行 yilan doctor 检查仓库", code="G016")
        sha, author, day, subject, action, email, undoes, matters, parent_list, rest = fields
        tokens = rest.split("\0")
        sig = tokens[0]
        commits.append(Commit(sha, author, day, subject, action.strip().split(",")[0], _parse_raw(tokens[1:]),
                              email.strip(), sig.strip() or "N", undoes.strip().split(",")[0],
                              tuple(parent_list.split()), tuple(x.strip() for x in matters.split(",") if x.strip())))
    return commits


def diff_trees(root: Path, a: str, b: str, paths: tuple[str, ...], renames: bool = True) -> list[FileChange]:
    r = run_git(root, "diff", "--no-abbrev", "--raw", "-z", "--relative", "-M" if renames else "--no-renames", a, b, "--",
                *paths)
    return _parse_raw(r.stdout.split("\0"))


class Blobs:
    """Blob contents through one long-running `git cat-file --batch`."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env={**os.environ, **GIT_ENV})

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()

    def data(self, sha: str) -> bytes | None:
        """The object's bytes; None if missing."""
        if not sha or sha == ZERO:
            return None
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3 or header[-1] in (b"missing", b"ambiguous"):
            return None
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)  # the newline after the contents
        return data

    def sized(self, sha: str, limit: int) -> tuple[int, bytes | None]:
        """(the object's size, its bytes) — the bytes None when it is missing or larger than ``limit`` (then read
        past in pieces, never held: a member's 2 GB blob costs no memory); size -1 when missing."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3 or header[-1] in (b"missing", b"ambiguous"):
            return -1, None
        size = int(header[2])
        if size > limit:
            left = size + 1
            while left:
                left -= len(self.proc.stdout.read(min(left, 1 << 20)) or b"x" * left)
            return size, None
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)
        return size, data

    def text(self, sha: str) -> str | None:
        """The object's text, decoded exactly as the journal reads files (BOM and CR kept); None if missing."""
        data = self.data(sha)
        return None if data is None else data.decode("utf-8", errors="replace")


def shallow_boundary(root: Path) -> set[str]:
    """The commits whose parents a shallow clone does not have (git's ``shallow`` file); empty when complete.
    Such a commit looks as if it added every file: nothing can be said about what it changed."""
    path = run_git(root, "rev-parse", "--git-path", "shallow").stdout.strip()
    try:
        return set((root / path).read_text(encoding="ascii", errors="replace").split())
    except OSError:
        return set()


def parents(root: Path, sha: str) -> list[str]:
    """The parents git has for ``sha`` (none for a root commit or the edge of a shallow clone)."""
    return run_git(root, "rev-list", "--parents", "-n", "1", sha, "--").stdout.split()[1:]


def last_commit_of(root: Path, path: str) -> str:
    """The newest commit on HEAD that changed ``path``."""
    return run_git(root, "log", "-1", "--format=%H", "HEAD", "--", path).stdout.strip()


def resolve(root: Path, rev: str) -> str:
    """The full sha of commit ``rev`` ("" when it is not one). The one gate for every revision yilan hands
    git — typed, from an option or from a committed file: verified as a commit, never passed on as text
    that git could read as an option."""
    rev = str(rev).strip()
    if not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r"):
        return ""
    return run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
                   check=False).stdout.strip()


def verified(root: Path, rev: str, where: str = "") -> str:
    """``resolve`` or a refusal naming the value (and where it came from)."""
    sha = resolve(root, rev)
    if not sha:
        raise YilanError(f"找不到提交:{str(rev)[:80]!r}{where}", "写提交号(如 4ef070f4)、分支名或日期;"
                         "来自 reports/issued.yaml 的源提交若被改动,用 git log -p reports/issued.yaml 查看原值", code="G008")
    return sha


def commit_before(root: Path, day: str) -> str | None:
    """The last commit on the current branch made on or before the end of ``day``."""
    sha = run_git(root, "rev-list", "-1", f"--before={day} 23:59:59", "HEAD", check=False).stdout.strip()
    return sha or None
