"""Circulars, notices, escalation documents and referral letters as Word documents in the 公文 format.

Every document is a gongwen.Frame laid out by GB/T 9704-2012 around its own body:

- 版头: 份号/密级 position (“内部资料 注意保存”, 3号黑体, top left); 发文机关标志 in red 小标宋, one line
  per organ (joint issuing, 7.2.3), sized to fit its line; 发文字号 centred in 3号仿宋 (7.2.4); the red
  分隔线 under it (7.2.6).
- 主体: 标题 2号小标宋 centred (7.3.1); 主送机关 flush left with a full-width colon (7.3.2); 正文 3号仿宋
  with a two-character indent, headings 一、 黑体 and （一） 楷体 (7.3.3); 附件说明 (7.3.3); 署名 and 成文日期
  right, the date four characters in (7.3.5); 附注 (联系人, 电话) in parentheses (7.3.6).
- 附件: each on a page of its own, “附件1” in 3号黑体 flush left, its title centred (7.4).
- 版记: 抄送 and 印发机关/印发日期 in 4号仿宋 between rules (7.5); page numbers “— 1 —” in 4号宋体,
  odd pages right and even pages left (7.5.3 页码).

Tables: columns sized by content (IDs, numbers, percentages and dates never wrap), rows never split across
pages, header rows repeated; headings keep with the next paragraph. Every run sets its East Asian font
(w:eastAsia): python-docx's ``font.name`` alone leaves Chinese text in the default font. Every text goes
through gongwen.style. The file's bytes depend only on the document (fixed zip times and document dates).
python-docx is imported only here.

python-docx builds the frame, the paragraphs and each table's properties, grid and header row, and one body
row per table as its template. The body rows are that template's XML text with each cell's text filled in,
written into word/document.xml as the file is saved (:func:`_save`): at 20,000 matters a circular has ~47,000
rows (69 MB of XML), which as python-docx cells (``add_row``, ``cell.width``, ``run.font``) took minutes
and a gigabyte of memory (issue 22).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from .gongwen import style
from .progress import counted

if TYPE_CHECKING:
    from .gongwen import Frame, Organ
    from .report import Line, Report

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
SIZE_2 = 22  # 二号
SIZE_3 = 16  # 三号
SIZE_4 = 14  # 四号
SIZE_5 = 10.5  # 五号
SIZE_S5 = 9  # 小五
RED = "FF0000"
TEXT_CM = 15.6  # 版心 156 mm wide (GB/T 9704 5.2.1)
LINE_PT = 28  # 22 lines of 28 pt on a page (5.2.2)


@dataclass
class _Doc:
    """A document being built: python-docx's Document (``docx``) with the frame, the paragraphs and each
    table's header row, and the tables (``tables``, in document order), whose rows are filled in when the
    document is saved (:func:`_save`)."""

    docx: Any
    tables: list[_Table] = field(default_factory=list)


@dataclass
class _Table:
    """A table as the body adds it (:func:`_table`): python-docx's ``table`` with its header row and one
    body row as the template, the ``header`` texts (styled), the ``rows`` of values and the font ``size`` in
    points; as the document is saved, ``texts`` (each row's cell texts as printed) and ``columns`` (what
    each column's cells need), one row at a time (:meth:`add`)."""

    table: Any
    header: list[str]
    rows: list[list[Any]]
    size: float
    texts: list[list[str]] = field(default_factory=list)
    columns: list[_Column] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = [_Column() for _ in self.header]

    def add(self, row: list[Any]) -> None:
        """Style and measure one row of values (one of :attr:`rows`)."""
        cells = ["" if v is None else style(str(v)) for v in row]
        for column, text in zip(self.columns, cells, strict=True):
            column.add(text, self.size)
        self.texts.append(cells)


@dataclass
class _Rows:
    """The body rows of one table as XML: ``template``, python-docx's XML of one body row cut where each
    cell's text goes (columns + 1 pieces), and ``texts``, every row's cell texts as printed (styled)."""

    template: list[str]
    texts: list[list[str]]

    def xml(self) -> Iterator[bytes]:
        """Each row's ``<w:tr>…</w:tr>`` as UTF-8: the template with every cell's run content filled in."""
        first, rest = self.template[0], self.template[1:]
        for row in self.texts:
            yield (first + "".join(_run_content(text) + piece for text, piece in zip(row, rest, strict=True))).encode()


@dataclass
class _Column:
    """What the body cells of one table column need (:func:`_widths`): ``cm``, the widest one's width in cm;
    ``atomic``, ``rigid``: whether every one is :func:`_atomic`, :func:`_rigid` (True while there are none)."""

    cm: float = 0.0
    atomic: bool = True
    rigid: bool = True

    def add(self, text: str, size: float) -> None:
        """Count one more cell of ``text`` printed at ``size`` points."""
        cm = _cm(text, size)
        self.cm = max(self.cm, cm)
        self.atomic = self.atomic and _atomic(text, cm)
        self.rigid = self.rigid and _rigid(text, cm)


def _font(run: Any, name: str, size: float, bold: bool = False, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _para(doc: _Doc, text: str, font: str = BODY_FONT, size: float = SIZE_3, *, align: str | None = None,
          indent: bool = False, bold: bool = False, color: str | None = None, keep: bool = False,
          left: float = 0, right: float = 0, hanging: float = 0) -> Any:
    """A paragraph of ``text`` (in 公文 style). ``indent``: the 正文 two-character first-line indent;
    ``left``/``right``/``hanging`` in characters of ``size``; ``keep``: stays on the page of the next one."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.docx.add_paragraph()
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if left or hanging:
        fmt.left_indent = Pt(size * (left + hanging))
    if hanging:
        fmt.first_line_indent = Pt(-size * hanging)
    if right:
        fmt.right_indent = Pt(size * right)
    if keep:
        fmt.keep_with_next = True
    if text:
        _font(p.add_run(style(text)), font, size, bold, color)
    return p


def _rule(paragraph: Any, where: str = "bottom", color: str = RED, eighths: int = 18) -> None:
    """A horizontal rule as the paragraph's border (``eighths`` of a point thick)."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is None:
        border = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(border)
    border.append(border.makeelement(qn(f"w:{where}"), {qn("w:val"): "single", qn("w:sz"): str(eighths),
                                                       qn("w:space"): "4", qn("w:color"): color}))


def _page_number(footer: Any, align: str) -> None:
    """“— N —” in 4号宋体 with a PAGE field, one character in from the ``align`` side (GB/T 9704 7.5.3)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
    if align == "right":
        p.paragraph_format.right_indent = Pt(SIZE_4)
    else:
        p.paragraph_format.left_indent = Pt(SIZE_4)
    _font(p.add_run("— "), PAGE_FONT, SIZE_4)
    run = p.add_run()
    _font(run, PAGE_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            el = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), PAGE_FONT, SIZE_4)


# --------------------------------------------------------------------------- tables
_BREAKS = re.compile(r"[\s，；。、]")  # where a cell's text may wrap


def _cm(text: str, size: float = SIZE_5) -> float:
    """How wide ``text`` prints at ``size`` points, in cm: a Chinese character (and %, M, W) 1 em, any other
    0.7 em — the widest digits and capitals of the fonts WPS, Word and LibreOffice substitute for 仿宋 — and a
    quarter em where Chinese meets digits (automatic spacing)."""
    wide = [ord(ch) > 0x2E80 for ch in text]
    ems = sum(1.0 if w or ch in "%MW@" else 0.7 for ch, w in zip(text, wide, strict=True))
    ems += 0.25 * sum(a != b for a, b in pairwise(wide))  # the space Word and WPS put between 汉字 and digits
    return ems * size / 72 * 2.54


def _atomic(text: str, cm: float) -> bool:
    """An ID, a number, a percentage, a date or a short name: one piece that should not wrap (``cm``, its
    width as :func:`_cm` measures it, ≤ 5 cm)."""
    return not _BREAKS.search(text) and cm <= 5.0


# SW-002, 20%, 2022年6月30日, 30天, 依督办〔2022〕2号: never wrapped
_RIGID = re.compile(r"[\x21-\x7e—−年月日天项个人]*|\S{0,8}〔[0-9]{4}〕\S{0,4}")


def _rigid(text: str, cm: float) -> bool:
    return _RIGID.fullmatch(text) is not None and _atomic(text, cm)


_CELL = "{cell}"  # where a cell's text goes in a template row
_MARKER = re.compile(rb"<!--yilan-rows (\d+)-->")  # where a table's body rows go in word/document.xml
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what lxml refuses in a text
_RUN_BREAKS = re.compile(r"([\t\r\n])")


def _table(doc: _Doc, header: list[str], rows: list[list[Any]]) -> None:
    """A table whose header row repeats on every page and whose rows never split across pages: its header row
    and the template of its body rows now, its rows when the document is saved (:func:`_save`)."""
    from docx.oxml.ns import qn

    header = [style(h) for h in header]
    size = SIZE_5 if len(header) < 8 else SIZE_S5  # a wide table in 小五: its IDs and dates still fit whole
    table = doc.docx.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].text = ""
        _font(cell.paragraphs[0].add_run(text), H1_FONT, size)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))  # repeats on every page
    for cell in table.add_row().cells:  # the template of the body rows
        _font(cell.paragraphs[0].add_run(_CELL), BODY_FONT, size)
    for tr in table.rows:
        trpr = tr._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {qn("w:val"): "true"}))  # a row stays on one page
    doc.tables.append(_Table(table, header, rows, size))
    _para(doc, "")


def _body(t: _Table, index: int) -> _Rows:
    """The body rows of ``t``, the ``index``-th table, once every row is added (:meth:`_Table.add`): the
    columns sized (:func:`_widths`) and the template row cut out of the table (:func:`_template`)."""
    _widths(t.table, t.header, t.columns, t.size)
    return _Rows(_template(t.table, index), t.texts)


def _template(table: Any, index: int) -> list[str]:
    """Take ``table``'s last row out, leaving the marker of the ``index``-th table's body rows in its place,
    and return its XML cut at each cell's text: columns + 1 pieces."""
    from lxml import etree

    tr = table.rows[-1]._tr
    tr.addprevious(etree.Comment(f"yilan-rows {index}"))
    tr.getparent().remove(tr)
    xml = etree.tostring(tr, encoding="unicode")  # alone, it declares the w: namespace, which the document does
    xml = xml.replace(f' xmlns:w="{tr.nsmap["w"]}"', "", 1)
    pieces = xml.split(f"<w:t>{_CELL}</w:t>")
    assert len(pieces) == len(table.columns) + 1, xml
    return pieces


def _run_content(text: str) -> str:
    """What python-docx puts in a run for ``text`` (``run.text``): the text in w:t elements (kept as written
    when it begins or ends with white space), a tab as w:tab, a line break (\\n, \\r) as w:br."""
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    out = []
    for piece in _RUN_BREAKS.split(text) if "\t" in text or "\n" in text or "\r" in text else [text]:
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\n", "\r"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(out)


def _widths(table: Any, header: list[str], columns: list[_Column], size: float = SIZE_5) -> None:
    """Columns as wide as their text needs within the 15.6 cm 版心: a column of IDs, numbers, percentages,
    dates or short names (every cell :func:`_atomic`) gets its widest cell in full and never wraps (w:noWrap);
    the columns of sentences share the rest in proportion to their length, each at least 4 characters (2 when
    the table is that full). Headers may wrap after 2 characters. ``columns``: what each column's body cells
    need; ``size``: the table's font size in points."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    pad = 0.55  # the cell's left and right margins (0.19 cm each in Word and LibreOffice), and a little air
    atomic = [c.atomic for c in columns]
    rigid = [c.rigid for c in columns]
    need = [max(min(_cm(h, size), _cm("两字", size)), c.cm) + pad for h, c in zip(header, columns, strict=True)]
    # too many whole columns for the 版心: names (units, people) may wrap after all, the widest first; IDs,
    # numbers, percentages and dates never
    for i in sorted(range(len(header)), key=lambda i: -need[i]):
        if sum(n for n, a in zip(need, atomic, strict=True) if a) + _cm("四个汉字", size) * atomic.count(False) <= TEXT_CM:
            break
        if atomic[i] and not rigid[i]:
            atomic[i] = False
    fixed = sum(n for n, a in zip(need, atomic, strict=True) if a)
    floor = _cm("四个汉字", size) + pad
    if atomic.count(False) and sum(n for n, a in zip(need, atomic, strict=True) if a) + floor * atomic.count(False) \
            > TEXT_CM:
        floor = _cm("两字", size) + pad  # a full table: names wrap after two characters rather than IDs at all
    flexible = sum(min(n, 8.0) for n, a in zip(need, atomic, strict=True) if not a)
    spare = TEXT_CM - fixed
    widths = [n if a else max(floor, spare * min(n, 8.0) / flexible) for n, a in zip(need, atomic, strict=True)]
    if sum(widths) > TEXT_CM:  # too wide: the sentence columns give way first, atomic ones last
        over = sum(widths) - TEXT_CM
        give = [w - floor if not a else 0.0 for w, a in zip(widths, atomic, strict=True)]
        if sum(give) >= over:
            widths = [w - over * g / sum(give) for w, g in zip(widths, give, strict=True)]
        else:
            widths = [w * TEXT_CM / sum(widths) for w in widths]
    elif sum(widths) < TEXT_CM:  # room to spare: widen the sentence columns (or all, when every one is atomic)
        grow = [not a for a in atomic] if not all(atomic) else [True] * len(atomic)
        extra = (TEXT_CM - sum(widths)) / sum(grow)
        widths = [w + extra if g else w for w, g in zip(widths, grow, strict=True)]
    table.autofit = False
    for column, w in zip(table.columns, widths, strict=True):
        column.width = Cm(w)  # w:gridCol, which LibreOffice and WPS lay out by
    for n, row in enumerate(table.rows):
        for cell, w, a in zip(row.cells, widths, atomic, strict=True):
            cell.width = Cm(w)
            if a and n:  # a header may wrap; the values under it do not
                tcpr = cell._tc.get_or_add_tcPr()
                tcpr.append(tcpr.makeelement(qn("w:noWrap"), {}))


# --------------------------------------------------------------------------- the 公文 frame
def _open(f: Frame) -> _Doc:
    """A 公文 page (A4, GB/T 9704 margins, page numbers) with the 版头, the 标题, the 主送机关 and the 导语."""
    from docx import Document
    from docx.shared import Cm

    doc = _Doc(Document())
    doc.docx.settings.odd_and_even_pages_header_footer = True
    section = doc.docx.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _page_number(section.footer, "right")
    _page_number(section.even_page_footer, "left")
    _para(doc, f.mark, H1_FONT, SIZE_3)
    size = f.organ_points
    for organ in f.organs:
        _para(doc, organ, TITLE_FONT, size, align="center", color=RED).paragraph_format.line_spacing = 1.1
    _para(doc, "")
    _rule(_para(doc, f.number, BODY_FONT, SIZE_3, align="center"))
    _para(doc, "")
    _para(doc, f.title, TITLE_FONT, SIZE_2, align="center")
    _para(doc, "")
    _para(doc, f"{f.addressee}：", keep=True)
    if f.opening:
        _para(doc, f.opening, indent=True, align="justify")
    return doc


def _close(doc: _Doc, f: Frame) -> None:
    """结语, 附件说明, 署名, 成文日期 and 附注, kept on one page with the last paragraph of the body."""
    _para(doc, f.closing, indent=True, keep=True)
    if f.attachments:
        _para(doc, "", keep=True)
        for i, line in enumerate(f.attachment_lines):
            _para(doc, line, left=2 if i == 0 else 5, keep=True)
    _para(doc, "", keep=True)  # 不加盖印章: 署名 one line below the text (GB/T 9704 7.3.5.2)
    for organ in f.signature:
        _para(doc, organ, align="right", right=2, keep=True)
    _para(doc, f.date, align="right", right=4, keep=bool(f.note))
    if f.note:
        _para(doc, f.note, left=2)


def _attachment(doc: _Doc, number: int, title: str) -> None:
    """附件N on a new page, flush left in 3号黑体; its title centred on the third line (GB/T 9704 7.4)."""
    p = _para(doc, f"附件{number}", H1_FONT, SIZE_3, keep=True)
    p.paragraph_format.page_break_before = True
    _para(doc, "", keep=True)
    _para(doc, title, TITLE_FONT, SIZE_2, align="center", keep=True)
    _para(doc, "", keep=True)


def _banji(doc: _Doc, f: Frame) -> None:
    """版记: 抄送 and 印发机关/印发日期 in 4号仿宋 between a thick first and last rule (GB/T 9704 7.5)."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    _para(doc, "")
    black = "000000"
    first = None
    if f.copy_line:
        first = _para(doc, f.copy_line, BODY_FONT, SIZE_4, left=1, right=1, hanging=3, keep=True)
        _rule(first, "top", black, 8)
        _rule(first, "bottom", black, 4)
    printer, when = f.print_line
    p = _para(doc, "", BODY_FONT, SIZE_4, left=1, right=1)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_CM - 0.5), WD_TAB_ALIGNMENT.RIGHT)
    _font(p.add_run(f"{printer}\t{when}"), BODY_FONT, SIZE_4)
    if first is None:
        _rule(p, "top", black, 8)
    _rule(p, "bottom", black, 8)


