"""What each write command does to a matter, on the round-trip tree. No I/O, no git.

Each edit returns the commit subject's summary (e.g. ``进度 40% → 70%``). The caller renders the
tree, validates the text through the same pipeline as every read, and only then writes it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .models import CLOSED_STATES, ID_RE, Matter, known_keys
from .records import figure_text
from .yamlio import canonical, flow_map, flow_seq

if TYPE_CHECKING:
    from .workspace import LedgerDef, Workspace


def key_order(ledger: LedgerDef | None) -> list[str]:
    """Canonical key order: the core fields, the ledger's extra fields, then the lists."""
    keys = known_keys(Matter)
    cut = keys.index("量化指标")
    extra = [f.name for f in ledger.fields] if ledger else []
    return keys[:cut] + extra + keys[cut:]


def read_last_id(text: str | None, rel: str) -> int:
    """The number in ``ledgers/<key>/.last-id`` (0 when absent or empty); a corrupt one is refused."""
    value = (text or "").strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= 6):  # 编号 has at most six digits (records.ID_RE)
        raise UsageError(f"{rel} 的内容不是编号数字(最多六位):{value[:20]!r}",
                         f"该文件只记一个数字:本台账发出过的最大编号。用 git log -p -- {rel} 查看原来的值并改回", code="E317")
    return int(value)


def next_id(ledger: LedgerDef, issued: int, present: list[str]) -> str:
    """One past the highest number ever issued (the committed record) or present in the folder."""
    numbers = [issued]
    for name in present:
        m = ID_RE.match(name)
        if m and m.group(1) == ledger.prefix:
            numbers.append(int(m.group(2)))
    return f"{ledger.prefix}-{max(numbers) + 1:03d}"


# the command-line option that sets each core field, for ``--set 专班=…`` (which is not an extension field)
CORE_OPTIONS = {"事项": "--title", "任务来源": "--source", "目标要求": "--target", "牵头领导": "--leader",
                "牵头单位": "--lead-unit", "配合单位": "--co-unit", "责任人": "--owner", "专班": "--task-force",
                "交办日期": "--assigned", "完成时限": "--deadline", "报告周期": "--cycle", "量化指标": "--indicator",
                "节点": "--milestone", "标签": "--tag"}
# core fields no option of add or edit sets: the command that records each
CORE_COMMANDS = {"编号": "编号由 yilan add 自动分配，不能指定", "状态": "状态由 yilan update、close、signoff 记录",
                 "办结日期": "办结日期由 yilan close 记录", "延期": "延期用 yilan extend 记录",
                 "销号": "销号用 yilan signoff 记录", "进展": "进展用 yilan update 记录",
                 "备注": "备注没有命令行选项"}


_LATER = {"交办日期": "已有事项的交办日期不能更正", "完成时限": "已有事项延期用 yilan extend 记录",
          "量化指标": "已有事项用 yilan edit ID --add-indicator … --reason 理由 增加",
          "节点": "已有事项用 yilan edit ID --add-milestone … --reason 理由 增加"}


def task_force_name(ws: Workspace, text: str) -> str:
    """``--task-force`` as typed (a registered id such as TF04, or a name) → the name written in 专班.

    An id is read as a matter ID is (lookup.id_parts: tf1, TF-1, full-width → TF01); part of one registered
    name is that task force (陨石坑 → 陨石坑开发项目工作专班). Without a registry
    (schemas/taskforces.yaml absent or empty) 专班 is free text and is written as typed. Unknown: E316 with
    the closest registered name."""
    import difflib

    typed = text.strip()
    if not ws.task_forces:
        return typed
    from .lookup import id_parts, plain

    typed = plain(typed)
    tf = ws.task_force(typed) or ws.task_force(typed.upper())
    if tf is None and id_parts(typed) is not None:  # tf1, TF-1, ＴＦ０１ → TF01
        tf = next((x for x in ws.task_forces if id_parts(x.id) == id_parts(typed)), None)
    if tf is not None:
        return tf.name
    part = [x for x in ws.task_forces if typed and typed in x.name]  # 陨石坑 → 陨石坑开发项目工作专班
    if len(part) == 1:
        return part[0].name
    names = {x.id: f"{x.id} {x.name}" for x in ws.task_forces} | {x.name: f"{x.id} {x.name}" for x in ws.task_forces}
    close = difflib.get_close_matches(typed, list(names), n=1, cutoff=0.4)
    hint = f"您是否想写 {names[close[0]]}？" if close else f"已登记的专班：{'、'.join(dict.fromkeys(names.values()))}"
    raise UsageError(f"没有这个专班：{typed}", hint, code="E316")


