"""Kill-stress harness: two clones of one ledger, concurrent yilan commands, signals at random moments.

The acceptance test of "no acknowledged write lost" (tests/test_stress.py) runs it; it also runs alone:

    python tests/stress_harness.py --seed 7 --ops 120      # prints one summary line; exit 1 on violations

What it does:

1. ``yilan init W --example``, a bare clone ``origin.git`` of it and two clones ``A`` and ``B`` whose branch
   tracks ``origin``. Git reads only a temporary ``.gitconfig`` (HOME, GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM);
   commit dates are fixed and every yilan command that takes a date gets one (2023, after the demo's entries).
2. ``workers`` threads run the planned operations as ``yilan`` subprocesses (each in its own session) in A or
   B: ``update --note``, ``add``, ``import`` of a small CSV, ``undo --yes``, ``fmt``, ``notice --issue`` and
   ``sync``. The plan is drawn from ``random.Random(seed)``; each written text is a fixed-width token
   (``T00042Z``; an import's rows ``T00042A``, ``T00042B``), so no token is a substring of another.
3. A killer thread sends SIGKILL or SIGINT to one running yilan process (never its process group: git
   children it leaves behind are part of what is tested) every ``kill_gap`` seconds.
4. A process that exits 0 is *acknowledged*. When every worker is done and every orphaned child has ended,
   ``yilan fmt`` runs in A and B (the next writer recovers an interrupted write), then ``yilan sync`` in A,
   B and A again, and the checks run on both clones:

   - every token of an acknowledged write is in the ledgers exactly once, or 0 times when an undo commit
     (trailer ``Yilan-Undoes: <sha>``) took back the commit that added it; any other token at most once;
   - ``git fsck`` and ``yilan check`` pass; nothing uncommitted under ledgers/, reports/, schemas/;
     HEAD on a branch; no index.lock, no leftover journal, no cherry-pick, merge or rebase in progress;
     both clones and origin at the same commit;
   - no document number repeats in reports/issued.yaml; each number an acknowledged ``notice --issue``
     printed is registered exactly once (0 times when undone) and was printed by one run only.

Each violation names its kind, the token or number, expected and found counts, the operation and its stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_SEED = 20230115
OPEN_MATTERS = ("ZB-001", "ZB-002", "XM-002", "SW-001", "ZY-001")  # 推进中 in the demo: updates are accepted
NOTICE_DAYS = ("2023-01-20", "2023-02-15", "2023-03-10")
UPDATE_DAY, ASSIGNED_DAY, CHECK_DAY = "2023-01-15", "2023-01-10", "2023-02-01"
GIT_DATE = "2023-01-15T09:00:00+08:00"
WRITES = ("update", "add", "import")  # the operations that write a token
WEIGHTS = {"update": 30, "add": 18, "import": 12, "undo": 10, "fmt": 6, "notice": 8, "sync": 16}
SIGNALS = ("SIGINT", "SIGKILL")  # looked up when sent: Windows has no SIGKILL
TOKEN = re.compile(r"T\d{5}[A-Z]")
NUMBER_FIELD = re.compile(r"编号:\s*([^,}\s]+)")
CSV_HEADER = "事项,牵头单位,完成时限\n"


@dataclass
class Config:
    seed: int = DEFAULT_SEED
    ops: int = 120
    workers: int = 12
    kill_gap: tuple[float, float] = (0.3, 1.5)
    kill: bool = True  # False: a baseline without signals (the harness's own check)
    op_timeout: float = 90.0  # a yilan process running longer is killed and reported as hung
    orphan_timeout: float = 30.0  # how long git children left by killed processes may take to end


@dataclass
class Op:
    index: int
    clone: str
    kind: str
    args: list[str]
    tokens: tuple[str, ...] = ()
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    signal: str | None = None  # the signal sent while it ran
    seconds: float = 0.0

    @property
    def acknowledged(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        sent = f", sent {self.signal}" if self.signal else ""
        return f"op#{self.index} in {self.clone}: yilan {' '.join(self.args)} → exit {self.returncode}{sent}"

    def numbers(self) -> list[str]:
        """Document numbers this run printed (``依督办〔2023〕3号 县住建局:2 项 → …``)."""
        found = []
        for line in self.stdout.splitlines():
            if " → " in line:
                first = line.split(" ", 1)[0]
                if first and not first.startswith("("):
                    found.append(first)
        return found


@dataclass
class Violation:
    kind: str
    subject: str
    expected: str = ""
    found: str = ""
    op: Op | None = None
    detail: str = ""
    clones: list[str] = field(default_factory=list)

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.kind, self.subject, self.expected, self.found, self.detail)

    def __str__(self) -> str:
        where = f" in {','.join(self.clones)}" if self.clones else ""
        text = f"[{self.kind}] {self.subject}{where}"
        if self.expected or self.found:
            text += f": expected {self.expected}, found {self.found}"
        if self.detail:
            text += f"\n    {self.detail}"
        if self.op is not None:
            text += f"\n    {self.op.describe()}"
            if self.op.stderr.strip():
                text += "\n    stderr: " + _tail(self.op.stderr, 600).replace("\n", "\n            ")
        return text


@dataclass
class Report:
    config: Config
    base: Path
    ops: list[Op]
    final: list[Op]
    kills: Counter[str]
    violations: list[Violation]
    seconds: float
    notes: list[str] = field(default_factory=list)  # worth knowing, not violations

    @property
    def acknowledged(self) -> int:
        return sum(op.acknowledged for op in self.ops)

    @property
    def acknowledged_writes(self) -> int:
        return sum(op.acknowledged and op.kind in WRITES for op in self.ops)

    def summary(self) -> str:
        return (f"stress: seed={self.config.seed} processes={self.config.workers} ops={len(self.ops)} "
                f"acknowledged={self.acknowledged} sigkill={self.kills['SIGKILL']} sigint={self.kills['SIGINT']} "
                f"violations={len(self.violations)}")

    def explain(self, summary: bool = True) -> str:
        exits = Counter(f"{op.kind}:{op.returncode}" for op in self.ops)
        lines = [self.summary()] if summary else []
        lines += [f"workspace: {self.base} (every op in ops.jsonl), {self.seconds:.0f} s",
                 "exits: " + " ".join(f"{k}={v}" for k, v in sorted(exits.items()))]
        lines += [f"note: {n}" for n in self.notes]
        failures = self.failures()
        if failures:
            lines.append("refusals and errors without a signal (not violations by themselves):")
            lines += [f"  {n} × {what}" for what, n in failures.most_common()]
        lines += [str(v) for v in self.violations]
        return "\n".join(lines)

    def failures(self) -> Counter[str]:
        """Why operations that were sent no signal failed: one line per command and first stderr line."""
        out: Counter[str] = Counter()
        for op in self.ops + self.final:
            if op.returncode != 0 and op.signal is None:
                first = (op.stderr.strip().splitlines() or [""])[0]
                first = re.sub(r"/\S*/([AB])/", r"\1/", first)  # the same refusal in any run reads the same
                out[f"{op.kind} exit {op.returncode}: {first[:160]}"] += 1
        return out


def _tail(text: str, limit: int) -> str:
    text = text.strip("\n")
    return text if len(text) <= limit else "…" + text[-limit:]


def yilan_exe() -> str:
    exe = Path(sys.executable).with_name("yilan")
    found = str(exe) if exe.exists() else shutil.which("yilan")
    if not found:
        raise RuntimeError("the yilan console script is not installed (pip install -e .)")
    return found


def isolated_env(base: Path) -> dict[str, str]:
    """The environment of every process: a temporary git identity, fixed commit dates, no inherited git state."""
    home = base / "home"
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / ".gitconfig"
    cfg.write_text("[user]\n\tname = 压力测试\n\temail = stress@example.gov.cn\n[init]\n\tdefaultBranch = main\n",
                   encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "YILAN_"))}
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(cfg), GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_DATE=GIT_DATE, GIT_COMMITTER_DATE=GIT_DATE, COLUMNS="200", PYTHONIOENCODING="utf-8")
    return env


def git(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd, env=env, capture_output=True,
                       text=True, encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd} failed: {r.stderr.strip()}")
    return r


def build(base: Path, env: dict[str, str]) -> dict[str, Path]:
    """The demo workspace, a bare origin made from it and two clones A and B tracking it."""
    r = subprocess.run([yilan_exe(), "init", "W", "--example"], cwd=base, env=env, capture_output=True, text=True,
                       encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError(f"yilan init failed: {r.stdout}{r.stderr}")
    git(base, env, "clone", "--quiet", "--bare", "W", "origin.git")
    clones = {}
    for name in ("A", "B"):
        git(base, env, "clone", "--quiet", "origin.git", name)
        upstream = git(base / name, env, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}").stdout.strip()
        if not upstream.startswith("origin/"):
            raise RuntimeError(f"clone {name} does not track origin ({upstream!r})")
        clones[name] = base / name
    return clones


def plan(rng: random.Random, count: int, base: Path) -> list[Op]:
    """The operations, drawn from ``rng`` alone (import files and notice folders under ``base``)."""
    (base / "csv").mkdir(exist_ok=True)
    kinds = list(WEIGHTS)
    ops = []
    for i in range(count):
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        clone = rng.choice("AB")
        token = f"T{i:05d}Z"
        tokens: tuple[str, ...] = ()
        if kind == "update":
            args, tokens = ["update", rng.choice(OPEN_MATTERS), "--note", token, "--date", UPDATE_DAY], (token,)
        elif kind == "add":
            args = ["add", "zhuanban", "--title", token, "--lead-unit", "县水务局", "--deadline", "2030-12-31",
                    "--assigned", ASSIGNED_DAY]
            tokens = (token,)
        elif kind == "import":
            tokens = tuple(f"T{i:05d}{c}" for c in "AB"[:rng.randint(1, 2)])
            csv = base / "csv" / f"op{i:05d}.csv"
            csv.write_text(CSV_HEADER + "".join(f"{t},县水务局,2030-12-31\n" for t in tokens), encoding="utf-8")
            args = ["import", str(csv), "--ledger", "zhuanban", "--assigned", ASSIGNED_DAY, "--today", UPDATE_DAY]
        elif kind == "undo":
            args = ["undo", "--yes"]
        elif kind == "fmt":
            args = ["fmt"]
        elif kind == "notice":
            args = ["notice", "--issue", "--today", rng.choice(NOTICE_DAYS), "-o", str(base / "notices" / f"op{i:05d}")]
        else:
            args = ["sync"]
        ops.append(Op(i, clone, kind, args, tokens))
    return ops


class Storm:
    """Runs the planned operations on ``workers`` threads while a killer thread signals running processes."""

    def __init__(self, config: Config, env: dict[str, str], clones: dict[str, Path], logs: Path) -> None:
        self.config, self.env, self.clones, self.logs = config, env, clones, logs
        self.exe = yilan_exe()
        self.lock = threading.Lock()
        self.running: dict[int, tuple[Op, subprocess.Popen[bytes]]] = {}
        self.groups: set[int] = set()  # each process's group (its own session): orphaned git children stay in it
        self.kills: Counter[str] = Counter()
        self.hung: list[Op] = []
        logs.mkdir(parents=True, exist_ok=True)

    def run(self, op: Op) -> Op:
        out_path, err_path = self.logs / f"{op.index}.out", self.logs / f"{op.index}.err"
        started = time.monotonic()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:  # files, not pipes: orphans may hold them
            p = subprocess.Popen([self.exe, *op.args], cwd=self.clones[op.clone], env=self.env, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err, start_new_session=True)
            with self.lock:
                self.running[op.index] = (op, p)
                self.groups.add(p.pid)
            try:
                code = p.wait(timeout=self.config.op_timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                code = p.wait()
                self.hung.append(op)
            with self.lock:
                self.running.pop(op.index, None)
        op.returncode, op.seconds = code, time.monotonic() - started
        op.stdout = out_path.read_text(encoding="utf-8", errors="replace")
        op.stderr = err_path.read_text(encoding="utf-8", errors="replace")
        return op

    def storm(self, ops: list[Op]) -> None:
        queue = iter(ops)
        done = threading.Event()

        def worker() -> None:
            while True:
                with self.lock:
                    op = next(queue, None)
                if op is None:
                    return
                self.run(op)

        threads = [threading.Thread(target=worker, name=f"worker-{w}") for w in range(self.config.workers)]
        killer = threading.Thread(target=self.killer, args=(done,), name="killer")
        if self.config.kill:
            killer.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        if self.config.kill:
            killer.join()

    def killer(self, done: threading.Event) -> None:
        rng = random.Random(self.config.seed * 7919 + 1)
        low, high = self.config.kill_gap
        while not done.wait(rng.uniform(low, high)):
            name = rng.choice(SIGNALS)
            with self.lock:
                candidates = sorted(i for i, (op, p) in self.running.items() if op.signal is None)
                if not candidates:
                    continue
                op, p = self.running[rng.choice(candidates)]
                if p.poll() is not None:
                    continue
                try:
                    os.kill(p.pid, getattr(signal, name))  # the yilan process only, as a power cut or Ctrl-C would
                except ProcessLookupError:
                    continue
                op.signal = name
                self.kills[name] += 1

    def wait_for_orphans(self) -> list[int]:
        """Wait until no process is left in any group we started; kill and return the groups still alive."""
        deadline = time.monotonic() + self.config.orphan_timeout
        alive = sorted(self.groups)
        while alive and time.monotonic() < deadline:
            alive = [g for g in alive if _group_alive(g)]
            if alive:
                time.sleep(0.2)
        for g in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(g, signal.SIGKILL)
        return alive


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def settle(storm: Storm) -> tuple[list[Op], list[Violation]]:
    """``yilan fmt`` in A and B (recovers interrupted writes), then ``yilan sync`` in A, B, A; each retried twice."""
    final: list[Op] = []
    violations: list[Violation] = []
    steps = [("A", ["fmt"]), ("B", ["fmt"]), ("A", ["sync"]), ("B", ["sync"]), ("A", ["sync"])]
    for n, (clone, args) in enumerate(steps):
        for attempt in range(3):
            op = storm.run(Op(-100 - 10 * n - attempt, clone, f"final-{args[0]}", args))
            final.append(op)
            if op.acknowledged:
                break
            time.sleep(0.5)
        else:
            violations.append(Violation(f"final-{args[0]}-failed", f"yilan {args[0]} in {clone}", "exit 0",
                                        f"exit {op.returncode} three times", op, clones=[clone]))
    return final, violations


@dataclass
class Undone:
    """What the undo commits in the final history took back."""

    tokens: dict[str, str] = field(default_factory=dict)  # token → the undone commit
    numbers: dict[str, str] = field(default_factory=dict)  # document number → the undone commit
    undo_commits: set[str] = field(default_factory=set)


def undone(clones: dict[str, Path], env: dict[str, str]) -> tuple[Undone, list[Violation]]:
    """Read every undo commit's ``Yilan-Undoes`` trailer; what the undone commit added is expected gone."""
    result = Undone()
    violations: list[Violation] = []
    fmt = "%H%x1f%s%x1f%(trailers:key=Yilan-Action,valueonly,separator=%x2C)%x1f" \
          "%(trailers:key=Yilan-Undoes,valueonly,separator=%x2C)%x1e"
    seen: set[str] = set()
    for name, root in clones.items():
        for record in git(root, env, "log", f"--format={fmt}", "HEAD").stdout.split("\x1e"):
            parts = record.strip("\n").split("\x1f")
            if len(parts) != 4 or parts[2].strip() != "undo" or parts[0] in seen:
                continue
            sha, subject, _, targets = parts
            seen.add(sha)
            result.undo_commits.add(sha)
            targets_list = [t.strip() for t in targets.split(",") if t.strip()]
            if not targets_list:
                violations.append(Violation("undo-without-trailer", f"{sha[:10]} {subject}", "Yilan-Undoes: <sha>",
                                            "no trailer", detail="cannot tell which tokens it took back",
                                            clones=[name]))
            for target in targets_list:
                diff = _show(clones, env, target)
                if diff is None:
                    violations.append(Violation("undo-trailer-unresolvable", f"{sha[:10]} {subject}",
                                                f"commit {target} in A or B", "not found", clones=[name]))
                    continue
                added = "\n".join(line[1:] for line in diff if line.startswith("+") and not line.startswith("+++"))
                removed = "\n".join(line[1:] for line in diff if line.startswith("-") and not line.startswith("---"))
                for tok in set(TOKEN.findall(added)) - set(TOKEN.findall(removed)):
                    result.tokens[tok] = target
                for num in set(NUMBER_FIELD.findall(added)) - set(NUMBER_FIELD.findall(removed)):
                    result.numbers[num] = target
    return result, violations


