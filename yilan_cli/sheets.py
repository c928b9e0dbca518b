"""Spreadsheets in and out: reading the ledgers offices really keep, writing exports and fill-in forms.

Reading accepts what WPS and Excel produce: title rows above the header, merged cells, header names
in several wordings (工作任务/事项名称 → 事项 …), Excel date serials and text dates (2022年4月底), CSV in
UTF-8, UTF-8 with BOM or GBK. Writing neutralises formula injection: a text cell never becomes a
formula in xlsx, and in CSV a cell starting with = + - @ TAB or CR gets a leading apostrophe.
openpyxl is imported only here, only when a spreadsheet command runs.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    from .sheet_print import Layout

# Chinese field name → the header wordings seen in county ledgers (the field's own name first)
ALIASES: dict[str, tuple[str, ...]] = {
    "编号": ("编号", "事项编号", "督办编号"),
    "事项": ("事项", "工作任务", "事项名称", "任务内容", "重点工作", "工作事项", "督办事项", "任务名称"),
    "任务来源": ("任务来源", "来源", "交办来源"),
    "目标要求": ("目标要求", "目标任务", "工作目标", "具体目标"),
    "牵头领导": ("牵头领导", "牵头县领导", "分管领导", "包保领导", "责任领导"),
    "牵头单位": ("牵头单位", "责任单位", "承办单位", "主责单位"),
    "配合单位": ("配合单位", "协办单位"),
    "责任人": ("责任人", "具体责任人", "联系人"),
    "专班": ("专班", "工作专班"),
    "交办日期": ("交办日期", "交办时间"),
    "完成时限": ("完成时限", "时限要求", "完成时间", "办结时限"),
    "报告周期": ("报告周期",),
    "状态": ("状态", "办理状态", "推进状态"),
    "办结日期": ("办结日期", "办结时间"),
    "进度": ("进度", "完成进度", "进度(%)", "完成比例", "本期进度"),
    "进展日期": ("进展日期", "最新进展日期", "报送时间"),
    "进展情况": ("进展情况", "推进情况", "工作进展", "完成情况", "本期进展"),
    "存在问题": ("存在问题", "困难问题", "问题"),
    "下步措施": ("下步措施", "下步工作", "下一步措施", "下步打算"),
    "指标": ("指标", "本期指标", "指标完成值"),
    "节点完成": ("节点完成", "本期完成节点"),  # the fill-in round only: milestones met this period
    "标签": ("标签",),
    "备注": ("备注",),
    "延期至": ("延期至", "延期后时限", "新时限"),
    "延期理由": ("延期理由",),
    "延期申请日期": ("延期申请日期",),
    "延期批准人": ("延期批准人",),
    "延期批准日期": ("延期批准日期",),
    "销号日期": ("销号日期",),
    "审核人": ("审核人",),
    "批准人": ("批准人",),
    "佐证材料": ("佐证材料",),
}
# computed columns or row numbers
IGNORED = ("序号", "台账", "预警灯", "序时进度", "超期天数", "灯", "上期进度", "上期指标", "未完成节点")
LIST_FIELDS = ("牵头领导", "配合单位", "标签", "佐证材料")
DATE_FIELDS = ("交办日期", "完成时限", "办结日期", "进展日期", "销号日期", "延期至", "延期申请日期", "延期批准日期")
_INJECTION = ("=", "+", "-", "@", "\t", "\r")
_SPLIT = re.compile(r"[、,，;；/\n]+")


@dataclass(frozen=True)
class Place:
    """One worksheet as its rows' cells are named in messages, and the year it is about."""

    label: str  # 工作表“…”, or "" for a CSV file
    year: int | None  # the one year its title rows (or else its name) name: 2023年重点工作台账 → 2023
    columns: dict[str, tuple[str, str]]  # field → (column letter, the header as written)
    epoch1904: bool = False  # the workbook counts date serials from 1904 (Mac Excel): 43140 is 2022-02-10
    fractions: bool = False  # its 进度 column holds shares of 1 (0.8, 1): 1 is 100, not 1 (cell_progress)
    mixed: bool = False  # its 进度 column has shares of 1 (0.5) beside percentages (60): a bare 1 there is ambiguous
    as_of: date | None = None  # the day its title rows say it was filled in (填报日期：2022年7月5日, 截至…)

    def cell(self, row: int, name: str) -> str:
        """``工作表“台账”F9 单元格(时限要求)``: where a field of a row is, as WPS/Excel show it."""
        letter, header = self.columns.get(name, ("", name))
        return f"{self.label}{letter}{row} 单元格({header})" if letter else f"{self.label}第 {row} 行的{header}"


@dataclass
class Sheet:
    """Rows of one sheet as {header → value}, each with its spreadsheet row number."""

    path: Path
    name: str
    rows: list[tuple[int | str, dict[str, Any]]]  # (row number, or 工作表!行 across several sheets)
    unknown: list[str]  # header texts that map to no field
    meta: dict[str, str]  # the fill-in form's hidden key/values (unit, period)
    places: dict[int | str, tuple[Place, int]] = dc_field(default_factory=dict)  # row key → its worksheet, row number
    notes: list[str] = dc_field(default_factory=list)  # what the reader passed over or read specially (hidden sheets, rows)


def normalise_header(text: str, extra_names: tuple[str, ...] = (), mapping: dict[str, str] | None = None) -> str | None:
    """The field a header cell names, or None. ``mapping`` (--map COLUMN=字段) wins."""
    raw = re.sub(r"\s+", "", str(text or ""))
    if not raw:
        return None
    if mapping and raw in mapping:
        return mapping[raw]
    candidates = (raw, re.sub(r"[（(].*?[）)]", "", raw))
    for cand in candidates:
        if cand in IGNORED:
            return "-"
        for field, words in ALIASES.items():
            if cand in words:
                return field
        if cand in extra_names:
            return cand
    return None


def refuse_unreadable(path: Path) -> None:
    """Old binary formats and files WPS/Excel hold open get a sentence, not a traceback."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".xls", ".et", ".ett", ".xlt", ".htm", ".html"):
        raise UsageError(f"无法识别的文件类型:{path.name}", "请导入 .xlsx 或 .csv 文件", code="X001")
    if not path.is_file():
        raise UsageError(f"找不到文件:{path}", "请检查文件名和路径", code="X002")
    owner = path.with_name("~$" + path.name)  # the lock file WPS and Excel keep next to an open workbook
    if owner.exists():
        raise UsageError(f"文件被占用,请先关闭:{path.name}", f"WPS/Excel 正在编辑它(存在 {owner.name});关闭后再导入", code="X003")


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file container of .xls, .et and encrypted workbooks


def content_kind(data: bytes, path: Path) -> str:
    """What the file is, by its bytes, whatever its name says: "xlsx" (a zip), "html" (a web page saved as
    .xls), or "csv" (text named .csv). Refused with what to do (never "BadZipFile"): a workbook with an
    opening password (X015), the old binary formats .xls/.et (X001), anything else named as a workbook (X006)."""
    name = path.name
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<?xml")) and b"<table" in data[:1 << 20].lower():
        return "html"
    if data.startswith(_OLE) or path.suffix.lower() in (".xls", ".et", ".ett", ".xlt"):
        if any(s.encode("utf-16-le") in data for s in ("EncryptedPackage", "EncryptionInfo")):
            raise UsageError(f"{name} 设置了打开密码（已加密），无法读取",
                             "请在 WPS/Excel 中输入密码打开，在“文件-加密/保护工作簿”中取消密码，另存为 .xlsx 后再导入",
                             code="X015")
        raise UsageError(f"{name} 是旧版 Excel 97-2003（.xls）或 WPS 表格（.et）格式，不是 .xlsx",
                         "请在 WPS/Excel 中打开，另存为“Excel 工作簿（*.xlsx）”后再导入", code="X001")
    if path.suffix.lower() == ".csv":
        return "csv"
    raise UsageError(f"无法读取 {name}：它不是 Excel 工作簿（.xlsx）", "请在 WPS/Excel 中打开后另存为 .xlsx 再导入",
                     code="X006")


def _delimiter(text: str) -> str:
    """The CSV's separator: of comma, tab and semicolon the one a line of the first ten holds most of (a title
    line may come first); the comma on a tie. Another system's "tab-separated" export is often GBK."""
    lines = [x for x in text.lstrip("\ufeff").split("\n")[:10] if x.strip()]
    counts = {sep: max((x.count(sep) for x in lines), default=0) for sep in (",", "\t", ";")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))  # the most in a line; a tie, or none: comma


