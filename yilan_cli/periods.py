"""Dates and periods the way county staff type them (SPEC §5). Pure: no I/O, no clock."""

from __future__ import annotations

import calendar
import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta


class DateError(ValueError):
    """Text that is not a date or period; ``str()`` is the offending text."""


class NoSuchDay(DateError):
    """Text shaped like a date that no calendar has (2022-02-30, 2022年13月1日)."""


class YearMissing(DateError):
    """A date without a year (8月底, 年底, 8月31日) where nothing gives the year."""


_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")  # the only date form a ledger file holds


def iso_day(value: object) -> date | None:
    """A ``YYYY-MM-DD`` date as a file holds it (a date object passes through), else None."""
    if isinstance(value, date):
        return value
    m = ISO_DAY.match(value.strip()) if isinstance(value, str) else None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NoSuchDay(text) from None


# patterns as text: `re` compiles (and caches) each on first use, not at every start-up
_FULL = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
_MONTH_END = r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:底|末)前?$"
_YEAR_END = r"^(?:(\d{4})\s*年\s*)?年\s*(?:底|末)前?$|^(\d{4})\s*年\s*(?:底|末)前?$"
_MONTH_DAY = r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日前?$"


def parse_day(text: str, today: date | None) -> date:
    """``2022-08-31``, ``2022/8/31``, ``2022年8月31日``, ``2022年8月底``, ``8月底(前)``, ``年底``, ``8月31日``.

    A form without a year takes the year of ``today`` — the business context the caller chose (docs/time.md);
    with ``today`` None such a form raises YearMissing. Read after NFKC, so the full-width digits and dashes a
    Chinese input method types (２０２２－０９－３０) are the same date.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s[:4].isascii() and s[:4].isdigit():
        try:
            return date.fromisoformat(s)
        except ValueError:
            raise NoSuchDay(text) from None
    s = s.replace("号", "日")
    if m := re.match(_FULL, s):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := re.match(_MONTH_END, s):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise DateError(text)
        return month_end(int(m[1]) if m[1] else _year_of(today, text), month)
    if m := re.match(_YEAR_END, s):
        return date(int(m[1] or m[2]) if m[1] or m[2] else _year_of(today, text), 12, 31)
    if m := re.match(_MONTH_DAY, s):
        month, day = int(m[1]), int(m[2])
        _make(2000, month, day, text)  # 2月30日 is no date whatever the year (29 February is checked with it)
        return _make(_year_of(today, text), month, day, text)
    return span_end(s, today, text)


# the wordings of a deadline that never falls due (完成时限: 长期), for sheets and the command line alike
ONGOING_WORDS = ("长期", "长期坚持", "持续推进", "长期推进")


# --------------------------------------------------------------------------- spans an office names as a time
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def _cn_run(run: str) -> str:
    """A run of Chinese numerals as digits: 二〇二二 → 2022 (digit by digit), 三十 → 30, 十二 → 12, 二十五 → 25."""
    if "十" not in run:
        return "".join(str(_CN_DIGITS[c]) for c in run)
    tens, _, ones = run.partition("十")
    return str((_CN_DIGITS[tens[-1]] if tens else 1) * 10 + (_CN_DIGITS[ones[0]] if ones else 0))


def _plain_span(s: str, today: date | None, text: str) -> str:
    """The wording reduced to digits and one form: Chinese numerals, 号, 份, 首季度, the 前/之前/以前 of a deadline,
    two-digit years (19年 → 2019; 50 and above → 19xx) and 今年/明年/去年 (from ``today``)."""
    s = re.sub(r"[〇零○一二两三四五六七八九十]+", lambda m: _cn_run(m.group()), s.replace("首季度", "1季度"))
    s = re.sub(r"\s+", "", s).replace("号", "日").replace("月份", "月")
    s = re.sub(r"(?:之前|以前|前|为止|止)$", "", s)
    for word, delta in (("今年", 0), ("明年", 1), ("去年", -1)):
        if s.startswith(word):
            s = f"{_year_of(today, text) + delta}年{s[len(word):]}"
    return re.sub(r"^(\d{2})年", lambda m: f"{int(m[1]) + (1900 if int(m[1]) >= 50 else 2000)}年", s)


def span_end(s: str, today: date | None, text: str) -> date:
    """The last day of a span an office names as a date or deadline (issue 21): a year (2023年, 年内), a half
    (2022年上半年), a quarter (一季度, 07年第三季度, 2022年首季度, 今年前三季度), a month (2022年6月, 6月份),
    a part of a month (9月中旬 → 20日; 上旬 → 10日; 下旬 → month end), a range (2017年8月至11月, 2019年4月12-19日,
    2018年1－9月份: its end), a day in Chinese numerals (二〇二二年六月三十日, 二零四九年十月一号以前), with 前/之前/
    以前 and two-digit or relative years (19年底, 明年3月份: from ``today``, the matter's context). Without a
    year and no ``today``: YearMissing; a span no calendar has: NoSuchDay; anything else (每季度): DateError."""
    s = _plain_span(s, today, text)
    # a year and month written with a dot or slash (2022.12, 2022/6) is that month
    s = re.sub(r"(?<!\d)(\d{4})[./](\d{1,2})(?![\d./])", r"\1年\2月", s)
    # a range: its end. Words (至 到 ～ —) split first; a hyphen only when no dated form uses it (2022-06-30)
    parts = re.split(r"至|到|～|~|—|–", s, maxsplit=1)
    if len(parts) == 1 and not re.search(r"\d{4}[-/.]\d{1,2}[-/.]\d", s):
        parts = re.split(r"－|-", s)
    if len(parts) == 2 and all(parts):
        start, end = parts
        try:  # an end that is a whole date by itself (2022-06-30至2022-12-31, 2022年6月-2022年12月)
            if re.match(r"\d{4}", end):
                return parse_day(end, today)
        except DateError:
            pass
        head = re.match(r"(\d{4}年)?(\d{1,2}月)?", start)  # matches any text (both parts optional)
        year, month = (head[1] or "", head[2] or "") if head else ("", "")
        if month and re.fullmatch(r"\d{1,2}日?", end):  # 4月12-19日
            s = f"{year}{month}{end.removesuffix('日')}日"
        else:  # 8月至11月, 1－9月
            s = end if re.match(r"\d{4}年", end) else year + end
    if re.fullmatch(r"\d{1,2}", s) or "每" in s:
        raise DateError(text)
    y = r"(?:(\d{4})年)?"
    if m := re.fullmatch(y + r"(\d{1,2})月(\d{1,2})日", s):
        return _make(int(m[1]) if m[1] else _year_of(today, text), int(m[2]), int(m[3]), text)
    if m := re.fullmatch(y + r"(\d{1,2})月(上|中|下)?旬?(?:底|末)?", s):
        year, month = int(m[1]) if m[1] else _year_of(today, text), int(m[2])
        if not 1 <= month <= 12:
            raise NoSuchDay(text)
        return date(year, month, {"上": 10, "中": 20}[m[3]]) if m[3] in ("上", "中") else month_end(year, month)
    if m := re.fullmatch(y + r"(?:第|前)?([1-4])季度(?:末|底)?", s):
        return month_end(int(m[1]) if m[1] else _year_of(today, text), int(m[2]) * 3)
    if m := re.fullmatch(y + r"(上|下)半年(?:末|底)?", s):
        return date(int(m[1]) if m[1] else _year_of(today, text), 6 if m[2] == "上" else 12, 30 if m[2] == "上" else 31)
    if m := re.fullmatch(r"(?:(\d{4})年|年)(?:底|末|内|度)?", s):
        return date(int(m[1]) if m[1] else _year_of(today, text), 12, 31)
    raise DateError(text)


def _year_of(today: date | None, text: str) -> int:
    if today is None:
        raise YearMissing(text)
    return today.year


KINDS = ("month", "quarter", "half", "year")
CYCLE_KIND = {"月": "month", "季": "quarter", "半年": "half", "年": "year"}
CYCLES = tuple(CYCLE_KIND)  # 报告周期 values
_HALF_NAMES = {1: "上半年", 2: "下半年"}
_Q_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period. ``index`` is the month (1–12), quarter (1–4) or half (1–2); 1 for a year."""

    first: date
    last: date
    kind: str
    year: int
    index: int

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        if self.kind == "half":
            return f"{self.year}H{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{_Q_NAMES[self.index]}季度"
        if self.kind == "half":
            return f"{self.year}年{_HALF_NAMES[self.index]}"
        return f"{self.year}年"

    def contains(self, d: date) -> bool:
        return self.first <= d <= self.last


def make_period(kind: str, year: int, index: int = 1) -> Period:
    if kind == "month":
        return Period(date(year, index, 1), month_end(year, index), kind, year, index)
    if kind == "quarter":
        m = 3 * index - 2
        return Period(date(year, m, 1), month_end(year, m + 2), kind, year, index)
    if kind == "half":
        m = 6 * index - 5
        return Period(date(year, m, 1), month_end(year, m + 5), kind, year, index)
    return Period(date(year, 1, 1), date(year, 12, 31), "year", year, 1)


_P_QUARTER = r"^(\d{4})\s*-?\s*[Qq]([1-4])$|^(\d{4})\s*年\s*(?:第)?([一二三四1-4])\s*季度?$"
_P_HALF = r"^(\d{4})\s*-?\s*[Hh]([12])$|^(\d{4})\s*年\s*(上|下)半年$"
_P_MONTH = r"^(\d{4})\s*[-/]\s*(\d{1,2})$|^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?$"
_P_YEAR = r"^(\d{4})\s*年?(?:度)?$"


def parse_period(text: str) -> Period:
    """``2022Q1``/``2022-Q1``/``2022年一季度``, ``2022H1``/``2022年上半年``, ``2022-03``/``2022年3月``, ``2022``/``2022年``
    — and the wordings deadlines are read in (span_end's reduction, one grammar): ``二〇二二年三季度``,
    ``2022年首季度``, ``22年上半年``, ``2022年六月份``."""
    s = unicodedata.normalize("NFKC", text).strip()
    if re.search(r"[〇零○一二两三四五六七八九十首份]|^\d{2}年", s):
        with contextlib.suppress(YearMissing):  # 今年一季度: the report command gives no year here
            s = _plain_span(s, None, text)
    if m := re.match(_P_QUARTER, s):
        year, q = (m[1], m[2]) if m[1] else (m[3], m[4])
        return make_period("quarter", int(year), _CN_NUM[q])
    if m := re.match(_P_HALF, s):
        if m[1]:
            return make_period("half", int(m[1]), int(m[2]))
        return make_period("half", int(m[3]), 1 if m[4] == "上" else 2)
    if m := re.match(_P_MONTH, s):
        year, month = (m[1], m[2]) if m[1] else (m[3], m[4])
        if not 1 <= int(month) <= 12:
            raise DateError(text)
        return make_period("month", int(year), int(month))
    if m := re.match(_P_YEAR, s):
        return make_period("year", int(m[1]))
    raise DateError(text)


def period_of(d: date, kind: str) -> Period:
    """The period of ``kind`` that contains ``d``."""
    if kind == "month":
        return make_period(kind, d.year, d.month)
    if kind == "quarter":
        return make_period(kind, d.year, (d.month - 1) // 3 + 1)
    if kind == "half":
        return make_period(kind, d.year, 1 if d.month <= 6 else 2)
    return make_period("year", d.year)


def previous(p: Period) -> Period:
    return period_of(p.first - timedelta(days=1), p.kind)


def last_reportable(d: date, kind: str, grace_days: int) -> Period:
    """The last period of ``kind`` that ended more than ``grace_days`` days before ``d``."""
    p = previous(period_of(d, kind))
    while (d - p.last).days <= grace_days:
        p = previous(p)
    return p


# --------------------------------------------------------------------------- the work calendar
@dataclass(frozen=True)
class Week:
    """A Monday-to-Sunday week clipped to its year (the first and last weeks may be short)."""

    first: date
    last: date
    working_days: int  # Mon–Fri outside 节假日, plus 调休上班 days


class WorkCalendar:
    """Working days of a year: weekdays minus the configured holidays, plus the make-up working days."""

    def __init__(self, holidays: tuple[str, ...] = (), workdays: tuple[str, ...] = ()) -> None:
        self.holidays = {date.fromisoformat(x) for x in holidays}
        self.workdays = {date.fromisoformat(x) for x in workdays}
        self._by_year: dict[int, list[int]] = {}

    def is_working(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def _running(self, year: int) -> list[int]:
        """r[k]: working days among the first k days of ``year`` (computed once per year)."""
        running = self._by_year.get(year)
        if running is None:
            start = date(year, 1, 1)
            running = [0]
            for i in range((date(year, 12, 31) - start).days + 1):
                running.append(running[-1] + self.is_working(start + timedelta(days=i)))
            self._by_year[year] = running
        return running

    def working_days(self, first: date, last: date) -> int:
        """Working days in first..last, both included (0 when last < first)."""
        if last < first:
            return 0
        if first.year != last.year:
            return self.working_days(first, date(first.year, 12, 31)) + self.working_days(date(first.year + 1, 1, 1), last)
        running = self._running(first.year)
        return running[last.timetuple().tm_yday] - running[first.timetuple().tm_yday - 1]

    def weeks(self, year: int) -> list[Week]:
        """The weeks of ``year`` (Monday starts a week; a week spanning two months belongs to both months,
        and one spanning New Year is split at the year's edge)."""
        out = []
        first = date(year, 1, 1)
        end = date(year, 12, 31)
        while first <= end:
            last = min(first + timedelta(days=6 - first.weekday()), end)
            out.append(Week(first, last, self.working_days(first, last)))
            first = last + timedelta(days=1)
        return out
