"""Issuing: numbering circulars and notices and registering them in reports/issued.yaml.

An issued document gets the next number of its year in the configured format (依督通〔2022〕3号,
依督办〔2022〕7号) and a record {编号, 种类, 期间, 印发日期, 源提交, …} in reports/issued.yaml, committed alone
like every write. The source commit is HEAD; issuing refuses while ledgers/, schemas/, report_notes/,
report_templates/ or research/ have uncommitted changes, because the document must be reproducible from that commit.

Everything that decides a number — the register, HEAD, the data the document is made from — is read inside
one :func:`issuing` block, under the writers' lock, so two overlapping runs can never give out one number twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from .errors import UsageError

REGISTER = "reports/issued.yaml"
SOURCES = ("ledgers", "schemas", "report_notes", "report_templates", "research")
HEADER = "# 已印发的督查通报和督办文书(由 yilan report/notice --issue、escalate --apply、notice reply 自动登记,请勿手工修改)\n"


def read_register(root: Path) -> list[dict[str, Any]]:
    from .filecheck import linked
    from .yamlio import fast_load

    path = root / REGISTER
    if linked(path, REGISTER):
        raise UsageError(f"{REGISTER} 是符号链接(或在链接的文件夹中),已拒绝读取", "印发登记簿必须是工作区中的普通文件",
                         code="E114")
    if not path.exists():
        return []
    try:
        data = fast_load(path.read_text(encoding="utf-8")) or []
    except Exception:  # noqa: BLE001 - not UTF-8, not YAML (merge markers): the same refusal
        data = None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        _damaged("不是印发登记的清单(可能被手工改坏,或有合并冲突标记)")
    for i, entry in enumerate(data):
        _check_entry(i + 1, entry)
    return data


def sealed(entries: list[dict[str, Any]]) -> tuple[date, str] | None:
    """The latest 评估日 of an issued document and its number (依督通〔2022〕1号), or None: the records such a
    document was made from are settled up to that day. A withdrawal or an indicator/milestone set on a day on
    or before it would change what was signed and sent (cli.write refuses it, E344)."""
    from .periods import iso_day

    days = [(day, str(e.get("编号", ""))) for e in entries if (day := iso_day(str(e.get("评估日") or ""))) is not None]
    return max(days, key=lambda x: x[0]) if days else None


# the register's fields by shape; any other field holds text. Every reader of an entry relies on these.
ENTRY_REQUIRED = ("编号", "种类", "印发日期", "源提交")
ENTRY_DATES = ("印发日期", "评估日", "回复期限", "回复日期")
ENTRY_LISTS = ("事项", "依据", "移交", "成员提交")  # 成员提交: a city circular's member commits, 名称:提交
YEARS = (1900, 2100)  # as typed dates (cli.common.TYPED_YEARS): date arithmetic stays far from its limits


def _damaged(detail: str) -> NoReturn:
    raise UsageError(f"{REGISTER} {detail},不能据此编号或判断督办",
                     f"用 git log -p -- {REGISTER} 找到改坏它的提交,恢复为每行一份文书的清单后再运行", code="I011")


def _check_entry(i: int, entry: dict[str, Any]) -> None:
    """One register entry in the shapes its readers rely on (I011 names the entry and the field): text where
    text is read, ``YYYY-MM-DD`` dates, lists of texts, and no character a Word/Excel document cannot hold."""
    from .periods import iso_day
    from .terminal import NOT_XML

    def text(value: Any) -> bool:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool) and not NOT_XML.search(str(value))

    number = entry.get("编号")
    which = f"第 {i} 份文书" + (f"({str(number)[:40]})" if text(number) else "")
    for key in ENTRY_REQUIRED:
        if entry.get(key) in (None, ""):
            _damaged(f"{which}缺少 {key}")
    for key, value in entry.items():
        if not isinstance(key, str) or NOT_XML.search(key):
            _damaged(f"{which}有不是文本的字段名")
        where = f"{which}的 {key}"
        if value is None:
            continue
        if key in ENTRY_LISTS:
            if not isinstance(value, list) or not all(text(x) for x in value):
                _damaged(f"{where} 应为清单(如 [ZB-001, ZB-002])")
        elif key in ENTRY_DATES:
            day = iso_day(value) if isinstance(value, str) and value.isascii() and len(value) == 10 else None
            if day is None or not YEARS[0] <= day.year <= YEARS[1]:
                _damaged(f"{where} 应为 {YEARS[0]}–{YEARS[1]} 年间的日期(如 2022-07-05)")
        elif not text(value):
            _damaged(f"{where} 应为文本,且不能含 Word/Excel 文件无法容纳的字符")


def format_problem(fmt: str) -> str:
    """What is wrong with a document number format ("" when nothing): it holds ``{n}`` once, ``{year}`` at
    most once, and no other brace. Formats come from rules.yaml, so they are filled in by plain substitution
    (:func:`numbered`), never by ``str.format`` — which would reach attributes and pad to any width."""
    if fmt.count("{n}") != 1:
        return "应含且只含一个 {n}(序号)"
    if fmt.count("{year}") > 1:
        return "{year} 只能出现一次"
    rest = fmt.replace("{n}", "").replace("{year}", "")
    if "{" in rest or "}" in rest:
        return "除 {year} 和 {n} 外不能有花括号"
    return ""


def numbered(fmt: str, year: int, n: int) -> str:
    """A document number: ``fmt`` with ``{year}`` and ``{n}`` filled in."""
    return fmt.replace("{year}", str(year)).replace("{n}", str(n))


_SERIAL = re.compile(r"〔([0-9]{4})〕\D*?([0-9]{1,18})\D*$")  # 依督通〔2022〕第3期, 依督通〔2022〕3号 → 2022, 3


def next_number(entries: list[dict[str, Any]], fmt: str, year: int, count: int = 1,
                kinds: tuple[str, ...] = ()) -> list[str]:
    """The next ``count`` numbers of ``year`` in format ``fmt`` ({year}, {n}). The serial continues the
    year's series: the numbers in ``fmt`` and, when ``kinds`` are given, every number of those 种类 issued
    that year in an earlier format (a county that changes 依督通〔2022〕第2期 to 依督通〔{year}〕{n}号 in
    mid-year goes on with 3号, never a second 1号)."""
    pattern = re.escape(fmt).replace(re.escape("{year}"), str(year)).replace(re.escape("{n}"), r"([0-9]{1,18})")
    used = [int(m.group(1)) for e in entries if (m := re.fullmatch(pattern, str(e.get("编号", ""))))]
    used += [int(m.group(2)) for e in entries if e.get("种类") in kinds
             and (m := _SERIAL.search(str(e.get("编号", "")))) and int(m.group(1)) == year]
    start = max(used, default=0) + 1
    return [numbered(fmt, year, n) for n in range(start, start + count)]


_BRACKETS = str.maketrans({"[": "〔", "(": "〔", "【": "〔", "〖": "〔", "]": "〕", ")": "〕", "】": "〕", "〗": "〕"})
_BARE_SERIAL = re.compile(r"第?([0-9]{1,18})[号期]?")


def number_key(text: str) -> str:
    """A document number as compared: NFKC (（） ［］ → () []), blanks dropped, every bracket pair written
    〔〕 — 依督办[2022]2号, 依督办（2022）2号, 依督办【2022】2号 and 依督办〔2022〕2号 are one number."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_BRACKETS)


