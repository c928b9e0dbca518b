"""The xlsx sheets yilan writes for people print on A4 and compute in WPS/Excel (docs/excel.md, 打印版式).

The demo ledgers' export used to print as 128 pages in LibreOffice: no page set-up, 39 columns, 预警灯 in
column AK, 办结率 as text. These tests open the written workbooks with openpyxl, and one prints the demo
export through LibreOffice Calc and counts the pages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.sheet_print import DATE_FORMAT

FIRST_COLUMNS = ["预警灯", "编号", "事项", "牵头单位", "进度", "序时进度", "完成时限", "超期天数", "状态", "牵头领导",
                 "进展情况", "存在问题"]


def run(root: Path, *args: str) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture
def export(demo_workspace: Path, tmp_path: Path) -> Path:
    out = tmp_path / "台账.xlsx"
    run(demo_workspace, "export", "-o", str(out), "--today", "2022-06-30")
    return out


def assert_prints_for_people(sheet: Any, title_rows: str = "$1:$1") -> None:
    """A4 landscape, one page wide, the header row on every page, margins, 第1页 共N页 centred at the foot."""
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == title_rows
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.4, 0.4, 0.7, 0.6)
    assert sheet.oddFooter.center.text == "第&P页 共&N页"
    assert sheet.oddHeader.left.text == "内部资料 注意保存"


def test_every_sheet_of_the_export_prints_a4_landscape_fitted_to_width(export: Path) -> None:
    wb = openpyxl.load_workbook(export)
    assert len(wb.sheetnames) == 14
    for sheet in wb.worksheets:
        assert_prints_for_people(sheet)
    assert wb["汇总"].oddHeader.center.text == "督办台账汇总（截至2022年6月30日）"
    assert wb["重点工作专班"].oddHeader.center.text == "重点工作专班（截至2022年6月30日）"


def test_a_ledger_sheet_puts_the_light_and_the_key_columns_first_and_prints_only_those(export: Path) -> None:
    wb = openpyxl.load_workbook(export)
    ws = wb["重点工作专班"]
    header = [c.value for c in ws[1]]
    assert header[:12] == FIRST_COLUMNS
    assert header[-1] == "台账" and len(header) == 39  # every other column stays, after the printed ones
    assert ws.freeze_panes == "D2"  # the header row and 预警灯 编号 事项 stay in view
    assert ws.print_area == "'重点工作专班'!$A$1:$L$4"
    assert ws.auto_filter.ref == "A1:AM4"
    # only long text wraps: 编号, units, dates and percentages never do
    col = {name: i for i, name in enumerate(header)}
    row = ws[2]
    assert row[col["事项"]].alignment.wrap_text
    for name in ("编号", "牵头单位", "进度", "完成时限", "预警灯"):
        assert not row[col[name]].alignment.wrap_text, name
    assert ws.row_dimensions[2].height == 50  # ZB-001: its 目标要求 (景区道路、游客服务中心…开园接待条件) wraps to three lines
    assert ws.column_dimensions["B"].width == 8 and ws.column_dimensions["C"].width == 28


def test_numbers_and_dates_are_stored_as_numbers_with_formats(export: Path) -> None:
    wb = openpyxl.load_workbook(export)
    ws = wb["重点工作专班"]
    header = [c.value for c in ws[1]]
    zb1 = {name: cell for name, cell in zip(header, ws[2], strict=True)}
    assert zb1["编号"].value == "ZB-001"
    assert (zb1["进度"].value, zb1["进度"].number_format, zb1["进度"].data_type) == (0.5, "0%", "n")
    assert (zb1["序时进度"].value, zb1["序时进度"].number_format) == (0.482, "0.0%")
    assert (zb1["完成时限"].value, zb1["完成时限"].number_format) == (datetime(2022, 12, 31), DATE_FORMAT)
    assert (zb1["交办日期"].value, zb1["交办日期"].number_format) == (datetime(2022, 1, 10), DATE_FORMAT)
    assert (zb1["进展日期"].value, zb1["进展日期"].number_format) == (datetime(2022, 6, 28), DATE_FORMAT)
    overdue = next(c for c in wb["重大项目建设"][1] if c.value == "超期天数").column
    days = [r[overdue - 1] for r in wb["重大项目建设"].iter_rows(min_row=2)]
    assert [(c.value, c.number_format) for c in days if c.value is not None] == [(5, "0")]  # XM-001, due 06-25
    summary = wb["汇总"]
    assert [c.value for c in summary[1]][-1] == "办结率（含阶段性办结）"
    total = [(c.value, c.number_format) for c in summary[summary.max_row]]
    assert total == [("合计", "General"), (42, "0"), (4, "0"), (5, "0"), (1, "0"), (14, "0"), (17, "0"), (3, "0"),
                     (3, "0"), (0.476, "0.0%")]
    assert summary.freeze_panes == "B2" and not summary.print_area  # ten columns: all of them print
    # nothing that looks like a number is stored as text
    for sheet in wb.worksheets:
        for line in sheet.iter_rows(min_row=2, values_only=True):
            for value in line:
                assert not (isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?%?|\d{4}-\d\d-\d\d", value)), value


def test_a_percent_formatted_cell_imports_as_the_percentage_it_shows(tmp_path: Path) -> None:
    """An exported 进度 of 100% is the number 1 in a 0% cell: it reads back as 100, not 1."""
    from yilan_cli.sheets import cell_progress, cell_text, read_table

    book = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项", "牵头单位", "进度", "完成时限", "备注"])
    for value, fmt in ((1, "0%"), (0.7, "0%"), (0.482, "0.0%"), (70, "General"), (70, '0"%"'), (1, "0\\%")):
        ws.append(["修路", "县住建局", value, datetime(2022, 12, 31), value])
        ws.cell(ws.max_row, 3).number_format = fmt
        ws.cell(ws.max_row, 4).number_format = DATE_FORMAT
    wb.save(book)
    rows = [values for _, values in read_table(book).rows]
    assert [r["进度"] for r in rows] == ["100%", "70%", "48.2%", 70, 70, 1]
    assert [cell_progress(r["进度"]) for r in rows] == [100, 70, 48, 70, 70, 1]
    assert cell_text(rows[0]["完成时限"]) == "2022-12-31"  # a date cell as text (an extra field) is the date


def test_the_assessment_and_the_fill_in_form_print_the_same_way(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "考核.xlsx"
    run(demo_workspace, "export", "--assessment", "2022", "-o", str(out), "--today", "2022-12-31")
    for sheet in openpyxl.load_workbook(out).worksheets:
        assert_prints_for_people(sheet)
        assert sheet.freeze_panes == "C2" and sheet.oddHeader.center.text.startswith("2022年度督办考核结果（")
    form = tmp_path / "填报表.xlsx"
    run(demo_workspace, "export", "--fill", "--unit", "县住建局", "--period", "2022-07", "-o", str(form))
    ws = openpyxl.load_workbook(form)["进展填报"]
    assert_prints_for_people(ws, title_rows="$3:$3")  # under the two title rows
    assert ws.freeze_panes == "C4" and ws.oddHeader.center.text == "县住建局进展填报表"
    # SW-002's 事项 wraps: its row (4, under the two title rows) is two lines high, the title rows are not
    assert ws["B4"].value == "农村人居环境整治提升五年行动(2022年度任务)" and ws["B4"].alignment.wrap_text
    # XW-002 (row 5) lists its two open milestones (未完成节点), one per line
    assert {r: d.height for r, d in ws.row_dimensions.items() if d.height} == {4: 34, 5: 66}


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")),
                    reason="needs LibreOffice Calc (libreoffice-calc-nogui) and poppler-utils, installed by .ci/run")
def test_libreoffice_prints_the_demo_export_on_a_page_per_sheet(export: Path, tmp_path: Path) -> None:
    """128 pages before the print layout; now the 汇总 and each of the 13 ledgers on one A4 page."""
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    str(export), "--outdir", str(tmp_path)], capture_output=True, check=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "台账.pdf"
    assert pdf_pages(pdf) == 14
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "督办台账汇总（截至2022年6月30日）" in first and "第1页 共14页" in first and "47.6%" in first
    page = subprocess.run(["pdftotext", "-f", "7", "-l", "7", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"预警灯\s+编号\s+事项\s+牵头单位\s+进度\s+序时进度\s+完成时限", page)
    assert "2022年12月31日" in page and "50%" in page and "下步措施" not in page  # outside the print area


def test_the_streamed_export_keeps_the_look_and_counts_its_rows_on_a_terminal(
        demo_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """write_export streams (a write-only workbook, issue 22) and the rows keep their light fill, percent
    format, frozen panes and repeated header; on a terminal a 写入 Excel bar counts the matters."""
    import io
    import sys
    from datetime import date

    from yilan_cli import exchange, progress
    from yilan_cli.workspace import load

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("YILAN_NO_PROGRESS", raising=False)
    monkeypatch.setattr(progress, "MIN_ITEMS", 10)  # the demo's 42 matters: a bar as 20,000 would get
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    ws = load(demo_workspace)
    day = date(2022, 6, 30)
    rows = [(v, st) for v, st in exchange.statuses(ws, exchange.load_full(ws), day) if v.matter.assigned <= day]
    wb = exchange.write_export(ws, rows, day, False)
    assert wb.write_only
    assert "写入 Excel" in tty.getvalue() and f"{len(rows)}/{len(rows)}" in tty.getvalue()
    wb.save(tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(tmp_path / "台账.xlsx")
    assert book.sheetnames[0] == "汇总"
    sheet = book["重大项目建设"]
    header = [c.value for c in sheet[1]]
    assert sheet[1][0].font.b and sheet[1][0].font.name == "黑体" and sheet[1][0].fill.fgColor.rgb == "00D9E1F2"
    xm1 = {name: cell for name, cell in zip(header, next(r for r in sheet.iter_rows() if r[1].value == "XM-001"),
                                              strict=True)}
    assert (xm1["预警灯"].value, xm1["预警灯"].fill.fgColor.rgb) == ("红", "00FFCDD2")  # LIGHT_FILLS["red"]
    assert (xm1["进度"].value, xm1["进度"].number_format) == (0.8, "0%")
    assert (xm1["超期天数"].value, xm1["超期天数"].number_format) == (5, "0")
    assert (xm1["完成时限"].value, xm1["完成时限"].number_format) == (datetime(2022, 6, 25), DATE_FORMAT)
    assert xm1["事项"].border.left.style == "thin" and xm1["事项"].alignment.vertical == "top"
    green = next(r[0] for r in sheet.iter_rows(min_row=2) if r[0].value == "绿")
    assert green.fill.fgColor.rgb == "00C8E6C9"  # each light its own fill, the cell objects never shared
    assert sheet.freeze_panes == "D2" and sheet.print_title_rows == "$1:$1"
    assert sheet.auto_filter.ref == f"A1:AM{sheet.max_row}"
    assert_prints_for_people(sheet)