def _document(f: Frame, body: Callable[[_Doc], None],
              attachments: list[Callable[[_Doc], None]] | None = None) -> bytes:
    """The whole document: frame, ``body``, frame's close, each of ``attachments`` (one per 附件 title of the
    frame, in order) on its own page, 版记; properties dated by the document (never the clock)."""
    doc = _open(f)
    body(doc)
    _close(doc, f)
    for i, (title, fill) in enumerate(zip(f.attachments, attachments or [], strict=True), start=1):
        _attachment(doc, i, title)
        fill(doc)
    _banji(doc, f)
    props = doc.docx.core_properties
    props.title, props.author, props.last_modified_by = f.title, f.printer, f.printer
    props.comments = ""  # python-docx's template says "generated by python-docx"
    props.language = "zh-CN"
    _chinese_default(doc)
    props.created = props.modified = datetime.fromisoformat(_iso(f.date))
    props.revision = 1
    return _save(doc)


def _chinese_default(doc: _Doc) -> None:
    """The document's East Asian language Chinese (w:lang w:eastAsia in the style defaults; the template says
    en-US), so Word and WPS check and break Chinese text as Chinese."""
    from docx.oxml.ns import qn

    rpr = doc.docx.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")  # w:val stays Western: with zh-CN LibreOffice breaks “50.0” as “5/0.0”


