"""One write command = one transaction: lock, journal, atomic file writes, one git commit.

    with Transaction(ws, commit=True) as tx:
        tx.write(path, text)       # journal first, then temp file + os.replace
        tx.commit(subject, action, matter_id)

Only writers lock (a ``filelock`` lock under ``.git/yilan/``, released by the OS when the process dies);
readers never wait. The journal (``.git/yilan/journal.json``) records old and new contents before any
file changes, so a write interrupted between the file and the commit is finished (files already hold the
new content: commit them) or rolled back (anything else: restore the old content) by the next writer.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import YilanError
from .i18n import t

LOCK_TIMEOUT = 120  # seconds a writer waits for another writer
NESTED = "YILAN_LOCK_HELD"  # set for git hooks that run yilan while we hold the lock


def fault(step: str) -> None:
    """Die here, like a power cut, when the fault-injection tests ask for this step.

    Honoured only with YILAN_TESTING=1 as well, so a stray YILAN_FAULT can never kill a real write.
    Steps: holding-lock, after-temp, after-replace, before-commit, after-commit.
    """
    if os.environ.get("YILAN_FAULT") == step and os.environ.get("YILAN_TESTING") == "1":
        import signal

        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)


def atomic_write(path: Path, text: str) -> None:
    """UTF-8, LF, no BOM; a temp file in the same directory, fsync, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.name != "journal.json":
            fault("after-temp")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


class Transaction:
    def __init__(self, root: Path, *, commit: bool = True, author: str | None = None) -> None:
        self.root = root
        self.commit_enabled = commit
        self.author = author
        self.files: dict[str, dict[str, str | None]] = {}  # rel → {"old", "new"}
        self.state_dir = root / ".yilan"
        self._lock: Any = None
        self.committed = False

    # ------------------------------------------------------------------ enter / exit
    def __enter__(self) -> Transaction:
        from . import history

        gdir = history.git_dir(self.root)
        if self.commit_enabled and gdir is None:
            history.preflight(self.root)  # raises "not a git repository"
        self.state_dir = (gdir / "yilan") if gdir else self.root / ".yilan"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if not os.environ.get(NESTED):
            from filelock import FileLock, Timeout

            self._lock = FileLock(str(self.state_dir / "write.lock"), timeout=LOCK_TIMEOUT)
            try:
                self._lock.acquire()
            except Timeout:
                raise YilanError(t("err.locked"), t("hint.locked"), code="G005") from None
            fault("holding-lock")
        try:
            if self.commit_enabled:
                # under the lock: another writer's transient index.lock is gone by now
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
            if exc_type is not None and self.files and not self.committed:
                self._rollback(self.files)
                self._drop_journal()
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------------ journal
    @property
    def journal(self) -> Path:
        return self.state_dir / "journal.json"

    def _save_journal(self, message: str = "") -> None:
        doc = {"version": 1, "message": message, "files": self.files}
        atomic_write(self.journal, json.dumps(doc, ensure_ascii=False))

    def _drop_journal(self) -> None:
        self.journal.unlink(missing_ok=True)

    def recover(self) -> None:
        """Finish or roll back a write that a previous process left half done."""
        for stale in self.state_dir.glob(".journal.json.*.tmp"):  # a writer killed while saving its journal
            stale.unlink(missing_ok=True)
        try:
            doc = json.loads(self.journal.read_text(encoding="utf-8"))
            files: dict[str, dict[str, str | None]] = doc["files"]
            message = str(doc.get("message") or "")
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):
            self._drop_journal()  # a journal torn before it was complete: nothing was written after it
            return
        for rel in files:  # temp files a killed writer left beside its targets (we hold the lock: none is live)
            target = self.root / rel
            for stale in target.parent.glob(f".{target.name}.*.tmp"):
                stale.unlink(missing_ok=True)
        finished = bool(message) and all(_read(self.root / rel) == f["new"] for rel, f in files.items())
        subject = message.splitlines()[0] if message else ""
        if finished:
            if self.commit_enabled:
                from . import history

                if history.changed_paths(self.root, list(files)):
                    history.commit_paths(self.root, list(files), message, self.author)
            print(t("recovered_commit", message=subject), file=sys.stderr)
        else:
            self._rollback(files)  # always said: what the user typed must never vanish silently
            print(t("recovered_rollback", message=subject or "、".join(files)), file=sys.stderr)
        self._drop_journal()

    def _rollback(self, files: dict[str, dict[str, str | None]]) -> None:
        new_paths = []
        for rel, f in files.items():
            path = self.root / rel
            if f["old"] is None:
                path.unlink(missing_ok=True)
                new_paths.append(rel)
            elif _read(path) != f["old"]:
                atomic_write(path, f["old"])
        if new_paths and self.commit_enabled:
            from . import history

            history.unstage_new(self.root, new_paths)

    # ------------------------------------------------------------------ work
    def refuse_dirty(self, rels: list[str]) -> None:
        """A file with the user's uncommitted edits is never overwritten (nor committed with ours)."""
        if not self.commit_enabled:
            return
        from . import history

        dirty = history.changed_paths(self.root, rels)
        if dirty:
            raise YilanError(t("err.dirty", path=dirty[0]), t("hint.dirty", path=dirty[0]), code="G006")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        entry = self.files.setdefault(rel, {"old": _read(path), "new": None})
        entry["new"] = text
        self._save_journal()  # before the file changes: the next command can always roll back
        atomic_write(path, text)
        fault("after-replace")

    def delete(self, rel: str) -> None:
        """Remove a file (journalled like a write: its old content can be restored)."""
        path = self.root / rel
        entry = self.files.setdefault(rel, {"old": _read(path), "new": None})
        entry["new"] = None
        self._save_journal()
        path.unlink(missing_ok=True)

    def commit(self, subject: str, action: str, matter_id: str | list[str] | None = None) -> None:
        """Commit the written files alone, with the trailers history and audit read (one per matter)."""
        ids = [matter_id] if isinstance(matter_id, str) else matter_id or []
        trailers = "\n".join([f"Yilan-Action: {action}", *(f"Yilan-Matter: {m}" for m in ids)])
        message = f"{subject}\n\n{trailers}\n"
        self._save_journal(message)  # files hold the new content: from here on, recovery finishes
        fault("before-commit")
        if self.commit_enabled:
            from . import history

            # a file that did not exist before this command is new to git, unless git already tracks it
            maybe_new = [rel for rel, f in self.files.items() if f["old"] is None]
            new = [p for p in maybe_new if p not in history.tracked(self.root, maybe_new)] if maybe_new else []
            history.commit_paths(self.root, list(self.files), message, self.author, new=new)
        fault("after-commit")
        self.committed = True
        self._drop_journal()
