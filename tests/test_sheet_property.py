"""Issue 21's property: a ledger written to a spreadsheet the ways offices write one — percent-formatted or plain
进度, real date cells, serials of the 1900 or the 1904 date system, text dates, a one- or two-row header with a
merged parent, hidden rows, formulas saved with their values — and CSV in three encodings (comma or tab) reads
back to exactly what was written."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from yilan_cli.sheets import Place, cell_date, cell_progress, read_table

UNITS = ["县水务局", "县住建局", "县商务局", "县发改局", "依兰镇"]
TITLE = st.text(alphabet="城区供水管网改造农贸市场秸秆综合利用老旧小区", min_size=2, max_size=12)
matter = st.fixed_dictionaries({
    "title": TITLE,
    "unit": st.sampled_from(UNITS),
    "deadline": st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    "progress": st.integers(min_value=0, max_value=100),
    "date_form": st.sampled_from(["cell", "serial", "iso", "chinese", "slash"]),
    "progress_form": st.sampled_from(["int", "text", "percent_text", "percent_cell", "formula"]),
    "hidden": st.booleans(),
})


def _date_cell(d: date, form: str, epoch: datetime) -> Any:
    if form == "cell":
        return datetime(d.year, d.month, d.day)
    if form == "serial":
        return to_excel(datetime(d.year, d.month, d.day), epoch)
    if form == "iso":
        return d.isoformat()
    if form == "chinese":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}/{d.month}/{d.day}"


def _progress_cell(p: int, form: str) -> tuple[Any, str | None]:
    if form == "int":
        return p, None
    if form == "text":
        return str(p), None
    if form == "percent_text":
        return f"{p}%", None
    if form == "formula":  # its cached value is written into the file after saving (_cache_formulas)
        return f"={p}+0", None
    return p / 100, "0%"  # a percent-formatted cell holds the fraction


def _cache_formulas(book: Path) -> None:
    """Give each formula the value Excel/WPS would have saved with it (openpyxl writes an empty <v>)."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = re.sub(rb"<f>(\d+)\+0</f><v></v>", lambda m: b"<f>" + m[1] + b"+0</f><v>" + m[1] + b"</v>",
                         parts[name])
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _read(book: Path) -> list[tuple[str, str, date | str | None, int | None]]:
    sheet = read_table(book)
    out = []
    for row, values in sheet.rows:
        place: Place = sheet.places[row][0]
        out.append((str(values["事项"]), str(values["牵头单位"]),
                    cell_date(values["完成时限"], None, place.epoch1904),
                    cell_progress(values.get("进度"), place.fractions)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(matter, min_size=1, max_size=8), mac=st.booleans(), two_rows=st.booleans())
def test_a_workbook_written_as_offices_write_reads_back_exactly(tmp_path: Path, rows: list[dict[str, Any]],
                                                                mac: bool, two_rows: bool) -> None:
    wb = openpyxl.Workbook()
    if mac:
        wb.epoch = CALENDAR_MAC_1904
    epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
    ws = wb.active
    ws.title = "台账"
    ws.append(["2022年重点工作台账"])
    if two_rows:  # 推进情况 over 完成进度 | 存在问题, the others merged down
        ws.append(["工作任务", "责任单位", "完成时限", "推进情况", None])
        ws.append([None, None, None, "完成进度", "存在问题"])
        ws.merge_cells("D2:E2")
        for col in "ABC":
            ws.merge_cells(f"{col}2:{col}3")
    else:
        ws.append(["工作任务", "责任单位", "完成时限", "完成进度", "存在问题"])
    for r in rows:
        value, fmt = _progress_cell(r["progress"], r["progress_form"])
        ws.append([r["title"], r["unit"], _date_cell(r["deadline"], r["date_form"], epoch), value, "无"])
        at = ws.max_row
        if fmt:
            ws.cell(at, 4).number_format = fmt
        if r["date_form"] == "cell":
            ws.cell(at, 3).number_format = "yyyy-mm-dd"
        ws.row_dimensions[at].hidden = r["hidden"]
    book = tmp_path / f"台账{len(rows)}{int(mac)}{int(two_rows)}.xlsx"
    wb.save(book)
    _cache_formulas(book)
    expected = [(r["title"], r["unit"], r["deadline"], r["progress"]) for r in rows]
    # a percent cell holding 0 reads 0; a plain 1 stays 1 unless the whole column is shares of 1
    assert _read(book) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(matter, min_size=1, max_size=8), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
       sep=st.sampled_from([",", "\t"]))
def test_a_csv_in_each_encoding_reads_back_exactly(tmp_path: Path, rows: list[dict[str, Any]], encoding: str,
                                                   sep: str) -> None:
    import csv

    buffer = io.StringIO()
    w = csv.writer(buffer, delimiter=sep)
    w.writerow(["序号", "工作任务", "责任单位", "完成时限", "完成进度"])
    for i, r in enumerate(rows, start=1):
        form = r["date_form"] if r["date_form"] in ("iso", "chinese", "slash") else "iso"
        w.writerow([i, r["title"], r["unit"], _date_cell(r["deadline"], form, CALENDAR_WINDOWS_1900),
                    f"{r['progress']}%" if r["progress_form"] == "percent_text" else r["progress"]])
    path = tmp_path / f"台账{len(rows)}{encoding}{ord(sep)}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    assert _read(path) == [(r["title"], r["unit"], r["deadline"], r["progress"]) for r in rows]


def test_the_1904_system_is_four_years_and_a_day_later() -> None:
    serial = 43140
    assert cell_date(serial, None, False) == date(2018, 2, 9)
    assert cell_date(serial, None, True) == date(2018, 2, 9) + timedelta(days=1462)  # 2022-02-10