def _iso(zh: str) -> str:
    """2022年7月5日 → 2022-07-05 (the document properties' date)."""
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", zh)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat() if m else "2000-01-01"


def _h1(doc: _Doc, text: str) -> None:
    _para(doc, text, H1_FONT, SIZE_3, indent=True, keep=True)


def _h2(doc: _Doc, text: str) -> None:
    _para(doc, text, H2_FONT, SIZE_3, indent=True, keep=True)


def _text(doc: _Doc, parts: list[str]) -> None:
    """Staff-written paragraphs (report_notes, gongwen.paragraphs); 【待撰写】 while unwritten."""
    for part in parts or ["【待撰写】"]:
        _para(doc, part, indent=True, align="justify")


# --------------------------------------------------------------------------- the circular
def _lines(doc: _Doc, items: list[Line], empty: str, unit_heading: str = "牵头单位") -> None:
    if not items:
        _para(doc, empty, indent=True)
        return
    _table(doc, ["编号", "事项", unit_heading, "牵头领导", "进度", "问题"],
           [[m.id, m.title, m.unit, m.leaders, f"{m.progress}%", m.reasons] for m in items])


def _annex_table(annex: Any) -> Callable[[_Doc], None]:
    """A 附件's content: its paragraphs (赛马计分办法), or its table (无。 when empty)."""
    def fill(doc: _Doc) -> None:
        for text in annex.text:
            _para(doc, text, indent=True, align="justify")
        if annex.header:
            _listing(doc, list(annex.header), [list(row) for row in annex.rows])

    return fill


