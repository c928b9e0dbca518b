"""`yilan site`: the static supervision dashboard — index, a page per ledger, per unit and per matter.

Plain files any intranet web server can serve: no database, no CDN, no fetched font; CSS and the few
lines of filtering JavaScript are inline. Lights are text as well as colour; every page carries
“内部资料 注意保存”; fields a ledger marks 敏感 are masked unless ``include_sensitive``. Pages come from
the same sandboxed, autoescaped templates as the reports (``report_templates/site_*.html.j2``).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import marshal
import os
import pickle
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .asof import later_entries, matter_at
from .errors import UsageError, YilanError
from .indicators import assess
from .progress import counted
from .render import light_name, reasons
from .report import MARK, environment, render_template
from .sheets import safe_name
from .status import LIGHTS, evaluate, percent, summarize
from .store import cache_enabled, end_with
from .workspace import read_cache_file, write_cache_file

if TYPE_CHECKING:
    from .checks import Validated
    from .records import Record
    from .status import Status
    from .workspace import Workspace

MASKED = "(敏感,已隐藏)"


@dataclass
class Site:
    office: str
    today: str
    mark: str = MARK
    up: str = ""  # the relative way back to the site's root from the page being rendered
    total: int = 0
    completion_rate: str = ""
    overdue: int = 0
    lights: dict[str, int] = field(default_factory=dict)
    light_names: dict[str, str] = field(default_factory=dict)
    ledgers: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    matters: list[dict[str, Any]] = field(default_factory=list)
    overdue_list: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)  # 撤销 at the site's day: in no count, listed apart
    ranking: list[Any] = field(default_factory=list)
    ranking_period: str = ""
    issued: list[dict[str, str]] = field(default_factory=list)


def _row(ws: Workspace, r: Record, st: Status) -> dict[str, Any]:
    return {"id": r.id, "title": r.title, "unit": r.lead_unit, "ledger_key": r.ledger, "state": st.state,
            "deadline": st.deadline.isoformat() if st.deadline else "长期", "progress": st.progress,
            "light": light_name(st.light, ws.rules), "light_key": st.light, "overdue_days": st.overdue_days,
            "reasons": ";".join(reasons(st, ws.rules)),
            "expected": "—" if st.expected is None else percent(st.expected), "withdrawn": st.withdrawn,
            "withdrawn_on": _withdrawn_on(r, st.today)}


def _withdrawn_on(r: Record, today: date) -> date | None:
    d = today.toordinal()
    last = max((w for w, _ in r.withdrawals if w <= d), default=None)
    return None if last is None else date.fromordinal(last)


def _counts(sts: list[Status]) -> dict[str, Any]:
    s = summarize(sts)
    return {"total": s.total, **s.lights, "rate": percent(s.completion_rate)}


HISTORY_CACHE = Path(".yilan") / "cache" / "site-history.bin"
HISTORY_FORMAT = 1


def _history(ws: Workspace) -> dict[str, list[dict[str, str]]]:
    """Per matter file, its commits with the change in words — from one log stream and, for a change not seen
    before, the two versions through one cat-file.

    What changed between two blobs never changes, so the words are kept per (old blob, new blob) in
    ``.yilan/cache/site-history.bin`` (git-ignored, marshal: loading it cannot run code), under a header holding
    the yilan version and the fields the workspace masks (Workspace.sensitive). A rebuild reads only the versions
    of new commits; a corrupt or unwritable cache is ignored and rebuilt."""
    from . import history
    from .semantic import ACTIONS

    if history.git_dir(ws.root) is None:
        return {}
    key = hashlib.sha256(f"{HISTORY_FORMAT}|{__version__}|{sorted(ws.sensitive)}".encode()).hexdigest()
    cache_path = ws.root / HISTORY_CACHE
    cached = _read_words(cache_path, key) if cache_enabled() else {}
    changes = [(c, ch, f"{ch.old_blob}:{ch.new_blob}") for c in history.log(ws.root, paths=("ledgers",))
               for ch in c.changes if ch.new_path.endswith(".yaml")]
    fresh = {pair: cached[pair] for _, _, pair in changes if pair in cached}
    new = {pair: ch for _, ch, pair in changes if pair not in fresh}  # first seen: its versions are read and compared
    if new:
        with history.Blobs(ws.root) as blobs:
            for pair, ch in counted(new.items(), len(new), "读取修改记录"):
                fresh[pair] = _words(ws, blobs, ch.old_blob, ch.new_blob)
    out: dict[str, list[dict[str, str]]] = {}
    for c, ch, pair in changes:
        out.setdefault(ch.new_path, []).append({"date": c.date, "author": c.author,
                                                "action": ACTIONS.get(c.action, c.action), "words": fresh[pair]})
    if cache_enabled() and fresh.keys() != cached.keys():
        _write_words(cache_path, key, fresh)
    return out


def _words(ws: Workspace, blobs: Any, old_blob: str, new_blob: str) -> str:
    from . import semantic

    found = semantic.between(blobs.text(old_blob), blobs.text(new_blob), ws.sensitive)
    return ";".join(x.words for x in found if not x.derived) or "(内容未变)"


def _read_words(path: Path, key: str) -> dict[str, str]:
    doc = read_cache_file(path)  # a regular file, CRC-checked, or nothing (workspace.read_cache_file)
    if isinstance(doc, tuple) and len(doc) == 2 and doc[0] == key and isinstance(doc[1], dict):
        return doc[1]  # type: ignore[no-any-return]
    return {}


def _write_words(path: Path, key: str, words: dict[str, str]) -> None:
    write_cache_file(path, (key, words))


def build_site(ws: Workspace, today: date, target: Path, save: Callable[[Path, bytes], None],
               include_sensitive: bool = False, remove: Callable[[Path], None] | None = None,
               records: list[Record] | None = None) -> Built:
    """Write the dashboard under ``target`` through ``save(path, html)`` (which creates folders, refuses links
    and replaces a file in one step), only the pages whose bytes change; pages of an earlier build that this one
    no longer makes go through ``remove(path)`` (none without it). See :class:`_Pages`.

    Counts, lists and rows come from the matters' records (``records``, else read through the store's cache);
    a matter's full model is read only for a page that has to be made again."""
    from concurrent.futures import ThreadPoolExecutor

    if records is None:
        from .store import load_ledgers

        records = load_ledgers(ws).records
    with ThreadPoolExecutor(max_workers=1) as pool:  # git works on its own while the pages' data are made
        git_work = pool.submit(lambda: (_history(ws), _BlobIds(ws)))
        site, matters, rows = _dashboard(ws, today, records)
        env = environment(ws.root, "html")
        env.auto_reload = False  # one build: a template is looked up once, not checked on disk for every page
        history, blob_ids = git_work.result()
    rows_of_ledger: dict[str, list[dict[str, Any]]] = {}
    rows_of_unit: dict[str, list[dict[str, Any]]] = {}
    for row in site.matters:
        rows_of_ledger.setdefault(row["ledger_key"], []).append(row)
        rows_of_unit.setdefault(row["unit"], []).append(row)
    site_day = site.today  # a document, commit or fact dated after the site's day is not on it
    pages = _Pages(env, site, target, save, remove)

    # a matter page is made from its file's bytes, its commits, the day, --include-sensitive and the workspace's
    # schemas (its row too, but that is its record — the same bytes read under the same schemas — evaluated at the
    # day under the schemas' rules): when none of these changed, nor its templates or what they read of the site,
    # nor yilan's version (in the templates' key), the page is not made again
    site.up = "../"
    frame = pages.templates.key(MATTER_TEMPLATE, site, {})
    blobs = blob_ids if frame is not None else None
    base = hashlib.blake2b(f"{frame}|{ws.schema_hash}|{site_day}|{include_sensitive}".encode(), digest_size=16)
    hists = [[h for h in history.get(r.path, []) if h["date"] <= site_day] for r, _ in matters]
    keys: list[str | None] = []
    for (r, _), hist in zip(matters, hists, strict=True):
        blob = blobs.of(r.path) if blobs is not None else None
        if blob is None:
            keys.append(None)
            continue
        h = base.copy()
        h.update(marshal.dumps((r.path, blob, hist), 2))  # plain strings: marshal (format 2: no references) is exact
        keys.append(h.hexdigest())
    stale = [r.path for (r, _), mkey in zip(matters, keys, strict=True)
             if not pages.unchanged(f"matter/{r.id}.html", mkey)]
    models = _models(ws, stale, len(matters))

    def specs() -> Iterator[tuple[str, str, str, Callable[[], dict[str, Any]] | None, str | None]]:
        """(file, template, way up, the page's own data when it has to be made — None: in place —, key) of
        every page."""
        yield "index.html", "site_index.html.j2", "", dict, _CONTEXT
        for row_lg in site.ledgers:
            yield f"ledger/{row_lg['key']}.html", "site_list.html.j2", "../", functools.partial(dict, page={
                "title": f"{row_lg['name']}台账", "matters": rows_of_ledger.get(row_lg["key"], []),
                "lights": {k: row_lg[k] for k in LIGHTS if k in row_lg}}), _CONTEXT
        for u in site.units:
            yield f"unit/{u['file']}.html", "site_list.html.j2", "../", functools.partial(dict, page={
                "title": f"{u['name']}牵头的督办事项", "matters": rows_of_unit.get(u["name"], []),
                "lights": {k: u[k] for k in LIGHTS if k in u}}), _CONTEXT
        for (r, _), row, hist, mkey in zip(matters, rows, hists, keys, strict=True):
            rel = f"matter/{r.id}.html"
            if pages.known[rel]:  # in place, as unchanged() found
                yield rel, MATTER_TEMPLATE, "../", None, mkey
                continue

            def make(r: Record = r, row: dict[str, Any] = row, hist: list[dict[str, str]] = hist) -> dict[str, Any]:
                return {"m": _matter_page(ws, models(r.path), today, row, include_sensitive, hist)}

            yield rel, MATTER_TEMPLATE, "../", make, mkey

    every = list(specs())
    made = [i for i, spec in enumerate(every) if spec[3] is not None and spec[0].startswith("matter/")]
    workers = _workers(len(made))
    if workers < 2:
        for spec in counted(every, len(every), "生成网页"):
            pages.page(*spec)
    else:
        _in_workers(pages, every, made, workers)
    return pages.finish()


