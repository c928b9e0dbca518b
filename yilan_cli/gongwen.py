"""公文: the frame every document yilan issues shares, and the style its text is written in. Pure.

Rules are from GB/T 9704-2012 《党政机关公文格式》 (sections named in each docstring) and the
《党政机关公文处理工作条例》 (2012): a circular, a 督办通知单, an escalation document and a referral letter
are each one :class:`Frame` — 版头 (份号/密级 position, 发文机关标志, 发文字号, red 分隔线), 主体 (标题,
主送机关, 正文 with 导语 and 结语, 附件说明, 署名, 成文日期, 附注), 附件 on pages of their own, and 版记
(抄送机关, 印发机关 and 印发日期). The body between 主送 and 结语 is the document's own; renderers
(docx_report, the md/html templates) lay the frame around it.

:func:`style` is the text pass applied to every piece of text printed into a document: full-width
punctuation in Chinese sentences, no spaces between Chinese and numbers, dates as 2022年6月30日 and
period codes as 2022年第二季度.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

# Chinese characters and the full-width punctuation that belongs to Chinese sentences
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ZH = _HAN + "\u3000-\u303f\uff01-\uff5e\u2014\u2018\u2019\u201c\u201d\u2026"
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}



class _Patterns:
    """The style pass's regular expressions, compiled on first use (:func:`_rx`): workspace.py imports this
    module for ``Organ`` on every command, and compiling them costs ~30 ms that ``yilan status`` never needs."""

    def __init__(self) -> None:
        # URLs and paths are printed as written: no date, period or punctuation inside them is touched
        self.verbatim = re.compile(r"(?:https?://|ftp://|www\.)[^\s，。；）]+|[\w.\-]*[A-Za-z][\w.\-]*(?:[/\\][\w.\-]+)+",
                                   re.A)
        trailing = rf"(?![0-9A-Za-z\-/\\])(?: +(?=[{_HAN}]))?"  # and the space after it, before Chinese
        self.iso_day = re.compile(r"(?<![0-9A-Za-z\-/\\=])(\d{4})-(\d{2})-(\d{2})" + trailing)
        self.iso_month = re.compile(r"(?<![0-9A-Za-z\-/\\=])(\d{4})-(\d{2})" + trailing)
        self.period = re.compile(r"(?<![0-9A-Za-z\-/\\=])(\d{4})(Q[1-4]|H[12])" + trailing)
        self.punct = re.compile(rf"(?<=[{_ZH})）])[ \t]*([,;:!?])[ \t]*|([,;:!?])[ \t]*(?=[{_HAN}（“])")
        self.parens = re.compile(rf"\(([^()\n]*[{_HAN}][^()\n]*)\)")
        self.quotes = re.compile(rf'"([^"\n]*[{_HAN}][^"\n]*)"|(?<=[{_HAN}])"([^"\n]{{1,40}})"|"([^"\n]{{1,40}})"(?=[{_HAN}])')
        self.period_end = re.compile(rf"(?<=[{_HAN}])\.(?=\s|$)")
        # a space between Chinese and a number (either side); a number in an ID (SW-002) keeps its space
        self.space_before_number = re.compile(rf"(?<=[{_ZH}]) +(?=[0-9])")
        self.space_after_number = re.compile(rf"(?<![0-9A-Za-z\-_./])([0-9][0-9.,/]*%?) +(?=[{_ZH}])")
        self.md_marker = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+|>\s*)?)(.*)$")
        self.md_emphasis = re.compile(r"(\*\*|__|`)(.+?)\1")


_rx = functools.cache(_Patterns)
_QUARTERS = "一二三四"


def zh_date(day: date | str) -> str:
    """``2022年7月5日`` (GB/T 9704 7.3.5: 成文日期 in Arabic numerals, year in full, no leading zeros).
    Accepts a date or an ISO ``YYYY-MM-DD`` string; any other string comes back unchanged."""
    if isinstance(day, str):
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", day)
        if not m:
            return day
        return f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"
    return f"{day.year}年{day.month}月{day.day}日"


def _period(m: re.Match[str]) -> str:
    year, code = m.group(1), m.group(2)
    if code[0] == "Q":
        return f"{year}年第{_QUARTERS[int(code[1]) - 1]}季度"
    return f"{year}年{'上' if code[1] == '1' else '下'}半年"


def _month(m: re.Match[str]) -> str:
    month = int(m.group(2))
    return f"{m.group(1)}年{month}月" if 1 <= month <= 12 else m.group(0)


def _day(m: re.Match[str]) -> str:
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return m.group(0)  # not a date (2022-02-30): left as written
    return zh_date(day)


def _stable(step: Callable[[str], str], text: str) -> str:
    """``step`` applied until it changes nothing (each round converts at least one character, so it ends)."""
    while (done := step(text)) != text:
        text = done
    return text


def style(text: str) -> str:
    """``text`` in 公文 style (《党政机关公文处理工作条例》; GB/T 15834 标点符号用法 for Chinese text):

    - ASCII ``, ; : ! ?`` next to Chinese become ``，；：！？``; ``(…)`` and ``"…"`` holding Chinese become
      ``（…）`` and ``“…”``; a ``.`` ending a Chinese sentence becomes ``。`` — ``1,200``, ``12:30``,
      ``SW-002``, URLs and paths (``report_notes/2022Q2.md``) are left alone;
    - dates ``2022-06-30`` → ``2022年6月30日``, months ``2022-06`` → ``2022年6月``, periods ``2022Q2`` →
      ``2022年第二季度`` and ``2022H1`` → ``2022年上半年``;
    - no space between Chinese and a number (``42 项`` → ``42项``), except after an ID (``SW-002 推进``).

    Idempotent: ``style(style(x)) == style(x)``.
    """
    if not text:
        return text
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:  # a private-use character stands in for the URL or path meanwhile
        kept.append(m.group(0))
        return chr(0xF0000 + len(kept) - 1)

    rx = _rx()
    text = rx.verbatim.sub(keep, text)
    text = rx.iso_day.sub(_day, text)
    text = rx.iso_month.sub(_month, text)
    text = rx.period.sub(_period, text)
    text = _stable(lambda x: rx.parens.sub(r"（\1）", x), text)  # (a(中)b): the outer pair once the inner is done
    text = _stable(lambda x: rx.quotes.sub(lambda m: f"“{m.group(1) or m.group(2) or m.group(3)}”", x), text)
    text = rx.period_end.sub("。", text)
    text = _stable(lambda x: rx.punct.sub(lambda m: _FULL[m.group(1) or m.group(2)], x), text)  # "依::" likewise
    text = rx.space_before_number.sub("", text)
    text = rx.space_after_number.sub(r"\1", text)
    return re.sub("[\U000F0000-\U000FFFFD]", lambda m: kept[ord(m.group()) - 0xF0000], text) if kept else text




def style_markdown(text: str) -> str:
    """Staff-written Markdown (report_notes) in 公文 style: each line's text through :func:`style`, its
    heading, list or quote marker kept as written (``1. 项`` stays a list item)."""
    out = []
    for line in text.split("\n"):
        m = _rx().md_marker.match(line)
        assert m is not None  # the pattern matches any line
        out.append(m.group(1) + style(m.group(2)))
    return "\n".join(out)


def paragraphs(text: str) -> list[str]:
    """Staff-written Markdown as the paragraphs a Word or HTML 公文 prints: blank-line separated blocks, each
    list item a paragraph of its own (a ``- `` bullet dropped, ``1.`` kept), emphasis marks removed, lines of
    one block joined, every paragraph through :func:`style`."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        current: list[str] = []
        for line in block.split("\n"):
            m = _rx().md_marker.match(line)
            assert m is not None
            marker, rest = m.group(1).strip(), m.group(2).strip()
            if marker and current:
                out.append("".join(current))
                current = []
            if marker[:1].isdigit():
                rest = f"{marker}{rest}"
            current.append(_rx().md_emphasis.sub(r"\2", rest))
        if any(current):
            out.append("".join(current))
    return [style(p) for p in out if p]