def indicator_item(name: str, text: str, since: date | None = None) -> Any:
    """``--indicator``/``--add-indicator`` 名称=目标[单位][:类型] as a 量化指标 entry (flow map).

    ``text`` is what follows ``=``: a number, then the unit (户, 万亩, %), then optionally ``:类型`` (or
    ``：类型``) with 类型 one of indicators.KINDS — 数量 is the default and is not written. Examples:
    ``1200户`` → {名称, 单位: 户, 目标: 1200}; ``6.5%:增速`` → {名称, 单位: "%", 目标: 6.5, 类型: 增速}.
    Not a number first: E212; an unknown 类型: E329; a 目标 its 类型 cannot take: E216. ``since``: the
    设立日期 of an indicator set after 交办 (it exists in views from that day on, asof.matter_at).
    """
    from .indicators import KINDS, QUANTITY, RATES, figure_error, parse_figure

    name = one_line(name)
    body, kind = text.replace("：", ":"), QUANTITY
    if ":" in body:
        body, _, kind = body.rpartition(":")
        kind = kind.strip()
        if not kind:
            raise UsageError(f"指标 {name} 的类型没有写：{text}", f"冒号后写类型（{'、'.join(KINDS)}），或去掉冒号即为数量",
                             code="E329")
        if kind not in KINDS:
            raise UsageError(f"指标 {name} 的类型不对：{kind}", f"类型为{'、'.join(KINDS)}之一，例如 {name}=6.5%:增速",
                             code="E329")
    figure = parse_figure(body)
    if figure is None:
        raise UsageError(f"指标目标不是数字：{name}={text}",
                         "写成 名称=目标[单位]，例如 户厕改造=1200户 或 2,000户（不用科学记数法）", code="E212")
    number, unit = figure
    unit = "".join(unit.split())  # 万 元 → 万元
    if kind in RATES and unit not in ("", "%"):
        raise UsageError(f"指标 {name} 是{kind}，目标应为百分数：{text}",
                         f"例如 {name}=6.5%:{kind}；按户、吨等计的指标用数量类型", code="E216")
    why = figure_error(kind, number, target=True)
    if why:
        raise UsageError(f"指标 {name} 的目标不对：{text}（{why}）", "核对目标值；增长率类指标写 名称=目标%:增速", code="E216")
    data: dict[str, Any] = {"名称": name}
    if unit:
        data["单位"] = unit
    data["目标"] = int(number) if number.is_integer() else number
    if kind != QUANTITY:
        data["类型"] = kind
    if since is not None:
        data["设立日期"] = since.isoformat()
    return flow_map(data)


def milestone_item(name: str, deadline: date, since: date | None = None) -> Any:
    """A 节点 entry: {名称, 时限[, 设立日期]} (完成日期 is recorded later by ``update --milestone``); ``since`` for a
    milestone set after 交办 (it exists in views from that day on, asof.matter_at)."""
    data = {"名称": name, "时限": deadline.isoformat()}
    if since is not None:
        data["设立日期"] = since.isoformat()
    return flow_map(data)