PARALLEL_PAGES = 1000  # matter pages to make before worker processes pay for their start-up
PAGES_PER_TASK = 200


def _workers(pages: int) -> int:
    """Worker processes for ``pages`` matter pages to make: one per core (at most 8) for many pages where
    processes can be forked (Linux: the county's server, CI), else none — made in this process."""
    import multiprocessing

    if pages < PARALLEL_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, 8)


_job: list[Any] = []  # (_Pages, every page's spec) the forked workers make their pages with


def _in_workers(pages: _Pages, every: list[Any], made: list[int], workers: int) -> None:
    """The matter pages ``made`` (indices into ``every``) rendered and written by forked worker processes,
    ``PAGES_PER_TASK`` at a time, while this process makes the others (index, ledgers, units, pages in place);
    the manifest entries come back here. The pages are the same bytes as made in order; an error (a template
    failing at run time, a write refused) is raised here as it was raised there."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with suppress(Exception):  # compiled before the fork, once; a broken template fails where it is rendered
        pages.env.get_template(MATTER_TEMPLATE)
    tasks = [made[i:i + PAGES_PER_TASK] for i in range(0, len(made), PAGES_PER_TASK)]
    _job[:] = [pages, every]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=end_with, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_make_pages, task) for task in tasks]  # forked here, before any progress bar
            elsewhere = set(made)

            def produced() -> Iterator[None]:
                for i, spec in enumerate(every):
                    if i not in elsewhere:
                        pages.page(*spec)
                        yield
                for task, future in zip(tasks, futures, strict=True):
                    for i, (entry, written, verified) in zip(task, future.result(), strict=True):
                        pages.record(every[i][0], entry, written)
                        pages.verified |= verified
                        yield

            try:
                for _ in counted(produced(), len(every), "生成网页"):
                    pass
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        _job.clear()


def _make_pages(indices: list[int]) -> list[tuple[list[Any], bool, bool]]:
    """In a worker: each page's manifest entry, whether it was written, whether a file had to be read back."""
    pages, every = _job
    out = []
    for i in indices:
        rel, template, up, make, key = every[i]
        pages.verified = False
        entry, written = pages.make(rel, template, up, make, key)
        out.append((entry, written, pages.verified))
    return out


