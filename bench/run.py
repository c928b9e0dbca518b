"""Benchmark yilan against taskwarrior, git and its own cheap commands, measured in the same run on the same machine.

    python bench/run.py                      # N = 473, 5000, 20000
    python bench/run.py --sizes 473 5000 --runs 5
    python bench/run.py --sizes 50000 --runs 3 --no-outputs   # status/check only

For each N it builds a workspace (bench/generate.py) and a taskwarrior database with N pending tasks,
then times whole processes: cold (no cache) and warm `yilan status --all --format json` and `--format csv`,
`yilan check`, `yilan update` (including its commit), `task rc.gc=off list` (output discarded like ours), a
bare `git commit` of a one-line change, and what offices produce: `export` as csv and xlsx, `report` as
md and docx, `site` (a full build, then a rebuild after one `update`). It prints medians with the raw times,
peak RSS, and each target of docs/performance.md (issue 22) with its ratio and pass/miss. Needs the Debian
package `taskwarrior`.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def yilan_exe() -> str:
    exe = Path(sys.executable).with_name("yilan")
    return str(exe) if exe.exists() else (shutil.which("yilan") or "yilan")


def installed_env() -> dict[str, str]:
    """The environment of an installed yilan: compiled modules are written and reused (pip compiles them at
    install; PYTHONDONTWRITEBYTECODE, set on some build machines, would re-compile ~20 modules every run, ~60 ms),
    and no progress bar (a terminal is not what is measured)."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "YILAN_NO_PROGRESS": "1"}


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time in seconds and peak RSS in KB of one process, output discarded."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = p.stderr.read().decode(errors="replace") if p.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err}")
    return elapsed, usage.ru_maxrss


def series(runs: int, fn) -> tuple[float, list[float], int]:  # type: ignore[no-untyped-def]
    times, peak = [], 0
    for _ in range(runs):
        t, rss = fn()
        times.append(t)
        peak = max(peak, rss)
    return statistics.median(times), times, peak


def taskwarrior_db(n: int, root: Path) -> dict[str, str]:
    """A taskwarrior data directory with n pending tasks, written directly in its file format."""
    data = root / "taskdata"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    now = 1656547200
    projects = ["zsj", "zy", "sheng", "shi", "xian", "zhuanban", "xiangmu", "baolian", "xinfang", "huanbao"]
    with open(data / "pending.data", "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f'[description:"督办事项第{i}项 推进项目建设" due:"{now + 86400 * (i % 300)}" entry:"{now - 86400 * 30}" '
                    f'modified:"{now}" project:"{projects[i % 10]}" status:"pending" uuid:"{uuid.uuid4()}"]\n')
    for name in ("completed.data", "undo.data", "backlog.data"):
        (data / name).write_text("", encoding="utf-8")
    rc = root / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ncolor=off\nhooks=off\n", encoding="utf-8")
    return {**os.environ, "TASKRC": str(rc)}


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, {mem}"


def version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "not installed"


