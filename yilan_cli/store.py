"""Reading the ledgers of a workspace: every matter file, valid or not.

An invalid file never hides the valid ones: ``load_ledgers`` returns the valid records and a
finding list; each command decides what invalid files mean for it (status warns, check reports,
report refuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .checks import Finding, make_finding, read_matter
from .records import Record
from .workspace import Workspace


@dataclass
class Ledgers:
    records: list[Record]
    findings: list[Finding]
    files: int

    @property
    def invalid_files(self) -> list[str]:
        return sorted({f.file for f in self.findings if f.severity == "error"})

    def by_id(self, matter_id: str) -> Record | None:
        for r in self.records:
            if r.id == matter_id:
                return r
        return None


def matter_files(root: Path) -> list[Path]:
    """Every ``ledgers/<key>/*.yaml`` file, in a stable order."""
    base = root / "ledgers"
    if not base.is_dir():
        return []
    out: list[Path] = []
    for d in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        out.extend(sorted(p for p in d.iterdir() if p.suffix == ".yaml" and p.is_file()))
    return out


def load_ledgers(ws: Workspace) -> Ledgers:
    files = matter_files(ws.root)
    records: list[Record] = []
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for path in files:
        valid, problems = read_matter(ws, path)
        findings.extend(problems)
        if valid is None:
            continue
        record = valid.record()
        other = seen.get(record.id)
        if other is not None:  # the later file (in path order) is the duplicate
            findings.append(make_finding(record.path, 1, 1, "E304", {"id": record.id, "other": other}))
            continue
        seen[record.id] = record.path
        records.append(record)
    return Ledgers(records, findings, len(files))