def _dashboard(ws: Workspace, today: date, records: list[Record]) -> tuple[Site, list[tuple[Record, Status]],
                                                                        list[dict[str, Any]]]:
    """The site's data at ``today``: totals, ledgers, units, rows, ranking and documents issued; the matters
    assigned by then with their status, in the index's order, and their rows."""
    from .issuing import read_register
    from .periods import period_of
    from .ranking import rank

    d = today.toordinal()
    matters = [(r, evaluate(r, today, ws.rules)) for r in records if r.assigned <= d]
    matters.sort(key=lambda x: (LIGHTS.index(x[1].light), -x[1].overdue_days, x[0].ledger, x[0].id))
    summary = summarize([st for _, st in matters])
    quarter = period_of(today, "quarter")
    site_day = today.isoformat()
    site = Site(office=ws.rules.office, today=site_day, total=summary.total,
                completion_rate=percent(summary.completion_rate), overdue=summary.overdue, lights=dict(summary.lights),
                light_names={k: light_name(k, ws.rules) for k in LIGHTS},
                ranking=rank(ws, [r for r, _ in matters], quarter, today, {r.path: st for r, st in matters}),
                ranking_period=quarter.label,
                issued=[{"number": str(e.get("编号", "")), "title": _issued_title(e), "date": str(e.get("印发日期", ""))}
                        for e in read_register(ws.root) if str(e.get("印发日期", "")) <= site_day])
    rows = [_row(ws, r, st) for r, st in matters]
    site.matters = [r for r in rows if not r["withdrawn"]]
    site.withdrawn = [r for r in rows if r["withdrawn"]]
    site.overdue_list = [r for r in rows if r["overdue_days"]]
    by_ledger: dict[str, list[Status]] = {}
    by_unit: dict[str, list[Status]] = {}
    for r, st in matters:  # one pass, not one per ledger and per unit
        by_ledger.setdefault(r.ledger, []).append(st)
        by_unit.setdefault(r.lead_unit, []).append(st)
    for key, lg in ws.ledgers.items():
        if key in by_ledger:
            site.ledgers.append({"key": key, "name": lg.name, **_counts(by_ledger[key])})
    for unit in ws.units:
        if unit in by_unit:
            site.units.append({"name": unit, "file": safe_name(unit), **_counts(by_unit[unit])})
    return site, matters, rows


