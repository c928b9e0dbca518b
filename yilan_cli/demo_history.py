"""The demo workspace as a year of history: what ``yilan init --example`` commits.

The demo ledgers (依兰县 2022) are replayed the way the office would have built them, one commit per event,
each dated when it happened and made by whoever would have recorded it:

- the workspace set-up (schemas, templates, CI files, ``.last-id``) on the first day, by 督查室 staff
  (``初始化台账工作区``, ``Yilan-Action: init``);
- each matter added on its 交办日期 by 督查室 staff (``新增 …``, ``add``);
- each 进展 entry appended on its 报送日期 (else its 日期) by the staff of the unit that reported it: ``更新`` for
  progress, a reopening or 中止, ``办结``/``阶段性办结`` for closing, ``销号`` for a sign-off (by 督查室 staff);
- each 延期 added on its 申请日期 by the lead unit's staff, and approved on its 批准日期 by 督查室 staff;
- each 一线调研 visit appended to the person's research file on its date (later only when a matter it names
  was assigned later: ``research add`` accepts only existing matters), by the staff of the person's office;
- one hand edit (no yilan trailer): a 督查室 colleague writes the 备注 of the matters that carry one;
- the 2022 half-year evaluation issued on 2022-07-12 (``印发 …``, ``issue``): ``reports/issued.yaml`` names the
  commit it was made from, so ``yilan diff`` briefs everything since.

Every intermediate version of a file is derived from its final text by dropping what came later — the
entries, 延期 records and approvals, the 销号 record, figures (量化指标 完成) and milestone completions not
reported yet, the 备注 — with 状态 and 办结日期 following the entries kept. The final files are canonical
(``yilan fmt``: one key per line, one flow-style item per line), so this works on their lines: a version is
the final text with lines left out and three kinds of line rewritten (状态, 办结日期, and a flow item that
loses its trailing keys, checked by re-reading it). No YAML is emitted here: ruamel's round-trip costs
~5 ms a file, and ``init --example`` must stay fast; ``tests/test_demo_history.py`` checks that every
version is a valid matter in canonical layout (``dump(positioned_load(v)) == v``). A file that is not laid
out that way is simply committed whole when it first appears.

The subjects and trailers are those the commands write (``txn.Transaction.commit``, ``cli/write.py``,
``cli/research.py``, ``cli/reports.py``). The history is written by one ``git fast-import`` stream into
objects and a temporary ref; :func:`build` returns its tip, which the caller makes HEAD (``Transaction.commit``
with ``adopt``) after writing the same files to the work tree. Nothing depends on the clock, the user or the
machine: the same demo data gives the same commits, hash for hash, every time.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from .records import figure_text
from .terminal import inline

REF = "refs/yilan/example"  # the history while it is built; HEAD takes it over in one update-ref transaction
TZ = timezone(timedelta(hours=8))
DOMAIN = "example.gov.cn"
OFFICE = "县委督查室"
CLERK = (f"{OFFICE} 周敏", f"zhoumin@{DOMAIN}")  # keeps the ledger: set-up, new matters, sign-offs, approvals
COLLEAGUE = (f"{OFFICE} 何静", f"hejing@{DOMAIN}")  # the one hand edit
HAND_EDIT_DAY = date(2022, 7, 6)  # the 备注 written while the half-year evaluation was prepared
HAND_EDIT_SUBJECT = "补记备注:{ids} 未按期报送进展的情况"
ISSUE_DAY = date(2022, 7, 12)
ISSUE_PERIOD = "2022H1"
# staff who record for the units, given out in the order of the units' names (name, mail box)
NAMES = [("李明", "liming"), ("王芳", "wangfang"), ("张伟", "zhangwei"), ("刘洋", "liuyang"), ("陈静", "chenjing"),
         ("杨帆", "yangfan"), ("赵磊", "zhaolei"), ("黄丽", "huangli"), ("吴昊", "wuhao"), ("徐婷", "xuting"),
         ("孙浩", "sunhao"), ("胡军", "hujun"), ("朱琳", "zhulin"), ("高峰", "gaofeng"), ("林涛", "lintao"),
         ("郭亮", "guoliang"), ("马超", "machao"), ("罗敏", "luomin"), ("梁晨", "liangchen"), ("宋佳", "songjia"),
         ("郑凯", "zhengkai"), ("谢娜", "xiena"), ("韩冰", "hanbing"), ("唐宁", "tangning"), ("冯雪", "fengxue"),
         ("于洋", "yuyang"), ("董鹏", "dongpeng"), ("程远", "chengyuan"), ("曹阳", "caoyang"), ("袁媛", "yuanyuan"),
         ("邓涛", "dengtao"), ("许诺", "xunuo"), ("傅强", "fuqiang"), ("沈悦", "shenyue"), ("曾刚", "zenggang"),
         ("彭丽", "pengli"), ("吕军", "lvjun"), ("苏晴", "suqing"), ("卢伟", "luwei"), ("蒋芳", "jiangfang")]
OFFICES = {"县委": "县委办", "县政府": "县政府办"}  # a person's 单位 → the office that records the visit
CLOSING = ("阶段性办结", "已办结")
STAGE_ITEMS = ("量化指标", "节点", "延期", "进展")


@dataclass
class Commit:
    day: date
    rank: int  # order within a day: 0 set-up, 1 new matters, 2 matter records, 3 research, 4 hand edit, 5 issue
    author: str  # the unit, or a full "单位 姓名" for the office's own staff
    subject: str
    action: str  # the Yilan-Action trailer; "" for the hand edit
    matters: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    seq: int = 0


# --------------------------------------------------------------------------- matter files
@dataclass
class _Layout:
    """A canonical matter file as lines: (key, its line, its list items' lines) in file order."""

    blocks: list[tuple[str, str, list[str]]]


_TOP = re.compile(r"(?P<key>[^\s#\-{\[\"'][^:]*):(?: .*)?")


def _layout(text: str, data: dict[str, Any]) -> _Layout | None:
    if not text.endswith("\n"):
        return None
    blocks: list[tuple[str, str, list[str]]] = []
    for line in text[:-1].split("\n"):
        if line.startswith("  - {") and line.endswith("}") and blocks:
            blocks[-1][2].append(line)
        elif _TOP.fullmatch(line):
            blocks.append((line.split(":", 1)[0], line, []))
        else:
            return None
    for key, _, items in blocks:
        value = data.get(key)
        if items and not (isinstance(value, list) and len(value) == len(items)):
            return None
        if isinstance(value, list) and value and not items and key in STAGE_ITEMS:
            return None
    if [k for k, _, _ in blocks] != list(data):
        return None
    return _Layout(blocks)


def _without(line: str, item: dict[str, Any], keys: tuple[str, ...]) -> str:
    """The flow item ``line`` without its trailing ``keys`` (checked by reading it again), else ``line``."""
    key = (line, keys)
    if key not in _SHORTER:
        _SHORTER[key] = _cut(line, item, keys)
    return _SHORTER[key]


_SHORTER: dict[tuple[str, tuple[str, ...]], str] = {}


def _cut(line: str, item: dict[str, Any], keys: tuple[str, ...]) -> str:
    from .yamlio import fast_load

    present = [k for k in keys if k in item]
    if not present or list(item)[-len(present):] != present:
        return line
    cut = line.rfind(f", {present[0]}: ")
    if cut < 0:
        return line
    shorter = line[:cut] + "}"
    want = {k: v for k, v in item.items() if k not in present}
    try:
        ok = fast_load(shorter.removeprefix("  - ")) == want
    except Exception:  # noqa: BLE001 - not what we meant: keep the line whole
        ok = False
    return shorter if ok else line


@dataclass
class _Stage:
    """What a version of a matter holds."""

    entries: int = 0
    extensions: list[int] = field(default_factory=list)  # per 延期 item: 0 not yet, 1 applied, 2 approved
    signed: bool = False
    figures: bool = False
    milestones: set[int] = field(default_factory=set)
    remark: bool = False


def _state(entries: list[dict[str, Any]]) -> tuple[str, str | None]:
    """状态 and 办结日期 after ``entries`` (the latest transition; 推进中 once reported, else 未启动)."""
    states = [e for e in entries if e.get("状态")]
    state = str(states[-1]["状态"]) if states else ("推进中" if entries else "未启动")
    if state not in (*CLOSING, "已销号"):
        return state, None
    closings = [e for e in entries if e.get("状态") in CLOSING]
    return state, (str(closings[-1]["日期"]) if closings else None)


def _version(lay: _Layout, data: dict[str, Any], st: _Stage) -> str:
    entries = (data.get("进展") or [])[: st.entries]
    state, closed = _state(entries)
    out: list[str] = []
    for key, line, items in lay.blocks:
        if key == "状态":
            out.append(f"状态: {state}")
            if closed and "办结日期" not in data:
                out.append(f"办结日期: {closed}")
        elif key == "办结日期":
            if closed:
                out.append(f"办结日期: {closed}")
        elif key == "销号":
            if st.signed:
                out.append(line)
        elif key == "备注":
            if st.remark:
                out.append(line)
        elif key == "进展":
            if st.entries:
                out += [line, *items[: st.entries]]
        elif key == "延期":
            kept = [items[i] if s == 2 else _without(items[i], data["延期"][i], ("批准人", "批准日期"))
                    for i, s in enumerate(st.extensions) if s]
            if kept:
                out += [line, *kept]
        elif key == "量化指标" and items:
            out += [line, *(item if st.figures else _without(item, data[key][i], ("完成",)) for i, item in enumerate(items))]
        elif key == "节点" and items:
            out += [line, *(item if i in st.milestones else _without(item, data[key][i], ("完成日期",))
                            for i, item in enumerate(items))]
        else:
            out += [line, *items]
    return "\n".join(out) + "\n"


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))