def add_items(tree: Any, indicators: list[Any], milestones: list[Any]) -> list[str]:
    """Append new 量化指标 and 节点 entries (a name already there is refused by validation, E325).
    Returns the summary words, one per entry (新增量化指标 户厕改造（目标1200户）). A 节点 时限 before the day it
    is set (交办日期 or 设立日期) or after a dated 完成时限 is refused (E337); an entry set on a day before the
    matter's last 进展 is refused (E307): facts are appended in date order, never slipped into past views."""
    from ruamel.yaml.comments import CommentedSeq

    moved = [e for e in tree.get("延期") or [] if isinstance(e, dict) and e.get("新时限")]
    assigned = str(tree.get("交办日期") or "")
    due = str(moved[-1]["新时限"] if moved else tree.get("完成时限") or "")  # the deadline in force (last 延期)
    entries = [e for e in tree.get("进展") or [] if isinstance(e, dict)]
    last = str(entries[-1].get("日期")) if entries else ""
    for item in [*indicators, *milestones]:
        since = str(item.get("设立日期") or assigned)
        if last and since < last:
            what = "节点" if "时限" in item else "量化指标"
            raise UsageError(f"新增的{what} {item['名称']} 设立日期{since}早于最后一条进展的日期{last}",
                             "新增的指标、节点自设立之日起计入，不能改变此前的通报；请核对 --date", code="E307")
    for item in milestones:
        since, when = str(item.get("设立日期") or assigned), str(item["时限"])
        if when < since or (len(due) == 10 and due[4] == "-" and when > due):
            raise UsageError(f"节点 {item['名称']} 的时限{when}不在{'设立' if '设立日期' in item else '交办'}日期{since}"
                             f"与完成时限{due}之间", "核对节点时限；不写年份的日期取设立之日后最近的一天", code="E337")
    words = []
    for part, items, anchors in (("量化指标", indicators, ("办结日期", "状态")),
                                 ("节点", milestones, ("量化指标", "办结日期", "状态"))):
        if not items:
            continue
        if tree.get(part) is None:
            set_after(tree, part, CommentedSeq(), *anchors)
        for item in items:
            tree[part].append(item)
            if part == "节点":
                words.append(f"新增节点 {item['名称']}（时限{item['时限']}）")
            else:
                kind = f"，{item['类型']}" if "类型" in item else ""
                words.append(f"新增量化指标 {item['名称']}（目标{figure_text(item['目标'])}{item.get('单位', '')}{kind}）")
    return words


def one_line(text: str | None) -> str:
    """A single-line field (事项, 任务来源, 单位, 责任人, 领导, 标签) as written: every run of blanks, line breaks
    included, becomes one space and the ends are trimmed — a pasted line break never splits a table row."""
    return " ".join((text or "").split())


def _lead_not_co(tree: Any) -> None:
    """The 牵头单位 is not also a 配合单位 (E336): it would be counted twice in the unit tables."""
    lead, co = tree.get("牵头单位"), list(tree.get("配合单位") or [])
    if lead in co:
        raise UsageError(f"{lead} 是牵头单位，不必再列为配合单位", "配合单位只写牵头单位以外的单位", code="E336")


