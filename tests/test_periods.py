from __future__ import annotations

from datetime import date

import pytest

from yilan_cli.periods import DateError, last_reportable, parse_day, parse_period

TODAY = date(2022, 6, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-08-31", date(2022, 8, 31)),
        ("2022/8/31", date(2022, 8, 31)),
        ("2022.8.1", date(2022, 8, 1)),
        ("2022年8月31日", date(2022, 8, 31)),
        ("2022年8月3号", date(2022, 8, 3)),
        ("2022年8月底", date(2022, 8, 31)),
        ("2022年2月底", date(2022, 2, 28)),
        ("2024年2月底", date(2024, 2, 29)),
        ("8月底", date(2022, 8, 31)),
        ("8月底前", date(2022, 8, 31)),
        ("11月末", date(2022, 11, 30)),
        ("年底", date(2022, 12, 31)),
        ("2023年底", date(2023, 12, 31)),
        ("9月15日", date(2022, 9, 15)),
        (" 2022-01-05 ", date(2022, 1, 5)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2022-02-30", "13月底", "明天", "", "2022-13-01", "20220101", "8月"])
def test_parse_day_rejects(text: str) -> None:
    with pytest.raises(DateError):
        parse_day(text, TODAY)


@pytest.mark.parametrize(
    ("text", "code", "first", "last"),
    [
        ("2022Q1", "2022Q1", date(2022, 1, 1), date(2022, 3, 31)),
        ("2022-Q2", "2022Q2", date(2022, 4, 1), date(2022, 6, 30)),
        ("2022年一季度", "2022Q1", date(2022, 1, 1), date(2022, 3, 31)),
        ("2022年第三季度", "2022Q3", date(2022, 7, 1), date(2022, 9, 30)),
        ("2022H1", "2022H1", date(2022, 1, 1), date(2022, 6, 30)),
        ("2022年上半年", "2022H1", date(2022, 1, 1), date(2022, 6, 30)),
        ("2022年下半年", "2022H2", date(2022, 7, 1), date(2022, 12, 31)),
        ("2022-03", "2022-03", date(2022, 3, 1), date(2022, 3, 31)),
        ("2022年3月", "2022-03", date(2022, 3, 1), date(2022, 3, 31)),
        ("2022年2月", "2022-02", date(2022, 2, 1), date(2022, 2, 28)),
        ("2022", "2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022年", "2022", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_parse_period(text: str, code: str, first: date, last: date) -> None:
    p = parse_period(text)
    assert (p.code, p.first, p.last) == (code, first, last)


@pytest.mark.parametrize("text", ["2022Q5", "2022-13", "Q1", "二季度", "2022H3", ""])
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text)


@pytest.mark.parametrize(
    ("d", "kind", "grace", "code"),
    [
        (date(2022, 6, 30), "quarter", 10, "2022Q1"),  # Q2 ended today: not yet due
        (date(2022, 7, 10), "quarter", 10, "2022Q1"),  # 10 days after: still in grace
        (date(2022, 7, 11), "quarter", 10, "2022Q2"),  # 11 days after: due
        (date(2022, 6, 30), "month", 10, "2022-05"),
        (date(2022, 6, 10), "month", 10, "2022-04"),
        (date(2022, 1, 5), "quarter", 10, "2021Q3"),
        (date(2022, 7, 15), "half", 10, "2022H1"),
        (date(2022, 7, 5), "half", 10, "2021H2"),
        (date(2022, 6, 30), "year", 10, "2021"),
    ],
)
def test_last_reportable(d: date, kind: str, grace: int, code: str) -> None:
    assert last_reportable(d, kind, grace).code == code