def _progress(entries: list[dict[str, Any]]) -> int:
    for e in reversed(entries):
        if isinstance(e.get("进度"), int):
            return int(e["进度"])
    return 0


def matter_commits(rel: str, text: str, remarked: bool) -> tuple[list[Commit], bool]:
    """The commits that built the matter file ``rel`` (its final ``text``), and whether every version could be
    derived (else one commit adds the final text whole). ``remarked``: its 备注 comes with the hand edit."""
    from .yamlio import fast_load

    data = fast_load(text)
    mid, title = str(data["编号"]), str(data["事项"])
    unit = str(data.get("牵头单位") or OFFICE)
    assigned = _day(data["交办日期"])
    lay = _layout(text, data)
    remarked = remarked and assigned <= HAND_EDIT_DAY
    if lay is None:
        return [Commit(assigned, 1, OFFICE, f"新增 {mid} {title}", "add", (mid,), {rel: text})], False
    entries: list[dict[str, Any]] = list(data.get("进展") or [])
    extensions: list[dict[str, Any]] = list(data.get("延期") or [])
    milestones: list[dict[str, Any]] = list(data.get("节点") or [])
    # when each record was written: an entry on its 报送日期 (else 日期), never before the one above it
    events: list[tuple[date, int, int, int, str]] = []  # (day, group, index, phase, kind)
    last = assigned
    for i, e in enumerate(entries):
        last = max(last, _day(e.get("报送日期") or e["日期"]))
        events.append((last, 0, i, 0, "entry"))
    for i, x in enumerate(extensions):
        applied = max(assigned, _day(x.get("申请日期") or assigned))
        events.append((applied, 1, i, 0, "apply"))
        if x.get("批准日期"):
            events.append((max(applied, _day(x["批准日期"])), 1, i, 1, "approve"))
    events.sort()
    with_figures = max((i for i, e in enumerate(entries) if isinstance(e.get("进度"), int)), default=len(entries) - 1)
    done_at: dict[int, int] = {}  # milestone → the entry whose report completes it
    for m, item in enumerate(milestones):
        if item.get("完成日期"):
            when = str(item["完成日期"])
            done_at[m] = next((i for i, e in enumerate(entries) if str(e["日期"]) >= when), len(entries) - 1)
    st = _Stage(extensions=[0] * len(extensions), figures=with_figures < 0,
                milestones={m for m, i in done_at.items() if i < 0}, remark=not remarked)
    commits = [Commit(assigned, 1, OFFICE, f"新增 {mid} {title}", "add", (mid,), {rel: _version(lay, data, st)})]
    for day, _, i, _, kind in [*events, (date.max, 0, 0, 0, "end")]:
        if not st.remark and day > HAND_EDIT_DAY:  # the colleague's hand edit came in between
            st.remark = True
            commits.append(Commit(HAND_EDIT_DAY, 4, COLLEAGUE[0], "", "", (), {rel: _version(lay, data, st)}))
        if kind == "end":
            break
        before = entries[: st.entries]
        if kind == "entry":
            e = entries[i]
            st.entries = i + 1
            old_state, _ = _state(before)
            new_state, _ = _state(entries[: i + 1])
            shown = []
            if i == with_figures and not st.figures:
                st.figures = True
                shown += [f"{x['名称']} — → {figure_text(x['完成'])}" for x in data.get("量化指标") or []
                          if isinstance(x, dict) and x.get("完成") is not None]
            for m, at in done_at.items():
                if at == i:
                    st.milestones.add(m)
                    shown.append(f"节点 {milestones[m]['名称']} 完成")
            to = e.get("状态")
            who = str(e.get("报告人") or unit)
            if to in CLOSING:
                verb = "阶段性办结" if to == "阶段性办结" else "办结"
                summary = f"{old_state} → {to}" + ("" if to == "阶段性办结" else f",进度 {_progress(before)}% → 100%")
                commit = Commit(day, 2, who, f"{verb} {mid} {title}:{summary}", "close", (mid,))
            elif to == "已销号":
                st.signed = True
                commit = Commit(day, 2, OFFICE, f"销号 {mid} {title}:{old_state} → 已销号", "signoff", (mid,))
            else:
                parts = []
                if isinstance(e.get("进度"), int):
                    parts.append(f"进度 {_progress(before)}% → {e['进度']}%")
                if new_state != old_state:
                    parts.append(f"状态 {old_state} → {new_state}")
                summary = ",".join(parts + shown) or "记录进展"
                commit = Commit(day, 2, who, f"更新 {mid} {title}:{summary}", "update", (mid,))
        else:
            x = extensions[i]
            approved = [extensions[j] for j, s in enumerate(st.extensions) if s == 2 and j != i]
            current = str(approved[-1]["新时限"]) if approved else str(data["完成时限"])
            if kind == "apply":
                st.extensions[i] = 1
                commit = Commit(day, 2, unit, f"延期 {mid} {title}:申请延期至 {x['新时限']}(待批准)", "extend", (mid,))
            else:
                st.extensions[i] = 2
                commit = Commit(day, 2, OFFICE, f"延期 {mid} {title}:完成时限 {current} → {x['新时限']}", "extend", (mid,))
        commit.subject = inline(commit.subject)
        commit.files = {rel: _version(lay, data, st)}
        commits.append(commit)
    exact = commits[-1].files[rel] == text
    commits[-1].files = {rel: text}  # the last of them leaves the file exactly as shipped
    return commits, exact