def new_matter(ws: Workspace, ledger: LedgerDef, matter_id: str, *, title: str, lead_unit: str, deadline: str,
               assigned: date, leaders: list[str], co_units: list[str], source: str | None, target: str | None,
               owner: str | None, cycle: str | None, tags: list[str], extra: dict[str, str],
               task_force: str | None = None, indicators: list[Any] | None = None,
               milestones: list[Any] | None = None, parent: str | None = None) -> Any:
    """A new matter's tree (canonical key order). Single-line fields pass through :func:`one_line`; 目标要求
    keeps its lines; ``parent`` is the 上级编号 (the city assignment it answers, ``assignments pull``). The
    lead unit repeated as 配合单位: E336."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def listed(items: list[str]) -> list[str]:
        return list(dict.fromkeys(x for x in map(one_line, items) if x))

    data: dict[str, Any] = {"编号": matter_id, "事项": one_line(title)}
    if one_line(source):
        data["任务来源"] = one_line(source)
    if parent:
        data["上级编号"] = parent
    if target and target.strip():
        data["目标要求"] = target.strip()
    if listed(leaders):
        data["牵头领导"] = flow_seq(listed(leaders))
    data["牵头单位"] = one_line(lead_unit)
    if listed(co_units):
        data["配合单位"] = flow_seq(listed(co_units))
    if one_line(owner):
        data["责任人"] = one_line(owner)
    if task_force:
        data["专班"] = task_force
    data["交办日期"] = assigned.isoformat()
    data["完成时限"] = deadline
    if cycle:
        data["报告周期"] = cycle
    data["状态"] = "未启动"
    data.update(_extra_values(ledger, extra))
    if indicators:
        data["量化指标"] = CommentedSeq(indicators)
    if milestones:
        data["节点"] = CommentedSeq(milestones)
    if listed(tags):
        data["标签"] = flow_seq(listed(tags))
    _lead_not_co(data)
    return canonical(CommentedMap(data), key_order(ledger))


def _extra_values(ledger: LedgerDef, extra: dict[str, str], *, editing: bool = False) -> dict[str, Any]:
    """``--set KEY=VALUE`` by Chinese name or ASCII key, typed by the ledger's declaration. A core field is
    refused (E201) naming the option of the command at hand that sets it (``editing``: ``yilan edit``)."""
    out: dict[str, Any] = {}
    for key, raw in extra.items():
        field = next((f for f in ledger.fields if key in (f.name, f.key)), None)
        if field is None and key in CORE_OPTIONS:
            option = CORE_OPTIONS[key]
            hint = (_LATER.get(key) or f"用 {option} 更正{key}") if editing else (
                f"用 {option} 设置{key}；" + _LATER.get(key, f"已有事项的{key}用 yilan edit ID {option} … --reason 理由 更正"))
            raise UsageError(f"{key} 是事项的基本字段，不用 --set 设置", hint, code="E201")
        if field is None and key in CORE_COMMANDS:
            raise UsageError(f"{key} 是事项的基本字段，不用 --set 设置", CORE_COMMANDS[key], code="E201")
        if field is None:
            names = "、".join(f"{f.name}({f.key})" for f in ledger.fields) or "无"
            raise UsageError(f"台账 {ledger.name} 没有字段 {key}", f"可设置的字段:{names}", code="E201")
        value: Any = raw
        if field.type == "整数" and re.fullmatch(r"-?\d+", raw):
            value = int(raw)
        elif field.type == "数值" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
            value = float(raw) if "." in raw else int(raw)
        elif field.type == "是否":
            value = raw in ("是", "true", "1", "yes")
        elif field.type == "列表":
            value = flow_seq([x.strip() for x in re.split(r"[,，、]", raw) if x.strip()])
        out[field.name] = value
    return out


def _entry(d: date, **fields: Any) -> Any:
    data: dict[str, Any] = {"日期": d.isoformat()}
    names = {"progress": "进度", "indicators": "指标", "state": "状态", "note": "情况", "problem": "存在问题",
             "next_steps": "下步措施", "reporter": "报告人", "reported_on": "报送日期"}
    for k, v in fields.items():
        if v is not None and v != "":
            data[names[k]] = v.isoformat() if isinstance(v, date) else v
    return flow_map(data)


def _values(indicators: dict[str, float]) -> Any:
    """``{名称: 值}`` as the entry's 指标 (whole numbers written without ``.0``), or None when empty."""
    if not indicators:
        return None
    return flow_map({name: int(v) if float(v).is_integer() else v for name, v in indicators.items()})


def legacy_into_entries(tree: Any, m: Matter) -> None:
    """Move each old-format 量化指标[].完成 into the 指标 of the last 进展 entry by date (docs/time.md).

    That is the date the undated value already counts from (asof.legacy_day), so no view at any date changes;
    every write that appends an entry does this first, because the new entry would otherwise move the old
    value's date to its own. When an entry of that day already records the indicator, the old value was
    overridden the day it began to count and no view ever showed it: 完成 is dropped. A matter without
    entries keeps 完成 (it counts from 交办日期). ``yilan fmt --migrate`` (migrate.py) does better from git.
    """
    from .asof import legacy_day

    entries = tree.get("进展") or []
    if not entries:
        return
    last_day = legacy_day(m)
    same_day = [i for i, u in enumerate(m.updates) if u.date == last_day]
    for item in tree.get("量化指标") or []:
        if not isinstance(item, dict) or item.get("完成") is None:
            continue
        name = str(item["名称"]).strip()
        if not any(name in m.updates[i].indicators for i in same_day):
            own = entries[same_day[-1]].get("指标")
            if own is None:
                set_after(entries[same_day[-1]], "指标", flow_map({name: item["完成"]}), "进度", "日期")
            else:
                own[name] = item["完成"]
        del item["完成"]


