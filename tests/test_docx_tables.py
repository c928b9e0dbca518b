"""Tables in the .docx documents: body rows written as XML text from a python-docx template row (issue 22).

A table's header row and one template body row are python-docx's; every body row is the template's XML with
its cells' texts filled in. These tests read a small table back and check what python-docx itself would have
written: the texts (tabs, line breaks, white space, markup characters), the header row repeated, no row split
across pages, the widths of the grid and of every cell, w:noWrap on IDs, numbers and dates, the fonts. And the
work is per row, behind one progress bar: python-docx adds one row per table, never one per matter.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from lxml import etree

from yilan_cli import docx_report, progress
from yilan_cli.gongwen import Organ, frame

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADER = ["编号", "事项", "牵头单位", "进度", "问题"]
ROWS: list[list[Any]] = [
    ["SW-002", "农村人居环境整治 (第一批)", "县住建局", "20%", "超期30天"],
    ["XW-001", "  前后有空格的事项　", None, "100%", "第一行\n第二行\t附注"],
    ["ZB-004", "A&B <项目> \"一期\"", "县水务局", "5%", ""],
]


def _build(tables: list[tuple[list[str], list[list[Any]]]]) -> bytes:
    """A draft document whose body is ``tables``, one after another."""
    f = frame(Organ(), mark="内部资料 注意保存", title="测试", number="", day="2022-06-30", addressee="县直各部门",
              opening="现将有关情况通报如下：", closing="特此通报。")

    def body(doc: Any) -> None:
        for header, rows in tables:
            docx_report._table(doc, header, rows)

    return docx_report._document(f, body)


def _tables(data: bytes) -> list[Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return root.findall(f".//{W}tbl")


def _cell_texts(data: bytes) -> list[list[list[str]]]:
    from docx import Document

    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(io.BytesIO(data)).tables]


def test_a_table_reads_back_with_every_text_as_written() -> None:
    data = _build([(HEADER, ROWS)])
    assert _cell_texts(data) == [[
        HEADER,
        ["SW-002", "农村人居环境整治 （第一批）", "县住建局", "20%", "超期30天"],  # in 公文 style
        ["XW-001", "  前后有空格的事项　", "", "100%", "第一行\n第二行\t附注"],  # None is an empty cell
        ["ZB-004", "A&B <项目> “一期”", "县水务局", "5%", ""],
    ]]
    body = _tables(data)[0].findall(f"{W}tr")[1:]
    t = body[1].findall(f".//{W}t")
    assert t[1].get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"  # leading and trailing spaces kept
    assert [child.tag.removeprefix(W) for child in body[1].findall(f"{W}tc")[4].find(f".//{W}r")] == \
        ["rPr", "t", "br", "t", "tab", "t"]
    assert body[2].findall(f"{W}tc")[4].find(f".//{W}t") is None  # an empty cell has a run without text


def test_header_repeats_rows_never_split_and_widths_match_the_grid() -> None:
    (tbl,) = _tables(_build([(HEADER, ROWS)]))
    rows = tbl.findall(f"{W}tr")
    assert [r.find(f"{W}trPr/{W}tblHeader") is not None for r in rows] == [True, False, False, False]
    assert all(r.find(f"{W}trPr/{W}cantSplit").get(f"{W}val") == "true" for r in rows)
    grid = [int(c.get(f"{W}w")) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    assert grid == [1257, 3113, 1152, 963, 2359]  # twips: IDs, 单位, 进度 in full; the sentences share the rest
    assert sum(grid) == pytest.approx(15.6 / 2.54 * 1440, abs=3)  # the 156 mm 版心
    for r in rows:
        assert [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for tc in r.findall(f"{W}tc")] == grid
        assert [tc.find(f"{W}tcPr/{W}tcW").get(f"{W}type") for tc in r.findall(f"{W}tc")] == ["dxa"] * 5
    no_wrap = [[tc.find(f"{W}tcPr/{W}noWrap") is not None for tc in r.findall(f"{W}tc")] for r in rows]
    assert no_wrap == [[False] * 5] + [[True, False, True, True, False]] * 3  # a header may wrap
    assert tbl.find(f"{W}tblPr/{W}tblStyle").get(f"{W}val") == "TableGrid"
    assert tbl.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"


def test_fonts_of_the_header_and_the_body() -> None:
    (tbl,) = _tables(_build([(HEADER, ROWS)]))
    for n, r in enumerate(tbl.findall(f"{W}tr")):
        for tc in r.findall(f"{W}tc"):
            rpr = tc.findall(f".//{W}r")[-1].find(f"{W}rPr")
            fonts = rpr.find(f"{W}rFonts")
            font = "黑体" if n == 0 else "仿宋_GB2312"
            assert [fonts.get(f"{W}{a}") for a in ("eastAsia", "ascii", "hAnsi")] == [font] * 3
            assert rpr.find(f"{W}sz").get(f"{W}val") == "21"  # 五号, 10.5 pt
            assert rpr.find(f"{W}b").get(f"{W}val") == "0"


def test_a_wide_table_is_in_small_five_and_an_empty_one_keeps_its_header() -> None:
    wide = [f"列{i}" for i in range(8)]
    tbl, empty = _tables(_build([(wide, [[str(i) for i in range(8)]]), (HEADER, [])]))
    assert {sz.get(f"{W}val") for sz in tbl.iter(f"{W}sz")} == {"18"}  # 小五, 9 pt
    assert [len(r.findall(f"{W}tc")) for r in tbl.findall(f"{W}tr")] == [8, 8]
    assert len(empty.findall(f"{W}tr")) == 1 and len(empty.findall(f"{W}tblGrid/{W}gridCol")) == 5


@pytest.mark.parametrize("text", ["SW-002", " 前导空格", "尾随　", "a\tb\nc\rd", "\n", "&<>\"'", "", "中文 2022年"])
def test_run_content_is_what_python_docx_writes(text: str) -> None:
    from docx import Document

    r = Document().add_paragraph().add_run(text)._r
    r.getparent().remove(r)  # alone, it declares only the w: namespace
    xml = etree.tostring(r, encoding="unicode").replace(f' xmlns:w="{W[1:-1]}"', "")
    expected = "" if xml == "<w:r/>" else xml.removeprefix("<w:r>").removesuffix("</w:r>")
    assert docx_report._run_content(text) == expected


def test_a_character_xml_cannot_hold_is_refused_as_python_docx_refuses_it() -> None:
    with pytest.raises(ValueError, match="XML compatible"):
        docx_report._run_content("红\x01灯")


def test_rows_are_written_as_text_behind_one_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,500 rows in two tables: one bar "生成 Word 表格行" counting all of them; python-docx adds one row per table."""
    from docx.table import Table

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, bars, added = Tty(), [], []
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("YILAN_NO_PROGRESS", raising=False)
    monkeypatch.setattr(docx_report, "counted", lambda items, total, label: (
        bars.append((total, label)) or progress.counted(items, total, label, tty)))
    add_row = Table.add_row
    monkeypatch.setattr(Table, "add_row", lambda self: added.append(1) or add_row(self))
    rows = [[f"SW-{n:05d}", f"事项{n}", "县住建局", f"{n % 100}%", ""] for n in range(1000)]
    data = _build([(HEADER, rows), (HEADER, rows[:500])])
    assert bars == [(1500, "生成 Word 表格行")] and "生成 Word 表格行" in tty.getvalue() and "1500/1500" in tty.getvalue()
    assert len(added) == 2  # the template rows
    first, second = _cell_texts(data)
    assert len(first) == 1001 and len(second) == 501 and first[1000] == ["SW-00999", "事项999", "县住建局", "99%", ""]