def html_grid(data: bytes, limits: tuple[int, int, int, int, int] | None = None,
              notes: list[str] | None = None) -> list[list[Any]]:
    """The first table of an HTML page as a grid of cell texts; a cell spanning rows or columns (rowspan,
    colspan) fills each position it covers, as a merged cell does. Over the import limits (rows, columns,
    cells): X013."""
    from html.parser import HTMLParser

    limits = limits or LIMITS
    try:
        text = data.decode("utf-8-sig") if _utf8(data) else data.decode("gb18030")
    except UnicodeDecodeError:
        raise UsageError("网页表格的编码无法识别（既不是 UTF-8 也不是 GBK）", "请在 WPS/Excel 中打开后另存为 .xlsx 再导入",
                         code="X004") from None

    rows_limit = limits[0]

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.rows: list[list[tuple[str, int, int]]] = []
            self.cell: list[str] | None = None
            self.span = (1, 1)
            self.depth = 0  # tables opened; only the first one is read
            self.done = False
            self.hidden: list[int] = []  # rows (1-based) hidden with display:none

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if self.done:
                return
            if tag == "table":
                self.depth += 1
            elif self.depth == 1 and tag == "tr":
                if len(self.rows) >= rows_limit:  # stop reading: never build a grid past the limits
                    raise UsageError(f"网页表格超过 {rows_limit} 行", "请分成几个文件导入", code="X013")
                self.rows.append([])
                style = (dict(attrs).get("style") or "").replace(" ", "").lower()
                if "display:none" in style:
                    self.hidden.append(len(self.rows))
            elif self.depth == 1 and tag in ("td", "th") and self.rows:
                a = dict(attrs)
                self.cell, self.span = [], (_span_of(a.get("rowspan")), _span_of(a.get("colspan")))
            elif tag == "br" and self.cell is not None:
                self.cell.append("\n\x00")  # a line break of the cell, kept apart from the page's own

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                # the page's own line breaks and indentation are layout; <br> is the cell's line break
                lines = ("".join(self.cell)).split("\n\x00")
                text = "\n".join(" ".join(part.split()) for part in lines).strip()
                self.rows[-1].append((text, *self.span))
                self.cell = None
            elif tag == "table":
                self.depth -= 1
                self.done = self.done or self.depth == 0

        def handle_data(self, d: str) -> None:
            if self.cell is not None:
                self.cell.append(d)

    parser = Tables()
    parser.feed(text)
    size = sum(down * across for tr in parser.rows for _, down, across in tr)
    if size > limits[2]:
        raise UsageError(f"网页表格有 {size} 个单元格，超过 {limits[2]} 个", "请分成几个文件导入", code="X013")
    grid: list[list[Any]] = []
    carried: dict[tuple[int, int], str] = {}  # (row, column) → the text of a cell spanning into it
    for r, cells in enumerate(parser.rows):
        if r >= limits[0]:
            raise UsageError(f"网页表格超过 {limits[0]} 行", "请分成几个文件导入", code="X013")
        row: list[Any] = []
        c = 0
        for value, down, across in cells:
            while (r, c) in carried:
                row.append(carried.pop((r, c)))
                c += 1
            for dc in range(across):
                row.append(value or None)
                for dr in range(1, down):
                    carried[(r + dr, c + dc)] = value or None  # type: ignore[assignment]
            c += across
            if c > limits[1]:
                raise UsageError(f"网页表格超过 {limits[1]} 列", "请删去多余的列后再导入", code="X013")
        while (r, c) in carried:
            row.append(carried.pop((r, c)))
            c += 1
        grid.append(row)
    if notes is not None and parser.hidden:
        notes.append(f"网页表格第 {'、'.join(map(str, parser.hidden[:20]))} 行是隐藏行（display:none），已照常读取")
    return grid


def _span_of(text: str | None) -> int:
    return min(int(text), 1000) if text and text.strip().isdigit() and int(text) > 0 else 1


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _open_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise UsageError(f"文件被占用,请先关闭:{path.name}", "关闭 WPS/Excel 中打开的这个文件后再试", code="X003") from None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), GBK/GB18030 — the encodings county CSVs come in — or UTF-16 with its BOM
    (what Excel calls “Unicode 文本”)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UsageError("CSV 文件编码无法识别", "请在 WPS/Excel 中另存为 CSV UTF-8", code="X004")


# rows, columns, cells, merged cells, MB unzipped (rules.yaml 表格导入限制; measured in docs/reliability.md)
LIMITS = (20_000, 200, 150_000, 10_000, 50)