# --------------------------------------------------------------------------- research files
# a visit as research add writes it: plain values (a quoted or unusual one is read by the YAML reader instead)
_VISIT = re.compile(r"  - \{日期: (\d{4}-\d{2}-\d{2}), 地点: ([^,:{}\[\]'\"]*), 主题: ([^,:{}\[\]'\"]*)"
                    r"(?:, [^{}\[\]]*?)?(?:, 事项: \[([^{}\[\]]*)\])?\}")


def _visits(text: str, items: list[str]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(日期, 地点, 主题, 事项) of each visit line: by pattern (libyaml for 353 visits costs ~50 ms), else by YAML."""
    found = [_VISIT.fullmatch(line) for line in items]
    if all(found):
        return [(m[1], m[2], m[3], tuple(x.strip() for x in (m[4] or "").split(",") if x.strip()))
                for m in found if m]
    from .yamlio import fast_load

    visits = (fast_load(text) or {}).get("调研") or []
    return [(str(v.get("日期")), str(v.get("地点", "")), str(v.get("主题", "")), tuple(str(m) for m in v.get("事项") or []))
            for v in visits if isinstance(v, dict)]


def research_commits(rel: str, text: str, people: dict[str, tuple[str, str]],
                     assigned: dict[str, date]) -> list[Commit]:
    """One commit per visit, appending it to the person's file (its header written with the first)."""
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    pid = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("人员:")), Path(rel).stem)
    name, unit = people.get(pid, (pid, OFFICE))
    who = OFFICES.get(unit, unit)
    head = lines.index("调研:") + 1 if "调研:" in lines else len(lines)
    items = lines[head:]
    visits = _visits(text, items) if items else []
    if not visits or len(items) != len(visits) or not all(x.startswith("  - {") for x in items):
        first = min((_day(v[0]) for v in visits), default=date(2022, 1, 1))
        return [Commit(first, 3, who, f"一线调研 {name}", "research", (), {rel: text})]
    out = []
    last = date.min
    for k, (day, place, topic, matters) in enumerate(visits):
        linked = tuple(dict.fromkeys(matters))
        # research add accepts only matters that exist: a visit naming one assigned later waits for it
        last = max([last, _day(day), *(assigned[m] for m in linked if m in assigned)])
        subject = inline(f"一线调研 {name} {day} {place}:{topic}")
        out.append(Commit(last, 3, who, subject, "research", linked, {rel: "\n".join(lines[: head + k + 1]) + "\n"}))
    out[-1].files = {rel: text}
    return out


