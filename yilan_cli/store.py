"""Reading the ledgers of a workspace: every matter file, valid or not, through a cache.

An invalid file never hides the valid ones: ``load_ledgers`` returns the valid records and a finding
list; each command decides what invalid files mean for it (status warns, check reports, report refuses).

The cache (``.yilan/cache/records.bin``, git-ignored) keeps the validated record of every valid file,
keyed by its path and (size, mtime_ns, ctime_ns, inode), under a header holding a hash of schemas/,
the yilan version and the Python version. A file whose signature differs, a new or deleted file, or any
schema change is re-read; files changed within the last two seconds are never trusted from the cache
(a same-size edit inside the file system's timestamp resolution). A corrupt or unwritable cache is
ignored and rebuilt. It is stored with ``marshal`` (plain tuples only: loading it cannot run code).
"""

from __future__ import annotations

import contextlib
import hashlib
import operator
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .records import Record
from .workspace import Workspace, read_cache_file, write_cache_file

CACHE_FILE = Path(".yilan") / "cache" / "records.bin"
FULL_CACHE_FILE = Path(".yilan") / "cache" / "matters.bin"  # load_full: whole matters for exports, reports, the site
CACHE_FORMAT = 7  # 2: indicators hold dated observations (asof); 3: 责任人 (owner); 4: 量化指标 类型; 5: 撤销;
# 6: 量化指标/节点 设立日期; 7: 上级编号 (Record.parent)
RACY_NS = 2_000_000_000  # FAT has 2 s timestamps; anything newer is re-read

Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass
class Ledgers:
    records: list[Record]
    findings: list[Any]  # checks.Finding
    files: int
    cache_hits: int = 0

    @property
    def invalid_files(self) -> list[str]:
        return sorted({f.file for f in self.findings if f.severity == "error"})


_name = operator.attrgetter("name")


def _scan(root: Path) -> list[tuple[str, str, Signature]]:
    """(relative path, absolute path, signature) of every ``ledgers/<key>/*.yaml``, in a stable order.

    One scandir per folder and plain strings: at 50,000 files pathlib objects alone cost ~0.3 s.
    """
    base = root / "ledgers"
    out: list[tuple[str, str, Signature]] = []
    try:
        folders = sorted((e.name, e.path) for e in os.scandir(base) if e.is_dir() and not e.name.startswith("."))
    except FileNotFoundError:
        return out
    for name, folder in folders:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".yaml")]
        entries.sort(key=_name)
        for e in entries:
            if not e.is_file():
                continue
            st = e.stat()
            out.append((f"ledgers/{name}/{e.name}", e.path, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, e.inode())))
    return out


def matter_files(root: Path) -> list[Path]:
    """Every ``ledgers/<key>/*.yaml`` file, in a stable order."""
    return [Path(p) for _, p, _ in _scan(root)]


def schema_key(ws: Workspace) -> str:
    """Records depend on schemas/ (units, ledger fields and cycles), the yilan version and Python."""
    return hashlib.sha256(f"{CACHE_FORMAT}|{__version__}|{sys.version_info[:2]}|{ws.schema_hash}".encode()).hexdigest()


def _read_cache(path: Path, key: str) -> dict[str, Any]:
    doc = read_cache_file(path)
    if not (isinstance(doc, tuple) and len(doc) == 2 and doc[0] == key and isinstance(doc[1], dict)):
        return {}
    return doc[1]  # type: ignore[no-any-return]


def _write_cache(path: Path, key: str, entries: dict[str, tuple[Signature, tuple[Any, ...]]]) -> None:
    write_cache_file(path, (key, entries))


def _entry(hit: Any, sig: Signature, size: int) -> Any:
    """The values of a cache entry for a file with signature ``sig``, or None: an entry of another shape (a cache
    written by another build, or by hand) is a miss, never an error."""
    if type(hit) is tuple and len(hit) == 2 and hit[0] == sig and type(hit[1]) is tuple and len(hit[1]) == size:
        return hit[1]
    return None


def cache_enabled() -> bool:
    return not os.environ.get("YILAN_NO_CACHE")


def _opened(ws: Workspace, name: Path, use_cache: bool | None) -> tuple[bool, list[tuple[str, str, Signature]], Path,
                                                                      str, dict[str, Any], int]:
    """What a load starts from: whether the cache is used, the scanned files, the cache file ``name`` (its path,
    header key and entries) and the time before which a file's signature is trusted (RACY_NS)."""
    use = cache_enabled() if use_cache is None else use_cache
    path = ws.root / name
    key = schema_key(ws) if use else ""
    return use, _scan(ws.root), path, key, _read_cache(path, key) if use else {}, time.time_ns() - RACY_NS