def read_table(path: Path, sheet: str | None = None, extra_names: tuple[str, ...] = (),
               mapping: dict[str, str] | None = None, limits: tuple[int, int, int, int, int] = LIMITS) -> Sheet:
    """The rows under the header row (the first of the first 15 rows naming at least two fields).

    Without ``sheet``, every worksheet that has a header row is read (a yilan export has one sheet per
    ledger after its 汇总 sheet); row numbers are then written ``工作表!行``. A workbook over ``limits`` is
    refused (X013) before any grid is built.
    """
    refuse_unreadable(path)
    data = _open_bytes(path)
    kind = content_kind(data, path)
    if kind == "html":  # a system's "Excel export" that is a web page (often named .xls)
        said: list[str] = []
        table = _table(path, path.stem, html_grid(data, limits, said), {}, extra_names, mapping)
        table.notes.extend(said)
        return table
    if kind == "csv":
        text = decode_csv(data)
        try:
            grid: list[list[Any]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
        except csv.Error as e:
            raise UsageError(f"{path.name} 不是可读的 CSV:{e}", "请在 WPS/Excel 中另存为 CSV UTF-8 后再导入",
                             code="X004") from None
        return _table(path, path.stem, grid, {}, extra_names, mapping)
    guard_workbook(data, path, limits)
    grids, meta, epoch1904, notes = _xlsx_grids(data, path, sheet)
    tables = []
    for name, grid in grids:
        try:
            tables.append(_table(path, name, grid, meta, extra_names, mapping, epoch1904))
        except UsageError as e:
            if sheet is not None or len(grids) == 1 or e.code != "X005":
                raise
            if name != "汇总":  # a yilan export's summary sheet has no header by design
                notes.append(f"工作表“{name}”找不到表头行，未读取（需要导入时用 --map 列名=字段 指明列名，或 --sheet {name}）")
    if not tables:
        raise UsageError(f"{path.name}:找不到表头行",
                         "表头应包含 事项、牵头单位、完成时限 等列名;其他列名可用 --map 列名=字段 指定", code="X005")
    if len(tables) == 1:
        tables[0].notes.extend(notes)
        return tables[0]
    rows = [(f"{t.name}!{r}", v) for t in tables for r, v in t.rows]
    unknown = sorted({u for t in tables for u in t.unknown})
    places = {f"{t.name}!{r}": t.places[r] for t in tables for r, _ in t.rows}
    return Sheet(path, path.stem, rows, unknown, meta, places, notes)  # type: ignore[arg-type]


def _table(path: Path, name: str, grid: list[list[Any]], meta: dict[str, str], extra_names: tuple[str, ...],
           mapping: dict[str, str] | None, epoch1904: bool = False) -> Sheet:
    header_at = None
    for i, row in enumerate(grid[:15]):
        fields = [normalise_header(c, extra_names, mapping) for c in row]
        if sum(1 for f in fields if f and f != "-") >= 2:
            header_at = i
            break
    if header_at is None:
        raise UsageError(f"{path.name}:找不到表头行",
                         "表头应包含 事项、牵头单位、完成时限 等列名;其他列名可用 --map 列名=字段 指定", code="X005")
    written = _two_row_header(grid, header_at, extra_names, mapping)
    data_from = header_at + (2 if written is not None else 1)
    written = written or grid[header_at]
    # a header merged across columns names its first column; the others it spreads over are unnamed
    headers = [None if isinstance(c, Spread) else normalise_header(c, extra_names, mapping) for c in written]
    seen: dict[str, int] = {}
    for i, f in enumerate(headers):
        if f and f != "-" and f in seen:  # which column is the value? never the right-hand one silently
            a, b = seen[f], i
            raise UsageError(f"{path.name}:工作表“{name}”的 {column_letter(a + 1)} 列“{written[a]}”和 {column_letter(b + 1)} 列"
                             f"“{written[b]}”都对应字段 {f}", f"用 --map 忽略其中一列（如 --map {written[b]}=-），"
                             f"或把它指给别的字段（--map {written[b]}=字段）", code="X017")
        if f and f != "-":
            seen.setdefault(f, i)
    unknown = [str(c) for c, f in zip(written, headers, strict=False)
               if c not in (None, "") and f is None and not isinstance(c, Spread)]
    columns = {f: (column_letter(i + 1), re.sub(r"\s+", "", str(c)))
               for i, (c, f) in enumerate(zip(written, headers, strict=False)) if f and f != "-"}
    csv_file = path.suffix.lower() == ".csv"
    titles = [" ".join(str(c) for c in row if c not in (None, "")) for row in grid[:header_at]]
    year = sheet_year(titles + [name] + ([] if csv_file else [path.stem]))
    rows = []
    for i, row in enumerate(grid[data_from:], start=data_from + 1):
        values = {}
        for field, value in zip(headers, row, strict=False):
            if isinstance(value, Spread):  # a merge across columns: its text is its first column's
                continue
            if field and field != "-" and value not in (None, ""):
                values[field] = unquote(value) if isinstance(value, str) else value
        if values:
            rows.append((i, values))
    progress = [v.get("进度") for _, v in rows]
    place = Place("" if csv_file else f"工作表“{name}”", year, columns, epoch1904, _fraction_column(progress),
                  _mixed_column(progress), sheet_day(titles))
    return Sheet(path, name, rows, unknown, meta, {i: (place, i) for i, _ in rows})  # type: ignore[arg-type]


def _two_row_header(grid: list[list[Any]], at: int, extra_names: tuple[str, ...],
                    mapping: dict[str, str] | None) -> list[Any] | None:
    """The header of a two-row header, or None. Offices head a column group with a merged parent cell
    (推进情况 over 完成进度 | 存在问题); the row under it then repeats the vertically merged headers (the
    merged value fills each cell it covers) and names the children. It is a second header row when every
    cell of it is empty, repeats the cell above, or is a text — and one at least is a child naming a field.
    Each column is then headed by its child, else its parent; a child naming no field is reported as an
    unrecognised column like any other."""
    if at + 1 >= len(grid):
        return None
    top, under = grid[at], grid[at + 1]
    children = 0
    for c, value in enumerate(under):
        above = top[c] if c < len(top) else None
        if value in (None, "") or value == above:
            continue
        if not isinstance(value, str) or isinstance(value, Spread):
            return None
        children += normalise_header(value, extra_names, mapping) is not None  # an unknown child is listed later
    if not children:
        return None
    width = max(len(top), len(under))
    return [under[c] if c < len(under) and under[c] not in (None, "") else (top[c] if c < len(top) else None)
            for c in range(width)]


def _numbers(values: list[Any]) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, str)) or str(v).strip().endswith(("%", "％")):
            continue
        try:
            out.append(float(unicodedata.normalize("NFKC", str(v)).strip()))
        except ValueError:
            continue
    return out


def _mixed_column(values: list[Any]) -> bool:
    """Whether a 进度 column has bare shares of 1 (0.5) beside numbers above 1 (60): is a 1 there 1% or 100%?"""
    numbers = _numbers(values)
    return any(0 < n < 1 for n in numbers) and any(n > 1 for n in numbers)


def _fraction_column(values: list[Any]) -> bool:
    """Whether a 进度 column holds shares of 1, as some systems export it (0.8, 0.45, 1): every number in it
    is within 0–1, one is a fraction and none is written with a per cent sign. Then its 1 is 100%; in any
    other column 1 stays 1."""
    if any(isinstance(v, str) and v.strip().endswith(("%", "％")) for v in values):
        return False
    numbers = _numbers(values)
    return bool(numbers) and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers)


_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")


def sheet_year(texts: list[str]) -> int | None:
    """The year a sheet is about: the first of ``texts`` (its title rows, then the worksheet's name, then the
    file's) that names exactly one year (2023年…台账, 填报日期:2023年7月5日); a text naming two (2022—2023年)
    names none."""
    for text in texts:
        years = {int(y) for y in _YEAR.findall(text) if 1900 <= int(y) <= 2100}
        if len(years) == 1:
            return years.pop()
    return None


_AS_OF = re.compile(r"(?:填报日期|填报时间|统计日期|截至|截止)(?:时间|日期)?\s*[:：]?\s*"
                    r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})")


def sheet_day(texts: list[str]) -> date | None:
    """The day a sheet's title rows say it was filled in (填报日期：2022年7月5日, 截至2022-07-05), or None: its
    progress is as of that day, whatever day it is imported on."""
    from .periods import DateError, parse_day

    for text in texts:
        m = _AS_OF.search(text)
        if m:
            try:
                return parse_day(m[1], None)
            except DateError:
                return None
    return None


def column_letter(n: int) -> str:
    """1 → A, 27 → AA: the column as WPS/Excel name it (openpyxl is not needed for a CSV)."""
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


