"""A workspace: find its root, read schemas/ (ledgers, units, rules).

Schema files are small and few; they are read with the fast reader and checked here. A broken
schema file stops every command (exit 2) because nothing can be evaluated without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import NotAWorkspace, SchemaError
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
    office: str = "中共依兰县委督查室 依兰县人民政府督查室"
    number_format: str = "依督通〔{year}〕第{n}期"
    notice_format: str = "督办〔{year}〕{n}号"
    reply_days: int = 5
    # 一线调研: 类别 → (visits per week, days per year); the most field days a week can hold
    research_quotas: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {"县级领导": (1, 60), "乡镇部门主要负责人": (2, 90)})
    research_week_max: int = 5
    holidays: tuple[str, ...] = ()  # 工作日历.节假日, ISO dates (ranges expanded)
    workdays: tuple[str, ...] = ()  # 工作日历.调休上班: weekend days that are working days
    # 督导问责: the ladder after a 督办通知单 (name, colour, number format), where referrals go, thresholds
    ladder: tuple[tuple[str, str, str], ...] = (
        ("提示单", "蓝", "督提〔{year}〕{n}号"), ("督办单", "橙", "督督〔{year}〕{n}号"),
        ("通报批评", "红", "督批〔{year}〕{n}号"), ("问责移交", "红", "督移〔{year}〕{n}号"))
    referral_to: tuple[str, ...] = ("县纪委监委", "县作风办")
    refer_overdue_days: int = 30
    refer_red_months: int = 3
    refer_ignored: int = 2
    quarter_weights: tuple[float, ...] = (0.25, 0.25, 0.25, 0.25)  # 年度赛马: 四个季度的权重
    # 表格导入限制: rows, columns, cells, merged cells, MB unzipped — checked before any grid is built
    sheet_limits: tuple[int, int, int, int, int] = (20_000, 200, 150_000, 10_000, 50)


SHEET_LIMIT_KEYS = ("最大行数", "最大列数", "单元格数", "合并单元格数", "解压后大小MB")  # in Rules.sheet_limits order
SCORING_KEYS = {"按期办结权重": "weight_on_time", "序时达标权重": "weight_schedule", "按期报告权重": "weight_report",
                "超期扣分": "deduct_overdue", "红灯扣分": "deduct_red"}


def _days(items: Any, path: Path, what: str) -> tuple[str, ...]:
    """ISO dates from a list of dates and ranges (2022-01-31..2022-02-06)."""
    from datetime import date, timedelta

    out: list[str] = []
    for item in items or []:
        a, _, b = str(item).partition("..")
        try:
            first, last = date.fromisoformat(a.strip()), date.fromisoformat((b or a).strip())
        except ValueError:
            raise SchemaError(t("err.schema", detail=f"{path}: {what} {item}"), "日期写成 2022-10-01,连续几天写成 "
                              "2022-10-01..2022-10-07", path=str(path)) from None
        out += [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    return tuple(sorted(set(out)))


@dataclass
class Workspace:
    root: Path
    ledgers: dict[str, LedgerDef]  # by key, in file-name order
    units: dict[str, str]  # name → group (乡镇 / 县直部门)
    leaders: tuple[str, ...]
    rules: Rules
    schema_hash: str = ""  # of every file under schemas/ that changes what a matter means
    task_forces: tuple[TaskForce, ...] = ()  # empty: the workspace keeps no registry, 专班 is free text

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


def read_schema(path: Path) -> Any:
    """A schemas/ file parsed by the fast reader; any problem stops the command (SchemaError, exit 2)."""
    from .yamlio import YamlProblem, fast_load

    data = _schema_bytes(path)
    try:
        return fast_load(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, YamlProblem, Exception) as e:  # noqa: BLE001
        raise SchemaError(t("err.schema", detail=f"{path}: {e}"), t("hint.schema"), path=str(path)) from None


def _schema_bytes(path: Path) -> bytes:
    """A schemas/ file's bytes; a link (or a file in a linked folder) is refused with E114 before anything is
    read — a link to /dev/zero or ~/.gitconfig must not be read, not even to compute the cache key — and so is
    a file above the matter-file size limit (E100)."""
    from .filecheck import linked
    from .yamlio import MAX_FILE_BYTES

    rel = "/".join(path.parts[-3:] if path.parent.name == "ledgers" else path.parts[-2:])
    if linked(path, rel):
        raise SchemaError(t("err.schema", detail=f"{rel}: 是符号链接(或在链接的文件夹中),已拒绝读取"),
                          "schemas/ 中的文件必须是普通文件;请删除链接,把文件本身放进来", code="E114", path=rel)
    try:
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            return path.read_bytes()
    except OSError as e:
        raise SchemaError(t("err.schema", detail=f"{rel}: {e.strerror or e}"), t("hint.schema"), code="E104",
                          path=rel) from None
    raise SchemaError(t("err.schema", detail=f"{rel}: 文件有 {size} 字节,超过 {MAX_FILE_BYTES} 字节的上限"),
                      "schemas/ 中的文件应是几 KB 的配置;请检查是否误放了别的文件", code="E100", path=rel)


def _need(cond: bool, path: Path, detail: str) -> None:
    if not cond:
        raise SchemaError(t("err.schema", detail=f"{path}: {detail}"), t("hint.schema"), path=str(path))


def load_rules(path: Path) -> Rules:
    data = read_schema(path) or {}
    _need(isinstance(data, dict), path, "应为字段")
    lights = data.get("灯") or {}
    names = {k: str(v.get("名称", k)) for k, v in lights.items() if isinstance(v, dict)}
    colors = {k: str(v.get("颜色", "")) for k, v in lights.items() if isinstance(v, dict)}
    race = data.get("赛马") or {}
    notice = data.get("通报") or {}
    urge = data.get("督办通知") or {}
    research = data.get("一线调研") or {}
    calendar = data.get("工作日历") or {}
    escalation = data.get("督导问责") or {}
    refer = escalation.get("问责移交条件") or {}
    limits = data.get("表格导入限制") or {}
    try:
        quotas = {str(k): (int(v["每周次数"]), int(v["全年天数"])) for k, v in (research.get("定额") or {}).items()}
        ladder = tuple((str(x["名称"]), str(x.get("颜色", "")), str(x["文号格式"])) for x in escalation.get("阶梯") or [])
        weights = tuple(float(x) for x in race.get("年度季度权重") or Rules.quarter_weights)
        _need(len(weights) == 4, path, "赛马.年度季度权重 应为四个数(一至四季度)")
        return Rules(
            due_soon_days=int(data.get("临期天数", 7)),
            yellow_lag=float(data.get("黄灯滞后", 10)),
            red_lag=float(data.get("红灯滞后", 30)),
            grace_days=int(data.get("报告宽限天数", 10)),
            light_names=names,
            light_colors=colors,
            weight_on_time=float(race.get("按期办结权重", 40)),
            weight_schedule=float(race.get("序时达标权重", 30)),
            weight_report=float(race.get("按期报告权重", 30)),
            deduct_overdue=float(race.get("超期扣分", 2)),
            deduct_red=float(race.get("红灯扣分", 1)),
            red_list=int(race.get("红榜名额", 3)),
            black_list=int(race.get("黑榜名额", 3)),
            office=str(notice.get("发文机关", Rules.office)),
            number_format=str(notice.get("文号格式", Rules.number_format)),
            notice_format=str(urge.get("文号格式", Rules.notice_format)),
            reply_days=int(urge.get("回复天数", Rules.reply_days)),
            research_quotas=quotas or Rules().research_quotas,
            research_week_max=int(research.get("每周最多天数", Rules.research_week_max)),
            holidays=_days(calendar.get("节假日"), path, "节假日"),
            workdays=_days(calendar.get("调休上班"), path, "调休上班"),
            ladder=ladder or Rules.ladder,
            referral_to=tuple(str(x) for x in escalation.get("移交单位") or Rules.referral_to),
            refer_overdue_days=int(refer.get("超期天数", Rules.refer_overdue_days)),
            refer_red_months=int(refer.get("连续红灯月数", Rules.refer_red_months)),
            refer_ignored=int(refer.get("未回复通知数", Rules.refer_ignored)),
            quarter_weights=weights,
            sheet_limits=tuple(int(limits.get(k, d)) for k, d in zip(  # type: ignore[arg-type]
                SHEET_LIMIT_KEYS, Rules.sheet_limits, strict=True)),
        )
    except (TypeError, ValueError, KeyError) as e:
        raise SchemaError(t("err.schema", detail=f"{path}: {e}"), t("hint.schema")) from None


def load_ledger(path: Path) -> LedgerDef:
    d = read_schema(path)
    _need(isinstance(d, dict), path, "应为字段")
    for k in ("键", "前缀", "名称"):
        _need(isinstance(d.get(k), str) and bool(d.get(k)), path, f"缺少 {k}")
    cycle = d.get("报告周期", "季")
    _need(cycle in CYCLES, path, f"报告周期 {cycle}")
    fields = []
    for f in d.get("扩展字段") or []:
        _need(isinstance(f, dict) and bool(f.get("名称")) and bool(f.get("键")), path, f"扩展字段 {f}")
        ftype = f.get("类型", "文本")
        _need(ftype in FIELD_TYPES, path, f"扩展字段类型 {ftype}")
        fields.append(FieldDef(str(f["名称"]), str(f["键"]), ftype, bool(f.get("必填")), bool(f.get("敏感"))))
    return LedgerDef(
        key=d["键"],
        prefix=d["前缀"],
        name=d["名称"],
        unit=str(d.get("主管单位", "")),
        cycle=cycle,
        fields=tuple(fields),
        maintainers=tuple(str(x) for x in d.get("维护人") or []),
        order=int(d.get("顺序", 99)),
        scoring=_scoring(d.get("赛马"), path),
    )


def _scoring(race: Any, path: Path) -> tuple[tuple[str, float], ...]:
    """A ledger's own 赛马 rules: the keys of rules.yaml's 赛马 it overrides."""
    if not race:
        return ()
    _need(isinstance(race, dict), path, "赛马 应为字段")
    out = []
    for k, v in race.items():
        _need(k in SCORING_KEYS, path, f"赛马 不支持 {k}(可用:{'、'.join(SCORING_KEYS)})")
        _need(isinstance(v, (int, float)) and not isinstance(v, bool), path, f"赛马.{k} 应为数字")
        out.append((SCORING_KEYS[k], float(v)))
    return tuple(out)


def load(root: Path) -> Workspace:
    """The workspace's schemas, parsed once and then served from ``.yilan/cache/schemas.bin``."""
    import hashlib

    from . import __version__

    files = schema_files(root)
    h = hashlib.sha256(f"{__version__}|{SCHEMA_CACHE_FORMAT}".encode())
    for p in files:
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + _schema_bytes(p) + b"\0")
    key = h.hexdigest()
    cached = _read_schema_cache(root, key)
    if cached is not None:
        return cached
    ws = _parse(root)
    ws.schema_hash = key
    _write_schema_cache(root, key, ws)
    return ws


