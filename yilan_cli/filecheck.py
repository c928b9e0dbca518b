"""What every ledger file — a matter or a research record — is checked for before its own rules.

Readable text (size, binary, encoding, a link), mistakes visible in the text alone (conflict markers,
full-width colons), YAML that does not parse (with libyaml's or ruamel's position), the positions of
problems found in parsed data, and personal details (ID-card and mobile numbers). No pydantic here: a
research command or a report reads research files without paying for the matter models.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
from pathlib import Path
from typing import Any

from .findings import Finding, make_finding
from .i18n import t
from .terminal import NOT_XML, escaped
from .yamlio import MAX_FILE_BYTES, YamlProblem, explain, fast_load, position, positioned_load

# (code, loc, params): a problem before its position is known
Issue = tuple[str, tuple[Any, ...], dict[str, Any]]

_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(\s|$)", re.M)
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"{\[][^:\n]*?：", re.M)


def linked(path: Path, rel: str) -> bool:
    """Whether ``path`` — the workspace file ``rel`` — or any folder between it and the workspace is a link.

    A link could point anywhere outside the workspace (another office's ledger, ~/.gitconfig, /proc), so
    yilan reads and writes only plain files in plain folders of the workspace.
    """
    return _first_link(path, rel) is not None


def _first_link(path: Path, rel: str) -> Path | None:
    """The first link met going up from ``path`` (the workspace file ``rel``) to the workspace, or None."""
    p = path
    for _ in Path(rel).parts:
        if p.is_symlink():
            return p
        p = p.parent
    return None


def link_on_the_way(path: Path, root: Path) -> Path | None:
    """For an output path that lies (as written, ``..`` folded) inside the workspace ``root``: the first
    symbolic link among its folders below ``root`` and the file itself; None when there is none or the path
    is outside. A link committed by a colleague where yilan writes by default (督办看板/, 督办通知单/) would
    otherwise turn a dashboard into an overwrite of ~/.bashrc."""
    p = Path(os.path.abspath(path))
    try:
        rel = p.relative_to(root)
    except ValueError:
        return None
    return _first_link(p, rel.as_posix())


def read_text(path: Path, rel: str) -> tuple[str | None, list[Finding]]:
    """A ledger file's text, or why it cannot be read as text (a link, too big, binary, not UTF-8)."""
    if linked(path, rel):
        return None, [make_finding(rel, 1, 1, "E114")]
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, [make_finding(rel, 1, 1, "E104", {"detail": e.strerror or str(e)})]
    return decode_text(raw, rel)


def decode_text(raw: bytes, rel: str) -> tuple[str | None, list[Finding]]:
    """A ledger file's bytes (from disk or a git blob) as text, or why they are not text (too big, binary, not
    UTF-8: E100, E102, E101)."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [make_finding(rel, 1, 1, "E100", {"size": len(raw), "limit": MAX_FILE_BYTES})]
    if b"\x00" in raw:
        return None, [make_finding(rel, 1, 1, "E102")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, [make_finding(rel, line, 1, "E101")]


def locate(text: str, rel: str, issues: list[Issue]) -> list[Finding]:
    """Findings at the line and column of each issue (the file is parsed again, with positions)."""
    try:
        tree = positioned_load(text)
    except YamlProblem as p:  # the readers disagree: trust the stricter one
        return [make_finding(rel, p.line, p.column, p.code, p.params)]
    out = []
    for code, loc, params in issues:
        line, col = position(tree, loc) if loc else (1, 1)
        out.append(make_finding(rel, line, col, code, params))
    return out


def text_scan(text: str, rel: str) -> list[Finding]:
    """Mistakes recognisable from the text alone, which make the YAML errors that follow meaningless."""
    m = _CONFLICT.search(text)
    if m:
        return [make_finding(rel, text.count("\n", 0, m.start()) + 1, 1, "E112")]
    out = []
    for m in _FULLWIDTH_KEY.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        start = text.rfind("\n", 0, m.start()) + 1
        out.append(make_finding(rel, line, m.end() - start, "E113"))  # column of the '：'
    return out


def unreadable(text: str, rel: str) -> list[Finding]:
    early = text_scan(text, rel)
    if early:
        return early
    try:
        positioned_load(text)
    except YamlProblem as p:
        return [make_finding(rel, p.line, p.column, p.code, p.params)]
    # the positioned reader accepted what libyaml refused: report libyaml's own words
    try:
        fast_load(text)
    except YamlProblem as p:
        return [make_finding(rel, p.line, p.column, p.code, p.params)]
    except Exception as e:  # noqa: BLE001
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return [make_finding(rel, line, col, "E104", {"detail": explain(getattr(e, "problem", None) or str(e)[:120])})]
    return [make_finding(rel, 1, 1, "E104", {"detail": "?"})]


_ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                      r"(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def scan_values(data: dict[str, Any], sensitive: set[str]) -> list[Issue]:
    """Every text value: characters no Word or Excel file can hold (E116, any field), and ID-card and mobile
    numbers in a field not marked 敏感 (E315: personal details belong in the petition system; the ledger
    holds references such as 信访件编号)."""
    out: list[Issue] = []
    seen: set[int] = set()  # an alias can make a list contain itself: each container is walked once

    def walk(value: Any, loc: tuple[Any, ...], private: bool) -> None:
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                return
            seen.add(id(value))
        field = next((p for p in reversed(loc) if isinstance(p, str)), "")
        if isinstance(value, str):
            bad = NOT_XML.search(value)
            if bad:
                out.append(("E116", loc, {"field": field, "char": escaped(bad.group())}))
            if private:
                return
            if _ID_CARD.search(value):
                out.append(("E315", loc, {"field": field, "kind": t("pii.id_card")}))
            elif _MOBILE.search(value):
                out.append(("E315", loc, {"field": field, "kind": t("pii.mobile")}))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*loc, k), private)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*loc, i), private)

    for key, value in data.items():
        walk(value, (key,), key in sensitive)
    return out


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
_temp_names = itertools.count()


def replace_file(path: str, data: bytes) -> None:
    """``data`` into ``path`` through a new temporary file in the same folder — created exclusively, so never
    through a link planted under its name — and one rename. A new file gets the usual mode (0666 less the umask);
    a file replaced keeps its mode. Used for the dashboard's pages (cli.common.PageWriter) and the caches
    (workspace.write_cache_file); a ledger write goes through txn.atomic_write (fsync, fault points)."""
    import stat

    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    folder, name = os.path.split(path)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{os.getpid()}-{next(_temp_names)}.tmp")
        try:
            fd = os.open(tmp, _TEMP_FLAGS, 0o666 if mode is None else mode)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"{path}: no free temporary name")
    try:
        with open(fd, "wb") as f:
            f.write(data)
        if mode is not None and mode & _umask():  # the umask took bits the old file had
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