MATTER_TEMPLATE = "site_matter.html.j2"
_CONTEXT = "context"  # a page whose key is the hash of its whole context (index, ledgers, units)
BULK = 10  # more than one matter in BULK to make again: read every model at once (exchange.load_full)


def _models(ws: Workspace, paths: list[str], total: int) -> Callable[[str], Validated]:
    """The full model of each matter file in ``paths``: read one by one when few, else all at once."""
    if not paths:
        return _no_model
    from .checks import read_matter  # pydantic: imported only when a page has to be made again

    if len(paths) * BULK > total:
        from .store import load_full

        found = {v.path: v for v in load_full(ws)}
    else:
        found = {}
        for rel in counted(paths, len(paths), "读取事项"):
            valid, _ = read_matter(ws, ws.root / rel)
            if valid is not None:
                found[rel] = valid

    def model(rel: str) -> Validated:
        v = found.get(rel)
        if v is None:  # valid when the records were read, not any more: changed while the site was made
            raise UsageError(f"事项文件 {rel} 在生成看板期间被修改,已不是有效的事项", "运行 yilan check,改正后重新生成",
                             code="E502")
        return v

    return model


def _no_model(rel: str) -> Validated:
    raise AssertionError(rel)


class _BlobIds:
    """The git blob id of each matter file's current bytes: from the index for a file git vouches for (tracked,
    marked H by `git ls-files -v`, not modified in the work tree per `git diff-files`, which checks content
    where timestamps could deceive), else computed from the file's bytes — the same id for the same bytes, so a
    page made from a file with other bytes is never taken as unchanged."""

    def __init__(self, ws: Workspace) -> None:
        from . import history

        self.root = ws.root
        self.known: dict[str, str] = {}
        if history.git_dir(ws.root) is None:
            return
        try:
            staged = history.run_git(ws.root, "ls-files", "-v", "-s", "-z", "--", "ledgers").stdout
            dirty = set(history.run_git(ws.root, "diff-files", "--name-only", "-z", "--relative", "--",
                                        "ledgers").stdout.split("\0"))
        except YilanError:
            return
        for entry in staged.split("\0"):
            info, _, path = entry.partition("\t")
            parts = info.split()
            if len(parts) == 4 and parts[0] == "H" and parts[3] == "0" and path not in dirty:
                self.known[path] = parts[2]

    def of(self, rel: str) -> str | None:
        found = self.known.get(rel)
        if found is not None:
            return found
        try:
            with open(self.root / rel, "rb") as f:
                data = f.read()
        except OSError:
            return None
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's id for these bytes, not a secret


