"""The circular as a Word document in the national 公文 format (GB/T 9704), for the document flow.

Red letterhead with the issuing office, 文号, a red rule; title in 方正小标宋简体 二号; body in 仿宋_GB2312
三号 with a two-character first-line indent; level-1 headings 黑体, level-2 楷体_GB2312; real tables whose
header row repeats on every page; page numbers “— 1 —”; “内部资料 注意保存” at the top and the end.
Every run sets its East Asian font (w:eastAsia): python-docx's ``font.name`` alone leaves Chinese text in
the default font. The file's bytes depend only on the report (fixed zip times and document dates).
python-docx is imported only here.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Line, Report

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
SIZE_2 = 22  # 二号
SIZE_3 = 16  # 三号
SIZE_4 = 14  # 四号
SIZE_5 = 10.5  # 五号
RED = "FF0000"


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


def _para(doc: Any, text: str, font: str = BODY_FONT, size: float = SIZE_3, *, align: str | None = None,
          indent: bool = False, bold: bool = False, color: str | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)  # 公文: 22 lines of 28 pt on a page
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font, size, bold, color)
    return p


def _red_rule(paragraph: Any) -> None:
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "4",
                                                 qn("w:color"): RED})
    border.append(bottom)
    ppr.append(border)


def _page_numbers(section: Any) -> None:
    """Footer “— N —”, centred, 宋体 四号, with a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", SIZE_4)
    run = p.add_run()
    _font(run, "宋体", SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            el = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), "宋体", SIZE_4)


def _table(doc: Any, header: list[str], rows: list[list[Any]]) -> None:
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].text = ""
        _font(cell.paragraphs[0].add_run(text), H1_FONT, SIZE_5)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))  # repeats on every page
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, SIZE_5)
    _widths(table, header, rows)
    doc.add_paragraph()


def _widths(table: Any, header: list[str], rows: list[list[Any]]) -> None:
    """Columns as wide as their text needs (a Chinese character counts twice), within the 15.6 cm text block."""
    from docx.shared import Cm

    from .sheets import text_width

    need = [max([text_width(h)] + [min(40, text_width(r[i])) for r in rows]) for i, h in enumerate(header)]
    short = [max(4, text_width(h), min(8, n)) for h, n in zip(header, need, strict=True)]
    floor = [0.3 * s for s in short]  # a short header, an ID or a number fits on one line
    spare = max(0.0, 15.6 - sum(floor))
    extra = [max(0, n - s) for n, s in zip(need, short, strict=True)]
    widths = [f + spare * e / (sum(extra) or 1) for f, e in zip(floor, extra, strict=True)]
    scale = 15.6 / sum(widths)
    table.autofit = False
    for column, w in zip(table.columns, widths, strict=True):
        column.width = Cm(w * scale)  # w:gridCol, which LibreOffice and WPS lay out by
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Cm(w * scale)


def _lines(doc: Any, items: list[Line]) -> None:
    if not items:
        _para(doc, "无", indent=True)
        return
    _table(doc, ["编号", "事项", "牵头单位", "牵头领导", "进度", "说明"],
           [[m.id, m.title, m.unit, m.leaders, f"{m.progress}%", m.reasons] for m in items])


