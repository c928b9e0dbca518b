"""A workspace: find its root, read schemas/ (ledgers, units, rules).

Schema files are small and few; they are read with the fast reader and checked here. A broken
schema file stops every command (exit 2) because nothing can be evaluated without it.
"""

from __future__ import annotations

import math
import re
from dataclasses import astuple, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NoReturn

from .errors import NotAWorkspace, SchemaError
from .gongwen import Organ
from .i18n import t
from .periods import CYCLES

MARKER = Path("schemas") / "rules.yaml"
FIELD_TYPES = ("文本", "整数", "数值", "日期", "列表", "是否")


@dataclass(frozen=True)
class FieldDef:
    """A ledger-specific extra field (SPEC §3)."""

    name: str  # Chinese key in the file
    key: str  # ASCII key in JSON
    type: str  # one of FIELD_TYPES
    required: bool = False
    sensitive: bool = False


@dataclass(frozen=True)
class LedgerDef:
    key: str
    prefix: str
    name: str
    unit: str
    cycle: str
    fields: tuple[FieldDef, ...] = ()
    maintainers: tuple[str, ...] = ()
    order: int = 99  # 顺序: where the ledger stands in reports and exports
    scoring: tuple[tuple[str, float], ...] = ()  # 赛马 overrides for this ledger's matters ("1+N+1": the N)


@dataclass(frozen=True)
class TaskForce:
    """A 工作专班 of the "10+N+N" system (schemas/taskforces.yaml)."""

    id: str
    name: str
    level: str  # 县级 / 部门 / 乡镇
    leader: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    due_soon_days: int = 7
    yellow_lag: float = 10
    red_lag: float = 30
    grace_days: int = 10
    light_names: dict[str, str] = field(default_factory=dict)
    light_colors: dict[str, str] = field(default_factory=dict)
    # 赛马: weights of the three rates, deductions, list sizes
    weight_on_time: float = 40
    weight_schedule: float = 30
    weight_report: float = 30
    deduct_overdue: float = 2
    deduct_red: float = 1
    red_list: int = 3
    black_list: int = 3
    nothing_measured: str = "分摊"  # 赛马.无可计量: a criterion with nothing to measure (NOTHING_MEASURED)
    list_ties: str = "全部列入"  # 赛马.名额并列: a tie across the 红榜/黑榜 quota edge (LIST_TIES)
    office: str = "中共依兰县委督查室、依兰县人民政府督查室"  # the organs as one line (Organ.name)
    organ: Organ = field(default_factory=Organ)  # 公文: 发文机关, 主送, 抄送, 印发机关, 联系人 (gongwen.py)
    number_format: str = "依督通〔{year}〕{n}号"  # GB/T 9704 7.2.4: no 第 before the serial, 号 after it
    notice_format: str = "依督办〔{year}〕{n}号"
    reply_days: int = 5
    # 一线调研: 类别 → (visits per week, days per year); the most field days a week can hold
    research_quotas: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {"县级领导": (1, 60), "乡镇部门主要负责人": (2, 90)})
    research_week_max: int = 5
    research_name_leaders: bool = False  # 一线调研.通报点名县级领导: name lagging 县级领导 in circulars
    holidays: tuple[str, ...] = ()  # 工作日历.节假日, ISO dates (ranges expanded)
    workdays: tuple[str, ...] = ()  # 工作日历.调休上班: weekend days that are working days
    # 督导问责: the ladder after a 督办通知单 (name, colour, number format), where referrals go, thresholds
    ladder: tuple[tuple[str, str, str], ...] = (
        ("提示单", "蓝", "依督提〔{year}〕{n}号"), ("督办单", "橙", "依督督〔{year}〕{n}号"),
        ("通报批评", "红", "依督批〔{year}〕{n}号"), ("问责移交", "红", "依督移〔{year}〕{n}号"))
    referral_to: tuple[str, ...] = ("县纪委监委", "县作风办")
    refer_overdue_days: int = 30
    refer_red_months: int = 3
    refer_ignored: int = 2
    quarter_weights: tuple[float, ...] = (0.25, 0.25, 0.25, 0.25)  # 年度赛马: 四个季度的权重
    # 表格导入限制: rows, columns, merged cells, MB unzipped — checked before any grid is built
    # 表格导入限制: rows, columns, cells, merged cells, MB unzipped — checked before any grid is built
    sheet_limits: tuple[int, int, int, int, int] = (20_000, 200, 150_000, 10_000, 50)


SHEET_LIMIT_KEYS = ("最大行数", "最大列数", "单元格数", "合并单元格数", "解压后大小MB")  # in Rules.sheet_limits order