@dataclass(frozen=True)
class Organ:
    """Who issues, signs and distributes the office's documents (rules.yaml 公文:, one place).

    ``organs`` are the 发文机关 in order (a joint office: the lead organ first, GB/T 9704 7.2.3);
    ``addressee`` the circulars' 主送机关; ``copy_to`` their 抄送机关; ``printer`` the 印发机关;
    ``contact`` and ``phone`` the 附注's 联系人 and telephone."""

    organs: tuple[str, ...] = ("中共依兰县委督查室", "依兰县人民政府督查室")
    addressee: str = "各乡（镇）党委和政府，县直各部门"
    copy_to: str = "县委、县人大常委会、县政府、县政协领导"
    printer: str = "依兰县委县政府督查室"
    contact: str = ""
    phone: str = ""

    @property
    def name(self) -> str:
        """The organs as one line (a sentence's 报送……): 中共依兰县委督查室、依兰县人民政府督查室."""
        return "、".join(self.organs)

    @property
    def note(self) -> str:
        """附注 (GB/T 9704 7.3.6): （联系人：李某，电话：0451-57212345）, or "" when no contact is set."""
        parts = [f"联系人：{self.contact}" if self.contact else "", f"电话：{self.phone}" if self.phone else ""]
        text = "，".join(p for p in parts if p)
        return f"（{text}）" if text else ""


