"""How a 量化指标 reads against its target, by its 类型. Pure: no I/O, no pydantic.

One function, :func:`assess`, is the only place that turns (类型, 目标, 完成) into what a reader sees; the
circulars' 量化指标 table (report.build), ``show`` (render.indicator_text), the fill-in form and the site's
matter page all print its ``text``, and ``yilan check`` asks :func:`implausible` about the same result.

The types (docs/format.md, 量化指标的类型; issue 19):

- 数量 (default, and every file written before 类型 existed): 完成率 = 完成 ÷ 目标, printed with one
  decimal (``81.7%``); none when 目标 is 0;
- 增速, 比率: 目标 is itself a rate in percent (地区生产总值增速 6.5%), so 完成 ÷ 目标 means nothing (a
  growth of 123.1% on a target of 10% is not "1231.0%" done). 达标 when 完成 ≥ 目标; the gap in 个百分点:
  ``未达标（差1.5个百分点）``, ``达标（超3.7个百分点）``;
- 越低越好 (事故起数, 能耗): 达标 when 完成 ≤ 目标; the gap in the indicator's unit (个百分点 when the unit is
  ``%``): ``未达标（超2起）``, ``达标（少3起）``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from .records import figure_text
from .status import percent

QUANTITY = "数量"
RATES = ("增速", "比率")
LOWER = "越低越好"
KINDS = (QUANTITY, *RATES, LOWER)  # the values 类型 may take (models.IndicatorKind)

# yilan check's Y003 (implausible values): a 数量 completion above this percentage of the target, or a
# 增速/比率 value further than this many percentage points from its target, is more likely a typo (a unit,
# a decimal point, a growth rate typed as 数量) than a fact
PLAUSIBLE_RATE = 200.0
PLAUSIBLE_POINTS = 100.0


@dataclass(frozen=True)
class Assessment:
    """An indicator's value at a date against its target.

    ``met``: 达标 (None without a value, or a 数量 whose 目标 is 0); ``rate``: 数量's 完成率 in percent,
    unrounded (None for the other types, without a value or for 目标 0); ``gap``: 完成 − 目标 in the
    indicator's unit (percentage points for 增速/比率), exact to the decimals written (10.2 − 6.5 = 3.7, not
    3.6999…), None without a value; ``text``: the words of the 完成情况 cell, ``—`` without a value.
    """

    kind: str
    value: float | None
    target: float
    met: bool | None
    rate: float | None
    gap: float | None
    text: str


def _difference(value: float, target: float) -> float:
    # through the decimal text of each figure, so the gap has the decimals people wrote
    return float(Decimal(repr(float(value))) - Decimal(repr(float(target))))


def assess(kind: str | None, target: float, value: float | None, unit: str | None = None) -> Assessment:
    """``value`` (None: nothing reported yet) of an indicator of ``kind`` (None: 数量) against ``target``.

    ``unit`` (the indicator's 单位) names the gap of a 越低越好 indicator. Raises ValueError for a kind
    outside :data:`KINDS` (the model refuses such a file first, E329).
    """
    kind = kind or QUANTITY
    if kind not in KINDS:
        raise ValueError(f"unknown indicator kind {kind!r}")
    if value is None:
        return Assessment(kind, None, target, None, None, None, "—")
    gap = _difference(value, target)
    if kind == QUANTITY:
        rate = value / target * 100 if target else None
        met = value >= target if target else None
        return Assessment(kind, value, target, met, rate, gap, percent(rate))
    points = kind in RATES or (unit or "").strip() == "%"
    measure = "个百分点" if points else (unit or "").strip()
    size = figure_text(abs(gap)) + measure
    if kind in RATES:
        met = value >= target
        text = "达标" if gap == 0 else f"达标（超{size}）" if met else f"未达标（差{size}）"
    else:
        met = value <= target
        text = "达标" if gap == 0 else f"达标（少{size}）" if met else f"未达标（超{size}）"
    return Assessment(kind, value, target, met, None, gap, text)


def implausible(a: Assessment) -> str | None:
    """Why ``a``'s value is more likely a mistake than a fact, in words for ``yilan check`` (Y003), or None.

    数量: a negative value, or a 完成率 above :data:`PLAUSIBLE_RATE` %; 增速/比率: a value more than
    :data:`PLAUSIBLE_POINTS` percentage points from the target. 越低越好 has no such bound (a fall to 0 or
    a doubling of 事故起数 both happen). Source: issue 19.
    """
    if a.value is None or a.gap is None:
        return None
    if a.kind == QUANTITY:
        if a.value < 0:
            return "数量类指标的完成值为负数"
        if a.rate is not None and a.rate > PLAUSIBLE_RATE:
            return f"完成率{percent(a.rate)}，超过目标的{figure_text(PLAUSIBLE_RATE / 100)}倍"
    elif a.kind in RATES and abs(a.gap) > PLAUSIBLE_POINTS:
        return f"与目标相差{figure_text(abs(a.gap))}个百分点，超过{figure_text(PLAUSIBLE_POINTS)}个百分点"
    return None


_NARROW = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}  # full-width forms → ASCII, only
_FIGURE = re.compile(r"(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(.*)")
# a unit: words (户, 万亩, 公里, 人次) with at most a ² ³ or /, or letters (km, MW, kWh, t) with an optional
# power or a per-unit (m2, m³, t/h), or % ‰ °C; never digits, separators or an exponent after the number
_UNIT = re.compile(r"[^\W\d_A-Za-z][^\d_,.，。]*|[A-Za-z]{2,}[23²³]?(?:/[A-Za-z]+)?|[A-DF-Za-df-z][23²³]?(?:/[A-Za-z]+)?"
                   r"|%|‰|°C|℃")


def parse_figure(text: str) -> tuple[float, str] | None:
    """A figure as a user types it → (number, unit), or None when it does not start with a plain number.

    Full-width forms first (２，０００户 reads as 2,000户; ％ as %; the unit otherwise as typed:
    ℃, m³); a thousands separator is allowed when every group after the first has three digits
    (``2,000户`` → (2000, "户")); a unit is what follows the number, stripped (``1200 户`` →
    (1200, "户"), ``6.5%`` → (6.5, "%"), ``1.2万亩`` → (1.2, "万亩")). None for text whose "unit"
    is no unit (:data:`_UNIT`): one beginning with a digit, a separator or an exponent (``2,00户``,
    ``1e3吨``, ``1_000户``, ``0x10户``, ``3e``, ``1.2.3``) — a number written some other way, never
    read as a smaller one."""
    s = text.translate(_NARROW).strip()
    m = _FIGURE.fullmatch(s)
    if m is None:
        return None
    unit = m[2].strip()
    if unit and not _UNIT.fullmatch(unit):
        return None
    number = float(m[1].replace(",", ""))
    return (number, unit) if math.isfinite(number) else None


def figure_error(kind: str | None, number: float, *, target: bool) -> str | None:
    """Why ``number`` cannot be an indicator's 目标 (``target``) or 完成 of ``kind`` (None: 数量), or None.

    数量: a 目标 above 0 (完成率 = 完成 ÷ 目标) and a 完成 not below 0; 越低越好: neither below 0 (起数,
    吨); 增速/比率: any (a growth rate may be negative). Source: issue 20 (values committed that
    ``yilan check`` then flags, Y003)."""
    kind = kind or QUANTITY
    if kind == QUANTITY and target and number <= 0:
        return "数量类指标的目标应大于0"
    if kind in (QUANTITY, LOWER) and number < 0:
        return f"{kind}类指标的{'目标' if target else '完成值'}不能为负数"
    return None