NOTHING_MEASURED = ("分摊", "满分")  # 赛马.无可计量: spread the weight over the measured criteria / count it full
LIST_TIES = ("全部列入", "全部不列入")  # 赛马.名额并列: units tied across the quota edge all in / all out

SCORING_KEYS = {"按期办结权重": "weight_on_time", "序时达标权重": "weight_schedule", "按期报告权重": "weight_report",
                "超期扣分": "deduct_overdue", "红灯扣分": "deduct_red"}


@dataclass
class Workspace:
    root: Path
    ledgers: dict[str, LedgerDef]  # by key, in file-name order
    units: dict[str, str]  # name → group (乡镇 / 县直部门)
    leaders: tuple[str, ...]
    rules: Rules
    schema_hash: str = ""  # of every file under schemas/ that changes what a matter means
    task_forces: tuple[TaskForce, ...] = ()  # empty: the workspace keeps no registry, 专班 is free text
    unit_groups: dict[str, str] = field(default_factory=dict)  # 配合单位 word for a whole group → the group
    self_name: str = ""  # units.yaml 本级: the county's own name as the city's members.yaml calls it ("" unset)
    level: str = "county"  # "city": federation.federated — units are the member counties (ranking and circular words)

    def group_words(self, unit: str) -> tuple[str, ...]:
        """The 配合单位 words that stand for ``unit``'s whole group (达连河镇 → 乡镇, 各乡镇); none for an
        unregistered unit. A matter whose 配合单位 names one of them is one the unit co-operates on."""
        group = self.units.get(unit)
        return tuple(w for w, g in self.unit_groups.items() if g == group) if group is not None else ()

    @property
    def sensitive(self) -> frozenset[str]:
        """The names (and ASCII keys) of every ledger's fields marked 敏感: masked wherever a change is told."""
        return frozenset(x for lg in self.ledgers.values() for f in lg.fields if f.sensitive for x in (f.name, f.key))

    def task_force(self, text: str) -> TaskForce | None:
        """A registered task force by id or name."""
        for tf in self.task_forces:
            if text in (tf.id, tf.name):
                return tf
        return None

    def ledger(self, text: str) -> LedgerDef | None:
        """A ledger by key, prefix or Chinese name."""
        for lg in self.ledgers.values():
            if text in (lg.key, lg.prefix, lg.name) or text.upper() == lg.prefix:
                return lg
        return None

    def ledger_of_prefix(self, prefix: str) -> LedgerDef | None:
        for lg in self.ledgers.values():
            if lg.prefix == prefix:
                return lg
        return None

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_root(start: Path | None = None, explicit: str | None = None) -> Path:
    """The workspace root: ``--root`` if given, else the nearest ancestor holding schemas/rules.yaml."""
    if explicit:
        root = Path(explicit).resolve()
        if not (root / MARKER).is_file():
            raise NotAWorkspace(t("err.not_workspace", path=root), t("hint.not_workspace"))
        return root
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / MARKER).is_file():
            return p
    raise NotAWorkspace(t("err.not_workspace", path=here), t("hint.not_workspace"))


_PROJECT_NAME = re.compile(r"^\[project\][ \t\r]*$(?:(?!^\[).)*?^name[ \t]*=[ \t]*[\"']yilan[\"'][ \t\r]*(?:#.*)?$",
                           re.MULTILINE | re.DOTALL)


def is_source_checkout(root: Path) -> bool:
    """Whether ``root`` is yilan's own source checkout: a ``yilan_cli/`` package beside a ``pyproject.toml``
    whose ``[project]`` name is ``yilan`` (its demo ledgers make it a workspace, but a write there would commit
    ledger data into the tool's own branch — issue 20). Two stats and, only then, one small read; a missing,
    odd or unreadable pyproject.toml is simply "no"."""
    pyproject = root / "pyproject.toml"
    try:
        if not (root / "yilan_cli").is_dir() or not pyproject.is_file() or pyproject.stat().st_size > 1 << 20:
            return False
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return _PROJECT_NAME.search(text) is not None


def read_schema(path: Path) -> Any:
    """A schemas/ file parsed by the fast reader; any problem stops the command (SchemaError, exit 2)."""
    from .yamlio import YamlProblem, fast_load

    text = _schema_text(path)
    try:
        return fast_load(text)
    except (YamlProblem, Exception) as e:  # noqa: BLE001
        raise SchemaError(t("err.schema", detail=f"{path}: {e}"), t("hint.schema"), path=str(path)) from None