DRAFT = "（征求意见稿）"  # the 发文字号 slot of a document not issued yet


@dataclass(frozen=True)
class Frame:
    """The GB/T 9704 elements around a document's body, in the order they are printed.

    Every string is already in 公文 style (:func:`style`); dates are 2022年7月5日. ``number`` is the
    发文字号 (依督通〔2022〕1号) or :data:`DRAFT`; ``attachments`` the 附件 titles in order (each printed
    on a page of its own under 附件1, 附件2 …); ``copy_to`` may be empty (no 抄送 line)."""

    mark: str  # 份号/密级 position, top left: 内部资料 注意保存
    organs: tuple[str, ...]  # 发文机关标志, one line per organ
    number: str  # 发文字号, or DRAFT
    title: str  # 标题
    addressee: str  # 主送机关 (printed with a full-width colon)
    opening: str  # 导语: 为……现将……通报如下：
    closing: str  # 结语: 特此通报。
    signature: tuple[str, ...]  # 署名, one line per organ
    date: str  # 成文日期: 2022年7月5日
    note: str  # 附注: （联系人：…，电话：…）
    copy_to: str  # 抄送机关
    printer: str  # 印发机关
    attachments: tuple[str, ...] = field(default_factory=tuple)

    @property
    def issued(self) -> bool:
        return self.number != DRAFT

    @property
    def organ_points(self) -> float:
        """The 发文机关标志's size in points: up to 30 while the longest organ fits the 156 mm 版心 line, never
        below 16 (三号) — a longer name wraps rather than shrinking out of sight."""
        longest = max((len(o) for o in self.organs), default=1)
        return float(max(16, min(30, int(156 / 25.4 * 72 / (longest * 1.1)))))

    @property
    def attachment_lines(self) -> list[str]:
        """附件说明 (GB/T 9704 7.3.3): 附件：1.超期事项清单 / 2.滞后事项清单 — no punctuation after a name."""
        if not self.attachments:
            return []
        if len(self.attachments) == 1:
            return [f"附件：{self.attachments[0]}"]
        return [f"{'附件：' if i == 1 else ''}{i}.{name}" for i, name in enumerate(self.attachments, start=1)]

    @property
    def print_line(self) -> tuple[str, str]:
        """版记's 印发机关 and 印发日期 (GB/T 9704 7.5.2): (依兰县委县政府督查室, 2022年7月5日印发)."""
        return self.printer, f"{self.date}印发"

    @property
    def copy_line(self) -> str:
        """版记's 抄送 (GB/T 9704 7.5.1): 抄送：……。 (a full stop after the last organ), or ""."""
        if not self.copy_to:
            return ""
        return f"抄送：{self.copy_to.rstrip('。')}。"


def frame(organ: Organ, *, mark: str, title: str, number: str, day: date | str, addressee: str, opening: str,
          closing: str, copy_to: str | None = None, attachments: tuple[str, ...] = ()) -> Frame:
    """The frame of one document: ``number`` "" for a draft; ``copy_to`` None takes the organ's 抄送."""
    return Frame(
        mark=mark, organs=organ.organs, number=number or DRAFT, title=style(title), addressee=style(addressee),
        opening=style(opening), closing=style(closing), signature=organ.organs, date=zh_date(day),
        note=organ.note, copy_to=style(organ.copy_to if copy_to is None else copy_to), printer=organ.printer,
        attachments=tuple(style(a) for a in attachments),
    )
