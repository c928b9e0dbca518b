"""Issuing: numbering circulars and notices and registering them in reports/issued.yaml.

An issued document gets the next number of its year in the configured format (依督通〔2022〕第3期,
督办〔2022〕7号) and a record {编号, 种类, 期间, 印发日期, 源提交, …} in reports/issued.yaml, committed alone
like every write. The source commit is HEAD; issuing refuses while ledgers/, schemas/, report_notes/ or
report_templates/ have uncommitted changes, because the document must be reproducible from that commit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import UsageError

REGISTER = "reports/issued.yaml"
SOURCES = ("ledgers", "schemas", "report_notes", "report_templates")


def read_register(root: Path) -> list[dict[str, Any]]:
    from .yamlio import fast_load

    path = root / REGISTER
    if not path.exists():
        return []
    data = fast_load(path.read_text(encoding="utf-8")) or []
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def next_number(entries: list[dict[str, Any]], fmt: str, year: int, count: int = 1) -> list[str]:
    """The next ``count`` numbers of ``year`` in format ``fmt`` ({year}, {n})."""
    pattern = re.escape(fmt).replace(re.escape("{year}"), str(year)).replace(re.escape("{n}"), r"(\d+)")
    used = [int(m.group(1)) for e in entries if (m := re.fullmatch(pattern, str(e.get("编号", ""))))]
    start = max(used, default=0) + 1
    return [fmt.format(year=year, n=n) for n in range(start, start + count)]


def source_commit(root: Path) -> str:
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
    return "# 已印发的督查通报和督办通知单(yilan report/notice --issue 自动登记,请勿手工修改)\n" + dump(seq)


def issue(root: Path, new: list[dict[str, Any]], subject: str, commit: bool, author: str | None) -> None:
    from .txn import Transaction

    with Transaction(root, commit=commit, author=author) as tx:
        entries = read_register(root) + new
        tx.refuse_dirty([REGISTER])
        tx.write(REGISTER, register_text(entries))
        tx.commit(subject, "issue")

