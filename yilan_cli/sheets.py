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
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import UsageError

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
IGNORED = ("序号", "台账", "预警灯", "序时进度", "超期天数", "灯", "上期进度")  # computed or row numbers
LIST_FIELDS = ("牵头领导", "配合单位", "标签", "佐证材料")
DATE_FIELDS = ("交办日期", "完成时限", "办结日期", "进展日期", "销号日期", "延期至", "延期申请日期", "延期批准日期")
_INJECTION = ("=", "+", "-", "@", "\t", "\r")
_SPLIT = re.compile(r"[、,，;；/\n]+")


@dataclass
class Sheet:
    """Rows of one sheet as {header → value}, each with its spreadsheet row number."""

    path: Path
    name: str
    rows: list[tuple[int | str, dict[str, Any]]]  # (row number, or 工作表!行 across several sheets)
    unknown: list[str]  # header texts that map to no field
    meta: dict[str, str]  # the fill-in form's hidden key/values (unit, period)


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
    if suffix in (".xls", ".et", ".ett", ".xlt"):
        raise UsageError(f"不支持的文件格式:{path.name}", "请在 WPS/Excel 中另存为 .xlsx 后再导入", code="X001")
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise UsageError(f"无法识别的文件类型:{path.name}", "请导入 .xlsx 或 .csv 文件", code="X001")
    if not path.is_file():
        raise UsageError(f"找不到文件:{path}", "请检查文件名和路径", code="X002")
    owner = path.with_name("~$" + path.name)  # the lock file WPS and Excel keep next to an open workbook
    if owner.exists():
        raise UsageError(f"文件被占用,请先关闭:{path.name}", f"WPS/Excel 正在编辑它(存在 {owner.name});关闭后再导入", code="X003")


def _open_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise UsageError(f"文件被占用,请先关闭:{path.name}", "关闭 WPS/Excel 中打开的这个文件后再试", code="X003") from None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, the three encodings county CSVs come in."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UsageError("CSV 文件编码无法识别", "请在 WPS/Excel 中另存为 CSV UTF-8", code="X004")


LIMITS = (100_000, 200, 1_000_000, 100)  # rows, columns, merged cells, MB unzipped (rules.yaml 表格导入限制)


def read_table(path: Path, sheet: str | None = None, extra_names: tuple[str, ...] = (),
               mapping: dict[str, str] | None = None, limits: tuple[int, int, int, int] = LIMITS) -> Sheet:
    """The rows under the header row (the first of the first 15 rows naming at least two fields).

    Without ``sheet``, every worksheet that has a header row is read (a yilan export has one sheet per
    ledger after its 汇总 sheet); row numbers are then written ``工作表!行``. A workbook over ``limits`` is
    refused (X013) before any grid is built.
    """
    refuse_unreadable(path)
    data = _open_bytes(path)
    if path.suffix.lower() == ".csv":
        try:
            grid: list[list[Any]] = list(csv.reader(io.StringIO(decode_csv(data), newline="")))
        except csv.Error as e:
            raise UsageError(f"{path.name} 不是可读的 CSV:{e}", "请在 WPS/Excel 中另存为 CSV UTF-8 后再导入",
                             code="X004") from None
        return _table(path, path.stem, grid, {}, extra_names, mapping)
    guard_workbook(data, path, limits)
    grids, meta = _xlsx_grids(data, path, sheet)
    tables = []
    for name, grid in grids:
        try:
            tables.append(_table(path, name, grid, meta, extra_names, mapping))
        except UsageError:
            if sheet is not None or len(grids) == 1:
                raise
    if not tables:
        raise UsageError(f"{path.name}:找不到表头行",
                         "表头应包含 事项、牵头单位、完成时限 等列名;其他列名可用 --map 列名=字段 指定", code="X005")
    if len(tables) == 1:
        return tables[0]
    rows = [(f"{t.name}!{r}", v) for t in tables for r, v in t.rows]
    unknown = sorted({u for t in tables for u in t.unknown})
    return Sheet(path, path.stem, rows, unknown, meta)  # type: ignore[arg-type]


def _table(path: Path, name: str, grid: list[list[Any]], meta: dict[str, str], extra_names: tuple[str, ...],
           mapping: dict[str, str] | None) -> Sheet:
    header_at = None
    for i, row in enumerate(grid[:15]):
        fields = [normalise_header(c, extra_names, mapping) for c in row]
        if sum(1 for f in fields if f and f != "-") >= 2:
            header_at = i
            break
    if header_at is None:
        raise UsageError(f"{path.name}:找不到表头行",
                         "表头应包含 事项、牵头单位、完成时限 等列名;其他列名可用 --map 列名=字段 指定", code="X005")
    headers = [normalise_header(c, extra_names, mapping) for c in grid[header_at]]
    unknown = [str(c) for c, f in zip(grid[header_at], headers, strict=False) if c not in (None, "") and f is None]
    rows = []
    for i, row in enumerate(grid[header_at + 1:], start=header_at + 2):
        values = {}
        for field, value in zip(headers, row, strict=False):
            if field and field != "-" and value not in (None, ""):
                values[field] = unquote(value) if isinstance(value, str) else value
        if values:
            rows.append((i, values))
    return Sheet(path, name, rows, unknown, meta)  # type: ignore[arg-type]


