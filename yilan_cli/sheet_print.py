"""How a worksheet yilan writes for people looks on screen and on paper (sheets.StyledSheet applies it).

On paper: A4 landscape, fitted to the page width and as many pages down as the rows need, the header row
printed on every page, 内部资料 注意保存 at the top left, the sheet's title at the top centre and a centred
``第1页 共5页`` footer; a sheet with many columns prints only its first (key) columns. On screen: the header
row, and the columns naming each row, stay frozen. Columns are as wide as their content and only long text
wraps; dates, percentages and counts are numbers with a number format, so an office can sort, sum and chart
them in WPS/Excel. docs/excel.md, 打印版式, shows the result and the page counts measured in LibreOffice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .sheets import text_width

DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # 2022年6月30日, as 公文 write dates
PERCENT = "0%"  # a fraction shown in whole percent: 0.5 → 50%
PERCENT_1 = "0.0%"  # one decimal, as circulars print rates: 0.476 → 47.6%
INTEGER = "0"
WIDEST = 40  # a column's width at most (a Chinese character counts 2); longer text wraps within it
NARROWEST = 6
FOOTER = "第&P页 共&N页"  # &P the page, &N the pages: 第1页 共5页
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.7, "bottom": 0.6, "header": 0.3, "footer": 0.3}  # inches


@dataclass(frozen=True)
class Layout:
    """The look of one sheet: ``title`` in the page header; ``title_rows`` printed on every page (``"1:1"``);
    ``freeze`` the first cell that scrolls (``"D2"``: row 1 and columns A–C stay); only the first ``columns``
    columns print (None: all); ``formats`` a number format per column header; ``widest`` a narrower wrapping
    width for some columns (header → width in characters)."""

    title: str = ""
    title_rows: str = "1:1"
    freeze: str = "B2"
    columns: int | None = None
    formats: Mapping[str, str] = field(default_factory=dict)
    widest: Mapping[str, int] = field(default_factory=dict)


def number_format(value: Any, column_format: str | None) -> str | None:
    """The format of one cell: the column's for a number, DATE_FORMAT for any date, INTEGER for a count."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, (int, float)):
        return column_format or (INTEGER if isinstance(value, int) else None)
    return None


def shown_width(value: Any, fmt: str | None) -> int:
    """How wide a cell reads once formatted: 2022年12月31日 → 14, 0.476 as 0.0% → 5, a text's longest line."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 14 if fmt == DATE_FORMAT else 10
    if fmt and "%" in fmt and isinstance(value, (int, float)):
        return len(f"{value * 100:.{fmt.count('0') - 1}f}%")
    return max(text_width(line) for line in str(value).split("\n"))


def column_widths(header: list[str], rows: list[list[Any]], layout: Layout) -> list[tuple[int, bool]]:
    """(width, wraps) of each column: its widest cell (the first 500 rows) plus room, between NARROWEST and
    the column's widest width; a column wraps when some cell is wider than that, or holds a line break."""
    out = []
    for c, name in enumerate(header):
        cap = layout.widest.get(name, WIDEST)
        cells = [r[c] for r in rows[:500]]
        fmt = layout.formats.get(name)
        need = max([text_width(name)] + [shown_width(v, number_format(v, fmt)) for v in cells]) + 2
        broken = any(isinstance(v, str) and "\n" in v for v in cells)
        out.append((min(cap, max(NARROWEST, need)), need > cap or broken))
    return out


LINE_POINTS = 16  # one line of 11-point CJK text (Noto Sans CJK's line is 1.45 em), in points


def row_height(row: list[Any], sizes: list[tuple[int, bool]]) -> int | None:
    """The height (points) a row needs for its wrapped text to show whole, or None for one line.

    LibreOffice 7.4 keeps an xlsx row at its stored height whatever the text, so the height is computed
    here: in a wrapping column of width w, a line holds about 0.95 × (w − 1) half-width characters."""
    lines = 1
    for value, (width, wraps) in zip(row, sizes, strict=False):
        if wraps and isinstance(value, str):
            room = max(1.0, 0.95 * (width - 1))
            lines = max(lines, sum(max(1, math.ceil(text_width(part) / room)) for part in value.split("\n")))
    return lines * LINE_POINTS + 2 if lines > 1 else None


def header_text(text: str) -> str:
    """Text for a page header or footer: ``&`` starts a code there (&P, &N), so a literal one is doubled."""
    return text.replace("&", "&&")


def print_setup(ws: Any, layout: Layout, rows: int, columns: int) -> None:
    """A4 landscape, fit to width, title rows on every page, margins, header and footer, frozen panes, for a
    sheet of ``rows`` rows (the header's among them) and ``columns`` columns. Set before the rows are written:
    a write-only worksheet writes its views and page properties ahead of its first row."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**MARGINS)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = layout.title_rows
    ws.oddHeader.left.text = "内部资料 注意保存"  # on every page; the cells stay pure data
    if layout.title:
        ws.oddHeader.center.text = header_text(layout.title)
    ws.oddFooter.center.text = FOOTER
    if layout.columns is not None and layout.columns < columns:
        ws.print_area = f"A1:{get_column_letter(layout.columns)}{max(rows, 1)}"
    ws.freeze_panes = layout.freeze