def bench(n: int, runs: int, base: Path, outputs: bool = True) -> dict[str, object]:
    ws = base / f"ws{n}"
    generate(n, ws)
    y = yilan_exe()
    env = {**installed_env(), "COLUMNS": "200"}
    status = [y, "status", "--all", "--format", "json", "--today", "2022-06-30"]
    check = [y, "check", "--today", "2022-06-30"]
    cache = ws / ".yilan"

    def cold(cmd: list[str]):  # type: ignore[no-untyped-def]
        def run() -> tuple[float, int]:
            shutil.rmtree(cache, ignore_errors=True)
            return timed(cmd, ws, env)
        return run

    out: dict[str, object] = {"n": n}
    out["status_cold"] = series(min(runs, 3) if n > 5000 else runs, cold(status))
    timed(status, ws, env)  # fill the cache
    time.sleep(2.1)  # files younger than 2 s are never trusted from the cache
    timed(status, ws, env)
    out["status_warm"] = series(runs, lambda: timed(status, ws, env))
    out["check_cold"] = series(min(runs, 3) if n > 5000 else runs, cold(check))
    timed(check, ws, env)
    out["check_warm"] = series(runs, lambda: timed(check, ws, env))

    ids = sorted(p.stem for p in (ws / "ledgers" / "xian").glob("XW-*.yaml")
                 if "\n状态: 推进中\n" in p.read_text(encoding="utf-8"))
    counter = iter(range(10**6))

    def update() -> tuple[float, int]:
        k = next(counter)
        return timed([y, "update", ids[k % len(ids)], "--note", f"基准测试{k}", "--date", "2024-12-31"], ws, env)

    out["update"] = series(runs, update)

    scratch = ws / "scratch.txt"
    scratch.write_text("0\n", encoding="utf-8")
    subprocess.run(["git", "add", "scratch.txt"], cwd=ws, check=True)
    genv = {**env, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.gov.cn",
            "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.gov.cn"}

    def git_commit() -> tuple[float, int]:
        k = next(counter)
        scratch.write_text(f"{k}\n", encoding="utf-8")
        return timed(["git", "commit", "-q", "-m", f"one line {k}", "--", "scratch.txt"], ws, genv)

    out["git_commit"] = series(runs, git_commit)
    tenv = taskwarrior_db(n, base / f"task{n}")
    task = ["task", "rc.gc=off", "list"]
    timed(task, ws, tenv)
    out["task_list"] = series(runs, lambda: timed(task, ws, tenv))
    if outputs:
        # matters the site's rebuild can record a step for on 2022-06-30 (nothing later in their log yet)
        quiet = sorted(p.stem for p in (ws / "ledgers" / "zhuanban").glob("ZB-*.yaml")
                       if "\n状态: 推进中\n" in (text := p.read_text(encoding="utf-8"))
                       and max(re.findall(r"日期: (\d{4}-\d\d-\d\d)", text), default="") < "2022-06-30")
        out.update(bench_outputs(ws, n, runs, env, quiet))
    return out


def bench_outputs(ws: Path, n: int, runs: int, env: dict[str, str], ids: list[str]) -> dict[str, object]:
    """What an office produces from the same workspace, each with the cheap sibling its target is stated against."""
    y = yilan_exe()
    day = ["--today", "2022-06-30"]
    heavy = min(runs, 3) if n > 5000 else runs
    out: dict[str, object] = {}
    timed([y, "export", "--format", "csv", *day, "-o", str(ws / "out.csv")], ws, env)  # fill the whole-matter cache
    time.sleep(2.1)
    out["status_csv"] = series(runs, lambda: timed([y, "status", "--all", "--format", "csv", *day], ws, env))
    out["export_csv"] = series(runs, lambda: timed([y, "export", "--format", "csv", *day, "-o", str(ws / "out.csv")],
                                                   ws, env))
    out["export_xlsx"] = series(heavy, lambda: timed([y, "export", *day, "-o", str(ws / "out.xlsx")], ws, env))
    out["report_md"] = series(runs, lambda: timed([y, "report", "2022Q2", *day, "-o", str(ws / "out.md")], ws, env))
    out["report_docx"] = series(heavy, lambda: timed([y, "report", "2022Q2", *day, "--format", "docx",
                                                      "-o", str(ws / "out.docx")], ws, env))
    site = [y, "site", *day, "-o", str(ws / "site")]

    def full_site() -> tuple[float, int]:
        shutil.rmtree(ws / "site", ignore_errors=True)
        return timed(site, ws, env)

    out["site"] = series(heavy, full_site)
    counter = iter(range(10**6))

    def one_change() -> tuple[float, int]:
        k = next(counter)
        timed([y, "update", ids[k % len(ids)], "--note", f"网站基准{k}", "--date", "2022-06-30"], ws, env)
        return timed(site, ws, env)

    out["site_incremental"] = series(runs, one_change)
    return out


# (name, numerator, denominator, at N (None: every N), bound): the targets of issue 22 as ratios of medians
TARGETS = [
    ("export csv / status csv", "export_csv", "status_csv", None, 3.0),
    ("export xlsx / export csv", "export_xlsx", "export_csv", None, 4.0),
    ("report docx / report md", "report_docx", "report_md", None, 8.0),
    ("site / status json", "site", "status_warm", 20000, 8.0),
    ("site after one update / status json", "site_incremental", "status_warm", None, 2.0),
    ("warm status / task list", "status_warm", "task_list", 473, 5.0),
    ("warm status / task list", "status_warm", "task_list", 20000, 0.6),
    ("cold status / task list", "status_cold", "task_list", 20000, 2.0),
]