def _schema_text(path: Path) -> str:
    """A schemas/ file's text through the one reader of workspace files (filecheck.read_text): a link (or a
    file in a linked folder) is refused with E114 before anything is read — a link to /dev/zero or
    ~/.gitconfig must not be read, not even to compute the cache key; a folder, an oversized, binary or
    non-UTF-8 file is E400 like any broken schema file."""
    from .filecheck import read_text

    rel = "/".join(path.parts[-3:] if path.parent.name == "ledgers" else path.parts[-2:])
    text, problems = read_text(path, rel)
    if text is None:
        f = problems[0]
        raise SchemaError(t("err.schema", detail=f"{rel}: {f.message}"), f.hint,
                          code="E114" if f.code == "E114" else "E400", path=rel)
    return text


# --------------------------------------------------------------------------- typed reading of schema values
# Bounds of the numbers schemas/ holds: a value outside is a typo or hostile, and a huge one would overflow the
# date arithmetic deep inside a command. Days reach ten years, months ten years, counts ten thousand.
DAYS = (0, 3660)
MONTHS = (0, 120)
COUNT = (0, 10_000)
LAG = (0, 100)  # 黄灯滞后, 红灯滞后: percentage points behind the pro-rata progress
WEIGHT = (0, 1000)  # 赛马 weights and deductions, 年度季度权重
CALENDAR_YEARS = (1900, 2100)  # 工作日历 dates, as typed dates (cli.common.TYPED_YEARS)
MAX_HOLIDAY_RUN = 366  # days in one 节假日 range
# Excel's own maxima (rows, columns, cells, merged cells); 10 GB unzipped
SHEET_LIMITS = ((1, 1_048_576), (1, 16_384), (1, 1_048_576 * 16_384), (0, 1_048_576 * 16_384), (1, 10_000))
_COLOR = re.compile(r"(#[0-9A-Fa-f]{6}|[A-Za-z][A-Za-z0-9_]{0,30})?")  # #d32f2f or a terminal colour name


def _shown(value: Any) -> str:
    """A value as a message quotes it: short, with characters no document can hold written out."""
    from .terminal import NOT_XML, escaped

    if value is None:
        return "空"
    text = NOT_XML.sub(lambda m: escaped(m.group()), value if isinstance(value, str) else repr(value))
    return text if len(text) <= 40 else text[:40] + "…"


