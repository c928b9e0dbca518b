"""Hostile input: arbitrary bytes and YAML give findings or clear refusals, never an exception."""

from __future__ import annotations

import contextlib
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yilan_cli.checks import check_text, read_matter
from yilan_cli.errors import YilanError
from yilan_cli.merge import merge_texts
from yilan_cli.periods import DateError, parse_day, parse_period
from yilan_cli.workspace import load

from .conftest import REPO

WS = load(REPO)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])


@FAST
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_give_findings(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "ZB-001.yaml"
    path.write_bytes(data)
    record, findings = read_matter(WS, path)
    assert (record is None) == bool(findings)
    assert all(f.line >= 1 and f.code.startswith("E") for f in findings)


yaml_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["编号", "事项", "牵头单位", "交办日期", "完成时限", "状态", "进展", "日期", "进度", "延期", "x"]), inner, max_size=4),
    max_leaves=15)


@FAST
@given(doc=yaml_like)
def test_arbitrary_yaml_gives_findings(doc: object) -> None:
    import yaml

    text = yaml.safe_dump(doc, allow_unicode=True)
    record, findings = check_text(WS, text, "ledgers/zhuanban/ZB-001.yaml", "zhuanban", "ZB-001")
    assert (record is None) == bool(findings)


@FAST
@given(text=st.text(max_size=20))
def test_date_and_period_parsers_refuse_cleanly(text: str) -> None:
    for parse in (lambda s: parse_day(s, date(2022, 6, 30)), parse_period):
        with contextlib.suppress(DateError):
            parse(text)


@FAST
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_the_spreadsheet_reader_refuses_cleanly(tmp_path: Path, data: bytes, suffix: str) -> None:
    from yilan_cli.sheets import read_table

    path = tmp_path / f"t{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(YilanError):
        read_table(path)


@FAST
@given(a=st.text(max_size=60), b=st.text(max_size=60), c=st.text(max_size=60))
def test_the_merge_driver_never_raises(a: str, b: str, c: str) -> None:
    result = merge_texts(a or None, b, c)
    assert result is None or isinstance(result[0], str)


@pytest.mark.parametrize("body", [
    "备注: " + "[" * 200 + "]" * 200,                         # nesting
    "备注: &a [" + ", ".join(["x"] * 50) + "]\n" + "\n".join(f"k{i}: *a" for i in range(30)),  # aliases
])
def test_limits_are_enforced(body: str) -> None:
    _, findings = check_text(WS, "编号: ZB-001\n" + body + "\n", "ledgers/zhuanban/ZB-001.yaml", "zhuanban", "ZB-001")
    assert findings and findings[0].code in ("E107", "E109")


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("备注", "联系人张某 13912345678", "手机号"),
    ("目标要求", "为 230123198001011234 办理", "身份证号"),
    ("任务来源", "信访人身份证23012319800101123X", "身份证号"),
])
def test_personal_details_in_unmarked_fields_are_errors(field: str, value: str, kind: str) -> None:
    text = (f"编号: XF-001\n事项: 信访件\n牵头单位: 县信访局\n交办日期: 2022-02-01\n完成时限: 2022-12-31\n状态: 未启动\n"
            f"信访件编号: YLXF-2022-0001\n{field}: {value}\n")
    _, findings = check_text(WS, text, "ledgers/xinfang/XF-001.yaml", "xinfang", "XF-001")
    assert [(f.code, f.message) for f in findings if f.code == "E315"] == [("E315", f"{field} 中含有{kind},台账不应保存个人信息")]


def test_a_sensitive_field_may_hold_personal_details() -> None:
    text = ("编号: XF-001\n事项: 信访件\n牵头单位: 县信访局\n交办日期: 2022-02-01\n完成时限: 2022-12-31\n状态: 未启动\n"
            "信访件编号: YLXF-2022-0001\n信访人: 王某 13912345678\n")
    record, findings = check_text(WS, text, "ledgers/xinfang/XF-001.yaml", "xinfang", "XF-001")
    assert record is not None and findings == []


def test_reference_numbers_are_not_mistaken_for_personal_details() -> None:
    for value in ("D2HLJ202201100023", "YLXF-2022-0012", "依督〔2022〕15号", "2022-06-30"):
        assert not check_text(WS, f"编号: ZB-001\n事项: x\n牵头单位: 县发改局\n交办日期: 2022-02-01\n完成时限: 2022-12-31\n"
                                  f"状态: 未启动\n备注: {value}\n", "ledgers/zhuanban/ZB-001.yaml", "zhuanban", "ZB-001")[1]


@pytest.mark.skipif(os.name == "nt", reason="creating a symlink needs administrator rights on Windows")
def test_a_symlinked_matter_file_is_refused(tmp_workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("编号: ZB-001\n事项: x\n牵头单位: 县发改局\n交办日期: 2022-02-01\n完成时限: 2022-12-31\n状态: 未启动\n",
                       encoding="utf-8")
    (tmp_workspace / "ledgers/zhuanban").mkdir(parents=True, exist_ok=True)
    (tmp_workspace / "ledgers/zhuanban/ZB-001.yaml").symlink_to(outside)
    from yilan_cli.store import load_ledgers

    loaded = load_ledgers(load(tmp_workspace))
    assert loaded.records == [] and [f.code for f in loaded.findings] == ["E114"]


def test_unit_names_cannot_steer_output_paths() -> None:
    from yilan_cli.sheets import safe_name

    assert safe_name("../../etc/passwd") == "_.._etc_passwd" and "/" not in safe_name("a/b") and safe_name("..") == "_"


cells = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                  st.sampled_from(["inf", "-1e400", "2022-02-30", "长期", "年底", "13月底", "70%", "=1+1", "县发改局"]))


@FAST
@given(rows=st.lists(st.fixed_dictionaries({}, optional={
    "编号": cells, "事项": cells, "牵头单位": cells, "完成时限": cells, "进度": cells, "进展日期": cells, "状态": cells,
    "办结日期": cells, "配合单位": cells, "延期至": cells}), max_size=4))
def test_the_importer_turns_any_row_into_a_plan_or_a_row_error(rows: list[dict[str, object]]) -> None:
    from yilan_cli.exchange import plan_import
    from yilan_cli.sheets import Sheet

    sheet = Sheet(Path("t.csv"), "t", [(i + 2, r) for i, r in enumerate(rows) if r], [], {})
    plan = plan_import(WS, sheet, WS.ledgers["xian"], date(2022, 7, 1), date(2022, 7, 1))
    assert len(plan.planned) + len(plan.errors) == len(sheet.rows)