def _listing(doc: _Doc, header: list[str], rows: list[list[Any]]) -> None:
    if rows:
        _table(doc, header, rows)
    else:
        _para(doc, "无。", indent=True)


def render_docx(r: Report) -> bytes:
    """The .docx bytes of circular ``r`` (report.Report) in the 公文 format."""
    names = r.light_names

    def body(doc: _Doc) -> None:
        _h1(doc, "一、总体情况")
        _para(doc, r.overview, indent=True, align="justify")
        _para(doc, r.rates_note, indent=True, align="justify")
        _table(doc, [r.ledger_heading, "事项数", names["red"], names["yellow"], names["blue"], names["green"], "已办结",
                     "阶段性办结", "办结率（含阶段性办结）", "完全办结率"],
               [[x.name, x.total, x.red, x.yellow, x.blue, x.green, x.closed, x.stage_closed, x.completion_rate,
                 x.full_rate] for x in r.by_ledger])
        if r.research:
            _para(doc, r.research, indent=True, align="justify")
        _h1(doc, "二、主要成效")
        _text(doc, r.achievement_paragraphs)
        _h1(doc, "三、序时分析")
        cats = ["超进度", "达进度", "欠进度", "已完成", "持续推进", "中止"]
        _table(doc, cats, [[r.schedule[c] for c in cats]])
        _h1(doc, "四、本期进展")
        _para(doc, r.period_progress, indent=True, align="justify")
        if r.progressed:
            _table(doc, ["编号", "事项", r.unit_heading, "期初进度", "期末进度"],
                   [[m.id, m.title, m.unit, f"{m.start}%", f"{m.end}%"] for m in r.progressed])
        _h1(doc, "五、赛马排名")
        if r.ranking_note:
            _para(doc, r.ranking_note, indent=True, align="justify")
        for i, g in enumerate(r.ranking):
            _h2(doc, f"（{'一二三四五六七八九十'[i]}）{g.group}")
            _table(doc, ["名次", r.ranked_heading, "得分", "事项", "得分说明"],
                   [[u.rank or "—", u.unit, u.score_text, u.matters, u.breakdown]
                    for u in g.units])
            red = "、".join(u.unit for u in g.red_list) or "无"
            black = "、".join(u.unit for u in g.black_list) or "无"
            _para(doc, f"红榜：{red}。黑榜：{black}。", indent=True)
        _h1(doc, "六、存在问题")
        _lines(doc, r.problems, "本期无超期、滞后、节点逾期事项。", r.unit_heading)
        _h1(doc, "七、未按期报告")
        _lines(doc, r.missing_reports, "各事项均已按期报告。", r.unit_heading)
        _h1(doc, "八、专题")
        if r.task_forces:
            _h2(doc, "（一）工作专班推进情况")
            _table(doc, ["专班", "级别", "牵头领导", "事项", names["red"], names["yellow"], "办结", "平均进度"],
                   [[f.name, f.level, f.leader, f.total, f.red, f.yellow, f.closed, f.progress] for f in r.task_forces])
            _h2(doc, "（二）量化指标")
        if r.indicators:
            _table(doc, [r.ledger_heading, "编号", "指标", "目标", "完成", "完成情况"],
                   [[i.ledger, i.id, i.name, f"{i.target}{i.unit}", i.done_text, i.rate] for i in r.indicators])
        else:
            _para(doc, "本期无量化指标。", indent=True)
        _h1(doc, "九、下步工作要求")
        _text(doc, r.requirement_paragraphs)

    return _document(r.frame, body, [_annex_table(a) for a in r.annexes])


