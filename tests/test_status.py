"""The status engine against SPEC §4, in memory."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yilan_cli.models import Matter
from yilan_cli.records import Record, record_of
from yilan_cli.status import evaluate, percent, summarize
from yilan_cli.workspace import Rules

RULES = Rules()


def matter(deadline: str = "2022-12-31", updates: list[dict[str, Any]] | None = None, cycle: str = "季",
           **extra: Any) -> Record:
    doc: dict[str, Any] = {
        "编号": "XW-001", "事项": "测试", "牵头单位": "县发改局", "交办日期": extra.pop("assigned", "2022-02-01"),
        "完成时限": deadline, "状态": extra.pop("state", "推进中"), "进展": updates or [],
    }
    doc.update(extra)
    return record_of(Matter.model_validate(doc), "xian", "ledgers/xian/XW-001.yaml", cycle)


def u(d: str, p: int | None = None, state: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"日期": d}
    if p is not None:
        out["进度"] = p
    if state:
        out["状态"] = state
    return out


D = date.fromisoformat
EXT = [{"申请日期": "2022-05-15", "新时限": "2022-09-30", "理由": "资金未到位", "批准日期": "2022-05-20"}]


# The worked-examples table of SPEC §4, row by row.
@pytest.mark.parametrize(
    ("deadline", "updates", "today", "extra", "want"),
    [
        ("2022-05-31", [u("2022-03-15", 20)], "2022-04-30", {},
         {"expected": 73.9, "lag": 53.9, "light": "red", "overdue_days": 0}),
        ("2022-05-31", [u("2022-03-15", 20)], "2022-06-05", {}, {"overdue_days": 5, "light": "red"}),
        ("2022-12-31", [u("2022-03-20", 15), u("2022-06-10", 35)], "2022-06-30", {},
         {"expected": 44.7, "lag": 9.7, "light": "green", "missing_period": None}),
        ("2022-12-31", [u("2022-03-20", 15), u("2022-03-31", 45)], "2022-07-15", {},
         {"lag": 4.2, "light": "yellow", "missing_period": "2022Q2"}),
        ("2022-06-30", [u("2022-06-20", 95)], "2022-06-30", {}, {"days_left": 0, "light": "blue", "overdue_days": 0}),
        ("2022-05-31", [u("2022-03-15", 20)], "2022-05-10", {"延期": EXT}, {"deadline": D("2022-05-31")}),
        ("2022-05-31", [u("2022-03-15", 20)], "2022-05-25", {"延期": EXT}, {"deadline": D("2022-09-30")}),
        ("2022-05-31", [u("2022-03-15", 20), u("2022-05-28", 100, "已办结")], "2022-05-20",
         {"state": "已办结", "办结日期": "2022-05-28"}, {"state": "推进中"}),
        ("2022-05-31", [u("2022-03-15", 20), u("2022-05-28", 100, "已办结")], "2022-06-30",
         {"state": "已办结", "办结日期": "2022-05-28"}, {"state": "已办结", "on_time": True, "light": "none"}),
        ("长期", [u("2022-03-10", 50)], "2022-07-15", {},
         {"expected": None, "overdue_days": 0, "light": "yellow", "missing_period": "2022Q2", "category": "持续推进"}),
    ],
)
def test_spec_worked_examples(deadline: str, updates: list[dict[str, Any]], today: str, extra: dict[str, Any],
                              want: dict[str, Any]) -> None:
    st = evaluate(matter(deadline, updates, **extra), D(today), RULES)
    for key, value in want.items():
        got = getattr(st, key)
        if isinstance(value, float):
            assert round(got, 1) == value, key
        else:
            assert got == value, key


@pytest.mark.parametrize(
    ("case", "deadline", "updates", "today", "extra", "cycle", "want"),
    [
        ("no entry yet → 未启动, progress 0", "2022-12-31", [], "2022-03-01", {"state": "未启动"}, "季",
         {"state": "未启动", "progress": 0}),
        ("entry after D is ignored", "2022-12-31", [u("2022-07-01", 60)], "2022-06-30", {}, "季",
         {"state": "未启动", "progress": 0}),
        ("an entry without 进度 keeps the last progress", "2022-12-31", [u("2022-03-01", 30), u("2022-04-01")],
         "2022-04-02", {}, "季", {"progress": 30}),
        ("deadline day itself is not overdue", "2022-06-30", [u("2022-06-01", 99)], "2022-06-30", {}, "季",
         {"overdue_days": 0, "days_left": 0}),
        ("one day after the deadline", "2022-06-30", [u("2022-06-01", 99)], "2022-07-01", {}, "季",
         {"overdue_days": 1, "light": "red", "expected": 100.0}),
        ("closed late → 超期办结", "2022-05-31", [u("2022-06-10", 100, "已办结")], "2022-06-30",
         {"state": "已办结", "办结日期": "2022-06-10"}, "季", {"on_time": False, "light": "none", "category": "已完成"}),
        ("stage-closed is never overdue", "2022-05-31", [u("2022-05-20", 80, "阶段性办结")], "2022-08-30",
         {"state": "阶段性办结", "办结日期": "2022-05-20"}, "季",
         {"overdue_days": 0, "light": "green", "category": "已完成", "lag": None}),
        ("stage-closed still owes reports", "2022-05-31", [u("2022-03-20", 80, "阶段性办结")], "2022-07-15",
         {"state": "阶段性办结", "办结日期": "2022-03-20", "assigned": "2022-01-01"}, "季",
         {"light": "yellow", "missing_period": "2022Q2"}),
        ("suspended → no light, own category", "2022-05-31", [u("2022-03-20", 10, "中止")], "2022-08-30",
         {"state": "中止"}, "季", {"light": "none", "category": "中止", "overdue_days": 0, "missing_period": None}),
        ("reopened after stage-closing counts again", "2022-05-31",
         [u("2022-03-20", 80, "阶段性办结"), u("2022-05-01", 80, "推进中")], "2022-06-10",
         {"state": "推进中"}, "季", {"overdue_days": 10, "light": "red"}),
        ("missed milestone → yellow", "2022-12-31", [u("2022-06-01", 45)], "2022-06-30",
         {"节点": [{"名称": "开工", "时限": "2022-06-15"}]}, "季",
         {"light": "yellow", "missed_milestones": ("开工",)}),
        ("milestone done in time → not missed", "2022-12-31", [u("2022-06-01", 45)], "2022-06-30",
         {"节点": [{"名称": "开工", "时限": "2022-06-15", "完成日期": "2022-06-14"}]}, "季",
         {"light": "green", "missed_milestones": ()}),
        ("8 days left → green", "2022-07-08", [u("2022-06-25", 95)], "2022-06-30", {}, "年",
         {"light": "green", "days_left": 8}),
        ("7 days left → blue", "2022-07-07", [u("2022-06-25", 95)], "2022-06-30", {}, "年",
         {"light": "blue", "days_left": 7}),
        ("monthly: May has no entry", "2022-12-31", [u("2022-04-30", 40), u("2022-06-20", 45)], "2022-06-30",
         {"assigned": "2022-01-10"}, "月", {"missing_period": "2022-05", "light": "yellow"}),
        ("monthly: assigned after May 1st owes nothing for May", "2022-12-31", [u("2022-06-20", 10)], "2022-06-30",
         {"assigned": "2022-05-02"}, "月", {"missing_period": None}),
        ("closed before the period's end owes nothing", "2022-03-31", [u("2022-03-10", 100, "已办结")], "2022-07-15",
         {"state": "已办结", "办结日期": "2022-03-10", "assigned": "2022-01-01"}, "季", {"missing_period": None}),
        ("ahead by 10 points → 超进度", "2022-12-31", [u("2022-06-01", 60)], "2022-06-30",
         {"assigned": "2022-01-01"}, "年", {"category": "超进度"}),
        ("extension not yet approved is not in force", "2022-05-31", [u("2022-05-01", 50)], "2022-06-10",
         {"延期": [{"申请日期": "2022-05-25", "新时限": "2022-08-31", "理由": "x"}]}, "季",
         {"deadline": D("2022-05-31"), "overdue_days": 10}),
        ("the last approved extension wins", "2022-05-31", [u("2022-05-01", 50)], "2022-06-10",
         {"延期": [{"申请日期": "2022-05-01", "新时限": "2022-06-30", "理由": "a", "批准日期": "2022-05-02"},
                   {"申请日期": "2022-05-20", "新时限": "2022-07-31", "理由": "b", "批准日期": "2022-05-25"}]}, "季",
         {"deadline": D("2022-07-31")}),
    ],
)
def test_rules(case: str, deadline: str, updates: list[dict[str, Any]], today: str, extra: dict[str, Any], cycle: str,
               want: dict[str, Any]) -> None:
    st = evaluate(matter(deadline, updates, cycle, **extra), D(today), RULES)
    for key, value in want.items():
        got = getattr(st, key)
        if isinstance(value, float):
            assert round(got, 1) == value, (case, key)
        else:
            assert got == value, (case, key)


def test_lag_exactly_threshold_is_not_yellow() -> None:
    # 交办 01-01, deadline 01-21 (20 days), D 01-11 → expected exactly 50; progress 40 → lag exactly 10
    st = evaluate(matter("2022-01-21", [u("2022-01-02", 40)], assigned="2022-01-01", cycle="年"), D("2022-01-11"), RULES)
    assert st.expected == 50.0 and st.lag == 10.0
    assert st.light == "green" and st.category == "达进度"
    st = evaluate(matter("2022-01-21", [u("2022-01-02", 39)], assigned="2022-01-01", cycle="年"), D("2022-01-11"), RULES)
    assert st.light == "yellow" and st.category == "欠进度"


def test_thresholds_come_from_rules() -> None:
    strict = Rules(due_soon_days=30, yellow_lag=2, red_lag=5, grace_days=10)
    st = evaluate(matter("2022-12-31", [u("2022-06-10", 35)], cycle="季"), D("2022-06-30"), strict)
    assert st.light == "red"  # lag 9.7: green by default, red when the red threshold is 5
    st = evaluate(matter("2022-07-25", [u("2022-06-10", 95)], cycle="年"), D("2022-06-30"), strict)
    assert st.light == "blue"  # 25 days left: green by default, blue when 临期 is 30 days


def test_summary_rates() -> None:
    a = evaluate(matter("2022-05-31", [u("2022-05-01", 100, "已办结")], state="已办结", 办结日期="2022-05-01"),
                 D("2022-06-30"), RULES)
    b = evaluate(matter("2022-05-31", [u("2022-06-01", 100, "已办结")], state="已办结", 办结日期="2022-06-01"),
                 D("2022-06-30"), RULES)
    c = evaluate(matter("2022-05-31", [u("2022-05-01", 80, "阶段性办结")], state="阶段性办结", 办结日期="2022-05-01"),
                 D("2022-06-30"), RULES)
    d = evaluate(matter("2022-12-31", [u("2022-05-01", 10)], cycle="季"), D("2022-06-30"), RULES)
    s = summarize([a, b, c, d])
    assert (s.total, s.closed, s.stage_closed, s.on_time) == (4, 2, 1, 1)
    assert percent(s.completion_rate) == "75.0%"
    assert percent(s.on_time_rate) == "50.0%"


@pytest.mark.parametrize(("value", "text"), [(54.95, "55.0%"), (54.94, "54.9%"), (47.619, "47.6%"), (None, "—"),
                                             (0.05, "0.1%"), (100, "100.0%")])
def test_percent_rounds_half_up(value: float | None, text: str) -> None:
    assert percent(value) == text