class Values:
    """Typed reading of one schemas/ file: each getter returns a value in the shape the code uses, or raises
    SchemaError naming the file and the field (``where``: 督导问责.问责移交条件.超期天数, 单位[2].成员[5]).

    A key written without a value (``键:``) counts as absent; an absent required value is refused."""

    def __init__(self, path: Path, hint: str = "") -> None:
        self.path = path
        self.hint = hint

    def fail(self, where: str, detail: str, hint: str = "") -> NoReturn:
        field = f"{where} " if where else ""
        raise SchemaError(t("err.schema", detail=f"{self.path}: {field}{detail}"), hint or self.hint or t("hint.schema"),
                          path=str(self.path))

    def need(self, cond: bool, where: str, detail: str, hint: str = "") -> None:
        if not cond:
            self.fail(where, detail, hint)

    def mapping(self, value: Any, where: str, optional: bool = True) -> dict[str, Any]:
        """Fields (``键: 值``) with text keys; a section left empty is no fields, an empty list item is refused."""
        if value is None and optional:
            return {}
        self.need(isinstance(value, dict), where, f"应为字段(键: 值),现为 {_shown(value)}")
        for k in value:
            key = f"{where}.{k}" if where else str(k)
            self.need(isinstance(k, str), key, "的键应为文本")
            self.text(k, key)
        return value  # type: ignore[no-any-return]

    def items(self, value: Any, where: str) -> list[Any]:
        """A list (``[甲, 乙]`` or ``- `` lines)."""
        if value is None:
            return []
        self.need(isinstance(value, list), where, f"应为清单([甲, 乙] 或每行 - 开头),现为 {_shown(value)}")
        return value  # type: ignore[no-any-return]

    def text(self, value: Any, where: str, default: str | None = None) -> str:
        """One line of text (a number written bare is its text); characters no Word/Excel file holds are refused."""
        from .terminal import NOT_XML

        if value is None and default is not None:
            return default
        self.need(value is not None, where, "缺少内容")
        self.need(isinstance(value, (str, int, float)) and not isinstance(value, bool), where,
                  f"应为文本,现为 {_shown(value)}")
        text = str(value)
        bad = NOT_XML.search(text)
        if bad:
            self.fail(where, f"含有 Word/Excel 文件无法容纳的字符 {_shown(bad.group())}:{_shown(text)}",
                      "删除该字符(常见于从 Word 复制带来的换行 \\v)")
        return text

    def texts(self, value: Any, where: str) -> tuple[str, ...]:
        """A list of texts; one text alone is a list of one."""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return (self.text(value, where),)
        return tuple(self.text(x, f"{where}[{i + 1}]") for i, x in enumerate(self.items(value, where)))

    def integer(self, value: Any, where: str, bounds: tuple[int, int], default: int | None = None) -> int:
        lo, hi = bounds
        if value is None and default is not None:
            return default
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        self.need(whole and not isinstance(value, bool) and lo <= value <= hi, where,
                  f"应为 {lo}–{hi} 之间的整数,现为 {_shown(value)}")
        return int(value)

    def number(self, value: Any, where: str, bounds: tuple[float, float], default: float | None = None) -> float:
        lo, hi = bounds
        if value is None and default is not None:
            return default
        self.need(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                  and lo <= value <= hi, where, f"应为 {lo:g}–{hi:g} 之间的数,现为 {_shown(value)}")
        return float(value)

    def flag(self, value: Any, where: str) -> bool:
        if value is None:
            return False
        self.need(isinstance(value, bool), where, f"应为 true 或 false,现为 {_shown(value)}")
        return bool(value)

    def yes_no(self, value: Any, where: str) -> bool:
        """A rule answered 是/否 (true/false too); absent is 否."""
        if value is None or isinstance(value, bool):
            return bool(value)
        self.need(value in ("是", "否"), where, f"应为 是 或 否,现为 {_shown(value)}")
        return bool(value == "是")

    def choice(self, value: Any, where: str, allowed: tuple[str, ...], default: str) -> str:
        text = self.text(value, where, default)
        self.need(text in allowed, where, f"{_shown(text)} 不可用(可用:{'、'.join(allowed)})")
        return text

    def number_format(self, value: Any, where: str, default: str) -> str:
        """A document number format: text with ``{n}`` once and ``{year}`` at most once, no other braces."""
        from .issuing import format_problem

        text = self.text(value, where, default)
        problem = format_problem(text)
        if problem:
            self.fail(where, f"{_shown(text)}:{problem}", "文号格式只能用 {year}(年份)和 {n}(序号),如 依督办〔{year}〕{n}号")
        return text

    def days(self, value: Any, where: str) -> tuple[str, ...]:
        """ISO dates from a list of dates and ranges (2022-01-31..2022-02-06)."""
        from datetime import date, timedelta

        hint = "日期写成 2022-10-01,连续几天写成 2022-10-01..2022-10-07"
        out: list[str] = []
        for i, item in enumerate(self.items(value, where)):
            text = self.text(item, f"{where}[{i + 1}]")
            a, _, b = text.partition("..")
            try:
                first, last = date.fromisoformat(a.strip()), date.fromisoformat((b or a).strip())
            except ValueError:
                self.fail(f"{where}[{i + 1}]", f"{_shown(text)} 不是日期", hint)
            lo, hi = CALENDAR_YEARS
            self.need(lo <= first.year <= hi and lo <= last.year <= hi, f"{where}[{i + 1}]",
                      f"{_shown(text)} 的年份不在 {lo}–{hi} 年之间", hint)
            self.need(0 <= (last - first).days < MAX_HOLIDAY_RUN, f"{where}[{i + 1}]",
                      f"{_shown(text)} 应为从前到后、不超过 {MAX_HOLIDAY_RUN} 天的一段日期", hint)
            out += [(first + timedelta(days=k)).isoformat() for k in range((last - first).days + 1)]
        return tuple(sorted(set(out)))