def _save(doc: _Doc) -> bytes:
    """The .docx bytes of ``doc``: the rows of its tables styled and measured (behind a progress bar of all
    of them, "生成 Word 表格行", on a terminal only), python-docx's package with the tables' body rows streamed into
    word/document.xml (never one string), and every entry's timestamp fixed, so equal documents give equal
    bytes."""
    total = sum(len(t.rows) for t in doc.tables)
    for table, row in counted(((t, row) for t in doc.tables for row in t.rows), total, "生成 Word 表格行"):
        table.add(row)
    bodies = [_body(t, i) for i, t in enumerate(doc.tables)]
    saved = io.BytesIO()
    doc.docx.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            if info.filename == "word/document.xml":
                with dst.open(fixed, "w") as part:
                    for piece in _with_rows(src.read(info.filename), bodies):
                        part.write(piece)
            else:
                dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _with_rows(xml: bytes, bodies: list[_Rows]) -> Iterator[bytes]:
    """word/document.xml in pieces: python-docx's ``xml`` with the marker of each table replaced by its
    body rows (``bodies``, in document order)."""
    pieces = _MARKER.split(xml)  # text, table index, text, table index, …, text
    yield pieces[0]
    for number, (index, text) in enumerate(zip(pieces[1::2], pieces[2::2], strict=True)):
        assert int(index) == number, "the markers are in the order of the tables"
        yield from bodies[number].xml()
        yield text