def _document(mark: str, office: str, number_line: str, title: str) -> Any:
    """A 公文 page (A4, GB/T 9704 margins, page numbers) opened with the mark, the red letterhead and the title."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _page_numbers(section)
    _para(doc, mark, H1_FONT, SIZE_3)
    _para(doc, office, TITLE_FONT, 26, align="center", color=RED)
    _red_rule(_para(doc, number_line, BODY_FONT, SIZE_3, align="center"))
    _para(doc, "")
    _para(doc, title, TITLE_FONT, SIZE_2, align="center")
    _para(doc, "")
    return doc


def _finish(doc: Any, mark: str, title: str, office: str, day: str) -> bytes:
    """The closing mark, document properties dated by the data (never the clock), fixed zip times."""
    _para(doc, mark, H1_FONT, SIZE_3)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, office, office
    props.created = props.modified = datetime.fromisoformat(day)
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def render_docx(r: Report) -> bytes:
    """The .docx bytes of report ``r`` (its 文号 under the letterhead once issued)."""
    doc = _document(r.mark, r.office, r.number or r.period_label, r.title)
    _para(doc, f"{r.period_label}({r.first} 至 {r.last}),按业务日期统计,评估日 {r.today}。", indent=True)

    def h1(text: str) -> None:
        _para(doc, text, H1_FONT, SIZE_3, indent=True)

    def h2(text: str) -> None:
        _para(doc, text, H2_FONT, SIZE_3, indent=True)

    names = r.light_names
    h1("一、总体情况")
    lights = "、".join(f"{names[k]} {r.lights[k]} 项" for k in ("red", "yellow", "blue", "green"))
    _para(doc, f"{r.period_label}共督办事项 {r.total} 项,其中已办结 {r.closed} 项、阶段性办结 {r.stage_closed} 项,"
               f"办结率 {r.completion_rate};按期办结率 {r.on_time_rate};超期 {r.overdue} 项。预警灯:{lights}。", indent=True)
    _table(doc, ["台账", "事项数", names["red"], names["yellow"], names["blue"], names["green"], "已办结", "阶段性办结",
                 "办结率"],
           [[x.name, x.total, x.red, x.yellow, x.blue, x.green, x.closed, x.stage_closed, x.completion_rate]
            for x in r.by_ledger])
    if r.research:
        _para(doc, r.research, indent=True)
    h1("二、主要成效")
    for text in (r.achievements or "【待撰写】").split("\n\n"):
        _para(doc, text.strip(), indent=True)
    h1("三、序时分析")
    cats = ["超进度", "达进度", "欠进度", "已完成", "持续推进", "中止"]
    _table(doc, cats, [[r.schedule[c] for c in cats]])
    h1("四、本期进展")
    _para(doc, f"本期进度有变化的事项 {len(r.progressed)} 项,本期办结 {len(r.closed_in_period)} 项,"
               f"本期新增 {len(r.added_in_period)} 项。", indent=True)
    if r.progressed:
        _table(doc, ["编号", "事项", "牵头单位", "期初进度", "期末进度"],
               [[m.id, m.title, m.unit, f"{m.start}%", f"{m.end}%"] for m in r.progressed])
    h1("五、赛马排名")
    for g in r.ranking:
        h2(f"({'一二三四五六'[r.ranking.index(g)]}){g.group}")
        _table(doc, ["名次", "单位", "得分", "事项", "得分说明"],
               [[u.rank or "—", u.unit, "—" if u.score is None else f"{u.score:.1f}", u.matters, u.breakdown]
                for u in g.units])
        red = "、".join(u.unit for u in g.red_list) or "无"
        black = "、".join(u.unit for u in g.black_list) or "无"
        _para(doc, f"红榜:{red}。黑榜:{black}。", indent=True)
    h1("六、存在问题")
    _lines(doc, r.problems)
    h1("七、未按期报告")
    _lines(doc, r.missing_reports)
    h1("八、专题")
    if r.task_forces:
        h2("(一)工作专班推进情况")
        _table(doc, ["专班", "级别", "牵头领导", "事项", names["red"], names["yellow"], "办结", "平均进度"],
               [[f.name, f.level, f.leader, f.total, f.red, f.yellow, f.closed, f.progress] for f in r.task_forces])
        h2("(二)量化指标")
    if r.indicators:
        _table(doc, ["台账", "编号", "指标", "目标", "完成", "完成情况"],
               [[i.ledger, i.id, i.name, f"{i.target}{i.unit}", i.done_text, i.rate] for i in r.indicators])
    else:
        _para(doc, "本期无量化指标。", indent=True)
    h1("九、下步工作要求")
    for text in (r.requirements or "【待撰写】").split("\n\n"):
        _para(doc, text.strip(), indent=True)
    h1("十、附件")
    for title, items in (("附件1 超期事项清单", r.overdue_list), ("附件2 滞后事项清单", r.lagging_list),
                         ("附件3 本期办结事项清单", r.closed_in_period)):
        h2(title)
        _lines(doc, items)
    return _finish(doc, r.mark, r.title, r.office, r.today)


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed, so equal reports give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """A docx as text: paragraphs, then each table as rows of cells — what the golden files compare."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for i, table in enumerate(doc.tables, start=1):
        lines.append(f"[表{i}]")
        lines.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(lines) + "\n"