# --------------------------------------------------------------------------- the import guard
# What an .xlsx may unfold into before openpyxl builds it. openpyxl's full reader (the only one that keeps
# merged cells) costs ~10-17 µs per cell, ~4 µs per empty grid cell, 20-50 µs per merged cell, ~28 µs per
# style element and ~9 µs per rich-text element: the measurements behind the defaults are in
# docs/performance.md (bench/sheet_limits.py).
_PARTS = 1000  # zip members: a WPS/Excel workbook has a few dozen, one more per picture
_SHEETS = 255  # openpyxl checks each new title against all before it: 3,000 empty sheets take 3 s
_LINK_CHECKS = 50_000  # a hyperlink inside a merged range: openpyxl tries the ranges one by one, ~13 µs each
_COVERED = 100_000  # merged cells the guard keeps track of (the default limit is 10,000)
_WHOLE_ROWS, _WHOLE_COLS = 1_048_576, 16_384  # a whole-column or whole-row reference (A:A, 1:1)
_ROW, _CELL, _IN_CELL, _OTHER, _SI, _TEXT = 1, 2, 4, 8, 16, 32  # what an open element is to openpyxl's reader
_STRING = _IN_CELL | _SI  # an inline string <is> or a shared one <si>: its <t> comes with it
_RICH = _STRING | _TEXT  # inside a string: rich-text runs, ~8 µs an element to openpyxl
_DEAR = 3  # any other element outside the cells (styles, drawings, comments…): up to ~27 µs, three times that
_NAMED = ("row", "mergeCell", "hyperlink", "comment", "si", "t")  # local names the tally looks at
_LIMIT_HINT = "上限见 schemas/rules.yaml 的 表格导入限制"
_SPREAD_HINT = "表格中可能有远处的零星内容或整表合并;在 WPS/Excel 中删掉多余的行列、取消合并后另存再导入;" + _LIMIT_HINT
_BROKEN_HINT = "文件可能被破坏或是刻意构造;请在 WPS/Excel 中打开、只复制需要的内容另存为 .xlsx 后再导入"


def element_caps(cells: int) -> tuple[int, int]:
    """XML elements a workbook may hold in all (rows, cells and their values included), and the weight it
    may hold outside rows and cells: a shared string or a rich-text run's element weighs 1, any other
    element (styles, drawings, comments…) 3. Both follow 表格导入限制.单元格数."""
    return 4 * cells + cells // 2, cells * 2 // 3


def _row_number(r: str | None) -> int | None:
    """A <row r> as openpyxl reads it (worksheet/_reader.py parse_row); None where it numbers the row itself
    or gives up on the file."""
    if r is None:
        return None
    try:
        return int(r)
    except ValueError:
        try:
            number = float(r)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


_COORD = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_COLUMNS: dict[str, int] = {}


def _cell_at(r: str | None) -> tuple[int, int] | None:
    """A cell's (row, column) from its r as openpyxl reads it (coordinate_to_tuple), or None."""
    if not r:
        return None
    m = _COORD.fullmatch(r)
    if m:  # the common form, memoised; the same numbers as openpyxl's
        letters = m[1]
        if letters not in _COLUMNS:
            from openpyxl.utils.cell import column_index_from_string

            _COLUMNS[letters] = column_index_from_string(letters)
        return int(m[2]), _COLUMNS[letters]
    from openpyxl.utils.cell import coordinate_to_tuple

    try:
        return coordinate_to_tuple(r)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - openpyxl stops on it too; counted as positional meanwhile
        return None


def _span(ref: str | None) -> tuple[int, int, int] | None:
    """(last row, last column, number of cells) of a range openpyxl fills cell by cell (merged cells,
    hyperlinks, comments); a whole-row or whole-column range counts as reaching the sheet's edge."""
    from openpyxl.utils.cell import range_boundaries

    try:
        c1, r1, c2, r2 = range_boundaries(ref)
    except Exception:  # noqa: BLE001 - not a range: openpyxl gives up on the file there
        return None
    if r1 is None or r2 is None:
        r1, r2 = 1, _WHOLE_ROWS
    if c1 is None or c2 is None:
        c1, c2 = 1, _WHOLE_COLS
    return max(r1, r2), max(c1, c2), (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)


class _Guard:
    """Running totals over one workbook; refuses (X013) the moment one passes its limit."""

    def __init__(self, name: str, limits: tuple[int, int, int, int, int]) -> None:
        self.name = name
        self.max_rows, self.max_cols, self.max_cells, self.max_merged, self.max_mb = limits
        self.max_elements, self.max_other = element_caps(self.max_cells)
        self.cells = self.merged = self.elements = self.other = 0  # of the parts already counted
        self.unzipped = 0
        self.read: dict[str, int] = {}

    def refuse(self, label: str, value: int, what: str, limit: int, hint: str = _SPREAD_HINT) -> None:
        raise UsageError(f"{self.name} 的{label}有 {value} {what},超过导入上限 {limit}", hint, code="X013")

    def unzip(self, name: str, got: int) -> None:
        """Bytes actually inflated from one member (zip headers can lie), against 解压后大小MB."""
        seen = self.read.get(name, 0)
        if got > seen:
            self.read[name] = got
            self.unzipped += got - seen
            if self.unzipped > self.max_mb * 2**20:
                raise UsageError(f"{self.name} 解压后超过 {self.max_mb} MB(读到 {name} 时),超过导入上限",
                                 "表格异常庞大(可能被破坏或是压缩炸弹);请在 WPS/Excel 中只复制需要的行另存后再导入;"
                                 + _LIMIT_HINT, code="X013")

    def scan(self, z: Any, info: Any, tally: _Tally) -> None:
        """Stream one member through expat (openpyxl's worksheet and shared-string parser) into ``tally``;
        where expat gives up and lxml (openpyxl's parser for every other part) is installed, through lxml too,
        keeping the larger count. A member that is no XML (a picture) stops at its first bytes."""
        import pyexpat

        tally.restore(tally.save())  # what a damaged part left open does not carry into the next one
        before = tally.save()
        parser = pyexpat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = tally.start
        parser.EndElementHandler = tally.end
        parser.StartDoctypeDeclHandler = tally.doctype
        try:
            for chunk in self._chunks(z, info):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
            return
        except (pyexpat.ExpatError, ValueError):  # ValueError: an encoding expat lacks (GBK, UTF-32…)
            pass
        try:
            from lxml import etree
        except ImportError:
            return
        after = tally.save()
        tally.restore(before)
        stream, root = _Chunks(self._chunks(z, info)), True
        try:
            for event, element in etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                                                   load_dtd=False, no_network=True):
                if event == "start":
                    if root and element.getroottree().docinfo.doctype:
                        tally.doctype()
                    root = False
                    tally.start(element.tag if isinstance(element.tag, str) else "", element.attrib)
                else:
                    tally.end("")
                    element.clear()
        except etree.LxmlError:
            pass
        tally.merge(after)

    def _chunks(self, z: Any, info: Any) -> Any:
        got = 0
        try:
            src = z.open(info)
        except Exception:  # noqa: BLE001 - encrypted or damaged: openpyxl cannot read it either
            return
        with src:
            while True:
                try:
                    chunk = src.read(1 << 16)
                except Exception:  # noqa: BLE001 - a damaged member (bad CRC, bad deflate stream)
                    return
                if not chunk:
                    return
                got += len(chunk)
                self.unzip(info.filename, got)
                yield chunk


class _Chunks(io.RawIOBase):
    """A file over a generator of byte chunks, for lxml's iterparse."""

    def __init__(self, chunks: Any) -> None:
        self.chunks, self.rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.rest:
            self.rest = next(self.chunks, b"")
        n = min(len(buffer), len(self.rest))
        buffer[:n] = self.rest[:n]
        self.rest = self.rest[n:]
        return n