def load_rules(path: Path) -> Rules:
    from .status import LIGHTS

    v = Values(path)
    data = v.mapping(read_schema(path), "")
    lights = v.mapping(data.get("灯"), "灯")
    names: dict[str, str] = {}
    colors: dict[str, str] = {}
    for k, spec in lights.items():
        v.need(k in LIGHTS, f"灯.{k}", f"不是灯的名称(可用:{'、'.join(LIGHTS)})")
        spec = v.mapping(spec, f"灯.{k}")
        names[k] = v.text(spec.get("名称"), f"灯.{k}.名称", k)
        colors[k] = v.text(spec.get("颜色"), f"灯.{k}.颜色", "")
        v.need(bool(_COLOR.fullmatch(colors[k])), f"灯.{k}.颜色", f"{_shown(colors[k])} 应写成 #d32f2f 或颜色名(如 red)")
    race = v.mapping(data.get("赛马"), "赛马")
    notice = v.mapping(data.get("通报"), "通报")
    organ = _organ(v, v.mapping(data.get("公文"), "公文"), notice)
    urge = v.mapping(data.get("督办通知"), "督办通知")
    research = v.mapping(data.get("一线调研"), "一线调研")
    calendar = v.mapping(data.get("工作日历"), "工作日历")
    escalation = v.mapping(data.get("督导问责"), "督导问责")
    refer = v.mapping(escalation.get("问责移交条件"), "督导问责.问责移交条件")
    limits = v.mapping(data.get("表格导入限制"), "表格导入限制")
    quotas = {}
    for k, q in v.mapping(research.get("定额"), "一线调研.定额").items():
        q = v.mapping(q, f"一线调研.定额.{k}")
        quotas[k] = (v.integer(q.get("每周次数"), f"一线调研.定额.{k}.每周次数", (0, 7)),
                     v.integer(q.get("全年天数"), f"一线调研.定额.{k}.全年天数", (0, 366)))
    ladder: list[tuple[str, str, str]] = []
    for i, x in enumerate(v.items(escalation.get("阶梯"), "督导问责.阶梯")):
        where = f"督导问责.阶梯[{i + 1}]"
        x = v.mapping(x, where, optional=False)
        name = v.text(x.get("名称"), f"{where}.名称")
        v.need(bool(name) and name not in (n for n, _, _ in ladder), f"{where}.名称", f"{_shown(name)} 为空或重复")
        ladder.append((name, v.text(x.get("颜色"), f"{where}.颜色", ""),
                       v.number_format(x.get("文号格式"), f"{where}.文号格式", "")))
    weights = race.get("年度季度权重")
    weights = tuple(v.number(w, f"赛马.年度季度权重[{i + 1}]", WEIGHT)
                    for i, w in enumerate(v.items(weights, "赛马.年度季度权重"))) if weights is not None \
        else Rules.quarter_weights
    v.need(len(weights) == 4 and sum(weights) > 0, "赛马.年度季度权重",
           "应为四个数(一至四季度),不能全为 0")
    v.need(sum(v.number(race.get(k), f"赛马.{k}", WEIGHT, 1) for k in ("按期办结权重", "序时达标权重", "按期报告权重")) > 0,
           "赛马", "按期办结权重、序时达标权重、按期报告权重不能全为 0(满分为三项权重之和)")
    return Rules(
        due_soon_days=v.integer(data.get("临期天数"), "临期天数", DAYS, Rules.due_soon_days),
        yellow_lag=v.number(data.get("黄灯滞后"), "黄灯滞后", LAG, Rules.yellow_lag),
        red_lag=v.number(data.get("红灯滞后"), "红灯滞后", LAG, Rules.red_lag),
        grace_days=v.integer(data.get("报告宽限天数"), "报告宽限天数", DAYS, Rules.grace_days),
        light_names=names,
        light_colors=colors,
        weight_on_time=v.number(race.get("按期办结权重"), "赛马.按期办结权重", WEIGHT, Rules.weight_on_time),
        weight_schedule=v.number(race.get("序时达标权重"), "赛马.序时达标权重", WEIGHT, Rules.weight_schedule),
        weight_report=v.number(race.get("按期报告权重"), "赛马.按期报告权重", WEIGHT, Rules.weight_report),
        deduct_overdue=v.number(race.get("超期扣分"), "赛马.超期扣分", WEIGHT, Rules.deduct_overdue),
        deduct_red=v.number(race.get("红灯扣分"), "赛马.红灯扣分", WEIGHT, Rules.deduct_red),
        red_list=v.integer(race.get("红榜名额"), "赛马.红榜名额", COUNT, Rules.red_list),
        black_list=v.integer(race.get("黑榜名额"), "赛马.黑榜名额", COUNT, Rules.black_list),
        nothing_measured=v.choice(race.get("无可计量"), "赛马.无可计量", NOTHING_MEASURED, Rules.nothing_measured),
        list_ties=v.choice(race.get("名额并列"), "赛马.名额并列", LIST_TIES, Rules.list_ties),
        office=organ.name,
        organ=organ,
        number_format=v.number_format(notice.get("文号格式"), "通报.文号格式", Rules.number_format),
        notice_format=v.number_format(urge.get("文号格式"), "督办通知.文号格式", Rules.notice_format),
        reply_days=v.integer(urge.get("回复天数"), "督办通知.回复天数", DAYS, Rules.reply_days),
        research_quotas=quotas or Rules().research_quotas,
        research_week_max=v.integer(research.get("每周最多天数"), "一线调研.每周最多天数", (0, 7), Rules.research_week_max),
        research_name_leaders=v.yes_no(research.get("通报点名县级领导"), "一线调研.通报点名县级领导"),
        holidays=v.days(calendar.get("节假日"), "工作日历.节假日"),
        workdays=v.days(calendar.get("调休上班"), "工作日历.调休上班"),
        ladder=tuple(ladder) or Rules.ladder,
        referral_to=v.texts(escalation.get("移交单位"), "督导问责.移交单位") or Rules.referral_to,
        refer_overdue_days=v.integer(refer.get("超期天数"), "督导问责.问责移交条件.超期天数", DAYS, Rules.refer_overdue_days),
        refer_red_months=v.integer(refer.get("连续红灯月数"), "督导问责.问责移交条件.连续红灯月数", MONTHS,
                                   Rules.refer_red_months),
        refer_ignored=v.integer(refer.get("未回复通知数"), "督导问责.问责移交条件.未回复通知数", COUNT, Rules.refer_ignored),
        quarter_weights=weights,
        sheet_limits=tuple(v.integer(limits.get(k), f"表格导入限制.{k}", b, d) for k, b, d in zip(  # type: ignore[arg-type]
            SHEET_LIMIT_KEYS, SHEET_LIMITS, Rules.sheet_limits, strict=True)),
    )