# --------------------------------------------------------------------------- the plan
def plan(files: dict[str, str]) -> list[Commit]:
    """Every commit of the demo history, in order (the register's commit last of its day, its text pending)."""
    from .yamlio import fast_load

    matters = sorted(rel for rel in files if re.fullmatch(r"ledgers/[^/]+/[^/]+\.yaml", rel))
    research = sorted(rel for rel in files if rel.startswith("research/") and rel.endswith(".yaml"))
    remarked = sorted(rel for rel in matters if re.search(r"^备注:", files[rel], re.M))
    commits: list[Commit] = []
    assigned: dict[str, date] = {}
    hand: dict[str, str] = {}
    for rel in matters:
        made, _ = matter_commits(rel, files[rel], rel in remarked)
        assigned[made[0].matters[0]] = made[0].day
        commits += [c for c in made if c.rank != 4]
        hand.update(*(c.files for c in made if c.rank == 4))
    if hand:  # the one hand edit: one commit writing every 备注
        ids = "、".join(Path(rel).stem for rel in hand)
        commits.append(Commit(HAND_EDIT_DAY, 4, COLLEAGUE[0], HAND_EDIT_SUBJECT.format(ids=ids), "", (), hand))
    people_doc = fast_load(files.get("schemas/people.yaml", "[]")) or []
    people = {str(p.get("id")): (str(p.get("姓名")), str(p.get("单位", OFFICE))) for p in people_doc if isinstance(p, dict)}
    for rel in research:
        commits += research_commits(rel, files[rel], people, assigned)
    start = min([c.day for c in commits], default=date(2022, 1, 1))
    setup = {rel: text for rel, text in files.items() if rel not in matters and rel not in research}
    commits.append(Commit(start, 0, CLERK[0], "初始化台账工作区", "init", (), setup))
    commits.append(Commit(ISSUE_DAY, 5, CLERK[0], "", "issue"))
    for n, c in enumerate(commits):
        c.seq = n
    commits.sort(key=lambda c: (c.day, c.rank, c.seq))
    return commits