class _Tally:
    """What openpyxl builds from one worksheet part (and the comments bound to it), counted as the XML
    streams past, by openpyxl's own rules (worksheet/_reader.py) but never below them: elements are taken
    by local name whatever their namespace; every child of a <row> is a cell; rows and cells are numbered
    at the row's end, a row without r as the previous one + 1, a cell without r as the previous column + 1;
    where openpyxl would jump back (an r lower than the running number) the higher number is kept."""

    _STATE = ("row_counter", "last_row", "grid_rows", "grid_cols", "rows", "cells", "merged", "elements", "other")

    def __init__(self, guard: _Guard, label: str) -> None:
        self.g, self.label = guard, label
        self.stack: list[int] = [_OTHER]
        self.open_rows: list[tuple[str | None, list[str | None]]] = []  # each open <row>'s r and its cells' r
        self.refs: list[str | None] = []  # the cells' r of the innermost open row
        self.row_counter = 0
        self.last_row = 0  # the highest row number, rows without cells included
        self.grid_rows = self.grid_cols = 0  # the extent of the cells openpyxl creates
        self.rows = 0  # <row> elements
        self.cells = 0  # cell elements, plus the cells hyperlink and comment ranges create
        self.merged = 0
        self.merges = 0  # merged ranges
        self.covered: set[tuple[int, int]] | None = set()  # the cells merged ranges cover, their first cells aside
        self.links: list[tuple[int, int]] = []  # cells single-cell hyperlinks point at
        self.elements, self.other = guard.elements, guard.other  # running totals over the workbook
        self.cells_left = guard.max_cells - guard.cells
        self.max_elements, self.max_other = guard.max_elements, guard.max_other

    # --- checkpoints, for a member parsed twice (expat, then lxml)
    def save(self) -> tuple[int, ...]:
        return tuple(getattr(self, k) for k in self._STATE)

    def restore(self, state: tuple[int, ...]) -> None:
        for k, v in zip(self._STATE, state, strict=True):
            setattr(self, k, v)
        self.stack[1:] = []
        self.open_rows.clear()
        self.refs = []

    def merge(self, other: tuple[int, ...]) -> None:
        self.restore(tuple(max(a, b) for a, b in zip(self.save(), other, strict=True)))

    def commit(self) -> None:
        g = self.g
        g.cells += self.size()
        g.merged += self.merged
        g.elements, g.other = self.elements, self.other

    # --- the parse (the handlers run once per element: kept lean)
    def doctype(self, *_: Any) -> None:
        raise UsageError(f"{self.g.name} 的{self.label}含有 DOCTYPE 声明,无法安全读取",
                         "WPS/Excel 保存的表格从不含 DOCTYPE(它能让几 KB 的文件展开成几 GB:XML 实体炸弹);" + _BROKEN_HINT,
                         code="X013")

    def start(self, name: str, attrs: Any) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            self.g.refuse(self.label, self.elements, "个 XML 元素(连同之前读过的部分)", self.max_elements, _BROKEN_HINT)
        local = name[name.rfind("}") + 1:] if name.endswith(_NAMED) else ""
        parent = self.stack[-1]
        if parent & _ROW:  # openpyxl makes a cell of every child of a row, whatever its name
            kind = _CELL
            self.refs.append(attrs.get("r"))
            self.cells += 1
            if self.cells > self.cells_left:
                self._over_cells()
        elif parent & _CELL:
            kind = _IN_CELL  # <v>, <f>, <is>: read with the cell
        elif parent & _STRING and local == "t":
            kind = 0  # the plain text of an inline or shared string: costs what its string costs
        elif local == "row":
            kind = _OTHER  # rows have their own limit
        else:
            if parent & _RICH:
                kind, self.other = _TEXT, self.other + 1
            elif local == "si":
                kind, self.other = _SI, self.other + 1
            else:
                kind, self.other = _OTHER, self.other + _DEAR
            if self.other > self.max_other:
                self._over_other()
        if local:
            if local == "row":
                kind |= _ROW
                self._row_start(attrs.get("r"))
            elif local == "mergeCell":
                self._merge(attrs.get("ref"))
            elif local in ("hyperlink", "comment"):  # openpyxl creates every cell of such a range
                ref = attrs.get("ref")
                span = _span(ref)
                if span:
                    self.cells += span[2]
                    self._reach(span[0], span[1])
                    if local == "hyperlink" and ":" not in ref:
                        self.links.append((span[0], span[1]))
        self.stack.append(kind)

    def end(self, _name: str) -> None:
        if self.stack.pop() & _ROW:
            self._row_end()

    def _row_start(self, r: str | None) -> None:
        g = self.g
        self.refs = []
        self.open_rows.append((r, self.refs))
        self.rows += 1
        number = _row_number(r)
        if self.rows > g.max_rows or (number is not None and number > g.max_rows):
            g.refuse(self.label, max(self.rows, number or 0), "行", g.max_rows)

    def _row_end(self) -> None:
        r, refs = self.open_rows.pop()
        self.refs = self.open_rows[-1][1] if self.open_rows else []
        number = _row_number(r)
        if number is None:
            self.row_counter += 1
        elif number > self.row_counter:
            self.row_counter = number
        row = self.row_counter
        bottom = row if refs else 0  # a row without cells adds nothing to the grid
        self.last_row = max(self.last_row, row)
        col = 0
        match, columns = _COORD.fullmatch, _COLUMNS
        for ref in refs:
            m = match(ref) if ref else None
            if m and m[1] in columns:  # the common form, numbered as openpyxl numbers it
                at: tuple[int, int] | None = (int(m[2]), columns[m[1]])
            else:
                at = _cell_at(ref)
            if at is None:
                col += 1
            else:
                col = max(col + 1, at[1])
                if at[0] > bottom:
                    bottom = at[0]
        self._reach(bottom, col)

    def _merge(self, ref: str | None) -> None:
        from openpyxl.utils.cell import range_boundaries

        span = _span(ref)
        if span:
            self.merged += span[2]
            if self.g.merged + self.merged > self.g.max_merged:
                self.g.refuse(self.label, self.g.merged + self.merged, "个合并单元格" + self._so_far(self.g.merged),
                              self.g.max_merged)
            self._reach(span[0], span[1])
            self.merges += 1
            c1, r1, c2, r2 = range_boundaries(ref)
            if None in (c1, r1, c2, r2) or self.merged > _COVERED:
                self.covered = None  # limits raised that far: count every hyperlink as landing inside
            elif self.covered is not None:
                self.covered.update((r, c) for r in range(min(r1, r2), max(r1, r2) + 1)
                                    for c in range(min(c1, c2), max(c1, c2) + 1))
                self.covered.discard((r1, c1))  # the range's first cell stays an ordinary cell

    def finish(self) -> None:
        """After the sheet: openpyxl binds each hyperlink on a merged cell by searching the merged ranges."""
        covered = self.covered
        hits = len(self.links) if covered is None else sum(1 for at in self.links if at in covered)
        if hits * self.merges > _LINK_CHECKS:
            raise UsageError(f"{self.g.name} 的{self.label}有 {hits} 个超链接指向 {self.merges} 处合并单元格的内部,"
                             f"核对要 {hits * self.merges} 次,超过导入上限 {_LINK_CHECKS}",
                             "取消这些合并或删掉指向其中的超链接后另存再导入;" + _BROKEN_HINT, code="X013")
        self.commit()

    def _reach(self, row: int, col: int) -> None:
        g = self.g
        self.grid_rows, self.grid_cols = max(self.grid_rows, row), max(self.grid_cols, col)
        if max(self.last_row, self.grid_rows) > g.max_rows:
            g.refuse(self.label, max(self.last_row, self.grid_rows), "行", g.max_rows)
        if self.grid_cols > g.max_cols:
            g.refuse(self.label, self.grid_cols, "列", g.max_cols)
        if self.size() > self.cells_left:
            self._over_cells()

    def size(self) -> int:
        """Cells openpyxl creates: the cell elements, or the rectangle its grid spans, whichever is more."""
        return max(self.cells, self.grid_rows * self.grid_cols)

    def _over_other(self) -> None:
        raise UsageError(f"{self.g.name} 的{self.label}的格式、富文本等内容折合 {self.other} 个 XML 元素(连同之前读过的部分),"
                         f"超过导入上限 {self.max_other}", _BROKEN_HINT, code="X013")

    def _so_far(self, before: int) -> str:
        return "(连同之前的工作表)" if before else ""

    def _over_cells(self) -> None:
        g = self.g
        g.refuse(self.label, g.cells + self.size(), "个单元格" + self._so_far(g.cells), g.max_cells)