def _append_entry(tree: Any, m: Matter, entry: Any) -> None:
    """Append ``entry`` to 进展, after dating any old-format 完成 by the entry it counted from."""
    from ruamel.yaml.comments import CommentedSeq

    legacy_into_entries(tree, m)
    if "进展" not in tree or tree["进展"] is None:
        tree["进展"] = CommentedSeq()
    tree["进展"].append(entry)


def _check_entry_date(m: Matter, d: date) -> None:
    if d < m.assigned:
        raise UsageError(f"日期 {d} 早于交办日期 {m.assigned}", "请核对 --date", code="E312")
    if m.updates and d < m.updates[-1].date:
        raise UsageError(f"日期 {d} 早于最后一条进展的日期 {m.updates[-1].date}",
                         "进展只能按日期顺序追加;补记更早的情况请写在 --note 里", code="E307")


def _state_after_entry(m: Matter) -> str:
    return "推进中" if m.state == "未启动" else m.state


def update(tree: Any, m: Matter, d: date, *, progress: int | None, note: str | None, problem: str | None,
           next_steps: str | None, indicators: dict[str, float], milestones: dict[str, date], state: str | None,
           reporter: str | None, reported_on: date | None = None, new_indicators: list[Any] | None = None,
           new_milestones: list[Any] | None = None, units: dict[str, str] | None = None) -> str:
    """Append one 进展 entry (and set indicator/milestone values). Returns the change summary.

    ``new_indicators``/``new_milestones`` (indicator_item, milestone_item) are added to 量化指标/节点 first, so
    the same update may report a value of one; when they are all the update carries, no 进展 entry is
    appended and 状态 stays as it is (adding a target is not progress). ``units``: the unit typed after an
    indicator's value (``--indicator 户厕改造=800户``), which must be the indicator's 单位 (E215); a value
    its 类型 cannot take (a negative 数量) is refused (E216, indicators.figure_error)."""
    only_added = progress is None and not indicators and not milestones and state is None \
        and not any((x or "").strip() for x in (note, problem, next_steps))
    refuse_withdrawn(m, "记录进展")
    _check_entry_date(m, d)  # an indicator or milestone added alone is set on d: the same order as entries
    if m.state in CLOSED_STATES and state != "推进中":
        raise UsageError(f"{m.id} 状态为{m.state},不能再记录进展", "如需重新督办,请加 --status 推进中", code="E308")
    added = add_items(tree, new_indicators or [], new_milestones or [])
    if only_added and added:
        return ",".join(added)
    if state is not None and state not in ("推进中", "中止"):
        raise UsageError(f"update 不能把状态改为 {state}", "办结用 yilan close,销号用 yilan signoff", code="E207")
    changes = list(added)
    if progress is not None and progress < _progress_now(m) and not (note or "").strip():
        raise UsageError(f"进度 {progress}% 低于上次的 {_progress_now(m)}%(进度回调)", "进度回调须在 --note 中说明原因",
                         code="E321")
    if progress is not None:
        changes.append(f"进度 {_progress_now(m)}% → {progress}%" + ("(进度回调)" if progress < _progress_now(m) else ""))
    new_state: str
    transition: str | None
    # a milestone marked met is recorded in 节点 alone: no empty 进展 line, no state change (issue 21)
    marks_only = progress is None and not indicators and state is None \
        and not any((x or "").strip() for x in (note, problem, next_steps))
    if state is None:
        new_state, transition = ("推进中" if m.state == "未启动" and not marks_only else m.state), None
    else:
        new_state, transition = state, (state if state != m.state else None)
    if new_state != m.state:
        changes.append(f"状态 {m.state} → {new_state}")
    if indicators:
        from .asof import indicator_at, observations

        observed = observations(m)
        for name, value in indicators.items():
            _check_value(_find(tree.get("量化指标") or [], name, "量化指标"), value, (units or {}).get(name, ""))
            changes.append(f"{name} {figure_text(indicator_at(observed.get(name, ()), d.toordinal()))} → {figure_text(value)}")
    for name, when in milestones.items():
        item = _find(tree.get("节点") or [], name, "节点")
        done = str(item.get("完成日期") or "")
        if item.get("设立日期") and when.isoformat() < str(item["设立日期"]):
            raise UsageError(f"节点 {name} 自 {item['设立日期']} 设立，完成日期 {when} 不能早于它", "核对完成日期",
                             code="E339")
        if done and done != when.isoformat():
            raise UsageError(f"节点 {name} 已记录于 {done} 完成,不能改为 {when}",
                             "已记录的完成日期不能改动(yilan audit 会视为篡改);确有错误请在 --note 中说明并报督查室处理",
                             code="E319")
        item["完成日期"] = when.isoformat()
        changes.append(f"节点 {name} 完成")
    if not marks_only:
        _append_entry(tree, m, _entry(d, progress=progress, indicators=_values(indicators), state=transition,
                                      note=note, problem=problem, next_steps=next_steps, reporter=reporter,
                                      reported_on=reported_on))
    tree["状态"] = new_state
    if new_state not in ("阶段性办结", "已办结", "已销号") and "办结日期" in tree:
        del tree["办结日期"]  # reopened: no closing date in force
    return ",".join(changes) or "记录进展"