MANIFEST = ".yilan-site.json"
SITE_FORMAT = 1  # raise when the pages' bytes change without their templates or data changing (filters, escaping)
_PAGE_FILE = re.compile(r"index\.html|(?:ledger|unit|matter)/[^/\\\x00]+\.html")
_MANIFEST_BYTES = 64 * 2**20


@dataclass
class Built:
    """What a build did: pages made, and of them written, left as they were (their bytes would not change);
    pages of an earlier build no longer made (a matter deleted or renamed) that were removed."""

    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0


class _Pages:
    """Writes pages into ``target`` only when their bytes change, and keeps ``.yilan-site.json`` there.

    The manifest holds, per page yilan wrote, the hash of its bytes, the hash of what it was made from (its
    templates' text and the data they read — all of it shown on the site's pages) and its size: hashes and
    sizes only, nothing a reader of the site could not already see. A page whose inputs hash as before and
    whose file is still the one written (a regular file, same size, not modified after the manifest) is not
    even rendered; any other page is rendered and written only if its bytes differ from the file's. A page in
    the manifest that this build does not make is removed if its file still has the bytes yilan wrote; no
    other file in ``target`` is ever touched."""

    def __init__(self, env: Any, site: Site, target: Path, save: Callable[[Path, bytes], None],
                 remove: Callable[[Path], None] | None) -> None:
        self.env, self.site, self.target, self.save, self.remove = env, site, target, save, remove
        self.base = os.fspath(target)  # plain strings: 20,000 pathlib joins cost more than the rest of a check
        self.known: dict[str, bool] = {}  # page → found in place by unchanged()
        self.old, self.since, self.whole = _read_manifest(target / MANIFEST)
        self.new: dict[str, list[Any]] = {}
        self.templates = _Templates(env)
        self.built = Built()
        self.verified = False  # a page was read back: the manifest is written again to cover its time

    def unchanged(self, rel: str, key: str | None) -> bool:
        """Whether page ``rel``, made from what hashes to ``key``, is already in place and need not be made."""
        found = self.known.get(rel)
        if found is None:
            prev = self.old.get(rel)
            found = key is not None and prev is not None and prev[1] == key and self._intact(self._path(rel), prev)
            self.known[rel] = found
        return found

    def _path(self, rel: str) -> str:
        return os.path.join(self.base, rel)

    def page(self, rel: str, template: str, up: str, make: Callable[[], dict[str, Any]] | None,
             key: str | None) -> None:
        """Page ``rel`` from ``template`` and ``make()`` (its own data), written only if its bytes change.
        ``key`` hashes what it is made from; _CONTEXT: hash the context itself (cheap for few pages). No
        ``make``: unchanged() found the page in place."""
        if make is None:
            self.record(rel, self.old[rel], False)
        else:
            self.record(rel, *self.make(rel, template, up, make, key))

    def record(self, rel: str, entry: list[Any], written: bool) -> None:
        self.new[rel] = entry
        self.built.pages += 1
        if written:
            self.built.written += 1
        else:
            self.built.unchanged += 1

    def make(self, rel: str, template: str, up: str, make: Callable[[], dict[str, Any]],
             key: str | None) -> tuple[list[Any], bool]:
        """The manifest entry of page ``rel`` and whether it was written."""
        self.site.up = up
        path = self._path(rel)
        extra = None
        if key == _CONTEXT:
            extra = make()
            key = self.templates.key(template, self.site, extra)
        prev = self.old.get(rel)
        if self.unchanged(rel, key):
            assert prev is not None
            return prev, False
        if extra is None:
            extra = make()
        html = render_template(self.env, template, "看板", s=self.site, **extra).encode("utf-8")  # T001–T006
        digest = _digest(html)
        entry = [digest, key or "", len(html)]
        if (prev is not None and prev[0] == digest and self._intact(path, prev)) or _holds(path, html):
            return entry, False
        self.save(Path(path), html)
        return entry, True

    def _intact(self, path: str, prev: list[Any]) -> bool:
        """Whether the file is still the one the manifest describes: regular, its size, not modified after the
        manifest was written. A file modified since (by hand, by an older yilan) is read back instead."""
        try:
            st = os.lstat(path)
        except OSError:
            return False
        if stat.S_ISREG(st.st_mode) and st.st_size == prev[2] and self.since is not None \
                and st.st_mtime_ns <= self.since:
            return True
        self.verified = True
        return False

    def finish(self) -> Built:
        for rel, prev in self.old.items():
            if rel in self.new:
                continue
            path = self._path(rel)
            if not _holds(path, None, prev[0], prev[2]):
                continue  # gone, or changed since yilan wrote it: no longer yilan's page
            if self.remove is None:
                self.new[rel] = prev  # kept, and still known as yilan's
                continue
            self.remove(Path(path))  # still what yilan wrote: the page of a matter now gone
            self.built.removed += 1
        if self.verified or self.built.written or self.built.removed or not self.whole or self.new != self.old:
            # one page a line; a quote inside a JSON string is escaped, so '], "' only ever ends an entry
            pages = json.dumps(dict(sorted(self.new.items())))[1:-1].replace('], "', '],\n"')
            doc = f'{{"yilan-site": {SITE_FORMAT}, "pages": {{\n{pages}\n}}}}\n'
            self.save(Path(self._path(MANIFEST)), doc.encode())
        return self.built


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _holds(path: str, data: bytes | None, digest: str = "", size: int = -1) -> bool:
    """Whether ``path`` is a regular file (never followed through a link) with the bytes ``data`` — or, when
    ``data`` is None, bytes of ``size`` hashing to ``digest``."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != (len(data) if data is not None else size):
            return False
        with open(path, "rb") as f:
            found = f.read()
    except OSError:
        return False
    return found == data if data is not None else _digest(found) == digest


def _read_manifest(path: Path) -> tuple[dict[str, list[Any]], int | None, bool]:
    """The pages an earlier build wrote (file → [bytes hash, inputs hash, size]), the manifest's time and whether
    every entry was read; a missing, linked, oversized or malformed manifest is an empty one (every page is then
    compared by its bytes)."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MANIFEST_BYTES:
            return {}, None, False
        with open(path, "rb") as f:
            doc = json.loads(f.read())
        found = doc.get("pages") if isinstance(doc, dict) and doc.get("yilan-site") == SITE_FORMAT else None
    except (OSError, ValueError):
        return {}, None, False
    if not isinstance(found, dict):
        return {}, None, False
    pages = {rel: entry for rel, entry in found.items()
             if isinstance(rel, str) and _PAGE_FILE.fullmatch(rel) and ".." not in rel and "/." not in rel
             and isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
             and isinstance(entry[1], str) and type(entry[2]) is int}
    return pages, st.st_mtime_ns, len(pages) == len(found)