def _sheet_parts(z: Any, names: set[str], first: Any, out: list[tuple[str, str, list[str]]], file: str) -> None:
    """(title, worksheet part, its comments parts) in workbook order into ``out``, found with openpyxl's own
    functions as its reader finds them (reader/excel.py, reader/workbook.py): the workbook part from
    [Content_Types].xml, relationship targets through get_dependents. ``first(name)`` counts a part before
    it is parsed here. Raises where openpyxl would."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.packaging.workbook import WorkbookPackage
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, COMMENTS_NS
    from openpyxl.xml.functions import fromstring

    first(ARC_CONTENT_TYPES)
    part = _find_workbook_part(Manifest.from_tree(fromstring(z.read(ARC_CONTENT_TYPES)))).PartName[1:]
    first(part)
    first(get_rels_path(part))
    rels = get_dependents(z, get_rels_path(part)).to_dict()
    entries = WorkbookPackage.from_tree(fromstring(z.read(part))).sheets
    if len(entries) > _SHEETS:
        raise UsageError(f"{file} 含有 {len(entries)} 个工作表,超过导入上限 {_SHEETS}", _BROKEN_HINT, code="X013")
    for sheet in entries:
        if not sheet.id:
            continue
        rel = rels[sheet.id]
        if rel.target not in names or "chartsheet" in rel.Type:
            continue
        comments = []
        rels_path = get_rels_path(rel.target)
        if rels_path in names:
            first(rels_path)
            comments = [r.target for r in get_dependents(z, rels_path).find(COMMENTS_NS)]
        out.append((sheet.name, rel.target, comments))


def guard_workbook(data: bytes, path: Path, limits: tuple[int, int, int, int, int]) -> None:
    """Refuse (X013, naming the sheet or part) a workbook that would unfold into more than ``limits``
    (rows, columns, cells, merged cells, MB unzipped) before openpyxl builds anything: a 5 KB file with one
    cell at XFD1048576, a merged range over the whole sheet, a million rows without numbers, a DOCTYPE.

    Every zip member is streamed once through the XML parser openpyxl would use, and the parse stops at
    the first element over a limit. The worksheets are found as openpyxl finds them and counted sheet by
    sheet (with their comments); every other member is counted too, as if it were one, so a part reached
    some other way cannot slip past. Cells, merged cells and XML elements are totals over the workbook."""
    import zipfile

    g = _Guard(path.name, limits)
    try:  # zipfile makes an object of every entry of the central directory before anyone can count them
        end = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]
        directory = end[zipfile._ECD_SIZE] if end else 0  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a damaged zip: ZipFile says so below
        directory = 0
    if directory > _PARTS * 512:  # a member's entry is 46 bytes and its name; 300,000 empty members took 4 s
        raise UsageError(f"{path.name} 的目录有 {directory // 1024} KB,部件远超导入上限 {_PARTS}", _BROKEN_HINT, code="X013")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not a zip: the reader says what it is instead
    with z:
        infos = z.infolist()
        if len(infos) > _PARTS:
            raise UsageError(f"{path.name} 含有 {len(infos)} 个部件,超过导入上限 {_PARTS}", _BROKEN_HINT, code="X013")
        total = sum(i.file_size for i in infos)
        if total > g.max_mb * 2**20:
            raise UsageError(f"{path.name} 解压后有 {total / 2**20:.0f} MB,超过导入上限 {g.max_mb} MB",
                             "表格异常庞大(可能被破坏或是压缩炸弹);请在 WPS/Excel 中只复制需要的行另存后再导入;"
                             + _LIMIT_HINT, code="X013")
        members = {i.filename: i for i in infos}  # a repeated name: the last entry, as zipfile reads it
        done: set[str] = set()

        def alone(name: str) -> None:
            if name in members and name not in done:
                done.add(name)
                tally = _Tally(g, f"部件 {name} ")
                g.scan(z, members[name], tally)
                tally.finish()

        sheets: list[tuple[str, str, list[str]]] = []
        try:
            _sheet_parts(z, set(members), alone, sheets, path.name)
        except UsageError:
            raise
        except Exception:  # noqa: BLE001 - openpyxl stops at the same place; every member is still counted below
            pass
        for title, part, comments in sheets:  # a part named by two sheets is read, and counted, twice
            tally = _Tally(g, f"工作表“{title}”")
            for name in (part, *comments):
                if name in members:
                    done.add(name)
                    g.scan(z, members[name], tally)
            tally.finish()
        for info in infos:
            alone(info.filename)


def _xlsx_grids(data: bytes, path: Path, sheet: str | None
                ) -> tuple[list[tuple[str, list[list[Any]]]], dict[str, str], bool, list[str]]:
    """Each visible worksheet's cells (merged blocks filled, percent cells as shown), the fill-in form's hidden
    metadata, whether the workbook counts dates from 1904 (Mac Excel; openpyxl converts date-formatted
    cells itself, a plain serial is converted by cell_date), and notes for the user: hidden worksheets are
    not read unless named with --sheet, hidden rows are read — each said, never passed over in silence."""
    from openpyxl import load_workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # noqa: BLE001 - a damaged or disguised file
        raise UsageError(f"无法读取 {path.name}:{type(e).__name__}", "请在 WPS/Excel 中打开后另存为 .xlsx 再导入",
                         code="X006") from None
    meta = {}
    if META_SHEET in wb.sheetnames:
        for key, value in wb[META_SHEET].iter_rows(values_only=True):
            if key:
                meta[str(key)] = "" if value is None else str(value)
    visible = [ws for ws in wb.worksheets if ws.title != META_SHEET and ws.sheet_state == "visible"]
    hidden = [ws.title for ws in wb.worksheets if ws.title != META_SHEET and ws.sheet_state != "visible"]
    notes = [f"工作表“{'”“'.join(hidden)}”是隐藏的，未读取（需要导入时在 WPS/Excel 中取消隐藏，或用 --sheet 指定）"] \
        if hidden and sheet is None else []
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise UsageError(f"{path.name} 中没有工作表 {sheet}", f"可用的工作表:{'、'.join(s.title for s in visible)}",
                             code="X007")
        visible = [wb[sheet]]
    formulas = _formula_book(data)
    out = []
    for ws in visible:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        if formulas is not None:
            _uncomputed(formulas[ws.title], grid)
        _percents_as_shown(ws, grid)
        _months_as_shown(ws, grid)
        rows_hidden = [r for r, d in sorted(ws.row_dimensions.items()) if d.hidden and r <= len(grid)
                       and any(v not in (None, "") for v in grid[r - 1])]
        if rows_hidden:
            listed = "、".join(map(str, rows_hidden[:20])) + ("等" if len(rows_hidden) > 20 else "")
            notes.append(f"工作表“{ws.title}”第 {listed} 行是隐藏行（筛选或手工隐藏），已照常读取")
        for merged in ws.merged_cells.ranges:  # a merged block's value belongs to every cell it covers …
            top = merged.min_row - 1
            value = grid[top][merged.min_col - 1] if top < len(grid) and merged.min_col - 1 < len(grid[top]) else None
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                        # … down its first column; across, as Spread: a header names each column, a data row
                        # gives the text to its first column only (never into the neighbouring field)
                        grid[r - 1][c - 1] = Spread(value) if c > merged.min_col and isinstance(value, str) else value
        out.append((ws.title, grid))
    return out, meta, wb.epoch == CALENDAR_MAC_1904, notes


class Spread(str):
    """Text a merged cell spreads across columns to the right of its first: a header's parent over its children,
    but in a data row no value of the neighbouring field (_table drops it there)."""


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without its computed value (written by a program, never opened in Excel/WPS):
    its value is unknown, so it is never read as empty or 0 — the row naming it is refused (X014)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def _formula_book(data: bytes) -> Any:
    """The workbook with formulas as written, when any worksheet holds one (``<f`` in its XML), else None: a
    formula's cached value is what data_only gives; this tells a formula without one from an empty cell."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if not any(b"<f" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            return None
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), data_only=False)