def load_ledgers(ws: Workspace, use_cache: bool | None = None) -> Ledgers:
    """Every matter of the workspace: valid records (from the cache where unchanged) and findings."""
    use_cache, scanned, cache_path, key, cached, trusted_before = _opened(ws, CACHE_FILE, use_cache)
    fresh: dict[str, tuple[Signature, tuple[Any, ...]]] = {}
    records: list[Record] = []
    findings: list[Any] = []
    seen: dict[str, str] = {}
    hits = misses = 0
    make = Record._make
    get = cached.get
    size = len(Record._fields)
    looked = [(rel, path, sig, _entry(get(rel), sig, size)) for rel, path, sig in scanned]
    missed = [path for _, path, _, hit in looked if hit is None]
    read = read_files(ws, missed) if missed else {}
    for rel, path, sig, hit in looked:
        if hit is not None:
            record = make(hit)
            hits += 1
            fresh[rel] = (sig, hit)
        else:
            misses += 1
            values, problems = read[path]
            findings.extend(problems)
            if values is None:
                continue
            record = make(values)
            if max(sig[1], sig[2]) < trusted_before:  # never trust a file changed in the last 2 s
                fresh[rel] = (sig, values)
        other = seen.get(record.id)
        if other is not None:  # the later file (in path order) is the duplicate
            from .findings import make_finding

            findings.append(make_finding(record.path, 1, 1, "E304", {"id": record.id, "other": other}))
            continue
        seen[record.id] = record.path
        records.append(record)
    if use_cache and (misses or fresh.keys() != cached.keys()):
        _write_cache(cache_path, key, fresh)
    return Ledgers(records, findings, len(scanned), hits)


PARALLEL_MIN = 2000  # files to read before worker processes pay for their start-up
CHUNK = 250  # files a worker reads per task


def read_files(ws: Workspace, paths: list[str], whole: bool = False) -> dict[str, tuple[tuple[Any, ...] | None, list[Any]]]:
    """Read and validate matter files: absolute path → (the record's values, or with ``whole`` the matter's
    ``Validated.frozen()`` values; None for an invalid file, findings).

    Many files (a fresh clone, a schema change: every file at once) are read by one worker process per core
    (``fork`` start method only: Linux, the county's CI; a Windows laptop reads them in this process), with a
    progress bar on a terminal. The result does not depend on how the files were read.
    """
    from .progress import counted

    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_MIN or workers < 2 or not _can_fork():
        _start_reader(ws, whole)
        return {p: r for p, r in zip(paths, map(_read_one, counted(paths, len(paths), "读取事项")), strict=True)}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_worker, initargs=(ws, whole, os.getpid())) as pool:
        results = (r for chunk in pool.map(_read_chunk, chunks) for r in chunk)
        return dict(zip(paths, counted(results, len(paths), "读取事项"), strict=True))


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


_reader: list[Any] = []  # (workspace, whole) a reader — this process or a worker — validates with


def _start_reader(ws: Workspace, whole: bool) -> None:
    _reader[:] = [ws, whole]


def end_with(parent: int) -> None:
    """In a forked worker: end with the command (process ``parent``) that started it — killed with it by Linux's
    parent-death signal — so a command stopped by CI's timeout or the OOM killer leaves no worker blocked on
    its result pipe. Every worker pool's initializer calls it first (here and site.py)."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the command was gone before the signal was asked for
        os._exit(1)


def _start_worker(ws: Workspace, whole: bool, parent: int) -> None:
    end_with(parent)
    _start_reader(ws, whole)


def _read_one(path: str) -> tuple[tuple[Any, ...] | None, list[Any]]:
    from .checks import read_matter  # only on a miss: pydantic is not imported on a warm run

    valid, problems = read_matter(_reader[0], Path(path))
    if valid is None:
        return None, problems
    return (valid.frozen() if _reader[1] else tuple(valid.record())), problems


def _read_chunk(paths: list[str]) -> list[tuple[tuple[Any, ...] | None, list[Any]]]:
    return [_read_one(p) for p in paths]


def load_full(ws: Workspace, problems: list[Any] | None = None, use_cache: bool | None = None) -> list[Any]:
    """Every valid matter with its full model (``checks.Validated``, in path order): exports, the site and the
    circulars need the log and the texts, not just the record. The findings of files left out are added to
    ``problems`` when given (a caller that lists matters must say so).

    Unchanged files come from ``.yilan/cache/matters.bin`` (same signatures, header and 2-second rule as the
    records cache): the model as plain JSON-mode values, re-validated by pydantic only (no YAML parse, no
    cross-field checks: the file passed them when it was cached), with its record stored beside it. At
    20,000 matters this is ~5 × faster than reading every file (docs/performance.md). Only commands that
    read whole matters pay for this file; ``status`` never opens it.
    """
    from .checks import FROZEN_SIZE, revive

    use_cache, scanned, cache_path, key, cached, trusted_before = _opened(ws, FULL_CACHE_FILE, use_cache)
    out = []
    kept: list[tuple[str, Signature, Any]] = []  # (rel, signature, frozen values if at hand) the cache may hold
    changed = False
    revived: dict[str, Any] = {}
    for rel, _, sig in scanned:
        hit = _entry(cached.pop(rel, None), sig, FROZEN_SIZE)  # popped: the plain values and the models never all coexist
        if hit is not None and (valid := revive(ws, hit)) is not None:
            revived[rel] = valid
    missed = [path for rel, path, _ in scanned if rel not in revived]
    read = read_files(ws, missed, whole=True) if missed else {}
    for rel, path, sig in scanned:
        valid = revived.pop(rel, None)
        if valid is None:
            changed = True
            values, found = read[path]
            if values is None:
                if problems is not None:
                    problems.extend(found)
                continue
            valid = revive(ws, values)
            assert valid is not None  # values just made by Validated.frozen
            if max(sig[1], sig[2]) < trusted_before:
                kept.append((rel, sig, values))
        else:
            kept.append((rel, sig, None))
        out.append(valid)
    if use_cache and (changed or cached):  # a file read afresh, or one gone since the cache was written
        by_path = {v.path: v for v in out}
        _write_cache(cache_path, key, {rel: (sig, by_path[rel].frozen() if values is None else values)
                                       for rel, sig, values in kept})
    return out
