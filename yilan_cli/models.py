"""The matter file (SPEC §3) as pydantic models.

Chinese keys are the aliases (files are read by officials in git diffs); code and JSON use the
English field names. Models check the shape of each field; rules that relate several fields or
files (date order, 状态 versus the log, registered units, ID versus file name) live in checks.py so
that each finding can point at the exact line.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from .periods import CYCLES, ISO_DAY
from .records import ID_RE
from .status import CLOSED, FINISH, STATE_EN, STATES

__all__ = ["CYCLES", "ID_RE", "STATES", "STATE_EN", "Matter"]

CLOSED_STATES = CLOSED  # 已办结, 已销号 (defined with the engine that uses them)
FINISH_STATES = FINISH  # transitions that set 办结日期
ONGOING = "长期"

State = Literal["未启动", "推进中", "阶段性办结", "已办结", "已销号", "中止"]
Cycle = Literal["月", "季", "半年", "年"]



def parse_iso_day(value: Any) -> date:
    """The only date form a matter file holds: YYYY-MM-DD (users type other forms on the CLI)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            day = _iso_day(value)
        except ValueError:
            raise PydanticCustomError("day_impossible", "no such day", {"value": value}) from None
        if day is not None:
            return day
    raise PydanticCustomError("day_format", "not a date", {"value": value})


@functools.lru_cache(maxsize=8192)
def _iso_day(text: str) -> date | None:
    """``text`` as YYYY-MM-DD, None if it is not of that form; ValueError for a day that does not exist. A ledger
    repeats a few hundred days across 100,000s of dates, so each is parsed once (dates are immutable)."""
    m = ISO_DAY.match(text.strip())
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _deadline(value: Any) -> date | str:
    if isinstance(value, str) and value.strip() == ONGOING:
        return ONGOING
    return parse_iso_day(value)


def _kind(value: Any) -> Any:
    # 类型 written without a value is the default, as if absent (a file from before 类型 existed)
    if value is None:
        return "数量"
    return value.strip() if isinstance(value, str) else value


def _str_list(value: Any) -> Any:
    # a single name where a list is expected is what people type: accept it as a one-item list
    if isinstance(value, str):
        return [value]
    if value is None:
        return []
    return value


Day = Annotated[date, BeforeValidator(parse_iso_day)]
Deadline = Annotated[date | str, BeforeValidator(_deadline)]
# stripped and non-empty in pydantic's own (Rust) validator: a Python BeforeValidator on each of the ~16 texts
# of every matter cost ~40 µs a matter (docs/performance.md); an empty text is "string_too_short" (E209)
# (the published JSON Schema keeps saying "string": an editor's schema is not where blank text is refused, and a
# county's committed schemas/matter.schema.json stays current across this change — E401 otherwise)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), WithJsonSchema({"type": "string"})]
Names = Annotated[list[Text], BeforeValidator(_str_list)]
# indicators.KINDS: how 完成 reads against 目标 (indicators.assess); anything else is E329
IndicatorKind = Annotated[Literal["数量", "增速", "比率", "越低越好"], BeforeValidator(_kind)]
Progress = Annotated[int, Field(ge=0, le=100)]
Number = Annotated[float, Field(allow_inf_nan=False)]  # 1e400 reads as inf in YAML; no table can show it


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, populate_by_name=False)


class Indicator(_Model):
    name: Text = Field(alias="名称", description="名称")
    unit: Text | None = Field(None, alias="单位", description="计量单位")
    target: Number = Field(alias="目标", description="目标值")
    kind: IndicatorKind = Field("数量", alias="类型",
                                description="数量（默认，完成率＝完成÷目标）、增速或比率（目标为百分数，看是否达标、相差几个百分点）、"
                                            "越低越好（完成不超过目标为达标）")
    done: Number | None = Field(None, alias="完成", description="完成值(旧格式,无日期;yilan fmt --migrate 移入进展的 指标)")
    since: Day | None = Field(None, alias="设立日期",
                              description="交办之后增加的指标自该日起计入(不写即交办日期);此前的通报、视图中没有它")


class Milestone(_Model):
    name: Text = Field(alias="名称", description="名称")
    deadline: Day = Field(alias="时限", description="节点时限")
    done_on: Day | None = Field(None, alias="完成日期", description="节点完成日期")
    since: Day | None = Field(None, alias="设立日期",
                              description="交办之后增加的节点自该日起计入(不写即交办日期);此前的通报、视图中没有它")


class Extension(_Model):
    applied_on: Day = Field(alias="申请日期", description="延期申请日期")
    new_deadline: Day = Field(alias="新时限", description="延期后的完成时限")
    reason: Text = Field(alias="理由", description="延期理由")
    approver: Text | None = Field(None, alias="批准人", description="批准人")
    approved_on: Day | None = Field(None, alias="批准日期", description="批准日期")


