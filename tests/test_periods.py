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


@pytest.mark.parametrize("text", ["2022-02-30", "13月底", "明天", "", "2022-13-01", "20220101", "30号前", "每季度", "八成",
                                  "6-30", "2022年2月30日", "2022年13月"])
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


# issue 21: deadlines as offices and older 公文 write them; the deadline is the span's last day. The wordings are
# those the issue names (from a public Chinese time-expression test suite) and the case sheet 02-时限写法.xlsx
@pytest.mark.parametrize(("text", "expected"), [
    ("2022年12月31日前", date(2022, 12, 31)), ("2022年9月30日之前", date(2022, 9, 30)), ("2022年6月30号前", date(2022, 6, 30)),
    ("2022年6月", date(2022, 6, 30)), ("8月", date(2022, 8, 31)), ("6月份", date(2022, 6, 30)),
    ("2022年上半年", date(2022, 6, 30)), ("1993年上半年", date(1993, 6, 30)), ("下半年", date(2022, 12, 31)),
    ("9月中旬", date(2022, 9, 20)), ("9月上旬", date(2022, 9, 10)), ("2月下旬", date(2022, 2, 28)),
    ("年内", date(2022, 12, 31)), ("2023年", date(2023, 12, 31)), ("２０２２年９月３０日", date(2022, 9, 30)),
    ("一季度", date(2022, 3, 31)), ("07年第三季度", date(2007, 9, 30)), ("2022年首季度", date(2022, 3, 31)),
    ("今年前三季度", date(2022, 9, 30)), ("明年底前", date(2023, 12, 31)), ("明年3月份", date(2023, 3, 31)),
    ("19年底", date(2019, 12, 31)), ("15年3月2日", date(2015, 3, 2)),
    ("2017年8月至11月", date(2017, 11, 30)), ("2019年4月12-19日", date(2019, 4, 19)), ("2018年1－9月份", date(2018, 9, 30)),
    ("4月12日至19日", date(2022, 4, 19)), ("2022年1月至2023年3月", date(2023, 3, 31)),
    ("二〇二二年六月三十日", date(2022, 6, 30)), ("二零四九年十月一号以前", date(2049, 10, 1)), ("十二月底", date(2022, 12, 31)),
])
def test_spans_an_office_names_end_on_their_last_day(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2022年6月", "9月中旬", "今年前三季度", "年内"])
def test_a_span_without_a_year_needs_a_context(text: str) -> None:
    from yilan_cli.periods import YearMissing

    if text.startswith("2022"):
        assert parse_day(text, None) == date(2022, 6, 30)
    else:
        with pytest.raises(YearMissing):
            parse_day(text, None)


@pytest.mark.parametrize(("text", "code"), [
    ("二〇二二年三季度", "2022Q3"), ("2022年首季度", "2022Q1"), ("22年上半年", "2022H1"), ("2022年六月份", "2022-06"),
    ("２０２２年第二季度", "2022Q2"),
])
def test_periods_read_with_the_deadline_grammar(text: str, code: str) -> None:
    assert parse_period(text).code == code