def _uncomputed(ws: Any, grid: list[list[Any]]) -> None:
    """Mark each formula cell of ``ws`` that has no cached value in ``grid`` (None there) as Uncomputed."""
    from openpyxl.worksheet.formula import ArrayFormula

    for (r, c), cell in ws._cells.items():
        value = cell.value
        if isinstance(value, ArrayFormula):  # {=SUM(…)} entered with Ctrl+Shift+Enter
            value = f"{{{value.text}}}"
        if isinstance(value, str) and value.lstrip("{").startswith("=") and r - 1 < len(grid) \
                and c - 1 < len(grid[r - 1]) and grid[r - 1][c - 1] is None:
            grid[r - 1][c - 1] = Uncomputed(value)


_QUOTED = re.compile(r'"[^"]*"|\\.')  # literal text in a number format: "%" or \% shows a sign, never scales


def _percents_as_shown(ws: Any, grid: list[list[Any]]) -> None:
    """A number in a percent-formatted cell becomes the text WPS/Excel show (1 → "100%", 0.496 → "49.6%"): the
    stored fraction alone cannot tell 100% from 1 (进度), and any other column reads what the user sees."""
    percent: dict[int, bool] = {}  # number format id → a percent format (a sheet has a handful)
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell = ws._cells[(r, c)]  # it holds a number, so it exists; ws.cell() would cost 4 µs a cell
                fid = cell._style.numFmtId
                if fid not in percent:
                    percent[fid] = "%" in _QUOTED.sub("", cell.number_format or "")
                if percent[fid]:
                    row[c - 1] = f"{round(value * 100, 8):g}%"


def _months_as_shown(ws: Any, grid: list[list[Any]]) -> None:
    """A date cell whose format shows no day (``yyyy"年"m"月"``: WPS/Excel store 2022年12月 typed in a cell as
    2022-12-01) becomes the text it shows, 2022年12月 — a month, whose last day a deadline is; a format showing
    the year alone gives 2022年."""
    shows: dict[int, str] = {}  # number format id → "month", "year" or ""
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, datetime):
                cell = ws._cells[(r, c)]
                fid = cell._style.numFmtId
                if fid not in shows:
                    fmt = _QUOTED.sub("", cell.number_format or "").lower()
                    fmt = re.sub(r"\[[^]]*\]", "", fmt)  # [$-804], [red]
                    shows[fid] = "" if "d" in fmt or "h" in fmt or "y" not in fmt else ("month" if "m" in fmt else "year")
                if shows[fid] == "month":
                    row[c - 1] = f"{value.year}年{value.month}月"
                elif shows[fid] == "year":
                    row[c - 1] = f"{value.year}年"


# --------------------------------------------------------------------------- cell values
def unquote(text: str) -> str:
    """Undo the formula-injection guard on import: '=x → =x."""
    if len(text) > 1 and text[0] == "'" and text[1] in _INJECTION:
        return text[1:]
    return text


def guard(value: Any) -> Any:
    """CSV cell: a text starting with = + - @ TAB or CR gets a leading ' (formula injection)."""
    if isinstance(value, str) and value.startswith(_INJECTION):
        return "'" + value
    return value


def cell_date(value: Any, today: date | None, epoch1904: bool = False) -> date | str | None:
    """A date cell: datetime, an Excel serial, ISO text, or the ways people type (2022年4月底, 4月底前).

    A text without a year (4月底) takes the year of ``today`` (the sheet's business context); with None it
    raises periods.YearMissing. A serial counts from the workbook's epoch: 1900, or 1904 (``epoch1904``, Mac
    Excel: the same number is four years and a day later)."""
    from .periods import ONGOING_WORDS, DateError, parse_day

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # 1954–2119 as an Excel serial
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            return from_excel(value, CALENDAR_MAC_1904 if epoch1904 else CALENDAR_WINDOWS_1900).date()
        raise DateError(str(value))
    text = str(value).strip()
    if text in ONGOING_WORDS:
        return "长期"
    text = re.sub(r"^(于|在)", "", text)
    try:
        return parse_day(text, today)
    except DateError:
        # 2022-04-30 00:00:00 as text, or 2022.4.30
        m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", text)
        if m:
            return parse_day(f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", today)
        raise


def cell_progress(value: Any, fractions: bool = False) -> int | None:
    """A 进度 cell → whole percentage points, the same for a number and for text (another system's CSV writes
    the text "0.8"): 70, "70", "70%", "７０％" → 70; a fraction strictly between 0 and 1 without a per cent sign
    is that share of the whole (0.7, "0.5" → 70, 50 — never 1 or 0); a percent-formatted cell arrives as the
    text it shows ("48.2%", _percents_as_shown) and is rounded to whole points like any decimal. Words (八成,
    过半) and anything else: ValueError (the caller names the cell, E205). ``fractions``: the column holds
    shares of 1 (Place.fractions), so its 1 is 100 too."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        text, percent = repr(value), False
    else:
        raw = unicodedata.normalize("NFKC", str(value)).strip()
        text = raw.rstrip("%").strip()
        percent = text != raw
        if not re.fullmatch(r"\d+(?:\.\d+)?", text):
            raise ValueError(value)
    number = float(text)
    if not math.isfinite(number) or abs(number) > 1e6:  # no percentage; and beyond what rounding may take
        raise ValueError(value)
    if not percent and (0 < number < 1 or (fractions and number == 1)):  # 0.8 is 80%, as the system meant
        number *= 100
    from decimal import ROUND_HALF_UP, Decimal

    return int(Decimal(repr(number)).quantize(Decimal(1), rounding=ROUND_HALF_UP))  # 四舍五入: 72.5 → 73


def cell_indicators(value: Any) -> list[tuple[str, float, str]]:
    """``户厕改造=600`` (several separated by ; ； or line breaks; ``：`` or ``＝`` also work) → [(名称, 值, 单位)]
    where the value and its unit are read as the command line reads them (indicators.parse_figure: ``600户``,
    ``1,200``), the unit to be checked against the indicator's own by edits.update. ValueError names the part
    that is not such a pair: a figure parse_figure refuses (``1e3`` ``1+1`` ``1 200``) or a name given twice —
    never truncated."""
    from .indicators import parse_figure

    if value is None or str(value).strip() == "":
        return []
    out: list[tuple[str, float, str]] = []
    for part in re.split(r"[;；\n]+", str(value)):
        part = part.strip()
        if not part:
            continue
        name, sep, text = part.replace("＝", "=").replace("：", "=").replace(":", "=").partition("=")
        figure = parse_figure(text) if sep and name.strip() else None
        if figure is None or name.strip() in (n for n, _, _ in out):
            raise ValueError(part)
        out.append((name.strip(), *figure))
    return out


def cell_marks(value: Any, today: date | None) -> list[tuple[str, date | None]]:
    """A 本期完成节点 cell: milestone names, each optionally with the day it was met (``主体完工``,
    ``主体完工=7月20日``, ``完成招标：2022-07-10``), separated by 、，; or line breaks → [(名称, 日期 or None)].
    A date that cannot be read: ValueError (the caller names the cell)."""
    out: list[tuple[str, date | None]] = []
    for part in re.split(r"[、,，;；\n]+", str(value or "")):
        name, _, day = part.replace("＝", "=").replace("：", "=").replace(":", "=").partition("=")
        if not name.strip():
            continue
        when = cell_date(day.strip(), today) if day.strip() else None
        if isinstance(when, str):  # 长期 is no day
            raise ValueError(day)
        out.append((name.strip(), when))
    return out


def cell_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [x.strip() for x in _SPLIT.split(str(value)) if x.strip()]


def cell_text(value: Any) -> str | None:
    """A cell as text; characters no Word/Excel file can hold (\\v from text pasted out of Word) become spaces."""
    from .terminal import xml_safe

    if value is None:
        return None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()  # a date cell reads as the date it shows, not 2022-06-30 00:00:00
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = xml_safe(str(value)).strip()
    return text or None


# --------------------------------------------------------------------------- writing
META_SHEET = "_yilan"
LIGHT_FILLS = {"red": "FFCDD2", "yellow": "FFF59D", "blue": "BBDEFB", "green": "C8E6C9", "none": "EEEEEE"}


def sheet_title(text: str, taken: set[str] | None = None) -> str:
    """A worksheet title Excel accepts: none of \\ / ? * [ ] :, at most 31 characters, not blank, unique
    among ``taken`` (ledger names and unit groups come from hand-edited schemas)."""
    title = re.sub(r"[\\/?*\[\]:]", "-", str(text)).strip("' ")[:31] or "未命名"
    if taken is not None:
        base, k = title, 2
        while title in taken:
            title = f"{base[:28]}-{k}"
            k += 1
        taken.add(title)
    return title


def safe_name(text: str) -> str:
    """A name safe as one path component on Windows and POSIX (units come from a hand-edited registry, titles
    from anyone): no separators, controls or reserved characters, and at most 50 characters — at most 200 bytes in
    UTF-8, leaving room for a prefix and an extension within the 255-byte limit of a file name."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", text).strip(" .")[:50].rstrip(" .")
    return cleaned or "_"