def docx_text(data: bytes) -> str:
    """A docx as text: paragraphs, then each table as rows of cells — what the golden files compare."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for i, table in enumerate(doc.tables, start=1):
        lines.append(f"[表{i}]")
        lines.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- single documents
def notice_docx(n: Any) -> bytes:
    """A 督办通知单 (report.Notice) in the 公文 format: 主送 the unit, 抄送 the leaders of its matters."""
    from .gongwen import zh_date

    def body(doc: _Doc) -> None:
        _para(doc, f"经核查，截至{zh_date(n.date)}，你单位牵头的以下{len(n.items)}项督办事项存在超期、滞后或未按期报告等问题，"
                   f"{n.warning}。请高度重视，逐项研究整改措施，于{zh_date(n.reply_by)}前将整改情况书面报送{n.office}。",
              indent=True, align="justify")
        _table(doc, ["编号", "事项", "预警", "问题", "完成时限", "进度"],
               [[m.id, m.title, m.light, m.reasons, m.deadline, f"{m.progress}%"] for m in n.items])

    return _document(n.frame, body)


def _chain_table(doc: _Doc, chain: Any, day: str | None) -> None:
    """A matter's documents with their reply as of ``day`` (None: as the register records it)."""
    _table(doc, ["文书", "种类", "印发日期", "回复期限", "回复情况"],
           [[d.number, d.kind, d.issued.isoformat(), d.reply_by.isoformat() if d.reply_by else "—", d.reply_words(day)]
            for d in chain])