def bench_history(commits: int, runs: int, base: Path) -> None:
    """`yilan history` and `yilan diff` over a ledger with ``commits`` commits (one stream, one cat-file)."""
    ws = base / "history"
    generate(473, ws)
    env = {**installed_env(), "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.gov.cn",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.gov.cn"}
    first = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ws, capture_output=True, text=True).stdout.strip()
    files = sorted((ws / "ledgers").rglob("*.yaml"))
    target = ws / "ledgers" / "xian" / "XW-001.yaml"
    for k in range(commits):  # every 10th commit touches XW-001, the rest spread over the ledgers
        path = target if k % 10 == 0 else files[k % len(files)]
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"# 基准提交 {k}\n")
        subprocess.run(["git", "commit", "-qam", f"bench {k}", "--no-verify"], cwd=ws, env=env, check=True)
    y = yilan_exe()
    hist = series(runs, lambda: timed([y, "history", "XW-001"], ws))
    diff = series(runs, lambda: timed([y, "diff", f"{first}..HEAD", "--format", "json"], ws))
    print(f"\n## history/diff over {commits} ledger commits")
    print(f"  history XW-001 ({commits // 10} commits touch it)  {fmt(hist)}")
    print(f"  diff first..HEAD (every file changed)      {fmt(diff)}")


def fmt(s: tuple[float, list[float], int]) -> str:
    median, times, rss = s
    raw = " ".join(f"{t * 1000:.0f}" for t in times)
    return f"{median * 1000:.0f} ms (raw {raw}; peak {rss / 1024:.0f} MB)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[473, 5000, 20000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-outputs", action="store_true", help="status, check and update only (no export/report/site)")
    ap.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "yilan-bench")
    ap.add_argument("--history", type=int, metavar="COMMITS", help="only the history/diff case, over COMMITS commits")
    args = ap.parse_args()
    if args.history:
        args.dir.mkdir(parents=True, exist_ok=True)
        bench_history(args.history, args.runs, args.dir)
        return
    if not shutil.which("task"):
        raise SystemExit("taskwarrior is not installed: apt-get install taskwarrior")
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}; {version([yilan_exe(), '--version'])}; "
          f"taskwarrior {version(['task', '--version'])}; {version(['git', '--version'])}")
    results = []
    for n in args.sizes:
        r = bench(n, args.runs, args.dir, outputs=not args.no_outputs)
        results.append(r)
        print(f"\n## N = {n}")
        for key, value in r.items():
            if key != "n":
                print(f"  {key:17s} {fmt(value)}")  # type: ignore[arg-type]

    def med(r: dict[str, object], key: str) -> float:
        return r[key][0]  # type: ignore[index,no-any-return]

    by_n = {r["n"]: r for r in results}
    print("\n## Targets (issue 22; ratios of medians measured in this run)")
    for name, num, den, at, bound in TARGETS:
        for n, r in by_n.items():
            if (at is None or n == at) and num in r and den in r:
                ratio = med(r, num) / med(r, den)
                print(f"  N={n:<6} {name:40s} {ratio:6.2f}  [≤ {bound:g}]  {'pass' if ratio <= bound else 'MISS'}")
    for n, r in by_n.items():
        if "report_docx" in r and n >= 20000:
            peak = r["report_docx"][2] / 1024  # type: ignore[index]
            print(f"  N={n:<6} {'report docx peak RSS (MB)':40s} {peak:6.0f}  [≤ 400]  {'pass' if peak <= 400 else 'MISS'}")
    for n, r in by_n.items():
        print(f"  N={n:<6} {'update / git commit':40s} {med(r, 'update') / med(r, 'git_commit'):6.2f}")
    if 473 in by_n:
        r = by_n[473]
        print(f"  cold status 473 = {med(r, 'status_cold'):.3f} s, cold check 473 = {med(r, 'check_cold'):.3f} s [≤ 0.5 s]")
    if 473 in by_n and 50000 in by_n:
        for key in ("status_cold", "status_warm", "check_cold"):
            print(f"  {key} 50000 / 473 = {med(by_n[50000], key) / med(by_n[473], key):.1f} [≤ 110]")
        peak = max(by_n[50000][k][2] for k in ("status_cold", "status_warm", "check_cold", "check_warm"))  # type: ignore[index]
        print(f"  peak RSS at 50000 = {peak / 1024:.0f} MB [≤ 400]")


if __name__ == "__main__":
    main()