class Signoff(_Model):
    date: Day = Field(alias="日期", description="日期")
    reviewer: Text = Field(alias="审核人", description="审核人")
    approver: Text = Field(alias="批准人", description="批准人")
    evidence: Names = Field(default_factory=list, alias="佐证材料", description="佐证材料")


class Withdrawal(_Model):
    date: Day = Field(alias="日期", description="撤销日期,自该日起不计入总数、灯色和各项比率")
    reason: Text = Field(alias="理由", description="撤销理由(误录、领导决定取消等)")
    approver: Text = Field(alias="批准人", description="批准人")


class Reinstatement(_Model):
    date: Day = Field(alias="日期", description="恢复日期,自该日起重新计入")
    reason: Text = Field(alias="理由", description="恢复理由")


class Update(_Model):
    date: Day = Field(alias="日期", description="日期")
    progress: Progress | None = Field(None, alias="进度", description="进度,0–100 的整数")
    indicators: dict[Text, Number] = Field(default_factory=dict, alias="指标",
                                          description="本条进展时量化指标的完成值,名称: 值(名称须在 量化指标 中)")
    state: State | None = Field(None, alias="状态", description="状态,等于最后一次状态变更的进展")
    note: Text | None = Field(None, alias="情况", description="进展情况")
    problem: Text | None = Field(None, alias="存在问题", description="存在问题")
    next_steps: Text | None = Field(None, alias="下步措施", description="下步措施")
    reporter: Text | None = Field(None, alias="报告人", description="报告人(单位或个人)")
    reported_on: Day | None = Field(None, alias="报送日期", description="实际报送日期(与业务日期不同时填写)")


class Matter(_Model):
    id: Text = Field(alias="编号", description="事项编号,<前缀>-<数字>,与文件名一致,永不重复使用")
    title: Text = Field(alias="事项", description="事项名称")
    source: Text | None = Field(None, alias="任务来源", description="任务来源(会议、文件、批示)")
    parent_ref: Text | None = Field(None, alias="上级编号",
                                    description="上级交办编号:市级督查室 yilan city assign 交办的编号(如 SJ-001),"
                                                "由 yilan assignments pull 写入")
    target: Text | None = Field(None, alias="目标要求", description="量化、有时限的目标要求")
    leaders: Names = Field(default_factory=list, alias="牵头领导", description="牵头县领导(职务)")
    lead_unit: Text = Field(alias="牵头单位", description="牵头单位,须在 schemas/units.yaml 登记")
    co_units: Names = Field(default_factory=list, alias="配合单位",
                            description="配合单位,须已登记;也可写分组的统称(如 各乡镇、县直各单位)")
    owner: Text | None = Field(None, alias="责任人", description="具体责任人")
    task_force: Text | None = Field(None, alias="专班", description="所属工作专班")
    assigned: Day = Field(alias="交办日期", description="交办日期 YYYY-MM-DD")
    deadline: Deadline = Field(alias="完成时限", description="完成时限 YYYY-MM-DD,或 长期")
    cycle: Cycle | None = Field(None, alias="报告周期", description="报告周期;不写则用台账默认值")
    state: State = Field(alias="状态", description="状态,等于最后一次状态变更的进展")
    closed_on: Day | None = Field(None, alias="办结日期", description="最近一次办结或阶段性办结的日期")
    indicators: list[Indicator] = Field(default_factory=list, alias="量化指标", description="量化指标:目标与完成")
    milestones: list[Milestone] = Field(default_factory=list, alias="节点", description="时间节点")
    extensions: list[Extension] = Field(default_factory=list, alias="延期", description="延期记录;批准日期起生效")
    signoff: Signoff | None = Field(None, alias="销号", description="销号记录")
    updates: list[Update] = Field(default_factory=list, alias="进展", description="进展记录,按日期顺序追加")
    withdrawals: list[Withdrawal] = Field(default_factory=list, alias="撤销",
                                          description="撤销记录(yilan withdraw),按日期顺序追加,与 恢复 交替")
    reinstatements: list[Reinstatement] = Field(default_factory=list, alias="恢复",
                                                description="撤销后的恢复记录(yilan reinstate),按日期顺序追加")
    tags: Names = Field(default_factory=list, alias="标签", description="标签")
    remarks: Text | None = Field(None, alias="备注", description="备注")


def field_labels() -> dict[str, str]:
    """English field name → Chinese key, for every model (used in messages)."""
    out: dict[str, str] = {}
    for model in (Matter, Update, Indicator, Milestone, Extension, Signoff, Withdrawal, Reinstatement):
        for name, info in model.model_fields.items():
            out.setdefault(name, info.alias or name)
    return out


def known_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


# which model a Chinese list/mapping key holds, for "did you mean" hints on nested keys
NESTED: dict[str, type[BaseModel]] = {
    "量化指标": Indicator, "节点": Milestone, "延期": Extension, "销号": Signoff, "进展": Update,
    "撤销": Withdrawal, "恢复": Reinstatement,
}