SCHEMA_CACHE = Path(".yilan") / "cache" / "schemas.bin"
SCHEMA_CACHE_FORMAT = 8  # 8: 表格导入限制 gained 单元格数


def _read_schema_cache(root: Path, key: str) -> Workspace | None:
    import marshal

    try:
        doc = marshal.loads((root / SCHEMA_CACHE).read_bytes())
        if doc[0] != key:
            return None
        _, ledgers, units, leaders, rules, _forces = doc
        return Workspace(
            root,
            {lg[0]: LedgerDef(lg[0], lg[1], lg[2], lg[3], lg[4], tuple(FieldDef(*f) for f in lg[5]), lg[6], lg[7],
                                tuple(tuple(x) for x in lg[8])) for lg in ledgers},
            dict(units),
            tuple(leaders),
            Rules(*rules),
            key,
            tuple(TaskForce(tf[0], tf[1], tf[2], tf[3], tuple(tf[4])) for tf in doc[5]),
        )
    except Exception:  # noqa: BLE001 - missing, corrupt or from another version: parse again
        return None


def _write_schema_cache(root: Path, key: str, ws: Workspace) -> None:
    import marshal
    import os

    ledgers = tuple(
        (lg.key, lg.prefix, lg.name, lg.unit, lg.cycle,
         tuple((f.name, f.key, f.type, f.required, f.sensitive) for f in lg.fields), lg.maintainers, lg.order,
         lg.scoring)
        for lg in ws.ledgers.values()
    )
    r = ws.rules
    rules = tuple(getattr(r, f.name) for f in fields(Rules))
    path = root / SCHEMA_CACHE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        forces = tuple((tf.id, tf.name, tf.level, tf.leader, tf.members) for tf in ws.task_forces)
        tmp.write_bytes(marshal.dumps((key, ledgers, tuple(ws.units.items()), ws.leaders, rules, forces)))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only workspace works without a cache