def _staff(units: list[str]) -> dict[str, tuple[str, str]]:
    """The member of staff who records for each unit: the office's own clerk for 县委督查室."""
    staff = {OFFICE: CLERK, CLERK[0]: CLERK, COLLEAGUE[0]: COLLEAGUE}
    others = sorted({u for u in units if u not in staff})
    for i, unit in enumerate(others):
        name, box = NAMES[i % len(NAMES)]
        staff[unit] = (f"{unit} {name}", f"{box}{i // len(NAMES) or ''}@{DOMAIN}")
    return staff


def _when(day: date, index: int) -> str:
    """A commit's time: from 08:30 on its day, six minutes apart (git's raw format, China time), never past 23:00."""
    moment = datetime.combine(day, time(8, 30), TZ) + timedelta(seconds=min(360 * index, 52000 + index))
    return f"{int(moment.timestamp())} +0800"


def _path(rel: str) -> str:
    if rel.startswith('"') or any(c in rel for c in "\n\\"):
        return '"' + rel.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return rel


def issue_record(files: dict[str, str], source: str) -> tuple[dict[str, str], str, str]:
    """The register entry of the half-year evaluation made from ``source``: (entry, register text, number)."""
    from .issuing import HEADER
    from .periods import parse_period
    from .yamlio import fast_load

    rules = fast_load(files.get("schemas/rules.yaml", "")) or {}
    fmt = str((rules.get("通报") or {}).get("文号格式") or "依督通〔{year}〕第{n}期")
    p = parse_period(ISSUE_PERIOD)
    number = fmt.format(year=p.year, n=1)
    entry = {"编号": number, "种类": "半年评估", "期间": p.code, "标题": f"关于{p.label}重点工作督办落实情况的半年评估",
             "评估日": p.last.isoformat(), "印发日期": ISSUE_DAY.isoformat(), "源提交": source}
    line = "  - {" + ", ".join(f"{k}: {v}" for k, v in entry.items()) + "}\n"
    return entry, HEADER + line, number


