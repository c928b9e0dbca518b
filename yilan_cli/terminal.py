"""What reaches a terminal: text from files and colleagues, never terminal control.

A title, a note or a unit's spreadsheet cell may hold ESC sequences (retitle the window, clear the screen,
move the cursor and overwrite the line above), a bare CR, or bidi overrides that reorder what is shown.
Every character of that kind is printed visibly (``\\x1b``, ``\\u202e``); line feeds and tabs stay, and
a value that spans lines has its continuation lines indented by the caller, so that it cannot pass for a
line of its own (a forged 进展 entry). Pure functions; no I/O.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# C0 controls but TAB and LF, DEL, C1 controls, the bidi marks, embeddings, overrides and isolates (they
# reorder what is shown), and the Unicode line and paragraph separators (some terminals break the line there)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# characters XML 1.0 cannot hold, so no .docx or .xlsx can carry them (\v comes with text pasted from Word);
# here, not in filecheck, because every command's typed arguments are checked and this module is light
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot hold turned into a space (what import and typed input do)."""
    return NOT_XML.sub(" ", text)


def escaped(char: str) -> str:
    """One character written out: ``\\x0b``, ``\\u202e``."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _shown(m: re.Match[str]) -> str:
    return escaped(m.group())


def visible(text: str) -> str:
    """``text`` with every control character written out visibly (LF and TAB kept)."""
    return _CONTROL.sub(_shown, text)


def inline(text: object) -> str:
    """A value that may span lines, for a place that is one line (a message, a commit subject, a table
    heading): its lines joined by one space, each stripped. Linear in the length (a regex around ``\\s*``
    was quadratic on long blanks)."""
    return " ".join(part.strip() for part in re.split(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", str(text)))


def one_line(text: object) -> str:
    """A name (a file name, a path) on one line: controls shown visibly and LF, CR and TAB too, so that a
    file committed as ``"x.yaml\\nZB-001.yaml:1:1: 错误[…]"`` cannot print a forged finding of its own."""
    return visible(str(text)).replace("\n", "\\n").replace("\t", "\\t")


def continued(text: object, indent: str = "    ") -> str:
    """One value that may span lines: control shown visibly, continuation lines indented."""
    return visible(str(text)).replace("\n", "\n" + indent)


class VisibleStream:
    """A text stream that writes ``visible(text)`` to the stream it wraps (``raw`` is that stream)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(visible(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, fileno, buffer …
        return getattr(self.raw, name)


def raw(stream: Any) -> Any:
    """The stream underneath a VisibleStream (rich writes its own colour codes there)."""
    return getattr(stream, "raw", stream) if isinstance(stream, VisibleStream) else stream