def _organ(v: Values, doc: dict[str, Any], notice: dict[str, Any]) -> Organ:
    """rules.yaml 公文: (GB/T 9704 elements every document shares). A workspace written before it names its
    office in 通报.发文机关 (organs separated by spaces), which still counts."""
    organs = v.texts(doc["发文机关"], "公文.发文机关") if doc.get("发文机关") is not None else \
        tuple(v.text(notice["发文机关"], "通报.发文机关").split()) if notice.get("发文机关") is not None else Organ.organs
    v.need(bool(organs) and all(o.strip() for o in organs), "公文.发文机关", "至少写一个发文机关,不能为空")

    def filled(name: str, default: str) -> str:
        text = v.text(doc.get(name), f"公文.{name}", default).strip()
        v.need(bool(text) or not default, f"公文.{name}", "不能为空(不写这一项则用默认值)")
        return text

    return Organ(organs=tuple(o.strip() for o in organs), addressee=filled("主送", Organ.addressee),
                 copy_to=v.text(doc.get("抄送"), "公文.抄送", Organ.copy_to).strip(),
                 printer=filled("印发机关", organs[0].strip()), contact=filled("联系人", ""), phone=filled("电话", ""))


def load_ledger(path: Path) -> LedgerDef:
    from .records import ID_RE

    v = Values(path)
    d = v.mapping(read_schema(path), "")
    key, prefix, name = (v.text(d.get(k), k) for k in ("键", "前缀", "名称"))
    v.need(bool(key) and bool(name), "键" if not key else "名称", "缺少内容")
    v.need(bool(ID_RE.match(f"{prefix}-1")), "前缀", f"{_shown(prefix)} 应为 1–8 个大写字母(如 ZB)")
    fields = []
    for i, f in enumerate(v.items(d.get("扩展字段"), "扩展字段")):
        where = f"扩展字段[{i + 1}]"
        f = v.mapping(f, where, optional=False)
        fname, fkey = v.text(f.get("名称"), f"{where}.名称"), v.text(f.get("键"), f"{where}.键")
        v.need(bool(fname) and bool(fkey), where, "缺少 名称 或 键")
        fields.append(FieldDef(fname, fkey, v.choice(f.get("类型"), f"{where}.类型", FIELD_TYPES, "文本"),
                               v.flag(f.get("必填"), f"{where}.必填"), v.flag(f.get("敏感"), f"{where}.敏感")))
    return LedgerDef(
        key=key,
        prefix=prefix,
        name=name,
        unit=v.text(d.get("主管单位"), "主管单位", ""),
        cycle=v.choice(d.get("报告周期"), "报告周期", CYCLES, "季"),
        fields=tuple(fields),
        maintainers=v.texts(d.get("维护人"), "维护人"),
        order=v.integer(d.get("顺序"), "顺序", COUNT, 99),
        scoring=_scoring(v, d.get("赛马")),
    )


def _scoring(v: Values, race: Any) -> tuple[tuple[str, float], ...]:
    """A ledger's own 赛马 rules: the keys of rules.yaml's 赛马 it overrides."""
    out = []
    for k, x in v.mapping(race, "赛马").items():
        v.need(k in SCORING_KEYS, "赛马", f"不支持 {k}(可用:{'、'.join(SCORING_KEYS)})")
        out.append((SCORING_KEYS[k], v.number(x, f"赛马.{k}", WEIGHT)))
    return tuple(out)


GROUP_WORDS = {"乡镇": ("各乡镇",), "县直部门": ("县直各单位",)}  # a group's 统称 when units.yaml names none


