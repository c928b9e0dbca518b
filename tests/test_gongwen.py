"""公文 (GB/T 9704-2012): the text-style pass, and every element of the four documents an office signs.

Each document is read back from its .docx: the paragraphs in order with their font (w:eastAsia), size,
colour, alignment, page break and rule. A table of element → check walks them in order, so a missing,
misplaced or wrongly set element fails naming the element.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.gongwen import DRAFT, Organ, frame, style, zh_date

from .conftest import written_notes
from .test_escalation import _walk, ws  # noqa: F401 - ws is the escalation workspace fixture


# --------------------------------------------------------------------------- the text pass
@pytest.mark.parametrize(("raw", "styled"), [
    ("统计,评估日 2022-06-30。", "统计，评估日2022年6月30日。"),
    ("2022Q1 未按期报告", "2022年第一季度未按期报告"),
    ("2022H2 评估", "2022年下半年评估"),
    ("截至 2022-06 底", "截至2022年6月底"),
    ("共督办事项 42 项,其中超期 3 项", "共督办事项42项，其中超期3项"),
    ("SW-002 农村人居环境", "SW-002 农村人居环境"),  # an ID keeps the space before its title
    ("县住建局(牵头)", "县住建局（牵头）"),
    ('推进"办好一件事"改革', "推进“办好一件事”改革"),
    ("问题:资金未到位;下步:协调", "问题：资金未到位；下步：协调"),
    ("完成 1,200 户", "完成1,200户"),  # a thousands separator stays
    ("会议 10:30 召开", "会议10:30召开"),  # a time stays
    ("依督通〔2022〕1号", "依督通〔2022〕1号"),
    ("进度 20.0%,滞后 3/4", "进度20.0%，滞后3/4"),
    ("全部完成.", "全部完成。"),
    ("ZB-001 (A) B", "ZB-001 (A) B"),  # no Chinese: nothing to change
    ("2022-13-40 不是日期", "2022-13-40 不是日期"),
    ("2022-02-30日", "2022-02-30日"),  # no such day: left as written
    ("见http://www.gov.cn/xinwen/2022-06/30/content_5698.htm", "见http://www.gov.cn/xinwen/2022-06/30/content_5698.htm"),
    ("report_notes/2022Q2.md 中的文稿", "report_notes/2022Q2.md 中的文稿"),  # a path as written
    ("https://a.cn/?q=中,文", "https://a.cn/?q=中,文"),
    ('按照"2+2"督导问责机制', "按照“2+2”督导问责机制"),  # quotes next to Chinese, even around no Chinese
    ("中文\n!说明", "中文\n！说明"),  # a line break stays
    ("", ""),
])
def test_style(raw: str, styled: str) -> None:
    assert style(raw) == styled


@given(st.text(alphabet="依兰县镇局项目 ,;:!?()\"0123456789-.%QH年月日SWZBhtp/\n\t", max_size=40))
def test_style_is_idempotent_and_keeps_every_word(text: str) -> None:
    once = style(text)
    assert style(once) == once
    # only punctuation, spaces and the spelling of dates and periods change: the Chinese words stay in order
    assert re.sub(r"[^依兰县镇局项目]", "", once).replace("年", "") == re.sub(r"[^依兰县镇局项目]", "", text)


@pytest.mark.parametrize(("day", "text"), [(date(2022, 7, 5), "2022年7月5日"), ("2022-12-31", "2022年12月31日"),
                                           ("长期", "长期")])
def test_zh_date(day: Any, text: str) -> None:
    assert zh_date(day) == text


def test_the_frame_of_a_draft_and_of_an_issued_document() -> None:
    organ = Organ(contact="李某", phone="0451-57212345")
    draft = frame(organ, mark="内部资料 注意保存", title="关于2022Q2督办情况的通报", number="", day="2022-07-05",
                  addressee="各乡(镇)", opening="", closing="特此通报。", attachments=("超期事项清单", "滞后事项清单"))
    assert draft.number == DRAFT and not draft.issued and draft.title == "关于2022年第二季度督办情况的通报"
    assert draft.attachment_lines == ["附件：1.超期事项清单", "2.滞后事项清单"]
    assert draft.date == "2022年7月5日" and draft.print_line == ("依兰县委县政府督查室", "2022年7月5日印发")
    assert draft.note == "（联系人：李某，电话：0451-57212345）" and draft.addressee == "各乡（镇）"
    issued = frame(organ, mark="", title="t", number="依督通〔2022〕3号", day=date(2022, 7, 5), addressee="a",
                   opening="", closing="", copy_to="县委领导")
    assert issued.issued and issued.copy_line == "抄送：县委领导。" and issued.attachment_lines == []


# --------------------------------------------------------------------------- the documents, element by element
@dataclass(frozen=True)
class Para:
    text: str
    font: str
    size: float
    color: str
    align: str
    page_break: bool
    red_rule: bool
    indent: bool


def paragraphs(data: bytes) -> list[Para]:
    """The non-empty paragraphs of a .docx body, as its first run sets them."""
    from docx import Document
    from docx.oxml.ns import qn

    out = []
    for p in Document(io.BytesIO(data)).paragraphs:
        if not p.text.strip():
            continue
        run = p.runs[0]
        fonts = run._element.rPr.find(qn("w:rFonts"))
        color = run.font.color.rgb if run.font.color and run.font.color.type else None
        border = p._p.pPr.find(qn("w:pBdr")) if p._p.pPr is not None else None
        red = border is not None and any(b.get(qn("w:color")) == "FF0000" for b in border)
        fmt = p.paragraph_format
        out.append(Para(p.text, fonts.get(qn("w:eastAsia")), run.font.size.pt, str(color or ""),
                        {None: "left", 0: "left", 1: "center", 2: "right", 3: "justify"}[p.alignment],
                        bool(fmt.page_break_before), red, bool(fmt.first_line_indent and fmt.first_line_indent > 0)))
    return out


@dataclass(frozen=True)
class Element:
    """One GB/T 9704 element: how to find its paragraph, the font and size it must have, and any other check."""

    name: str
    match: Callable[[str], bool]
    font: str
    size: float
    check: Callable[[Para], bool] = lambda p: True


def exact(text: str) -> Callable[[str], bool]:
    return lambda s: s == text


def pattern(regex: str) -> Callable[[str], bool]:
    return lambda s: re.fullmatch(regex, s) is not None


XBS, FS, HT, KT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
ORGANS = ("中共依兰县委督查室", "依兰县人民政府督查室")


def head(number: str, title: str, addressee: str) -> list[Element]:
    """版头 and the start of 主体: 份号/密级 position, 发文机关标志 (one line each), 发文字号 over the red rule,
    标题, 主送机关."""
    return [
        Element("密级和保密期限位置", exact("内部资料 注意保存"), HT, 16, lambda p: p.align == "left"),
        *(Element(f"发文机关标志（{o}）", exact(o), XBS, 30, lambda p: p.color == "FF0000" and p.align == "center")
          for o in ORGANS),
        Element("发文字号", pattern(number), FS, 16, lambda p: p.align == "center" and p.red_rule),
        Element("标题", pattern(title), XBS, 22, lambda p: p.align == "center"),
        Element("主送机关", pattern(addressee + "："), FS, 16, lambda p: not p.indent),
    ]


def tail(closing: str, attachments: tuple[str, ...], copy: str | None, day: str) -> list[Element]:
    """结语, 附件说明, 署名, 成文日期, 附注; each 附件 on a new page; 版记 (抄送, 印发机关和印发日期)."""
    out = [Element("结语", exact(closing), FS, 16, lambda p: p.indent)]
    for i, name in enumerate(attachments, start=1):
        out.append(Element(f"附件说明{i}", exact(f"{'附件：' if i == 1 else ''}{i}.{name}"), FS, 16))
    out += [*(Element(f"署名（{o}）", exact(o), FS, 16, lambda p: p.align == "right") for o in ORGANS),
            Element("成文日期", exact(day), FS, 16, lambda p: p.align == "right"),
            Element("附注", exact("（联系人：李某，电话：0451-57212345）"), FS, 16)]
    for i, name in enumerate(attachments, start=1):
        out += [Element(f"附件{i}标识", exact(f"附件{i}"), HT, 16, lambda p: p.page_break and p.align == "left"),
                Element(f"附件{i}标题", exact(name), XBS, 22, lambda p: p.align == "center")]
    if copy is not None:
        out.append(Element("抄送机关", exact(f"抄送：{copy}。"), FS, 14))
    out.append(Element("印发机关和印发日期", exact(f"依兰县委县政府督查室\t{day}印发"), FS, 14))
    return out


def check_elements(data: bytes, elements: list[Element]) -> list[Para]:
    """Every element found in order, with its font and size; the paragraphs for further checks."""
    paras = paragraphs(data)
    at = 0
    for e in elements:
        found = next((i for i in range(at, len(paras)) if e.match(paras[i].text)), None)
        assert found is not None, f"{e.name} missing (or out of order) after {paras[at - 1].text if at else 'start'!r}"
        p = paras[found]
        assert (p.font, p.size) == (e.font, e.size), f"{e.name}: {p.font} {p.size}pt, want {e.font} {e.size}pt"
        assert e.check(p), f"{e.name}: {p}"
        at = found + 1
    return paras


def invoke(root: Path, *args: str) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


ATTACHMENTS = ("超期事项清单", "滞后事项清单", "本期办结事项清单", "赛马计分办法")
COPY = "县委、县人大常委会、县政府、县政协领导"  # rules.yaml 公文.抄送


def test_the_issued_circular_has_every_element_in_order(git_demo: Path, tmp_path: Path) -> None:
    written_notes(git_demo, "2022Q2")
    out = tmp_path / "q2.docx"
    invoke(git_demo, "report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(out))
    body = [Element("导语", pattern("为推动.*现将有关情况通报如下："), FS, 16, lambda p: p.indent),
            Element("一级标题", exact("一、总体情况"), HT, 16),
            Element("办结率定义", pattern("注：办结率（含阶段性办结）＝.*"), FS, 16),
            Element("二级标题", exact("（一）乡镇"), KT, 16),
            Element("一级标题", exact("九、下步工作要求"), HT, 16)]
    heading = head(r"依督通〔2022〕\d+号", "关于2022年第二季度.*季度通报", "各乡（镇）党委和政府，县直各部门")
    paras = check_elements(out.read_bytes(), [*heading, *body, *tail("特此通报。", ATTACHMENTS, COPY, "2022年7月15日")])
    texts = [p.text for p in paras]
    assert "【待撰写】" not in texts and not any("report_notes" in t for t in texts)  # nothing unwritten goes out
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}|\d{4}Q\d|[\u4e00-\u9fff][,;:]", t) for t in texts), "公文 style"


def test_a_draft_circular_says_so_in_the_number_slot(tmp_path: Path) -> None:
    from .conftest import REPO

    out = tmp_path / "d.docx"
    invoke(REPO, "report", "2022Q2", "-o", str(out))
    paras = check_elements(out.read_bytes(), [*head("（征求意见稿）", "关于.*", "各乡（镇）党委和政府，县直各部门"),
                                              *tail("特此通报。", ATTACHMENTS, COPY, "2022年6月30日")])
    assert "【待撰写】" in [p.text for p in paras]  # a draft marks what is still to write, without a path


def test_a_notice_an_escalation_and_a_referral_letter_are_complete(ws: Path, tmp_path: Path) -> None:  # noqa: F811
    import shutil

    first = tmp_path / "first"  # the first rung, as Word: notices on 04-08, 提示单 on 04-14
    shutil.copytree(ws, first)
    invoke(first, "notice", "--today", "2022-04-08", "--issue", "-o", str(tmp_path / "n"))
    invoke(first, "escalate", "--today", "2022-04-14", "--apply", "--format", "docx", "-o", str(tmp_path / "e"))
    _walk(ws, tmp_path / "docs")
    notices = tmp_path / "notices"
    invoke(ws, "notice", "--today", "2022-06-30", "--format", "docx", "-o", str(notices))
    notice = (notices / "督办通知单-县住建局.docx").read_bytes()
    check_elements(notice, [*head("（征求意见稿）", "督办通知单", "县住建局"),
                            Element("正文", pattern("经核查，截至2022年6月30日，你单位.*"), FS, 16, lambda p: p.indent),
                            *tail("特此通知。", (), None, "2022年6月30日")])
    # 抄送 names the matters' leaders, but not 分管副县长: 赵某 and 钱某 both answer to it (schemas/people.yaml)
    assert not [p for p in paragraphs(notice) if p.text.startswith("抄送")]
    check_elements((tmp_path / "e" / "提示单-县住建局.docx").read_bytes(),
                   [*head(r"依督提〔2022〕1号", "蓝色提示单", "县住建局"),
                    Element("正文", pattern("截至2022年4月14日，你单位牵头的.*现升级为蓝色提示单。.*"), FS, 16),
                    *tail("特此通知。", (), None, "2022年4月14日")])
    letter = tmp_path / "referral.docx"
    invoke(ws, "accountability", "2022Q2", "--format", "docx", "-o", str(letter))
    check_elements(letter.read_bytes(),
                   [*head("（征求意见稿）", "关于2022年第二季度督办事项问责移交清单的函", "县纪委监委、县作风办"),
                    Element("正文", pattern("按照“2\\+2”督导问责机制.*"), FS, 16, lambda p: p.indent),
                    Element("督办过程", pattern("1.XM-001 县城老旧小区改造"), KT, 16),
                    *tail("特此函告。", (), None, "2022年6月30日")])
    assert kept_together(letter.read_bytes(), "特此函告。", "2022年6月30日")


def kept_together(data: bytes, first: str, last: str) -> bool:
    """Every paragraph from ``first`` to ``last`` keeps with the next: the 成文日期 is never alone on a page."""
    from docx import Document

    paras = Document(io.BytesIO(data)).paragraphs
    start = next(i for i, p in enumerate(paras) if p.text == first)
    end = next(i for i, p in enumerate(paras) if i > start and p.text == last)
    return all(p.paragraph_format.keep_with_next for p in paras[start:end])


# --------------------------------------------------------------------------- numbers, dates and settings of the documents
def test_a_changed_number_format_continues_the_years_series() -> None:
    """A county that switches from 依督通〔2022〕第2期 to 依督通〔{year}〕{n}号 in mid-year goes on with 3号."""
    from yilan_cli.issuing import next_number

    register = [{"编号": "依督通〔2022〕第1期", "种类": "季度通报"}, {"编号": "依督通〔2022〕第2期", "种类": "月报"},
                {"编号": "依督通〔2021〕第9期", "种类": "年度总结"}, {"编号": "督办〔2022〕5号", "种类": "督办通知单"}]
    kinds = ("月报", "季度通报", "半年评估", "年度总结")
    assert next_number(register, "依督通〔{year}〕{n}号", 2022, 2, kinds=kinds) == ["依督通〔2022〕3号", "依督通〔2022〕4号"]
    assert next_number(register, "依督办〔{year}〕{n}号", 2022, kinds=("督办通知单",)) == ["依督办〔2022〕6号"]
    assert next_number(register, "依督通〔{year}〕{n}号", 2023, kinds=kinds) == ["依督通〔2023〕1号"]


def test_the_date_of_issue_follows_the_evaluation_and_the_numbers(git_demo: Path, tmp_path: Path) -> None:
    """The demo issued 依督通〔2022〕1号 (半年评估) on 2022-07-12: a circular dated before it would carry a
    higher number with an earlier date (I014); one dated before its own evaluation day is refused (I013)."""
    written_notes(git_demo, "2022Q2", "2022-06")
    early = CliRunner().invoke(app, ["--root", str(git_demo), "report", "2022Q2", "--issue", "--date", "2022-07-05"])
    assert early.exit_code == 2 and "[I014] 印发日期 2022-07-05 早于已印发的 依督通〔2022〕1号(2022-07-12)" in early.stderr
    before = CliRunner().invoke(app, ["--root", str(git_demo), "report", "2022-06", "--today", "2022-06-30", "--issue",
                                      "--date", "2022-06-20"])
    assert before.exit_code == 2 and "[I013] 印发日期 2022-06-20 早于评估日 2022-06-30" in before.stderr
    assert "依督通〔2022〕2号" in invoke(git_demo, "report", "2022Q2", "--issue", "--date", "2022-07-15",
                                      "-o", str(tmp_path / "q2.md")).stderr


def test_the_referral_letter_is_dated_after_what_it_cites(ws: Path, tmp_path: Path) -> None:  # noqa: F811
    _walk(ws, tmp_path / "docs")  # documents up to 06-01, replies up to 04-18
    text = invoke(ws, "accountability", "2022Q2").stdout
    assert "\n2022年6月30日\n" in text  # by default the evaluation day is the letter's 成文日期
    invoke(ws, "notice", "--today", "2022-07-05", "--unit", "县住建局", "--issue", "-o", str(tmp_path / "n"))
    assert invoke(ws, "accountability", "2022Q2").stdout == text  # a later document changes nothing at 06-30
    later = invoke(ws, "accountability", "2022Q2", "--date", "2022-07-05").stdout
    assert "\n2022年7月5日\n" in later and "| 依督办〔2022〕3号 | 督办通知单 | 2022年7月5日 |" in later
    chosen = invoke(ws, "accountability", "2022Q2", "--date", "2022-07-01").stdout
    assert "\n2022年7月1日\n" in chosen and "2022年7月5日" not in chosen  # nothing dated after the letter
    refused = CliRunner().invoke(app, ["--root", str(ws), "accountability", "2022Q2", "--date", "2022-06-01"])
    assert refused.exit_code == 2 and "[I013] 成文日期 2022-06-01 早于评估日 2022-06-30" in refused.stderr


@pytest.mark.parametrize(("args", "code"), [(["-o", "通报.pdf"], "E506"), (["-o", "通报.txt"], "E506"),
                                            (["--format", "md", "-o", "通报.docx"], "E506")])
def test_an_output_name_that_is_no_such_document_is_refused(args: list[str], code: str, tmp_path: Path) -> None:
    from .conftest import REPO

    r = CliRunner().invoke(app, ["--root", str(REPO), "report", "2022Q2", *[a if a.startswith("-") or a == "md"
                                                                           else str(tmp_path / a) for a in args]])
    assert r.exit_code == 2 and f"[{code}]" in r.stderr and not list(tmp_path.iterdir())


@pytest.mark.parametrize("key", ["主送", "印发机关"])
def test_an_empty_organ_setting_is_refused(demo_workspace: Path, key: str) -> None:
    """主送: "" printed a lone "：" under the title; 印发机关: "" a 导语 without its subject."""
    path = demo_workspace / "schemas" / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    head = f"  {key}:"
    assert head in text
    lines = [f"{head} \"\"" if raw.startswith(head) else raw for raw in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["--root", str(demo_workspace), "status", "--today", "2022-06-30"])
    assert r.exit_code == 2 and "[E400]" in r.stderr and f"公文.{key} 不能为空" in r.stderr


def test_weights_that_are_all_zero_are_refused(demo_workspace: Path) -> None:
    path = demo_workspace / "schemas" / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    for k in ("按期办结权重", "序时达标权重", "按期报告权重"):
        text = re.sub(rf"(?m)^  {k}: \d+", f"  {k}: 0", text)
    path.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(app, ["--root", str(demo_workspace), "rank", "2022Q2"])
    assert r.exit_code == 2 and "[E400]" in r.stderr and "不能全为 0" in r.stderr


def test_notes_are_the_same_paragraphs_in_every_format(demo_workspace: Path, tmp_path: Path) -> None:
    """report_notes are Markdown: Word and HTML print its paragraphs and list items one by one, styled."""
    from yilan_cli.docx_report import docx_text
    from yilan_cli.gongwen import paragraphs

    notes = demo_workspace / "report_notes"
    notes.mkdir()
    (notes / "2022Q2.md").write_text("## 主要成效\n\n二季度,各乡(镇)**压实责任**。\n\n- 第一项:完成 42 项\n- 第二项\n\n"
                                     "## 下步工作要求\n\n1. 见 report_notes/2022Q2.md 与 http://a.cn/2022-06/x\n",
                                     encoding="utf-8")
    assert paragraphs("二季度,各乡(镇)**压实责任**。\n\n- 第一项:完成 42 项\n- 第二项") == [
        "二季度，各乡（镇）压实责任。", "第一项：完成42项", "第二项"]
    invoke(demo_workspace, "report", "2022Q2", "-o", str(tmp_path / "r.docx"))
    docx = docx_text((tmp_path / "r.docx").read_bytes())
    html = invoke(demo_workspace, "report", "2022Q2", "--format", "html").stdout
    md = invoke(demo_workspace, "report", "2022Q2").stdout
    for text in ("二季度，各乡（镇）压实责任。", "第一项：完成42项", "1.见 report_notes/2022Q2.md 与 http://a.cn/2022-06/x"):
        assert f"\n{text}\n" in docx and f"<p>{text}</p>" in html, text
    assert "\n二季度，各乡（镇）**压实责任**。\n" in md  # Markdown keeps its own emphasis
    assert "\n- 第一项：完成42项\n" in md and "\n1. 见 report_notes/2022Q2.md 与 http://a.cn/2022-06/x\n" in md
