"""市级交办事项 files (yilan_cli.assignments): the canonical text, its round trip, and every off-shape file refused
with its A-code naming the file and the field (the city repository is untrusted input)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yilan_cli.assignments import (
    ASSIGNMENT_PREFIX,
    ASSIGNMENTS_DIR,
    Assignment,
    assignment_text,
    check_assignment,
    parse_assignment,
)
from yilan_cli.errors import UsageError

SJ1 = Assignment("SJ-001", "推进县域重点产业项目落地", date(2026, 11, 30), date(2027, 3, 31), ("依兰县", "通河县"),
                 target="年底前完成……", source="市委常委会2026年第20次会议")
REL = "assignments/SJ-001.yaml"


def test_the_canonical_text_is_the_contract() -> None:
    assert (ASSIGNMENTS_DIR, ASSIGNMENT_PREFIX) == ("assignments", "SJ")
    assert assignment_text(SJ1) == (
        "编号: SJ-001\n"
        "事项: 推进县域重点产业项目落地\n"
        "任务来源: 市委常委会2026年第20次会议\n"
        "目标要求: 年底前完成……\n"
        "交办日期: 2026-11-30\n"
        "完成时限: 2027-03-31\n"
        "交办对象: [依兰县, 通河县]\n"
    )
    assert parse_assignment(assignment_text(SJ1), REL) == SJ1
    standing = Assignment("SJ-7", "长期任务", date(2026, 1, 5), "长期", ("通河县",))
    assert assignment_text(standing) == "编号: SJ-7\n事项: 长期任务\n交办日期: 2026-01-05\n完成时限: 长期\n交办对象: [通河县]\n"
    several = Assignment("SJ-002", "x", date(2026, 1, 5), "长期", ("依兰县",), target="第一条\n第二条: 含冒号")
    assert "目标要求: |-\n  第一条\n  第二条: 含冒号\n" in assignment_text(several)
    assert parse_assignment(assignment_text(several), "assignments/SJ-002.yaml") == several


def test_a_hand_written_file_reads_with_its_ends_trimmed() -> None:
    text = ("编号: SJ-003\n事项: ' 标题 '\n目标要求: |\n  两行\n  目标\n交办日期: 2026-01-05\n完成时限: 长期\n"
            "交办对象:\n  - 依兰县\n")
    a = parse_assignment(text, "assignments/SJ-003.yaml")
    assert (a.title, a.target, a.to, a.source) == ("标题", "两行\n目标", ("依兰县",), None)
    assert parse_assignment("\ufeff" + text.replace("\n", "\r\n"), "assignments/SJ-003.yaml") == a


_line = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff\u061c"
                              "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x85"),
                min_size=1, max_size=40).map(str.strip).filter(bool)
_lines = st.lists(_line, min_size=1, max_size=4).map("\n".join)
_days = st.dates(date(1900, 1, 1), date(2100, 12, 31))


@st.composite
def assignments(draw: st.DrawFn) -> Assignment:
    assigned = draw(_days)
    deadline = draw(st.one_of(st.just("长期"), st.dates(assigned, date(2100, 12, 31))))
    return Assignment(
        id=f"SJ-{draw(st.integers(0, 999_999)):0{draw(st.integers(1, 6))}d}"[:9],
        title=draw(_line), assigned=assigned, deadline=deadline,
        to=tuple(draw(st.lists(_line, min_size=1, max_size=5, unique=True))),
        target=draw(st.one_of(st.none(), _line, _lines)), source=draw(st.one_of(st.none(), _line)))


@settings(max_examples=int(os.environ.get("YILAN_HOSTILE_EXAMPLES", "300")), deadline=None)
@given(assignments())
def test_every_valid_assignment_reads_back_as_written(a: Assignment) -> None:
    assert parse_assignment(assignment_text(a), f"assignments/{a.id}.yaml") == a


GOOD = "编号: SJ-001\n事项: 标题\n交办日期: 2026-11-30\n完成时限: 2027-03-31\n交办对象: [依兰县]\n"


@pytest.mark.parametrize(("text", "code", "words"), [
    ("x" * (2 << 20), "A001", "大于 1 MiB"),
    (GOOD + "备注: \"\0\"\n", "A002", "NUL"),
    ("编号: [SJ-001\n", "A003", "不是有效的 YAML"),
    ("- 编号: SJ-001\n", "A003", "应为字段"),
    ("编号: SJ-001\n编号: SJ-001\n", "A003", "不是有效的 YAML"),
    ("&a [*a, *a]", "A003", ""),
    (GOOD + "!!python/object:os.system x: 1\n", "A003", ""),
    (GOOD + "牵头单位: 县委办\n", "A004", "“牵头单位”不是交办文件的字段"),
    (GOOD.replace("事项: 标题\n", ""), "A004", "“事项”缺少内容"),
    (GOOD.replace("SJ-001", "SJ-002"), "A005", "“编号”为 SJ-002，与文件名 SJ-001 不一致"),
    (GOOD.replace("事项: 标题", '事项: "标题\\e[2J\\e[H伪造"'), "A006", "“事项”含有控制字符 \\x1b"),
    (GOOD.replace("事项: 标题", '事项: "标题\\u202e"'), "A006", "“事项”含有控制字符 \\u202e"),
    (GOOD.replace("事项: 标题", '事项: "两行\\n标题"'), "A006", "“事项”应为一行文字"),
    (GOOD.replace("事项: 标题", "事项: [标题]"), "A006", "“事项”应为文本"),
    (GOOD.replace("事项: 标题", "事项: ' '"), "A006", "“事项”不能为空"),
    (GOOD.replace("事项: 标题", "事项: " + "长" * 501), "A006", "超过 500 个字符"),
    (GOOD.replace("2026-11-30", "2026-02-30"), "A007", "“交办日期”不是有效的日期"),
    (GOOD.replace("2026-11-30", "2226-11-30").replace("2027-03-31", "2227-03-31"), "A007", "年份 2226 不在 1900–2100"),
    (GOOD.replace("2027-03-31", "明年"), "A007", "“完成时限”应为YYYY-MM-DD 日期或 长期"),
    (GOOD.replace("2027-03-31", "2026-11-01"), "A007", "早于交办日期"),
    (GOOD.replace("[依兰县]", "依兰县"), "A008", "“交办对象”应为名称清单"),
    (GOOD.replace("[依兰县]", "{依兰县: 1}"), "A008", "“交办对象”应为名称清单"),
    (GOOD.replace("[依兰县]", "[依兰县, [通河县]]"), "A008", "“交办对象[2]”应为文本"),
    (GOOD.replace("[依兰县]", "[]"), "A008", "“交办对象”应为至少一个"),
    (GOOD.replace("[依兰县]", "[依兰县, 依兰县]"), "A008", "依兰县 写了两次"),
    (GOOD.replace("[依兰县]", '["依兰县\\x1b"]'), "A008", "“交办对象[1]”含有控制字符"),
])
def test_an_off_shape_file_is_refused_naming_file_and_field(text: str, code: str, words: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_assignment(text, REL)
    assert e.value.code == code and f"市级交办文件 {REL}" in e.value.message and words in e.value.message, e.value.message
    assert "本次没有接收任何事项" in e.value.hint


def test_a_file_name_with_a_line_break_cannot_forge_a_line() -> None:
    with pytest.raises(UsageError) as e:
        parse_assignment(GOOD, "assignments/SJ-001\n错误[E000] 伪造.yaml")
    assert e.value.code == "A005" and "\n" not in e.value.message


@pytest.mark.parametrize(("a", "code"), [
    (Assignment("SJ-1a", "x", date(2026, 1, 1), "长期", ("依兰县",)), "A005"),
    (Assignment("ZB-001", "x", date(2026, 1, 1), "长期", ("依兰县",)), "A005"),
    (Assignment("SJ-1234567", "x", date(2026, 1, 1), "长期", ("依兰县",)), "A005"),
    (Assignment("SJ-001", " x", date(2026, 1, 1), "长期", ("依兰县",)), "A006"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "长期", ("依兰县",), target="\n"), "A006"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "年底", ("依兰县",)), "A007"),
    (Assignment("SJ-001", "x", date(1899, 12, 31), "长期", ("依兰县",)), "A007"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "长期", ()), "A008"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "长期", ["依兰县"]), "A008"),  # type: ignore[arg-type]
])
def test_the_city_writer_cannot_write_what_a_county_refuses(a: Assignment, code: str) -> None:
    with pytest.raises(UsageError) as e:
        assignment_text(a)
    assert e.value.code == code
    with pytest.raises(UsageError):
        check_assignment(a)