class _Stream:
    """``git fast-import`` fed as we go (a mark's commit id can be asked for mid-stream)."""

    def __init__(self, root: Path) -> None:
        import tempfile

        env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
        self.err = tempfile.TemporaryFile()  # noqa: SIM115 - git's complaints, read when it fails; closed by close()
        self.proc = subprocess.Popen(["git", "-c", "pack.compression=1", "fast-import", "--quiet", "--done", "--force"], cwd=root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, env=env)
        self.buf: list[bytes] = []

    def put(self, text: str) -> None:
        self.buf.append(text.encode("utf-8"))

    def data(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.buf.append(b"data %d\n" % len(raw) + raw + b"\n")

    def flush(self) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(b"".join(self.buf))
            self.proc.stdin.flush()
        except BrokenPipeError:  # git stopped reading: it says why on stderr
            self.failed()
        self.buf = []

    def ask(self, mark: int) -> str:
        """The commit id of ``mark`` (everything before it is written)."""
        assert self.proc.stdout is not None
        self.put(f"get-mark :{mark}\n")
        self.flush()
        sha = self.proc.stdout.readline().decode("ascii", "replace").strip()
        if not re.fullmatch("[0-9a-f]{40}|[0-9a-f]{64}", sha):
            self.failed()
        return sha

    def failed(self) -> None:
        from .history import GitFailed

        self.proc.kill()
        self.proc.wait()
        self.err.seek(0)
        err = self.err.read().decode("utf-8", "replace")
        self.close()
        raise GitFailed(subprocess.CompletedProcess(["git", "fast-import"], self.proc.returncode or 1, "", err))

    def finish(self) -> None:
        assert self.proc.stdin is not None
        self.put("done\n")
        self.flush()
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            self.failed()
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.err):
            if pipe is not None and not pipe.closed:
                pipe.close()


def build(root: Path, files: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Write the demo history into the repository at ``root`` (objects and :data:`REF`, nothing else).

    Returns its tip and the files it adds to ``files`` (the register of issued documents). The tip's tree
    holds exactly ``files`` plus those; its first commit follows HEAD when the repository has one.
    """
    from .history import resolve
    from .txn import fault

    commits = plan(files)
    staff = _staff([c.author for c in commits])
    parent = resolve(root, "HEAD")
    state: dict[str, str] = {}
    extra: dict[str, str] = {}
    per_day: dict[date, int] = {}
    stream = _Stream(root)
    try:
        for mark, c in enumerate(commits, 1):
            if c.action == "issue":
                entry, text, number = issue_record(files, stream.ask(mark - 1))
                extra = {"reports/issued.yaml": text}
                c.files = dict(extra)
                c.subject = f"印发 {number} {entry['标题']}"
            changed = {rel: text for rel, text in c.files.items() if state.get(rel) != text}
            state.update(changed)
            name, mail = staff[c.author]
            index = per_day[c.day] = per_day.get(c.day, -1) + 1
            when = _when(c.day, index)
            trailers = ([f"Yilan-Action: {c.action}"] if c.action else []) + [f"Yilan-Matter: {m}" for m in c.matters]
            if c.action == "issue":  # a registration is one event (issuing.Issuer.register): fixed here, not random
                trailers.append("Yilan-Issue: " + hashlib.sha256(c.subject.encode("utf-8")).hexdigest()[:16])
            message = c.subject + "\n" + ("\n" + "\n".join(trailers) + "\n" if trailers else "")
            stream.put(f"commit {REF}\nmark :{mark}\nauthor {name} <{mail}> {when}\ncommitter {name} <{mail}> {when}\n")
            stream.data(message)
            if mark == 1 and parent:
                stream.put(f"from {parent}\n")
            for rel in sorted(changed):
                stream.put(f"M 100644 inline {_path(rel)}\n")
                stream.data(changed[rel])
            stream.put("\n")
            if mark == len(commits) // 2:
                stream.flush()
                fault("history-half")
        if state != {**files, **extra}:  # the tip must hold exactly the workspace's files
            missing = sorted(set({**files, **extra}) ^ set(state)) or sorted(r for r in state if state[r] != files.get(r))
            raise AssertionError(f"demo history does not end in the demo files: {missing[:5]}")
        tip = stream.ask(len(commits))
    except BaseException:
        stream.close()
        raise
    stream.finish()  # git writes the ref and its pack only now: an interrupted stream leaves no ref
    return tip, extra
