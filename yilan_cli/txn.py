"""The one write pipeline: lock → check git → recover → read → plan → validate → write → commit → release.

    with Transaction(ws.root, commit=True) as tx:      # lock, git checks, recovery
        text = tx.read(rel)                            # every read that decides the write, under the lock
        tx.write(rel, plan(text))                      # staged in memory (nothing touches disk yet)
        tx.commit(subject, action, matter_id)          # journal → atomic writes → one git commit

Only writers lock (a ``filelock`` lock under ``.git/yilan/``, released by the OS when the process dies);
readers never wait. ``commit`` first saves the whole plan — every file's old and new content and the commit
message — to ``.git/yilan/journal.json``, then replaces the files and commits them. A later writer that
finds a journal (its writer was killed) decides per file, comparing the journal with HEAD and with the file
(the rules of :func:`decide`): what HEAD already holds is dropped, a complete write is committed, a partial
one is rolled back — and a file holding anything else was changed by someone after the write, so it is left
exactly as it is and the journal is kept aside under ``.git/yilan/`` with a message saying what to check.
Recovery never overwrites content it did not write itself.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import YilanError
from .i18n import t
from .terminal import inline

LOCK_TIMEOUT = 120  # seconds a writer waits for another writer
NESTED = "YILAN_LOCK_HELD"  # set for git hooks that run yilan while we hold the lock
JOURNAL = "journal.json"
FAILED = "journal.failed.json"  # a write that failed and could not be rolled back: never finished later
_source_checkout_allowed = False  # `--allow-source-checkout` (set per run by the CLI's global options)


def allow_source_checkout(allowed: bool) -> None:
    """Let writes into yilan's own source checkout through (the global ``--allow-source-checkout``)."""
    global _source_checkout_allowed
    _source_checkout_allowed = allowed


def refuse_source_checkout(root: Path) -> None:
    """Raise U007 (exit 2) when ``root`` is yilan's own source checkout and the user did not allow it.

    Every write passes here first (``Transaction.__enter__``): the demo ledgers of the checkout are for
    reading, and a write would commit ledger data into the tool's own branch (issue 20). Reads never come
    here, so ``yilan status`` in the checkout keeps working."""
    if _source_checkout_allowed:
        return
    from .workspace import is_source_checkout

    if is_source_checkout(root):
        raise YilanError(t("err.source_checkout", path=root), t("hint.source_checkout"), code="U007")


def refuse_inside_source_checkout(path: Path) -> None:
    """U007 for ``yilan init`` of a folder inside yilan's own source checkout (the checkout or a folder under
    it), unless allowed: the new workspace would sit in the tool's tree, one ``git add`` away from its
    branch. The nearest enclosing checkout is named."""
    if _source_checkout_allowed:
        return
    from .workspace import is_source_checkout

    for folder in (path, *path.parents):
        if is_source_checkout(folder):
            raise YilanError(t("err.source_checkout", path=folder), t("hint.source_checkout"), code="U007")


def fault(step: str) -> None:
    """Die here, like a power cut, when the fault-injection tests ask for this step.

    Honoured only with YILAN_TESTING=1 as well, so a stray YILAN_FAULT can never kill a real write.
    Steps: holding-lock, after-journal, after-temp, after-replace, before-commit, after-adopt, after-commit;
    init --example also has history-half (half the demo history streamed to git) and after-history.
    """
    if os.environ.get("YILAN_FAULT") == step and os.environ.get("YILAN_TESTING") == "1":
        import signal

        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)


def new_file_mode() -> int:
    """0666 less the umask: what any other program would give a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: Path, text: str) -> None:
    """UTF-8, LF, no BOM; a temp file in the same directory, fsync, then os.replace.

    The file keeps its mode (a new file gets 0666 & ~umask): a write never makes a shared ledger private.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if path.parent.name != "yilan":
            fault("after-temp")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_text(path: Path) -> str | None:
    """A file's text as yilan compares it (BOM dropped, CRLF → LF); None when it does not exist."""
    try:
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except FileNotFoundError:
        return None


