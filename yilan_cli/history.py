"""Everything that talks to git. The only module that imports GitPython.

Commands that read ledgers never import this module, so ``yilan status`` does not pay for git.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import YilanError
from .i18n import t


def identity_error() -> YilanError:
    return YilanError(t("err.identity"), t("hint.identity"), code="G001")


def require_identity(repo: object) -> None:
    """Ask git itself (it honours GIT_CONFIG_GLOBAL and the GIT_* variables) who would commit."""
    import git

    assert isinstance(repo, git.Repo)
    try:
        repo.git.var("GIT_AUTHOR_IDENT")
        repo.git.var("GIT_COMMITTER_IDENT")
    except git.GitCommandError:
        raise identity_error() from None


def init_and_commit(root: Path, message: str) -> str:
    """``git init`` (if needed), stage everything under ``root`` and make the first commit."""
    import git

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        repo = git.Repo.init(root)
    require_identity(repo)
    repo.git.add("--all", ".")
    repo.git.commit("-q", "-m", message)
    return repo.head.commit.hexsha


# --------------------------------------------------------------------------- the git CLI
# Writes use the git command line directly: one short process per step is faster than importing
# GitPython, and `git commit --only` is exactly "commit these paths, leave the rest of the index".
def run_git(root: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    try:
        r = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=root, input=stdin, capture_output=True,
                           text=True, encoding="utf-8", errors="replace", env=full_env)
    except FileNotFoundError:
        raise YilanError(t("err.no_git"), t("hint.no_git"), code="G000") from None
    if check and r.returncode != 0:
        raise GitFailed(r)
    return r


class GitFailed(YilanError):
    def __init__(self, r: subprocess.CompletedProcess[str]) -> None:
        detail = (r.stderr or r.stdout).strip().splitlines()
        super().__init__(t("err.git_failed", detail=detail[-1] if detail else r.returncode),
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


def preflight(root: Path) -> Path:
    """Everything that would make a commit fail, checked before any file is touched."""
    gdir = git_dir(root)
    if gdir is None:
        raise YilanError(t("err.not_git", path=root), t("hint.not_git"), code="G002")
    lock = gdir / "index.lock"
    if lock.exists():
        raise YilanError(t("err.index_lock", path=lock), t("hint.index_lock", path=lock), code="G003")
    for name, what in (("MERGE_HEAD", "合并"), ("rebase-merge", "变基"), ("rebase-apply", "变基"),
                       ("CHERRY_PICK_HEAD", "拣选"), ("REVERT_HEAD", "还原")):
        if (gdir / name).exists():
            raise YilanError(t("err.in_progress", what=what), t("hint.in_progress"), code="G004")
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


def unstage_new(root: Path, paths: list[str]) -> None:
    run_git(root, "rm", "--cached", "-q", "--ignore-unmatch", "--", *paths, check=False)


def export_tree(root: Path, commit: str, target: Path) -> None:
    """The workspace folders as they were at ``commit``, written under ``target`` (the work tree and the
    index are not touched)."""
    import io
    import tarfile

    wanted = ("ledgers", "schemas", "report_notes", "report_templates")
    present = set(run_git(root, "ls-tree", "--name-only", commit).stdout.split())
    paths = [p for p in wanted if p in present]
    r = subprocess.run(["git", "archive", "--format=tar", commit, "--", *paths], cwd=root, capture_output=True)
    if r.returncode != 0:
        raise YilanError(t("err.git_failed", detail=r.stderr.decode("utf-8", "replace").strip()), "", code="G009")
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as tar:
        for member in tar.getmembers():  # our own archive, but never write outside ``target``
            if member.name.startswith(("/", "..")) or ".." in Path(member.name).parts or not (member.isfile() or member.isdir()):
                raise YilanError(t("err.git_failed", detail=f"unexpected path {member.name}"), "", code="G009")
        tar.extractall(target)  # every member was checked above