class _Templates:
    """What a page's bytes depend on besides its own data (``m``, ``page``): the text of its template and of
    every template that one extends, includes or imports, the versions of yilan and jinja2, and the attributes
    of the site (``s``) those templates read — found in their syntax trees, so a workspace's own template that
    prints ``s.total`` on every matter page makes every matter page depend on the total."""

    EVERY = None  # ``s`` used other than as s.name / s["name"] (passed on, stored, iterated): all of it counts

    def __init__(self, env: Any) -> None:
        self.env = env
        self.known: dict[str, tuple[str, tuple[str, ...] | None] | None] = {}

    def key(self, name: str, site: Site, extra: dict[str, Any]) -> str | None:
        """The hash of everything page ``name`` is made from, or None when that cannot be told (a template
        missing or broken — rendering it says why — or one named at run time)."""
        if name not in self.known:
            self.known[name] = self._analyse(name)
        found = self.known[name]
        if found is None:
            return None
        fingerprint, attrs = found
        used = [site] if attrs is None else [getattr(site, a, "<missing>") for a in attrs]
        h = hashlib.blake2b(fingerprint.encode(), digest_size=16)
        h.update(_exact(used))
        h.update(_exact(extra))
        return h.hexdigest()

    def _analyse(self, name: str) -> tuple[str, tuple[str, ...] | None] | None:
        import jinja2
        from jinja2 import nodes

        h = hashlib.blake2b(f"{SITE_FORMAT}|{__version__}|{jinja2.__version__}".encode(), digest_size=16)
        attrs: set[str] = set()
        every = False
        todo, seen = [name], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                source = self.env.loader.get_source(self.env, current)[0]
                tree = self.env.parse(source, current)
            except Exception:  # noqa: BLE001 - missing, linked or broken: rendering reports it (T002/T004)
                return None
            h.update(f"{current}\0{source}\0".encode("utf-8", "surrogatepass"))
            for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
                names = _constant_names(node.template)
                if names is None:
                    return None
                todo.extend(names)
            read: set[int] = set()
            for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
                if isinstance(node.node, nodes.Name) and node.node.name == "s":
                    if isinstance(node, nodes.Getattr):
                        attrs.add(node.attr)
                        read.add(id(node.node))
                    elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                        attrs.add(node.arg.value)
                        read.add(id(node.node))
            every = every or any(n.name == "s" and id(n) not in read for n in tree.find_all(nodes.Name))
        return h.hexdigest(), self.EVERY if every else tuple(sorted(attrs))