def _show(clones: dict[str, Path], env: dict[str, str], sha: str) -> list[str] | None:
    for root in clones.values():
        if git(root, env, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0:
            r = git(root, env, "show", "--format=", "--no-color", "--no-ext-diff", "--no-textconv", "--unified=0",
                    "--no-renames", sha)
            return r.stdout.splitlines()
    return None


def ledger_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted((root / "ledgers").rglob("*.yaml")))


def check_clone(name: str, root: Path, env: dict[str, str], ops: list[Op], gone: Undone) -> list[Violation]:
    v: list[Violation] = []

    def bad(kind: str, subject: str, expected: str = "", found: str = "", op: Op | None = None, detail: str = "") -> None:
        v.append(Violation(kind, subject, expected, found, op, detail, [name]))

    # the repository's state
    if git(root, env, "symbolic-ref", "-q", "HEAD", check=False).returncode != 0:
        bad("detached-head", "HEAD", "on a branch", "detached")
    gitdir = root / ".git"
    for leftover in ("index.lock", "yilan/journal.json", "CHERRY_PICK_HEAD", "MERGE_HEAD", "REVERT_HEAD",
                     "rebase-merge", "rebase-apply"):
        if (gitdir / leftover).exists():
            bad("leftover-state", f".git/{leftover}", "absent", "present")
    fsck = git(root, env, "fsck", "--no-progress", check=False)
    if fsck.returncode != 0:
        bad("git-fsck", "git fsck", "exit 0", f"exit {fsck.returncode}", detail=_tail(fsck.stdout + fsck.stderr, 600))
    check = subprocess.run([yilan_exe(), "check", "--today", CHECK_DAY], cwd=root, env=env, capture_output=True,
                           text=True, encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL)
    if check.returncode != 0:
        errors = [line for line in check.stdout.splitlines() if "错误[" in line or "error[" in line]
        bad("yilan-check", f"yilan check --today {CHECK_DAY}", "exit 0", f"exit {check.returncode}",
            detail=_tail("\n".join(errors[:10]) or check.stdout + check.stderr, 800))
    status = git(root, env, "status", "--porcelain", "--untracked-files=all", "--", "ledgers", "reports", "schemas").stdout
    if status.strip():
        bad("uncommitted", "git status under ledgers/ reports/ schemas/", "clean", "dirty", detail=_tail(status, 600))

    # every acknowledged token once (0 when undone); any other token at most once
    text = ledger_text(root)
    counts = Counter(TOKEN.findall(text))
    for op in ops:
        for tok in op.tokens:
            n = counts.get(tok, 0)
            if op.acknowledged:
                want = 0 if tok in gone.tokens else 1
                if n != want:
                    kind = ("acknowledged-write-lost" if n < want else "undone-write-still-present" if want == 0
                            else "duplicated")
                    bad(kind, tok, str(want), str(n), op, _history(root, env, tok))
            elif n > 1:
                bad("duplicated", tok, "at most 1", str(n), op, _history(root, env, tok))

    # document numbers
    register: list[object] = []
    path = root / "reports" / "issued.yaml"
    if path.exists():
        try:
            register = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as e:
            bad("register-unreadable", "reports/issued.yaml", "YAML", "invalid", detail=str(e)[:300])
    numbers = Counter(str(e.get("编号")) for e in register if isinstance(e, dict) and e.get("编号") is not None)
    for number, n in sorted(numbers.items()):
        if n > 1:
            bad("number-repeated", number, "1 in reports/issued.yaml", str(n))
    for op in ops:
        if op.kind == "notice" and op.acknowledged:
            for number in op.numbers():
                want = 0 if number in gone.numbers else 1
                if numbers.get(number, 0) != want:
                    kind = "issued-number-lost" if numbers.get(number, 0) < want else "number-repeated"
                    bad(kind, number, f"{want} in reports/issued.yaml", str(numbers.get(number, 0)), op)
    return v