def close(tree: Any, m: Matter, d: date, *, note: str | None, stage: bool, reporter: str | None) -> str:
    refuse_withdrawn(m, "办结")
    _check_entry_date(m, d)
    if m.state in CLOSED_STATES:
        raise UsageError(f"{m.id} 已是{m.state}", "无需再次办结", code="E308")
    if m.state == "中止":
        raise UsageError(f"{m.id} 已中止", "先用 yilan update --status 推进中 恢复督办,再办结", code="E308")
    state = "阶段性办结" if stage else "已办结"
    _append_entry(tree, m, _entry(d, progress=None if stage else 100, state=state, note=note, reporter=reporter))
    tree["状态"] = state
    set_after(tree, "办结日期", d.isoformat(), "状态")
    return f"{m.state} → {state}" + ("" if stage else f",进度 {_progress_now(m)}% → 100%")


def signoff(tree: Any, m: Matter, d: date, *, reviewer: str, approver: str, evidence: list[str]) -> str:
    refuse_withdrawn(m, "销号")
    if m.state != "已办结":
        raise UsageError(f"{m.id} 当前状态为{m.state},只有已办结的事项才能销号", "先用 yilan close 办结", code="E308")
    _check_entry_date(m, d)
    set_after(tree, "销号", flow_map({"日期": d.isoformat(), "审核人": reviewer, "批准人": approver,
                                      "佐证材料": flow_seq(evidence)}), "延期", "节点", "量化指标", "办结日期")
    _append_entry(tree, m, _entry(d, state="已销号", note=f"经{reviewer}审核、{approver}批准销号"))
    tree["状态"] = "已销号"
    return "已办结 → 已销号"


def extend(tree: Any, m: Matter, *, to: date, reason: str, applied: date, approver: str | None,
           approved: date | None, current: date | None) -> str:
    refuse_withdrawn(m, "延期")
    if m.state in CLOSED_STATES or m.state == "中止":
        raise UsageError(f"{m.id} 状态为{m.state},不能延期", "只有在办事项可以延期", code="E308")
    if to < m.assigned or (current is not None and to <= current):
        raise UsageError(f"新时限 {to} 不晚于现在的完成时限 {current or m.deadline}", "延期的新时限应晚于原时限", code="E306")
    if approved is not None and approved < applied:
        raise UsageError(f"批准日期 {approved} 早于申请日期 {applied}", "请核对 --approved-on", code="E314")
    from ruamel.yaml.comments import CommentedSeq

    item: dict[str, Any] = {"申请日期": applied.isoformat(), "新时限": to.isoformat(), "理由": reason}
    if approver:
        item["批准人"] = approver
    if approved:
        item["批准日期"] = approved.isoformat()
    if "延期" not in tree or tree["延期"] is None:
        set_after(tree, "延期", CommentedSeq(), "节点", "量化指标", "办结日期", "状态")
    tree["延期"].append(flow_map(item))
    before = current.isoformat() if current else str(m.deadline)
    return f"完成时限 {before} → {to}"


def withdrawn_since(m: Matter) -> date | None:
    """The date of the matter's 撤销 not yet followed by a 恢复 (the file as it stands), or None."""
    if len(m.withdrawals) > len(m.reinstatements):
        return m.withdrawals[-1].date
    return None


