"""The semantic change model and the tamper rules, as tables of before/after pairs (pure; issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yilan_cli.auditing import NOTICE, TAMPER, judge
from yilan_cli.semantic import Change, brief, changes

BASE: dict[str, Any] = {
    "编号": "ZB-002", "事项": "招商引资攻坚", "目标要求": "引进亿元以上项目10个", "牵头领导": ["县长"], "牵头单位": "县商务局",
    "配合单位": ["县发改局"], "专班": "招商专班", "交办日期": "2022-01-10", "完成时限": "2022-12-31", "状态": "推进中",
    "量化指标": [{"名称": "亿元以上项目", "单位": "个", "目标": 10, "完成": 4}],
    "节点": [{"名称": "签约", "时限": "2022-06-30"}],
    "进展": [{"日期": "2022-03-31", "进度": 15, "情况": "签约1个", "报告人": "县商务局"},
             {"日期": "2022-04-30", "进度": 20, "情况": "签约2个", "报告人": "县商务局"}],
    "标签": ["三重一大"],
}


def edited(**changes: Any) -> dict[str, Any]:
    doc = {k: (list(v) if isinstance(v, list) else v) for k, v in BASE.items()}
    for k, v in changes.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    return doc


ENTRY_3 = {"日期": "2022-06-30", "进度": 45, "情况": "签约4个", "报告人": "县商务局"}

# (what was done, after, [(kind, part, key, words)] of the concrete changes)
CASES = [
    ("note-only update", edited(进展=[*BASE["进展"], {"日期": "2022-05-31", "情况": "外出招商"}]),
     [("entry_added", "进展", "2022-05-31", "新增进展 2022-05-31:外出招商")]),
    ("progress update", edited(进展=[*BASE["进展"], ENTRY_3]),
     [("entry_added", "进展", "2022-06-30", "新增进展 2022-06-30:进度 45%,签约4个")]),
    ("lead unit", edited(牵头单位="县发改局"), [("field", "牵头单位", "", "牵头单位 县商务局 → 县发改局")]),
    ("co-units", edited(配合单位=["县发改局", "县工信局"]),
     [("field", "配合单位", "", "配合单位 县发改局 → 县发改局、县工信局")]),
    ("leaders", edited(牵头领导=["常务副县长"]), [("field", "牵头领导", "", "牵头领导 县长 → 常务副县长")]),
    ("deadline by hand", edited(完成时限="2023-06-30"), [("field", "完成时限", "", "完成时限 2022-12-31 → 2023-06-30")]),
    ("target", edited(目标要求="引进亿元以上项目8个"),
     [("field", "目标要求", "", "目标要求 引进亿元以上项目10个 → 引进亿元以上项目8个")]),
    ("task force removed", edited(专班=None), [("field", "专班", "", "专班 招商专班 → (无)")]),
    ("tags", edited(标签=[]), [("field", "标签", "", "标签 三重一大 → (无)")]),
    ("title", edited(事项="招商引资项目建设年攻坚"), [("field", "事项", "", "事项 招商引资攻坚 → 招商引资项目建设年攻坚")]),
    ("entry rewritten", edited(进展=[BASE["进展"][0], {**BASE["进展"][1], "进度": 35}]),
     [("entry_changed", "进展", "2022-04-30", "改动了进展 2022-04-30(!):进度 20 → 35")]),
    ("entry removed", edited(进展=[BASE["进展"][1]]),
     [("entry_removed", "进展", "2022-03-31", "删除了进展 2022-03-31(!):进度 15%,签约1个")]),
    ("entry re-dated", edited(进展=[BASE["进展"][0], {**BASE["进展"][1], "日期": "2022-04-29"}]),
     [("entry_changed", "进展", "2022-04-29", "改动了进展 2022-04-29(!):日期 2022-04-30 → 2022-04-29")]),
    ("extension applied", edited(延期=[{"申请日期": "2022-08-20", "新时限": "2022-10-31", "理由": "设备"}]),
     [("entry_added", "延期", "2022-08-20", "新增延期申请 2022-08-20:新时限 2022-10-31,待批准")]),
    ("indicator value", edited(量化指标=[{**BASE["量化指标"][0], "完成": 5}]),
     [("entry_changed", "量化指标", "亿元以上项目", "指标 亿元以上项目:完成 4 → 5")]),
    ("indicator target", edited(量化指标=[{**BASE["量化指标"][0], "目标": 8}]),
     [("entry_changed", "量化指标", "亿元以上项目", "指标 亿元以上项目:目标 10 → 8")]),
    ("milestone done", edited(节点=[{**BASE["节点"][0], "完成日期": "2022-06-20"}]),
     [("entry_changed", "节点", "签约", "节点 签约:完成日期 (无) → 2022-06-20")]),
    ("milestone added", edited(节点=[*BASE["节点"], {"名称": "开工", "时限": "2022-09-30", "设立日期": "2022-07-05"}]),
     [("entry_added", "节点", "开工", "新增节点 开工:时限 2022-09-30,设立日期 2022-07-05")]),
    # without 设立日期 it counts from 交办, before reports already there: past views change
    ("milestone added from 交办", edited(节点=[*BASE["节点"], {"名称": "开工", "时限": "2022-09-30"}]),
     [("entry_added", "节点", "开工", "新增节点 开工(补记在已有进展之前):时限 2022-09-30")]),
    ("extension field", edited(交办件编号="D2HLJ001"), [("field", "交办件编号", "", "交办件编号 (无) → D2HLJ001")]),
    ("update with a figure", edited(进展=[*BASE["进展"], {**ENTRY_3, "指标": {"引进亿元以上项目": 4}}]),
     [("entry_added", "进展", "2022-06-30", "新增进展 2022-06-30:进度 45%,引进亿元以上项目 4,签约4个")]),
]


@pytest.mark.parametrize(("what", "after", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_change_is_named_in_the_offices_words(what: str, after: dict[str, Any],
                                                     expected: list[tuple[str, str, str, str]]) -> None:
    found = [c for c in changes(BASE, after) if not c.derived]
    assert [(c.kind, c.part, c.key, c.words) for c in found] == expected


def test_the_json_of_a_change_names_kind_part_entry_and_keys() -> None:
    (c,) = [c for c in changes(BASE, CASES[10][1]) if not c.derived]
    assert c.as_json() == {"change": "entry_changed", "part": "进展", "key": "2022-04-30", "fields": ["进度"],
                           "before": {"进度": 20}, "after": {"进度": 35}, "derived": False, "earlier": False,
                           "words": "改动了进展 2022-04-30(!):进度 20 → 35"}


def test_the_derived_changes_summarise_for_a_brief() -> None:
    closed = edited(状态="已办结", 办结日期="2022-06-30",
                    进展=[*BASE["进展"], {"日期": "2022-06-30", "进度": 100, "状态": "已办结", "情况": "完成"}])
    found = changes(BASE, closed)
    assert [(c.kind, c.before, c.after) for c in found if c.derived] == [("closed", "推进中", "已办结"),
                                                                         ("progress", 20, 100)]
    assert [c.words for c in brief(found)] == ["办结 推进中 → 已办结", "进度 20% → 100%"]
    extended = edited(延期=[{"申请日期": "2022-08-20", "新时限": "2023-03-31", "批准人": "县长", "批准日期": "2022-08-25"}])
    assert [c.words for c in brief(changes(BASE, extended))] == ["完成时限 2022-12-31 → 2023-03-31"]
    assert [c.words for c in brief(changes(BASE, CASES[0][1]))] == ["新增进展 2022-05-31:外出招商"]  # a note only


def test_added_and_deleted_matters() -> None:
    assert [c.words for c in changes(None, BASE)] == ["新增事项:招商引资攻坚"]
    assert [c.words for c in changes(BASE, None)] == ["删除事项(!):招商引资攻坚"]
    assert changes(BASE, BASE) == [] and changes(None, None) == []


# --------------------------------------------------------------------------- the tamper rules
APPROVED = edited(延期=[{"申请日期": "2022-08-20", "新时限": "2022-10-31", "理由": "设备", "批准人": "县长",
                        "批准日期": "2022-08-25"}])
REOPENED = edited(状态="推进中", 进展=[*BASE["进展"], {"日期": "2022-07-05", "状态": "推进中", "情况": "验收发现问题"}])
CLOSED = edited(状态="已办结", 办结日期="2022-06-30")

RULES = [
    ("update appending an entry", "update", CASES[1][1], None, []),
    ("update rewriting an old entry", "update", CASES[10][1], None, [(TAMPER, "改动历史记录")]),
    ("hand commit removing an entry", "", CASES[11][1], None, [(TAMPER, "改动历史记录")]),
    ("update that edits the lead unit", "update", CASES[2][1], None, [(TAMPER, "操作不符")]),
    ("close that moves the deadline", "close", CASES[5][1], None, [(TAMPER, "操作不符")]),
    # an earlier yilan set 完成 with the entry reporting it: allowed; the figure changed alone is a rewritten figure
    ("update setting an indicator value with its entry", "update",
     edited(量化指标=[{**BASE["量化指标"][0], "完成": 5}], 进展=[*BASE["进展"], ENTRY_3]), None, []),
    ("update setting an indicator value alone", "update", CASES[14][1], None, [(TAMPER, "操作不符")]),
    ("update lowering an indicator target", "update", CASES[15][1], None, [(TAMPER, "操作不符")]),
    ("update completing a milestone", "update", CASES[16][1], None, []),
    ("extend adding its record", "extend", CASES[13][1], None, []),
    ("hand commit editing a field", "", CASES[2][1], None, [(NOTICE, "手工修改")]),
    ("reopened through update --status 推进中", "update", REOPENED, CLOSED, [(NOTICE, "重新打开")]),
    ("reopened by hand without a record", "", edited(状态="推进中"), CLOSED,
     [(TAMPER, "无记录重新打开"), (NOTICE, "手工修改"), (NOTICE, "手工修改")]),  # 状态, and 办结日期 gone
    ("an extension record rewritten", "extend",
     edited(延期=[{"申请日期": "2022-08-20", "新时限": "2023-12-31", "理由": "设备"}]),
     edited(延期=[{"申请日期": "2022-08-20", "新时限": "2022-10-31", "理由": "设备"}]), [(TAMPER, "改动历史记录")]),
    ("a 销号 record removed", "", edited(状态="已办结"), edited(状态="已销号", 销号={"日期": "2022-07-01", "审核人": "督查室"}),
     [(TAMPER, "改动历史记录"), (NOTICE, "手工修改")]),  # the record gone; 状态 已销号 → 已办结
    ("fmt that changes content", "fmt", CASES[6][1], None, [(TAMPER, "操作不符")]),
    ("extend approving an application", "extend",
     APPROVED,
     CASES[13][1], []),
    ("an approval rewritten by hand", "",
     APPROVED,
     CASES[13][1], [(TAMPER, "改动历史记录")]),
    ("extend changing an approved deadline", "extend",
     edited(延期=[{**APPROVED["延期"][0], "新时限": "2023-10-31"}]),
     APPROVED,
     [(TAMPER, "改动历史记录")]),
    ("close reporting the final figures", "close",
     edited(状态="已办结", 办结日期="2022-11-02", 量化指标=[{**BASE["量化指标"][0], "完成": 10}],
            进展=[*BASE["进展"], {"日期": "2022-11-02", "进度": 100, "状态": "已办结"}]), None, []),
    ("a verified undo removing the entry it added", "undo", BASE, CASES[1][1], []),
]


@pytest.mark.parametrize(("what", "action", "after", "before", "expected"), RULES, ids=[r[0] for r in RULES])
def test_the_tamper_rules(what: str, action: str, after: dict[str, Any], before: dict[str, Any] | None,
                          expected: list[tuple[str, str]]) -> None:
    got = [(c.severity, c.kind) for c in judge(action, changes(before or BASE, after), undo_verified=True)]
    assert got == expected


def test_an_undo_that_does_not_restore_is_tamper() -> None:
    assert [(c.severity, c.kind) for c in judge("undo", changes(CASES[1][1], CASES[11][1]), undo_verified=False)] == [
        (TAMPER, "撤销不符")]


# --------------------------------------------------------------------------- properties
ENTRY = st.fixed_dictionaries({"日期": st.sampled_from(["2022-01-31", "2022-02-28", "2022-03-31", "2022-04-30"]),
                               "进度": st.integers(0, 100), "情况": st.sampled_from(["甲", "乙", "丙"])})


@settings(max_examples=300, deadline=None)
@given(st.lists(ENTRY, max_size=5), st.lists(ENTRY, max_size=3))
def test_appending_entries_is_never_tamper_and_any_rewrite_is(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    before = edited(进展=old)
    appended = edited(进展=old + new)
    assert not [c for c in judge("update", changes(before, appended)) if c.severity == TAMPER]
    found = [c for c in changes(before, appended) if not c.derived]
    assert all(isinstance(c, Change) and c.kind == "entry_added" for c in found) and len(found) == len(new)
    if old:
        rewritten = edited(进展=[{**old[0], "进度": old[0]["进度"] + 1}, *old[1:]])
        assert [c.kind for c in judge("update", changes(before, rewritten))] == ["改动历史记录"]
        assert [c.kind for c in judge("update", changes(before, edited(进展=old[1:])))] == ["改动历史记录"]


def test_a_report_filed_before_existing_ones_is_named_for_leaders() -> None:
    """New user helper: a 2022-05-31 entry slipped between April and June turned a missed month green."""
    backfilled = edited(进展=[BASE["进展"][0], {"日期": "2022-04-15", "进度": 18, "情况": "补报"}, BASE["进展"][1]])
    (c,) = [c for c in changes(BASE, backfilled) if not c.derived]
    assert c.earlier and c.words == "新增进展 2022-04-15(补记在已有进展之前):进度 18%,补报"
    assert [(x.severity, x.kind) for x in judge("update", changes(BASE, backfilled))] == [(NOTICE, "补记较早的进展")]
    assert [(x.severity, x.kind) for x in judge("", changes(BASE, CASES[5][1]))] == [(NOTICE, "改动完成时限")]