def escalation_docx(e: Any, organ: Organ) -> bytes:
    """A 提示单 / 督办单 / 通报批评 / 问责移交 (escalation.Escalation) in the 公文 format."""
    from .escalation import escalation_frame
    from .gongwen import zh_date

    def body(doc: _Doc) -> None:
        if e.referral_to:
            _para(doc, f"{e.unit}牵头的以下{len(e.steps)}项督办事项，经督办通知、提示、督办、通报批评仍未整改到位，"
                       "现将有关问题线索及督办过程材料移交你们，请依规依纪处理。", indent=True, align="justify")
        else:
            _para(doc, f"截至{zh_date(e.date)}，你单位牵头的以下{len(e.steps)}项督办事项，前期督办文书逾期未回复或仍为红灯，"
                       f"现升级为{e.label}。请主要负责同志亲自过问，于{zh_date(e.reply_by)}前将整改情况书面报送{e.office}。",
                  indent=True, align="justify")
        _table(doc, ["编号", "事项", "升级原因", "前期文书"],
               [[s.matter, s.title, "；".join(s.reasons), f"{s.basis.number}（{s.basis.kind}）"] for s in e.steps])
        if e.referral_to:
            for s in e.steps:
                _h2(doc, f"{s.matter} {s.title}督办过程")
                _chain_table(doc, s.chain, e.date)

    return _document(escalation_frame(e, organ), body)


def accountability_docx(a: Any, organ: Organ) -> bytes:
    """The referral letter (escalation.Accountability) to the discipline commission and the conduct office."""
    from .escalation import referral_frame
    from .gongwen import zh_date

    def body(doc: _Doc) -> None:
        _para(doc, f"按照“2+2”督导问责机制，截至{zh_date(a.today)}，{a.thresholds}的督办事项共{len(a.items)}项，"
                   "现将清单及督办过程材料移交你们，请依规依纪处理。", indent=True, align="justify")
        if a.items:
            _table(doc, ["序号", "编号", "事项", "牵头单位", "牵头领导", "责任人", "完成时限", "进度", "移交理由"],
                   [[i, m.id, m.title, m.unit, m.leaders, m.owner, m.deadline, f"{m.progress}%", "；".join(m.reasons)]
                    for i, m in enumerate(a.items, start=1)])
            _h1(doc, "督办过程")
            for i, m in enumerate(a.items, start=1):
                _h2(doc, f"{i}.{m.id} {m.title}")
                if m.chain:
                    _chain_table(doc, m.chain, a.written or a.today)
                else:
                    _para(doc, "未印发督办文书。", indent=True)
        else:
            _para(doc, "本期没有达到移交条件的事项。", indent=True)

    return _document(referral_frame(a, organ), body)