def notice_docx(n: Any) -> bytes:
    """A 督办通知单 in the same 公文 layout as the circulars."""
    doc = _document(n.mark, n.office, n.number or n.date, n.title)
    _para(doc, f"{n.unit}:")
    _para(doc, f"经核查,截至 {n.date},你单位牵头的以下 {len(n.items)} 项督办事项存在超期、滞后或未按期报告等问题,"
               f"亮红灯、黄灯预警。请高度重视,逐项研究整改措施,于 {n.reply_by} 前将整改情况书面报送{n.office}。", indent=True)
    _table(doc, ["编号", "事项", "预警", "问题", "完成时限", "进度"],
           [[m.id, m.title, m.light, m.reasons, m.deadline, f"{m.progress}%"] for m in n.items])
    _para(doc, n.office, align="right")
    _para(doc, n.date, align="right")
    return _finish(doc, n.mark, n.title, n.office, n.date)


def _chain_table(doc: Any, chain: Any, day: str) -> None:
    _table(doc, ["文书", "种类", "印发日期", "回复期限", "回复情况"],
           [[d.number, d.kind, d.issued.isoformat(), d.reply_by.isoformat() if d.reply_by else "—", d.reply_words(day)]
            for d in chain])


def escalation_docx(e: Any) -> bytes:
    """A 提示单 / 督办单 / 通报批评 / 问责移交 (escalation.Escalation) in the 公文 layout."""
    doc = _document(e.mark, e.office, e.number or e.date, e.title)
    if e.referral_to:
        _para(doc, f"{'、'.join(e.referral_to)}:")
        _para(doc, f"{e.unit}牵头的以下 {len(e.steps)} 项督办事项,经督办通知、提示、督办、通报批评仍未整改到位,"
                   "现将有关问题线索及督办过程材料移交你们,请依规依纪处理。", indent=True)
    else:
        _para(doc, f"{e.unit}:")
        copy = ";本通报同时抄送全县各乡镇、县直各部门" if e.kind == "通报批评" else ""
        _para(doc, f"截至 {e.date},你单位牵头的以下 {len(e.steps)} 项督办事项,前期督办文书逾期未回复或仍为红灯,"
                   f"现升级为{e.label}。请主要负责同志亲自过问,于 {e.reply_by} 前将整改情况书面报送{e.office}{copy}。",
              indent=True)
    _table(doc, ["编号", "事项", "升级原因", "前期文书"],
           [[s.matter, s.title, ";".join(s.reasons), f"{s.basis.number}({s.basis.kind})"] for s in e.steps])
    if e.referral_to:
        for s in e.steps:
            _para(doc, f"{s.matter} {s.title} 督办过程", H2_FONT, SIZE_3)
            _chain_table(doc, s.chain, e.date)
    _para(doc, e.office, align="right")
    _para(doc, e.date, align="right")
    return _finish(doc, e.mark, e.title, e.office, e.date)


def accountability_docx(a: Any) -> bytes:
    """The referral list (escalation.Accountability) for the discipline commission and the conduct office."""
    doc = _document(a.mark, a.office, a.period_label, a.title)
    _para(doc, f"{'、'.join(a.referral_to)}:")
    _para(doc, f"按照\u201c2+2\u201d督导问责机制,截至 {a.today},{a.thresholds}的督办事项共 {len(a.items)} 项,"
               "现将清单及督办过程材料移交你们,请依规依纪处理。", indent=True)
    if a.items:
        _table(doc, ["序号", "编号", "事项", "牵头单位", "牵头领导", "完成时限", "进度", "移交理由"],
               [[i, m.id, m.title, m.unit, m.leaders, m.deadline, f"{m.progress}%", ";".join(m.reasons)]
                for i, m in enumerate(a.items, start=1)])
        for i, m in enumerate(a.items, start=1):
            _para(doc, f"{i}. {m.id} {m.title}", H2_FONT, SIZE_3)
            if m.chain:
                _chain_table(doc, m.chain, a.today)
            else:
                _para(doc, "未印发督办文书。", indent=True)
    else:
        _para(doc, "本期没有达到移交条件的事项。", indent=True)
    _para(doc, a.office, align="right")
    _para(doc, a.today, align="right")
    return _finish(doc, a.mark, a.title, a.office, a.today)