def refuse_withdrawn(m: Matter, what: str) -> None:
    """A withdrawn matter takes no other record until it is reinstated (E341)."""
    since = withdrawn_since(m)
    if since is not None:
        raise UsageError(f"{m.id} 已于{since}撤销，不能{what}",
                         f"如确需继续督办，先用 yilan reinstate {m.id} --reason 理由 恢复，再{what}", code="E341")


def withdraw(tree: Any, m: Matter, d: date, *, reason: str, approver: str) -> str:
    """Append a 撤销 record {日期, 理由, 批准人} (docs/format.md, 撤销与恢复); the matter is left out of every total
    from ``d`` on. Refused: already withdrawn (E342); 已办结 or 已销号 — a finished matter is counted as done,
    not cancelled (E343); ``d`` before 交办日期 (E312), before the last 进展 entry or before the last 恢复
    (E340) — a withdrawal never hides facts already recorded after it."""
    since = withdrawn_since(m)
    if since is not None:
        raise UsageError(f"{m.id} 已于{since}撤销，不能再次撤销", f"需要恢复督办时用 yilan reinstate {m.id}", code="E342")
    if m.state in CLOSED_STATES:
        raise UsageError(f"{m.id} 状态为{m.state}，已办结的事项不能撤销",
                         "撤销用于误录或经领导决定取消、尚未办结的事项；已办结事项的记载保持不变", code="E343")
    if d < m.assigned:
        raise UsageError(f"撤销日期{d}早于交办日期{m.assigned}", "请核对 --date", code="E312")
    if m.updates and d < m.updates[-1].date:
        raise UsageError(f"撤销日期{d}早于最后一条进展的日期{m.updates[-1].date}",
                         "撤销日期不能早于已记录的进展；请核对 --date（默认今天）", code="E340")
    if m.reinstatements and d < m.reinstatements[-1].date:
        raise UsageError(f"撤销日期{d}早于上次恢复日期{m.reinstatements[-1].date}", "请核对 --date", code="E340")
    _append_record(tree, "撤销", flow_map({"日期": d.isoformat(), "理由": _one(reason, "--reason"),
                                          "批准人": _one(approver, "--approved-by")}))
    return f"自{d}起撤销，{approver.strip()}批准，理由：{reason.strip()}"


def reinstate(tree: Any, m: Matter, d: date, *, reason: str) -> str:
    """Append a 恢复 record {日期, 理由}: the matter counts again from ``d`` on. Refused: not withdrawn (E342),
    ``d`` before the 撤销 it ends (E340)."""
    since = withdrawn_since(m)
    if since is None:
        raise UsageError(f"{m.id} 未撤销，无需恢复", "只有用 yilan withdraw 撤销的事项才能恢复", code="E342")
    if d < since:
        raise UsageError(f"恢复日期{d}早于撤销日期{since}", "请核对 --date", code="E340")
    _append_record(tree, "恢复", flow_map({"日期": d.isoformat(), "理由": _one(reason, "--reason")}))
    return f"自{d}起恢复，理由：{reason.strip()}"


def _one(text: str, option: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise UsageError(f"{option} 不能为空", f"写明{'批准人' if option == '--approved-by' else '理由'}", code="E213")
    return value


def _append_record(tree: Any, key: str, entry: Any) -> None:
    """Append ``entry`` to the record list ``key`` (撤销 or 恢复), creating it in its canonical place: after
    every key the model puts before it, i.e. before the first of the keys that follow it."""
    from ruamel.yaml.comments import CommentedSeq

    if tree.get(key) is None:
        keys = known_keys(Matter)
        later = keys[keys.index(key) + 1:]
        present = list(tree)
        where = next((present.index(k) for k in present if k in later), len(present))
        if key in tree:
            del tree[key]
        tree.insert(where, key, CommentedSeq())
    tree[key].append(entry)


def set_after(tree: Any, key: str, value: Any, *after: str) -> None:
    """Set ``key``; a new key goes right after the first of ``after`` present (canonical place)."""
    if key in tree:
        tree[key] = value
        return
    keys = list(tree)
    for anchor in after:
        if anchor in tree:
            tree.insert(keys.index(anchor) + 1, key, value)
            return
    tree[key] = value


def _find(items: list[Any], name: str, what: str) -> Any:
    import difflib

    for item in items:
        if isinstance(item, dict) and str(item.get("名称")).strip() == name:  # the file's 名称 as the model reads it
            return item
    names = [str(i.get("名称")) for i in items if isinstance(i, dict)]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.4)
    hint = f"您是否想写 {close[0]}?" if close else (f"已有:{'、'.join(names)}" if names else f"该事项没有{what}")
    raise UsageError(f"没有名为 {name} 的{what}", hint, code="E201")