def plain_path(root: Path, rel: str) -> Path:
    """The workspace file ``rel``, refused when it or a folder on its way is a link, or it lies outside the
    workspace (E114, the path named)."""
    from .filecheck import linked

    path = root / rel
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside or linked(path, rel):
        raise YilanError(t("err.link", path=rel), t("hint.link"), code="E114", path=rel)
    return path


def workspace_text(root: Path, rel: str) -> str | None:
    """The text of the workspace file ``rel`` as :func:`read_text` gives it, or None when it does not exist;
    a link (E114), a file that is not UTF-8 text (E101: saved as GBK or UTF-16) or one that cannot be read
    (E104: a folder, no permission) is refused with its path. The one reader of workspace files that yilan
    writes (matters, .last-id, the register)."""
    try:
        return read_text(plain_path(root, rel))
    except UnicodeDecodeError:
        raise YilanError(f"{rel} 不是 UTF-8 文本(可能被另存为 GBK 或 UTF-16),yilan 不会改写它", "用 yilan check 查看;"
                         "在编辑器中另存为 UTF-8 后再运行", code="E101", path=rel) from None
    except OSError as e:
        raise YilanError(f"无法读取 {rel}:{e.strerror or e}", "确认它是一个普通文件,且当前账户有权读取", code="E104",
                         path=rel) from None