def _history(root: Path, env: dict[str, str], token: str) -> str:
    """The commits of this clone that added or removed ``token`` — what the implementer needs to see first."""
    def commits(*where: str) -> list[str]:
        r = git(root, env, "log", "--format=%h %s", "-S", token, *where, "--", "ledgers", check=False)
        return r.stdout.strip().splitlines()

    on_head = commits("HEAD")
    if on_head:
        return "history of HEAD: " + " | ".join(on_head[:6])
    elsewhere = commits("--all", "--reflog")
    if elsewhere:
        return "not in HEAD's history; only in other refs or the reflog: " + " | ".join(elsewhere[:6])
    return "no commit of this clone ever held it"


def cross_checks(ops: list[Op], clones: dict[str, Path], env: dict[str, str], origin: Path) -> list[Violation]:
    v: list[Violation] = []
    printed: dict[str, list[Op]] = {}
    for op in ops:
        if op.kind == "notice" and op.acknowledged:
            for number in op.numbers():
                printed.setdefault(number, []).append(op)
    for number, by in sorted(printed.items()):
        if len(by) > 1:
            v.append(Violation("number-issued-twice", number, "printed by 1 acknowledged run", f"{len(by)} runs",
                               by[1], "also " + "; ".join(o.describe() for o in by[:1] + by[2:])))
    heads = {name: git(root, env, "rev-parse", "HEAD", check=False).stdout.strip() for name, root in clones.items()}
    branch = git(clones["A"], env, "rev-parse", "--abbrev-ref", "@{u}", check=False).stdout.strip().split("/", 1)[-1]
    heads["origin"] = git(origin, env, "rev-parse", branch or "main", check=False).stdout.strip()
    if len(set(heads.values())) != 1:
        v.append(Violation("not-converged", "HEAD", "one commit", ", ".join(f"{k}={h[:10]}" for k, h in heads.items())))
    return v