def load_units(path: Path) -> tuple[dict[str, str], tuple[str, ...], dict[str, str], str]:
    """schemas/units.yaml: unit name → group (乡镇 / 县直部门), the usual leaders' titles, the words that
    name a whole group as 配合单位 (word → group): each group's 分组 itself and its ``统称`` (one text or a
    list; when absent :data:`GROUP_WORDS`: 各乡镇 for 乡镇, 县直各单位 for 县直部门), and ``本级`` — the
    county's own name as the city office's members.yaml calls it (for ``yilan assignments pull``; "" when
    absent). A word that is also a registered unit, or that two groups share, is refused (E400)."""
    v = Values(path)
    doc = v.mapping(read_schema(path), "")
    units: dict[str, str] = {}
    named: list[tuple[str, str, tuple[str, ...]]] = []  # (where, group, its words)
    for i, group in enumerate(v.items(doc.get("单位"), "单位")):
        where = f"单位[{i + 1}]"
        group = v.mapping(group, where, optional=False)
        name = v.text(group.get("分组"), f"{where}.分组", "")
        for unit in v.texts(group.get("成员"), f"{where}.成员"):
            units[unit] = name
        words = v.texts(group["统称"], f"{where}.统称") if "统称" in group else GROUP_WORDS.get(name, ())
        if name:
            named.append((where, name, (name, *words)))
    groups: dict[str, str] = {}
    for where, name, words in named:
        for word in words:
            v.need(word not in units, f"{where}.统称", f"“{word}”已是登记的单位，不能再作分组的统称")
            v.need(groups.get(word, name) == name, f"{where}.统称", f"“{word}”已是分组 {groups.get(word)} 的统称")
            groups[word] = name
    self_name = v.text(doc.get("本级"), "本级", "").strip()
    v.need("\n" not in self_name and "\t" not in self_name, "本级", f"应为一个名称(如 依兰县),现为 {_shown(self_name)}")
    return units, v.texts(doc.get("领导职务"), "领导职务"), groups, self_name


def load_task_forces(path: Path) -> tuple[TaskForce, ...]:
    """schemas/taskforces.yaml: the registered 工作专班, one per list item."""
    v = Values(path)
    forces = []
    for i, item in enumerate(v.items(read_schema(path), "")):
        where = f"专班[{i + 1}]"
        item = v.mapping(item, where, optional=False)
        tf = TaskForce(v.text(item.get("id"), f"{where}.id"), v.text(item.get("名称"), f"{where}.名称"),
                       v.text(item.get("级别"), f"{where}.级别", "县级"), v.text(item.get("牵头领导"), f"{where}.牵头领导", ""),
                       v.texts(item.get("成员单位"), f"{where}.成员单位"))
        v.need(bool(tf.id) and bool(tf.name), where, "缺少 id 或 名称")
        forces.append(tf)
    return tuple(forces)


def load(root: Path) -> Workspace:
    """The workspace's schemas, parsed once and then served from ``.yilan/cache/schemas.bin``."""
    import hashlib

    from . import __version__

    files = schema_files(root)
    h = hashlib.sha256(f"{__version__}|{SCHEMA_CACHE_FORMAT}".encode())
    for p in files:
        # a link may point anywhere (/dev/zero), a folder is no schema: refused before a byte is read
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + _schema_text(p).encode() + b"\0")
    key = h.hexdigest()
    cached = _read_schema_cache(root, key)
    if cached is not None:
        return cached
    ws = _parse(root)
    ws.schema_hash = key
    _write_schema_cache(root, key, ws)
    return ws


SCHEMA_CACHE = Path(".yilan") / "cache" / "schemas.bin"
SCHEMA_CACHE_FORMAT = 13  # 8: 表格导入限制 gained 单元格数; 9: schema values read through Values; 10: 赛马.无可计量;
# 11: 公文; 12: 单位分组的统称 (Workspace.unit_groups); 13: 本级 (Workspace.self_name)


def _read_schema_cache(root: Path, key: str) -> Workspace | None:
    try:
        doc = read_cache_file(root / SCHEMA_CACHE)
        if doc is None or doc[0] != key:
            return None
        _, ledgers, units, leaders, rules, _forces, groups, self_name = doc
        return Workspace(
            root,
            {lg[0]: LedgerDef(lg[0], lg[1], lg[2], lg[3], lg[4], tuple(FieldDef(*f) for f in lg[5]), lg[6], lg[7],
                                tuple(tuple(x) for x in lg[8])) for lg in ledgers},
            dict(units),
            tuple(leaders),
            _rules_from_cache(rules),
            key,
            tuple(TaskForce(tf[0], tf[1], tf[2], tf[3], tuple(tf[4])) for tf in doc[5]),
            dict(groups),
            str(self_name),
        )
    except Exception:  # noqa: BLE001 - missing, corrupt or from another version: parse again
        return None