def _parse(root: Path) -> Workspace:
    schemas = root / "schemas"
    ledgers: dict[str, LedgerDef] = {}
    ldir = schemas / "ledgers"
    loaded = []
    for p in sorted(ldir.glob("*.yaml")) if ldir.is_dir() else []:
        lg = load_ledger(p)
        _need(lg.key == p.stem, p, f"键 {lg.key} 应与文件名 {p.stem} 一致")
        loaded.append(lg)
    for lg in sorted(loaded, key=lambda x: (x.order, x.key)):
        ledgers[lg.key] = lg
    units_doc = read_schema(schemas / "units.yaml") if (schemas / "units.yaml").is_file() else {}
    units: dict[str, str] = {}
    for group in units_doc.get("单位") or []:
        for name in group.get("成员") or []:
            units[str(name)] = str(group.get("分组", ""))
    leaders = tuple(str(x) for x in units_doc.get("领导职务") or [])
    forces = []
    tf_path = schemas / "taskforces.yaml"
    for item in (read_schema(tf_path) or []) if tf_path.is_file() else []:
        _need(isinstance(item, dict) and bool(item.get("id")) and bool(item.get("名称")), tf_path, f"专班 {item}")
        forces.append(TaskForce(str(item["id"]), str(item["名称"]), str(item.get("级别", "县级")),
                                str(item.get("牵头领导", "")), tuple(str(u) for u in item.get("成员单位") or [])))
    return Workspace(root, ledgers, units, leaders, load_rules(schemas / "rules.yaml"), task_forces=tuple(forces))


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
