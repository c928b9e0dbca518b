"""The HTML circular printed on A4 by headless Chromium: page numbers, no blank page, whole IDs, every unit.

Chromium is the browser the office prints from; `chromium --print-to-pdf` with `--no-pdf-header-footer` keeps
only what the page's own print CSS draws (the "— N —" numbers come from its `@page` margin box). The
PDF is read back with poppler's pdftotext, page by page. .ci/run installs chromium and poppler-utils.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from yilan_cli.gongwen import style
from yilan_cli.periods import parse_period
from yilan_cli.report import build
from yilan_cli.store import load_ledgers
from yilan_cli.workspace import load

from .conftest import REPO
from .test_render import report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ID = re.compile(r"^[A-Z]{1,4}-\d{3}$")
PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{4}年\d{1,2}月\d{1,2}日$")


class Cells(HTMLParser):
    """Every ``<td>``/``<th>`` as (text, classes), and the texts of each ``<svg>`` by its aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, set[str]]] = []
        self.svg_texts: dict[str, list[str]] = {}
        self._cell: tuple[list[str], set[str]] | None = None
        self._svg: str | None = None
        self._in_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("td", "th"):
            self._cell = ([], set((a.get("class") or "").split()))
        elif tag == "svg":
            self._svg = a.get("aria-label") or ""
            self.svg_texts[self._svg] = []
        elif tag == "text" and self._svg is not None and a.get("x") == "0":
            self._in_text = True  # the label column; bar values are drawn further right

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(("".join(self._cell[0]).strip(), self._cell[1]))
            self._cell = None
        elif tag == "svg":
            self._svg = None
        elif tag == "text":
            self._in_text = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)
        if self._in_text and self._svg is not None:
            self.svg_texts[self._svg].append(data)


def demo_units() -> list[str]:
    """The lead units of the demo's matters assigned by 2022-06-30 (24 of them), from the ledgers."""
    ws = load(REPO)
    records = load_ledgers(ws).records
    last = parse_period("2022Q2").last.toordinal()
    return sorted({r.lead_unit for r in records if r.assigned <= last})


def test_ids_percentages_and_dates_sit_in_nowrap_cells(tmp_path: Path) -> None:
    doc = Cells()
    doc.feed(report("2022Q2", "html", tmp_path).read_text(encoding="utf-8"))
    typed = [(text, classes) for text, classes in doc.cells if ID.match(text) or PERCENT.match(text) or DATE.match(text)]
    assert sum(1 for t, _ in typed if ID.match(t)) >= 40 and sum(1 for t, _ in typed if PERCENT.match(t)) >= 40
    assert [t for t, classes in typed if "nowrap" not in classes] == []


def test_unit_chart_shows_every_unit_by_its_full_name(tmp_path: Path) -> None:
    doc = Cells()
    doc.feed(report("2022Q2", "html", tmp_path).read_text(encoding="utf-8"))
    units = demo_units()
    assert len(units) == 24
    assert sorted(doc.svg_texts["各单位预警灯"]) == units
    ws = load(REPO)
    context = build(ws, load_ledgers(ws).records, parse_period("2022Q2"))
    # whole names, none cut (in 公文 style: full-width brackets)
    assert doc.svg_texts["各台账办结率"] == [style(lg.name) for lg in context.by_ledger]


def pdf_pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for i in range(1, n + 1)]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (installed by .ci/run)")
def test_printed_circular_is_numbered_dense_and_whole(tmp_path: Path) -> None:
    html = report("2022Q2", "html", tmp_path)
    pdf = tmp_path / "out.pdf"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}",
                    html.as_uri()], capture_output=True, check=True, timeout=180)
    pages = pdf_pages(pdf)
    # before the print stylesheet was redone: 17 pages, a page per section, no page numbers
    # the body runs on (17 pages when each section started a page); each of the 4 附件 starts its own page
    assert 8 <= len(pages) <= 20, len(pages)
    for i, text in enumerate(pages, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # every page numbered "— N —" in its bottom margin box (pdftotext may drop the spaces around one digit)
        assert lines[-1].replace(" ", "") == f"—{i}—", (i, lines[-3:])
        assert len(lines) >= 2, (i, lines)  # no blank page: something besides its number
    chart = [text for text in pages if "各单位预警灯" in text]
    assert len(chart) == 1  # heading and chart on one page, never split
    assert [u for u in demo_units() if u not in chart[0]] == []
    flat = "\n".join(pages)
    assert not re.search(r"\b[A-Z]{1,4}-(\s|$)", flat, re.M)  # no ID broken after its dash ("SW-/002")
    assert not re.search(r"^\s*%", flat, re.M)  # no percent sign wrapped alone ("20/%")