# the order a report lists violations in: the state of the clones first (it explains much of the rest)
PRIORITY = ("hung", "orphan-hung", "final-fmt-failed", "final-sync-failed", "not-converged", "detached-head",
            "leftover-state", "git-fsck", "yilan-check", "uncommitted", "register-unreadable", "undo-without-trailer",
            "undo-trailer-unresolvable", "acknowledged-write-lost", "duplicated", "undone-write-still-present",
            "issued-number-lost", "number-repeated", "number-issued-twice")


def merge(violations: list[Violation]) -> list[Violation]:
    """One entry for the same finding in both clones; the clones' state first."""
    merged: dict[tuple[str, str, str, str, str], Violation] = {}
    for x in violations:
        if x.key() in merged:
            merged[x.key()].clones += [c for c in x.clones if c not in merged[x.key()].clones]
        else:
            merged[x.key()] = x
    rank = {kind: n for n, kind in enumerate(PRIORITY)}
    return sorted(merged.values(), key=lambda x: rank.get(x.kind, len(rank)))


def run(config: Config, base: Path) -> Report:
    """Build the clones under ``base``, run the storm, settle, check. Returns the report (never raises on faults)."""
    started = time.monotonic()
    base.mkdir(parents=True, exist_ok=True)
    env = isolated_env(base)
    clones = build(base, env)
    ops = plan(random.Random(config.seed), config.ops, base)
    storm = Storm(config, env, clones, base / "logs")
    storm.storm(ops)
    violations = [Violation("hung", f"op#{op.index}", f"ended within {config.op_timeout:.0f} s", "killed", op)
                  for op in storm.hung]
    waited = time.monotonic()
    orphans = storm.wait_for_orphans()
    notes = [f"waited {time.monotonic() - waited:.1f} s for the children of {len(storm.groups)} processes to end"]
    if orphans:
        violations.append(Violation("orphan-hung", f"{len(orphans)} process groups", "ended", "still running",
                                    detail=f"after {config.orphan_timeout:.0f} s; killed: {orphans[:10]}"))
    final, failed = settle(storm)
    violations += failed
    gone, trailer_problems = undone(clones, env)
    violations += trailer_problems
    for name, root in clones.items():
        violations += check_clone(name, root, env, ops, gone)
    violations += cross_checks(ops, clones, env, base / "origin.git")
    violations = merge(violations)
    notes += _failed_but_landed(ops, clones)
    _write_log(base / "ops.jsonl", ops + final)
    return Report(config, base, ops, final, storm.kills, violations, time.monotonic() - started, notes)