def find_document(entries: list[dict[str, Any]], text: str, kinds: tuple[str, ...] | list[str],
                  what: str = "督办文书") -> dict[str, Any]:
    """The register entry of 种类 in ``kinds`` that ``text`` names, as users type a number.

    In order: the number itself with any brackets (:func:`number_key`); a bare serial (``2号``, ``2``, ``第2期``)
    — the entries whose serial of the year (after 〕) is that number; the end of a number (``督办〔2022〕2号``
    without its 依). Exactly one entry is the answer; none is refused (I003, naming the numbers there are),
    several (2号 of 2022 and of 2023, or a 提示单 and a 督办单) are refused (I012) listing them, both exit 2."""
    pool = [e for e in entries if e.get("种类") in kinds]
    key = number_key(text)
    hits = [e for e in pool if number_key(str(e.get("编号", ""))) == key]
    if not hits and key:
        bare = _BARE_SERIAL.fullmatch(key)
        if bare:
            n = int(bare.group(1))
            hits = [e for e in pool if (m := _SERIAL.search(number_key(str(e.get("编号", ""))))) and int(m.group(2)) == n]
        else:
            hits = [e for e in pool if number_key(str(e.get("编号", ""))).endswith(key)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = "、".join(f"{e.get('编号')}（{e.get('种类')}，{e.get('单位', '')}，{e.get('印发日期')}印发）" for e in hits[:8])
        raise UsageError(f"“{text.strip()}”可指{len(hits)}份{what}：{listed}", "写完整的文书编号，如 "
                         f"{hits[0].get('编号')}", code="I012")
    known = "、".join(str(e.get("编号")) for e in pool)[:200] or "(还没有印发)"
    raise UsageError(f"没有这份{what}:{text.strip()}", f"写 reports/issued.yaml 中的编号,如:{known}", code="I003")


def source_commit(root: Path) -> str:
    """HEAD, the commit an issued document is made from; refused while the sources have uncommitted changes."""
    from . import history

    dirty = history.changed_paths(root, [s for s in SOURCES if (root / s).exists()])
    if dirty:
        raise UsageError(f"{dirty[0]} 等文件有未提交的修改,不能印发", "先提交这些修改,印发的文件要能从提交中原样重现",
                         code="G007")
    return history.run_git(root, "rev-parse", "HEAD").stdout.strip()


def register_text(entries: list[dict[str, Any]]) -> str:
    from ruamel.yaml.comments import CommentedSeq

    from .yamlio import dump, flow_map, flow_seq

    seq = CommentedSeq()
    for e in entries:
        seq.append(flow_map({k: (flow_seq(v) if isinstance(v, list) else v) for k, v in e.items()}))
    return HEADER + dump(seq)


@dataclass
class Issuer:
    """What an issuing command may decide from, read under the lock: the register and the source commit."""

    tx: Any  # txn.Transaction
    entries: list[dict[str, Any]]
    sha: str
    shared: Any = None  # sync.Shared on a branch with an upstream

    def register(self, new: list[dict[str, Any]], subject: str, action: str = "issue") -> None:
        """Append ``new`` entries to the register in one commit (naming every matter they list); on a shared
        branch the commit is pushed at once, and taken back if the forge refuses it."""
        import uuid

        self.tx.write(REGISTER, register_text(self.entries + new))
        if self.shared:
            self.shared.begin()
        # a registration is one event: two clerks sharing one account, issuing the same notices in the same
        # second from the same commit, must not make the same commit (the forge would accept both as one)
        self.tx.commit(subject, action, _matters(new), trailers={"Yilan-Issue": uuid.uuid4().hex[:16]})
        if self.shared:
            self.shared.publish()


@contextmanager
def issuing(root: Path, commit: bool, author: str | None) -> Iterator[Issuer]:
    """Lock, (sync with the upstream,) then read the register and HEAD: every number given out inside is unique."""
    from .sync import shared_for_issue
    from .txn import Transaction

    if not commit:
        raise UsageError("印发(编号登记)不能与 --no-commit 同用", "文号要登记在案并提交才算印发;去掉 --no-commit 再运行",
                         code="I010")
    with Transaction(root, commit=commit, author=author) as tx:
        shared = shared_for_issue(root, tx.state_dir)
        tx.refuse_dirty([REGISTER])
        sha = source_commit(root)
        yield Issuer(tx, read_register(root), sha, shared)


def _matters(entries: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(str(m) for e in entries for m in e.get("事项") or []))


def record_reply(root: Path, number: str, day: str, text: str, kinds: list[str], commit: bool,
                 author: str | None) -> dict[str, Any]:
    """Record a unit's written reply on an issued document's entry (one reply per document); ``number`` as
    typed (:func:`find_document`: brackets of any kind, a bare serial)."""
    from .txn import Transaction

    with Transaction(root, commit=commit, author=author) as tx:
        tx.refuse_dirty([REGISTER])
        entries = read_register(root)
        entry = find_document(entries, number, kinds)  # 依督办[2022]2号, 2号 … (I003, I012)
        number = str(entry.get("编号"))
        if entry.get("回复日期"):
            raise UsageError(f"{number} 已于 {entry['回复日期']} 记录回复", "一份文书只记录一次回复;补充材料请另行报送",
                             code="I004")
        if day < str(entry.get("印发日期", "")):
            raise UsageError(f"回复日期 {day} 早于印发日期 {entry.get('印发日期')}", "请核对日期", code="I005")
        entry["回复日期"] = day
        entry["回复内容"] = text
        tx.write(REGISTER, register_text(entries))
        late = "(逾期)" if entry.get("回复期限") and day > str(entry["回复期限"]) else ""
        tx.commit(f"记录回复 {number} {entry.get('单位', '')}{late}", "reply", _matters([entry]))
    return entry