def _rules_from_cache(values: tuple[Any, ...]) -> Rules:
    """Rules from the cache's plain tuple (the Organ stored as a tuple of its fields)."""
    rules = Rules(*values)
    return replace(rules, organ=Organ(*rules.organ)) if isinstance(rules.organ, tuple) else rules


def _write_schema_cache(root: Path, key: str, ws: Workspace) -> None:

    ledgers = tuple(
        (lg.key, lg.prefix, lg.name, lg.unit, lg.cycle,
         tuple((f.name, f.key, f.type, f.required, f.sensitive) for f in lg.fields), lg.maintainers, lg.order,
         lg.scoring)
        for lg in ws.ledgers.values()
    )
    r = ws.rules
    rules = tuple(astuple(v) if isinstance(v := getattr(r, f.name), Organ) else v for f in fields(Rules))
    forces = tuple((tf.id, tf.name, tf.level, tf.leader, tf.members) for tf in ws.task_forces)
    write_cache_file(root / SCHEMA_CACHE, (key, ledgers, tuple(ws.units.items()), ws.leaders, rules, forces,
                                           tuple(ws.unit_groups.items()), ws.self_name))


CACHE_MAGIC = b"yilan-cache-1\n"
MAX_CACHE_BYTES = 1 << 30  # 1 GiB: far above 50,000 matters (~60 MB); anything bigger is not ours


def read_cache_file(path: Path) -> Any:
    """The plain values a cache file under ``.yilan/cache/`` holds, or None when it is missing, not a regular file
    (a link, a directory, a pipe, a device: never followed or read), too big, or damaged (the CRC-32 of its
    marshal payload does not match: a truncated or altered file is rebuilt, never half-read). marshal holds
    plain values only: loading it cannot run code."""
    import marshal
    import os
    import stat
    import zlib

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return None
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = f.read(MAX_CACHE_BYTES + 1)
        head = len(CACHE_MAGIC) + 8
        if not data.startswith(CACHE_MAGIC) or len(data) < head:
            return None
        payload = memoryview(data)[head:]
        if data[len(CACHE_MAGIC):head] != b"%08x" % zlib.crc32(payload):
            return None
        return marshal.loads(payload)
    except Exception:  # noqa: BLE001 - an unreadable or corrupt cache is simply rebuilt
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def write_cache_file(path: Path, doc: Any) -> None:
    """Write ``doc`` (plain values) as a cache file: magic, CRC-32, marshal payload, through a temporary file
    renamed into place (a reader sees the old file or the new one). A failure (read-only workspace, full disk)
    leaves no temporary file and no cache: commands work without one."""
    import marshal
    import os
    import zlib

    from .filecheck import replace_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = marshal.dumps(doc)
        replace_file(os.fspath(path), CACHE_MAGIC + b"%08x" % zlib.crc32(payload) + payload)
    except (OSError, ValueError):
        pass  # a read-only workspace, a full disk: commands work without a cache


def _parse(root: Path) -> Workspace:
    schemas = root / "schemas"
    ledgers: dict[str, LedgerDef] = {}
    ldir = schemas / "ledgers"
    loaded = []
    for p in sorted(ldir.glob("*.yaml")) if ldir.is_dir() else []:
        lg = load_ledger(p)
        Values(p).need(lg.key == p.stem, "键", f"{lg.key} 应与文件名 {p.stem} 一致")
        loaded.append(lg)
    for lg in sorted(loaded, key=lambda x: (x.order, x.key)):
        ledgers[lg.key] = lg
    units, leaders, groups, self_name = (load_units(schemas / "units.yaml") if (schemas / "units.yaml").is_file()
                                         else ({}, (), {}, ""))
    tf_path = schemas / "taskforces.yaml"
    forces = load_task_forces(tf_path) if tf_path.is_file() else ()
    return Workspace(root, ledgers, units, leaders, load_rules(schemas / "rules.yaml"), task_forces=forces,
                     unit_groups=groups, self_name=self_name)


def schema_files(root: Path) -> list[Path]:
    """Files whose content changes what a matter means (used for cache keys)."""
    out = [root / "schemas" / "rules.yaml", root / "schemas" / "units.yaml", root / "schemas" / "taskforces.yaml"]
    out += sorted((root / "schemas" / "ledgers").glob("*.yaml"))
    return [p for p in out if p.exists() or p.is_symlink()]  # a dangling link is refused, not skipped


def package_data_dir(name: str) -> Path:
    """A shipped default folder (schemas, report_templates, ledgers).

    In a wheel they sit in ``yilan_cli/_defaults/``; in a source checkout (editable install) they are
    the repository's own top-level folders — one copy, never two that drift.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_defaults" / name
    if packaged.is_dir():
        return packaged
    return here.parent / name