def _failed_but_landed(ops: list[Op], clones: dict[str, Path]) -> list[str]:
    """Writes that said they failed (no signal sent) whose token is in the ledgers all the same."""
    present = set()
    for root in clones.values():
        present |= set(TOKEN.findall(ledger_text(root)))
    return [f"{op.describe()} failed but {tok} is in the ledgers" for op in ops
            if op.returncode != 0 and op.signal is None for tok in op.tokens if tok in present]


def _write_log(path: Path, ops: list[Op]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for op in ops:
            f.write(json.dumps({"index": op.index, "clone": op.clone, "args": op.args, "returncode": op.returncode,
                                "signal": op.signal, "seconds": round(op.seconds, 2), "stdout": op.stdout,
                                "stderr": op.stderr}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("YILAN_STRESS_SEED", DEFAULT_SEED)))
    parser.add_argument("--ops", type=int, default=Config.ops)
    parser.add_argument("--workers", type=int, default=Config.workers)
    parser.add_argument("--no-kill", action="store_true", help="send no signals (a baseline)")
    parser.add_argument("--keep", type=Path, help="build the clones in this new folder and keep them (default: a"
                                                  " temporary folder, kept only when there are violations)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every violation on stderr")
    a = parser.parse_args(argv)
    base = a.keep.resolve() if a.keep else Path(tempfile.mkdtemp(prefix="yilan-stress-"))
    report = run(Config(seed=a.seed, ops=a.ops, workers=a.workers, kill=not a.no_kill), base)
    print(report.summary())
    if a.verbose or report.violations:
        print(report.explain(summary=False), file=sys.stderr)
    if not a.keep and not report.violations:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