def text_width(text: Any) -> int:
    """Display width: a Chinese character is as wide as two Latin ones."""
    s = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with BOM (WPS and Excel open it as Chinese), every text cell guarded."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else guard(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


class StyledSheet:
    """Rows written to a worksheet in yilan's look for people (sheet_print): a bold 黑体 header row on a fill,
    columns fitted to their content, long text wrapped, dates and numbers with their number formats, light
    fills, autofilter, and the print set-up of ``layout`` (a sheet_print.Layout; default: the header row
    repeated and frozen, A4 landscape fitted to width).

    ``sample`` (the rows, or their first 500) fits the columns; ``count`` rows are to follow, each by
    ``append``. Everything but the rows is set when the header is written, so the worksheet may be a
    write-only one (openpyxl ``Workbook(write_only=True)``), which streams each row to disk as it comes.
    Each distinct cell look is made once through openpyxl's style properties; a cell takes a copy of its
    style array (the way openpyxl copies styles), never a new Font/Fill/Border of its own: setting a style
    property costs a hash of the style object per cell, which at 20,000 matters was most of the export."""

    def __init__(self, ws: Any, header: list[str], sample: list[list[Any]], count: int,
                 light_col: int | None = None, layout: Layout | None = None) -> None:
        from openpyxl.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter

        from . import sheet_print
        from .sheet_print import column_widths, print_setup

        layout = layout or sheet_print.Layout()
        self.ws, self.light_col, self.row = ws, light_col, 1
        self._cell = Cell
        self.sizes = column_widths(header, sample, layout)
        self.formats = [layout.formats.get(name) for name in header]
        thin = Side(style="thin", color="BBBBBB")
        self._box = Border(top=thin, bottom=thin, left=thin, right=thin)
        self._aligned = [Alignment(vertical="top", wrap_text=True) if wraps else Alignment(vertical="top")
                         for _, wraps in self.sizes]
        self._centred = Alignment(horizontal="center", vertical="top")
        self._fill = PatternFill
        self._looks: dict[tuple[int, str | None, str | None], Any] = {}
        for c, (width, _) in enumerate(self.sizes, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        if count:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
        print_setup(ws, layout, count + 1, len(header))
        heading = self._look(Font(bold=True, name="黑体"), PatternFill("solid", fgColor="D9E1F2"),
                             Alignment(horizontal="center", vertical="center", wrap_text=True), None)
        ws.append([self._new(name, heading, c) for c, name in enumerate(header, start=1)])

    def _look(self, font: Any, fill: Any, alignment: Any, number_format: str | None) -> Any:
        """The style array of a cell with this font, fill, alignment and number format, and the border."""
        proto = self._cell(self.ws, 1, 1)
        if font is not None:
            proto.font = font
        if fill is not None:
            proto.fill = fill
        proto.alignment = alignment
        proto.border = self._box
        if number_format:
            proto.number_format = number_format
        return proto._style

    def _new(self, value: Any, look: Any, column: int) -> Any:
        cell = self._cell(self.ws, self.row, column, value, look)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def append(self, row: list[Any], light: str | None = None) -> None:
        """One row under the header; ``light`` (red, yellow …) fills its cell in ``light_col``."""
        from .sheet_print import number_format, row_height

        self.row += 1
        height = row_height(row, self.sizes)
        if height:  # before the row is written: a write-only sheet writes a row's height with it
            self.ws.row_dimensions[self.row].height = height
        cells = []
        last = len(self.sizes) - 1
        for c, value in enumerate(row):
            fmt = None if isinstance(value, str) else number_format(value, self.formats[c] if c <= last else None)
            lit = c == self.light_col
            key = (-1 if lit else min(c, last), fmt, light if lit else None)
            look = self._looks.get(key)
            if look is None:
                if lit:
                    fill = None if light is None else self._fill("solid", fgColor=LIGHT_FILLS.get(light, "FFFFFF"))
                    look = self._look(None, fill, self._centred, fmt)
                else:
                    look = self._look(None, None, self._aligned[min(c, last)], fmt)
                self._looks[key] = look
            cells.append(self._new(value, look, c + 1))
        self.ws.append(cells)


def style_sheet(ws: Any, header: list[str], rows: list[list[Any]], light_col: int | None = None,
                lights: list[str] | None = None, layout: Layout | None = None) -> None:
    """``rows`` written under ``header`` as StyledSheet writes them; ``lights[i]`` fills row i's ``light_col``."""
    sheet = StyledSheet(ws, header, rows[:500], len(rows), light_col, layout)
    for i, row in enumerate(rows):
        sheet.append(row, lights[i] if lights is not None else None)