def exact_text(path: Path) -> str | None:
    """The file's text exactly (BOM and CR kept): what the journal records and recovery compares."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError):
        return None


def no_space(e: BaseException | None) -> bool:
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full_error() -> YilanError:
    return YilanError(t("err.no_space"), t("hint.no_space"), code="G010")


# --------------------------------------------------------------------------- the recovery rule (pure)
@dataclass
class Decision:
    """What to do with a journal: ``drop`` it, ``finish`` (commit), ``rollback``, or ``aside`` (leave files)."""

    action: str
    pending: list[str] = field(default_factory=list)  # files holding the journal's new text, not in HEAD
    foreign: list[str] = field(default_factory=list)  # files changed by someone after the write


def decide(files: dict[str, dict[str, str | None]], current: dict[str, str | None], head: dict[str, str | None],
           may_finish: bool) -> Decision:
    """The recovery rule, per file, from the journal (old O, new N), the file now (C) and HEAD (H).

    - C == H: nothing pending (the write is in HEAD, or was superseded by later commits, or never began);
    - C == N and H == O: our write, not committed yet (*pending*);
    - anything else: someone changed the file after the write (*foreign*).
    Then: any foreign file → ``aside`` (touch nothing); no pending file → ``drop``; every file holds N and
    the plan was complete (``may_finish``) → ``finish``; else → ``rollback`` the pending files to O.
    """
    pending, foreign = [], []
    for rel, f in files.items():
        c, h = current.get(rel), head.get(rel)
        if c == h:
            continue
        if c == f["new"] and h == f["old"]:
            pending.append(rel)
        else:
            foreign.append(rel)
    if foreign:
        return Decision("aside", pending, foreign)
    if not pending:
        return Decision("drop")
    if may_finish and all(current.get(rel) == f["new"] for rel, f in files.items()):
        return Decision("finish", pending)
    return Decision("rollback", pending)


# --------------------------------------------------------------------------- the transaction
class Transaction:
    def __init__(self, root: Path, *, commit: bool = True, author: str | None = None) -> None:
        self.root = root
        self.commit_enabled = commit
        self.author = author
        self.files: dict[str, dict[str, str | None]] = {}  # rel → {"old", "new"}
        self.message = ""
        self.state_dir = root / ".yilan"
        self._lock: Any = None
        self.applied = False  # files on disk changed
        self.committed = False
        self.finished: dict[str, str] = {}  # file → subject of an interrupted write recovery just committed

    # ------------------------------------------------------------------ enter / exit
    def __enter__(self) -> Transaction:
        from . import history

        refuse_source_checkout(self.root)  # before anything is locked, created or recovered
        gdir = history.git_dir(self.root)
        if self.commit_enabled and gdir is None:
            history.preflight(self.root)  # raises "not a git repository"
        self.state_dir = (gdir / "yilan") if gdir else self.root / ".yilan"
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise YilanError(t("err.readonly", path=self.state_dir), t("hint.readonly"), code="G012") from e
        if not os.environ.get(NESTED):
            from filelock import FileLock, Timeout

            self._lock = FileLock(str(self.state_dir / "write.lock"), timeout=LOCK_TIMEOUT)
            try:
                try:
                    self._lock.acquire(timeout=0.5)
                except Timeout:  # another writer (or a sync talking to the forge): say so, then wait
                    print(t("waiting_writer"), file=sys.stderr)
                    self._lock.acquire()
            except Timeout:
                raise YilanError(t("err.locked"), t("hint.locked"), code="G005") from None
            except OSError as e:
                raise YilanError(t("err.readonly", path=self.state_dir), t("hint.readonly"), code="G012") from e
            fault("holding-lock")
        try:
            if self.commit_enabled:
                # under the lock: another writer's transient index.lock is gone by now (or is waited for)
                history.preflight(self.root)
                from .merge import ensure_driver

                ensure_driver(self.root)
            self.recover()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if exc_type is not None and self.applied and not self.committed:
                try:
                    self._undo_failed_write()
                except OSError as again:
                    if no_space(again) or no_space(exc):  # put back by the next command, never committed
                        raise disk_full_error() from again
                    raise
        finally:
            self._release()
        if exc is not None and (no_space(exc) or no_space(exc.__cause__) or self._git_out_of_space(exc)):
            raise disk_full_error() from exc
        if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = exc.filename or self.root
            raise YilanError(t("err.readonly", path=where), t("hint.readonly"), code="G012") from exc

    def _git_out_of_space(self, exc: BaseException) -> bool:
        """git says "couldn't write …lock" in many words when the disk is full: ask the disk itself."""
        from .history import GitFailed

        if not isinstance(exc, GitFailed) or exc.code == "G010":
            return False
        import shutil

        try:
            return shutil.disk_usage(self.state_dir).free < 1 << 20
        except OSError:
            return False

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------------ reading and planning (under the lock)
    def path(self, rel: str) -> Path:
        """The workspace file ``rel``, refused when it is a link or lies outside the workspace (E114)."""
        return plain_path(self.root, rel)

    def read(self, rel: str) -> str | None:
        """The text of ``rel`` now (under the lock): :func:`workspace_text`."""
        return workspace_text(self.root, rel)

    def write(self, rel: str, text: str) -> None:
        """Plan ``rel`` to hold ``text``; nothing changes on disk before :meth:`commit`."""
        self._plan(rel, text)

    def delete(self, rel: str) -> None:
        """Plan the removal of ``rel`` (journalled like a write: its old content can be restored)."""
        self._plan(rel, None)

    def _plan(self, rel: str, text: str | None) -> None:
        path = self.path(rel)
        if rel not in self.files:
            try:
                st = path.stat()
            except FileNotFoundError:
                st = None
            if st is not None and not st.st_mode & stat.S_IWUSR:
                raise YilanError(t("err.readonly_file", path=rel), t("hint.readonly_file", path=rel), code="G011",
                                 path=rel)
            self.files[rel] = {"old": exact_text(path), "new": None}
        self.files[rel]["new"] = text

    def refuse_dirty(self, rels: list[str]) -> None:
        """A file with the user's uncommitted edits is never overwritten (nor committed with ours)."""
        if not self.commit_enabled:
            return
        from . import history

        dirty = history.changed_paths(self.root, rels)
        if dirty and not history.resolve(self.root, "HEAD"):  # no commit yet: every file looks uncommitted
            raise YilanError(t("err.no_commits"), t("hint.no_commits"), code="G014")
        if dirty:
            raise YilanError(t("err.dirty", path=dirty[0]), t("hint.dirty", path=dirty[0]), code="G006")

    # ------------------------------------------------------------------ applying the plan
    @property
    def journal(self) -> Path:
        return self.state_dir / JOURNAL

    def commit(self, subject: str, action: str, matter_id: str | list[str] | None = None,
               trailers: dict[str, str] | None = None, adopt: str | None = None, drop_ref: str | None = None) -> None:
        """Journal the whole plan, write every file atomically, and commit them alone in one commit.

        ``adopt``: instead of a new commit, HEAD moves to this commit, already built (init --example: the demo
        history, whose tip holds exactly these files), and ``drop_ref`` (the ref it was built on) goes with the
        same update; the journal's message then only names the write if it is interrupted.
        """
        again = next((rel for rel in self.files if rel in self.finished), None)
        if again is not None:  # the user's retry of the write just finished: never a second identical entry
            raise YilanError(t("err.retry_after_recovery", message=self.finished[again], path=again),
                             t("hint.retry_after_recovery"), code="G017", path=again)
        ids = [matter_id] if isinstance(matter_id, str) else matter_id or []
        lines = [f"Yilan-Action: {action}", *(f"Yilan-Matter: {m}" for m in ids),
                 *(f"{k}: {v}" for k, v in (trailers or {}).items())]
        # a title typed or pasted with line breaks (Alt+Enter in an Excel cell) stays in the subject line: a
        # line of its own would be read by git as the message body, where it could pose as a trailer
        self.message = f"{inline(subject)}\n\n" + "\n".join(lines) + "\n"
        try:
            self._save_journal()
        except OSError as e:  # nothing was written: the journal comes first
            self.journal.unlink(missing_ok=True)
            if no_space(e):
                raise disk_full_error() from e
            raise
        fault("after-journal")
        self.applied = True
        for rel, f in self.files.items():
            path = self.root / rel
            if f["new"] is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, f["new"])
            fault("after-replace")
        fault("before-commit")
        if self.commit_enabled:
            from . import history

            paths = list(self.files)
            if adopt:
                history.move_head(self.root, adopt, drop_ref)
                fault("after-adopt")
                history.reset_index(self.root, paths)
            else:
                # a file that existed but git does not track yet (report_notes written by hand) is new to git too
                maybe_new = [rel for rel, f in self.files.items() if f["new"] is not None]
                known = history.tracked(self.root, maybe_new) if maybe_new else set()
                new = [p for p in maybe_new if p not in known]
                history.commit_paths(self.root, paths, self.message, self.author, new=new)
        self.committed = True
        fault("after-commit")
        self.journal.unlink(missing_ok=True)

    def _save_journal(self) -> None:
        doc = {"version": 2, "message": self.message, "files": self.files, "commit": self.commit_enabled}
        atomic_write(self.journal, json.dumps(doc, ensure_ascii=False))

    def _undo_failed_write(self) -> None:
        """This command failed (or was interrupted) after touching files: put back what is ours, unless git
        committed it after all (then say so: the user must not do it again)."""
        try:
            outcome = self._settle(self.files, self.message, may_finish=False, ours=True)
        except BaseException:
            # rolling back failed too (e.g. the disk is still full): mark the journal so that the next
            # command only ever rolls it back — never commits a write that was reported as failed
            with contextlib.suppress(OSError):
                os.replace(self.journal, self.state_dir / FAILED)
            raise
        if outcome == "drop" and self.commit_enabled and self._in_head():
            print(t("committed_anyway", message=self.message.splitlines()[0]), file=sys.stderr)
        elif outcome == "rollback":
            print(t("not_saved", message=self.message.splitlines()[0]), file=sys.stderr)

    def _in_head(self) -> bool:
        head = self._head_texts(list(self.files))
        return all(head.get(rel) == f["new"] for rel, f in self.files.items())

    # ------------------------------------------------------------------ recovery
    def recover(self) -> None:
        """Settle a write (see :func:`decide`) or a sync that a previous process left half done."""
        if self.commit_enabled:
            from .sync import finish_interrupted

            finish_interrupted(self.root, self.state_dir)
        for stale in self.state_dir.glob(f".{JOURNAL}.*.tmp"):  # a writer killed while saving its journal
            stale.unlink(missing_ok=True)
        for name, may_finish in ((FAILED, False), (JOURNAL, True)):
            path = self.state_dir / name
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                files: dict[str, dict[str, str | None]] = doc["files"]
                message = str(doc.get("message") or "")
                assert isinstance(files, dict)
            except FileNotFoundError:
                continue
            except (ValueError, KeyError, TypeError, AssertionError):
                path.unlink(missing_ok=True)  # torn before it was complete: nothing was written after it
                continue
            for rel in files:  # temp files a killed writer left beside its targets (we hold the lock: none is live)
                target = self.root / rel
                for stale in target.parent.glob(f".{target.name}.*.tmp"):
                    stale.unlink(missing_ok=True)
            # a version-1 journal without a message was cut off while writing: it may only be rolled back;
            # a --no-commit write is finished by leaving its files, never by a commit behind the user's back
            outcome = self._settle(files, message, may_finish=may_finish and bool(message), journal=path,
                                   commit=self.commit_enabled and bool(doc.get("commit", True)))
            subject = message.splitlines()[0] if message else "、".join(files)
            if outcome == "finish":
                print(t("recovered_commit", message=subject), file=sys.stderr)
                self.finished.update(dict.fromkeys(files, subject))
            elif outcome == "drop" and message and self._just_committed(files, message):
                # killed after git committed, before the journal went: the write is whole and in HEAD, and the
                # user, who saw the command die, is about to do it again
                print(t("recovered_committed", message=subject), file=sys.stderr)
                self.finished.update(dict.fromkeys(files, subject))
            elif outcome == "rollback":
                print(t("recovered_rollback", message=subject), file=sys.stderr)

    def _just_committed(self, files: dict[str, dict[str, str | None]], message: str) -> bool:
        """Whether the journal's write is the newest commit: every file holds its new text and HEAD's message
        is the journal's (a later commit on top means the user went on; nothing to say then)."""
        if not self.commit_enabled or any(exact_text(self.root / rel) != f["new"] for rel, f in files.items()):
            return False
        from .history import run_git

        head = run_git(self.root, "log", "-1", "--format=%B", check=False).stdout
        return head.strip() == message.strip()

    def _head_texts(self, rels: list[str]) -> dict[str, str | None]:
        from . import history

        return history.head_texts(self.root, rels)

    def _settle(self, files: dict[str, dict[str, str | None]], message: str, may_finish: bool,
                journal: Path | None = None, commit: bool | None = None, ours: bool = False) -> str:
        """Apply :func:`decide` to ``files``; returns the action taken. The journal is removed or set aside.

        ``ours``: this process wrote the files and still holds the lock (a write that failed): a file git does
        not track (ignored, or never added) is judged against its text before the write, not against HEAD,
        which has none — the failed write is taken back instead of being left as if someone else's."""
        journal = journal or self.journal
        commit = self.commit_enabled if commit is None else commit
        current = {rel: exact_text(self.root / rel) for rel in files}
        if commit:
            head = self._head_texts(list(files))
            if ours:
                head = {rel: files[rel]["old"] if text is None else text for rel, text in head.items()}
        else:  # no git: what the journal found is the reference; a complete write stands, a partial one is undone
            head = {rel: f["old"] for rel, f in files.items()}
            may_finish = may_finish and all(current[rel] == f["new"] for rel, f in files.items())
        d = decide(files, current, head, may_finish)
        if d.action == "aside":
            kept = self.state_dir / f"journal-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.json"
            os.replace(journal, kept)
            subject = message.splitlines()[0] if message else "、".join(files)
            print(t("recovered_aside", message=subject, files=" ".join(d.foreign), kept=kept), file=sys.stderr)
            return "aside"
        if d.action == "finish" and commit:
            from . import history

            history.commit_paths(self.root, d.pending, message, self.author)
        elif d.action == "rollback":
            for rel in d.pending:
                old = files[rel]["old"]
                if old is None:
                    (self.root / rel).unlink(missing_ok=True)
                else:
                    atomic_write(self.root / rel, old)
        if commit:
            from . import history

            history.reset_index(self.root, list(files))  # never leave yilan's paths staged apart from HEAD
        journal.unlink(missing_ok=True)
        return d.action