def _check_value(item: Any, value: float, unit: str) -> None:
    """A reported value against its 量化指标 entry ``item``: the unit typed, if any, is the entry's (E215);
    the value is one its 类型 can take (E216)."""
    from .indicators import figure_error

    name, own = str(item.get("名称")), str(item.get("单位") or "").strip()
    if unit and unit != own:
        raise UsageError(f"指标 {name} 的单位是{own or '（无单位）'}，填报的单位是{unit}",
                         f"按{own or '该指标'}的口径填数字，如 --indicator {name}=数值{own}", code="E215")
    why = figure_error(item.get("类型"), value, target=False)
    if why:
        raise UsageError(f"指标 {name} 的完成值不对：{figure_text(value)}（{why}）", "核对填报的数字", code="E216")


def _progress_now(m: Matter) -> int:
    for u in reversed(m.updates):
        if u.progress is not None:
            return u.progress
    return 0



# the fields ``yilan edit`` corrects (docs/writing.md, 更正): Chinese key → whether it holds a list
EDITABLE = {"事项": False, "任务来源": False, "目标要求": False, "牵头领导": True, "牵头单位": False, "配合单位": True,
            "责任人": False, "专班": False, "报告周期": False, "标签": True}


def correct(tree: Any, m: Matter, values: dict[str, Any], *, indicators: list[Any], milestones: list[Any],
            ledger: LedgerDef | None = None, extra: dict[str, str] | None = None) -> str:
    """``yilan edit``: set core fields (``values``: Chinese key of EDITABLE → text, a list for list fields;
    an empty text or list removes an optional field), ledger extension fields (``extra``, as ``--set``) and
    add 量化指标/节点 entries. Records, dates and 状态 are never touched. Returns the summary
    (牵头单位 县水务局 → 县住建局,…); nothing that differs from the file: E334; a 已销号 matter — its record
    was approved as it stands — E343."""
    from .semantic import short

    if m.state == "已销号":
        raise UsageError(f"{m.id} 已销号，记载经审核批准，不能更正",
                         f"确有错误须先重新打开：yilan update {m.id} --status 推进中 --note 原因，更正后再办结、销号",
                         code="E343")
    words = []
    new = dict(values)
    if extra:
        if ledger is None:
            raise UsageError("该事项不在已知台账中，不能设置扩展字段", "检查事项文件所在的文件夹", code="E201")
        new.update(_extra_values(ledger, extra, editing=True))
    order = key_order(ledger)
    for key, value in sorted(new.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        before = tree.get(key)
        empty = value is None or value == "" or value == []
        if empty and key not in tree:
            continue
        plain_before = list(before) if isinstance(before, list) else before
        plain_after = list(value) if isinstance(value, list) else value
        if not empty and plain_before == plain_after:
            continue
        if empty:
            del tree[key]
        else:
            if isinstance(value, list) and not hasattr(value, "fa"):
                value = flow_seq(value)
            if key in tree:
                tree[key] = value
            else:
                ahead = [k for k in order[: order.index(key)] if k in tree] if key in order else []
                set_after(tree, key, value, *reversed(ahead))
        if ledger is not None and any(f.sensitive and key in (f.name, f.key) for f in ledger.fields):
            words.append(f"{key} 已更正（敏感信息，不写入提交说明）")  # the subject goes to the shared server
        else:
            words.append(f"{key} {short(plain_before)} → {short(None if empty else plain_after)}")
    _lead_not_co(tree)
    words += add_items(tree, indicators, milestones)
    if not words:
        raise UsageError(f"{m.id} 没有需要更正的内容：给出的值与现有记载相同",
                         "更正时写新的值，例如 yilan edit ZB-003 --lead-unit 县住建局 --reason 交办时单位写错", code="E334")
    return ",".join(words)