_TAG = re.compile(r"<(sheet|Relationship)\b([^>]*)>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_CELL = re.compile(r'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW = re.compile(r'<row\b[^>]*?\br="([0-9]{1,7})"')
_MERGED = re.compile(r'<mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def guard_workbook(data: bytes, path: Path, limits: tuple[int, int, int, int]) -> None:
    """Refuse a workbook whose sheets would unfold into more than ``limits`` allow — read from the zip's
    own XML, before openpyxl builds anything (a 5 KB file with one cell at XFD1048576, or one merged
    range over the whole sheet, would otherwise take minutes and gigabytes). X013 names the sheet."""
    import zipfile

    max_rows, max_cols, max_merged, max_mb = limits
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # not a zip: the reader says what it is instead
    with z:
        total = sum(i.file_size for i in z.infolist())
        if total > max_mb * 2**20:
            raise UsageError(f"{path.name} 解压后有 {total / 2**20:.0f} MB,超过导入上限 {max_mb} MB",
                             "表格异常庞大(可能被破坏或是压缩炸弹);请在 WPS/Excel 中只复制需要的行另存后再导入;"
                             "上限见 schemas/rules.yaml 的 表格导入限制", code="X013")
        def text(name: str) -> str:
            try:
                return z.read(name).decode("utf-8", errors="replace")
            except KeyError:
                return ""

        def tags(name: str, kind: str) -> list[dict[str, str]]:
            return [dict(_ATTR.findall(attrs)) for k, attrs in _TAG.findall(text(name)) if k == kind]

        rels = {r.get("Id", ""): r.get("Target", "") for r in tags("xl/_rels/workbook.xml.rels", "Relationship")}
        for sheet_tag in tags("xl/workbook.xml", "sheet"):
            title, target = sheet_tag.get("name", ""), rels.get(sheet_tag.get("r:id", ""), "")
            xml = text(target.lstrip("/") if target.startswith("/") else f"xl/{target}")
            rows = max([int(r) for r in _ROW.findall(xml)] + [int(r) for _, r in _CELL.findall(xml)], default=0)
            cols = max((_column(c) for c, _ in _CELL.findall(xml)), default=0)
            merged = sum((int(r2) - int(r1) + 1) * (_column(c2) - _column(c1) + 1)
                         for c1, r1, c2, r2 in _MERGED.findall(xml))
            for what, value, limit in (("行", rows, max_rows), ("列", cols, max_cols), ("合并单元格", merged, max_merged)):
                if value > limit:
                    raise UsageError(f"{path.name} 的工作表“{title}”有 {value} {what},超过导入上限 {limit}",
                                     "表格中可能有远处的零星内容或整表合并;在 WPS/Excel 中删掉多余的行列、取消合并后另存再导入;"
                                     "上限见 schemas/rules.yaml 的 表格导入限制", code="X013")


def _xlsx_grids(data: bytes, path: Path, sheet: str | None) -> tuple[list[tuple[str, list[list[Any]]]], dict[str, str]]:
    from openpyxl import load_workbook

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
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise UsageError(f"{path.name} 中没有工作表 {sheet}", f"可用的工作表:{'、'.join(s.title for s in visible)}",
                             code="X007")
        visible = [wb[sheet]]
    out = []
    for ws in visible:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for merged in ws.merged_cells.ranges:  # a merged block's value belongs to every cell it covers
            value = ws.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                        grid[r - 1][c - 1] = value
        out.append((ws.title, grid))
    return out, meta


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


def cell_date(value: Any, today: date) -> date | str | None:
    """A date cell: datetime, an Excel serial, ISO text, or the ways people type (2022年4月底, 4月底前)."""
    from .periods import DateError, parse_day

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # 1954–2119 as an Excel serial
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise DateError(str(value))
    text = str(value).strip()
    if text in ("长期", "长期坚持", "持续推进"):
        return "长期"
    text = re.sub(r"^(于|在)", "", text)
    try:
        return parse_day(text, today)
    except DateError:
        # 2022-04-30 00:00:00 as text, or 2022.4.30
        m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
        if m:
            return parse_day(f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", today)
        raise


def cell_progress(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
        if 0 < number <= 1 and not float(number).is_integer():  # a percentage-formatted cell: 0.7
            number *= 100
        return round(number)
    text = str(value).strip().rstrip("%％")
    return round(float(text))


def cell_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [x.strip() for x in _SPLIT.split(str(value)) if x.strip()]


def cell_text(value: Any) -> str | None:
    """A cell as text; characters no Word/Excel file can hold (\\v from text pasted out of Word) become spaces."""
    from .terminal import xml_safe

    if value is None:
        return None
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


def style_sheet(ws: Any, header: list[str], rows: list[list[Any]], light_col: int | None = None,
                lights: list[str] | None = None) -> None:
    """A header row that stays frozen, column widths fitted to Chinese text, autofilter, light fills."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="BBBBBB")
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True, name="黑体")
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for i, row in enumerate(rows):
        ws.append([None if v is None else v for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        if light_col is not None and lights is not None:
            ws.cell(ws.max_row, light_col + 1).fill = PatternFill("solid", fgColor=LIGHT_FILLS.get(lights[i], "FFFFFF"))
    for c, name in enumerate(header, start=1):
        widest = max([text_width(name)] + [text_width(r[c - 1]) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(c)].width = min(60, max(6, widest + 2))
    ws.oddHeader.left.text = "内部资料 注意保存"  # printed on every page; the cells stay pure data
    ws.freeze_panes = "B2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