def _exact(value: Any) -> bytes:
    """``value`` as bytes that tell it apart from any other value: pickled without its memo (``fast``), so
    equal values give equal bytes whichever objects they share — plain data, dates and the ranking's dataclasses.
    A value pickle refuses is taken by its repr; one without a stable repr would only make its page render
    every time, never keep a changed page."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, 5)
    pickler.fast = True  # no memo: no back-references that depend on which equal objects are the same object
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return b"r" + repr(value).encode("utf-8", "surrogatepass")
    return b"p" + out.getvalue()


def _constant_names(node: Any) -> list[str] | None:
    """The template names an extends/include/import names in its text; None when chosen at run time."""
    from jinja2 import nodes

    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (nodes.List, nodes.Tuple)):
        out = []
        for item in node.items:
            if not (isinstance(item, nodes.Const) and isinstance(item.value, str)):
                return None
            out.append(item.value)
        return out
    return None


def _matter_page(ws: Workspace, v: Validated, today: date, row: dict[str, Any], include_sensitive: bool,
                 history: list[dict[str, str]]) -> dict[str, Any]:
    """A matter's page at ``today``: its facts dated ≤ today (asof.matter_at), how many later 进展 entries
    exist (their number only), and the commits recorded by then."""
    m = matter_at(v.matter, today)
    lg = ws.ledgers[v.ledger]
    fields = [("台账", lg.name), ("任务来源", m.source), ("目标要求", m.target), ("牵头领导", "、".join(m.leaders)),
              ("牵头单位", m.lead_unit), ("配合单位", "、".join(m.co_units)), ("责任人", m.owner), ("专班", m.task_force),
              ("交办日期", m.assigned.isoformat()), ("完成时限", str(m.deadline)), ("报告周期", v.cycle), ("状态", m.state)]
    if m.parent_ref:  # 上级编号: the city assignment it answers
        fields.insert(2, ("上级编号", m.parent_ref))
    for e in m.extensions:
        fields.append(("延期", f"{e.applied_on} 申请延至 {e.new_deadline}:{e.reason}"
                               f"({e.approver or ''}{' ' + str(e.approved_on) + ' 批准' if e.approved_on else ' 待批准'})"))
    for w in m.withdrawals:
        fields.append(("撤销", f"{w.date} 撤销：{w.reason}（{w.approver}批准）"))
    for x in m.reinstatements:
        fields.append(("恢复", f"{x.date} 恢复：{x.reason}"))
    for f in lg.fields:
        if f.key in v.extra:
            value = v.extra[f.key]
            fields.append((f.name, MASKED if f.sensitive and not include_sensitive else value))
    rates = []
    for i in m.indicators:
        rates.append({"name": i.name, "target": f"{i.target:g}{i.unit or ''}",
                      "done": "—" if i.done is None else f"{i.done:g}{i.unit or ''}",
                      "rate": assess(i.kind, i.target, i.done, i.unit).text})
    return {**row, "fields": [(k, val) for k, val in fields if val not in (None, "")], "indicators": rates,
            "milestones": [{"name": n.name, "deadline": n.deadline.isoformat(),
                            "done": n.done_on.isoformat() if n.done_on else "未完成"} for n in m.milestones],
            "updates": [{"date": u.date.isoformat(), "progress": u.progress, "state": u.state, "note": u.note or "",
                         "indicators": "、".join(f"{k} {x:g}" for k, x in u.indicators.items()),
                         "problem": u.problem, "next": u.next_steps} for u in m.updates],
            "later": later_entries(v.matter, today), "history": history}


def _issued_title(entry: dict[str, Any]) -> str:
    """A circular's title, or what a notice or escalation document is and to whom (督办单(县住建局))."""
    return str(entry.get("标题") or f"{entry.get('种类', '')}({entry.get('单位', '')})")
