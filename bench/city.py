"""Measure the city level (issue 23): N member repositories of M matters each, read by `yilan city`.

    python bench/city.py                          # 120 members × 473 matters
    python bench/city.py --members 10 --runs 3    # a quick sanity run
    python bench/city.py --keep                   # leave the repositories in --dir

It builds N members with bench/generate.py (a different seed each, committed to git) and a bare clone of each
(the forge's copy); a city workspace (`yilan city init`, schemas/members.yaml with file:// URLs, committed);
then times whole processes: the cold `yilan city fetch` of every member, the cold `yilan city status --format
json` (no .yilan/cache: every member's tree and N×M blobs read from git objects), and — alternated A B A B … —
the warm `city status` against a warm `yilan status --format json` of one workspace of N×M matters (the target:
≤ 2 ×). Then 5 members change 3 matters each (a 进展 entry appended, committed, pushed to the bare repository),
`yilan city fetch` runs, and `yilan_cli.federation.read_members` must read exactly those 15 files from git
objects (MemberView.read), none for the other members; the `city status` right after that fetch (the cache as
it was before it: 5 trees and 15 blobs to read) is timed alternated with the warm one. Medians of --runs.

Everything is generated under --dir (default /tmp/yilan-bench-city) with its own git config (GIT_CONFIG_GLOBAL,
GIT_CONFIG_NOSYSTEM=1) and deleted at the end unless --keep. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import fmt, installed_env, machine, timed, version, yilan_exe  # noqa: E402

GROUPS = (("县", "县"), ("县级市", "市"), ("区", "区"))  # (分组, the name's last character)
STATUS_DAY = "2022-06-30"
CHANGED = 5  # members changed before the re-fetch
FILES_CHANGED = 3  # matters changed in each
NOTE_DAY = "2022-06-29"  # the appended 进展 entry's date: after every quiet matter's last entry, before STATUS_DAY

Run = Callable[[], tuple[float, int]]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, encoding="utf-8").stdout


def isolated_git(base: Path) -> None:
    """Every git this process and its children run reads only ``base/gitconfig`` (an identity, nothing else)."""
    cfg = base / "gitconfig"
    cfg.write_text("[user]\n\tname = bench\n\temail = bench@example.gov.cn\n[init]\n\tdefaultBranch = main\n",
                   encoding="utf-8")
    os.environ["GIT_CONFIG_GLOBAL"] = str(cfg)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"


def member_name(i: int) -> tuple[str, str]:
    group, last = GROUPS[i % len(GROUPS)]
    return f"成员{i + 1:03d}{last}", group


def build_members(n: int, m: int, base: Path) -> list[tuple[str, str, Path, Path]]:
    """(名称, 分组, work tree, bare repository) of n members of m matters, seeds 1000, 1001, …"""
    out = []
    for i in range(n):
        name, group = member_name(i)
        work = base / "counties" / name
        bare = base / "forge" / f"{name}.git"
        generate(m, work, seed=1000 + i)
        bare.parent.mkdir(parents=True, exist_ok=True)
        git(base, "clone", "-q", "--bare", str(work), str(bare))
        git(work, "remote", "add", "origin", str(bare))
        out.append((name, group, work, bare))
        if (i + 1) % 20 == 0 or i + 1 == n:
            print(f"  {i + 1}/{n} members generated", flush=True)
    return out


def build_city(base: Path, members: list[tuple[str, str, Path, Path]], env: dict[str, str]) -> Path:
    root = base / "city"
    subprocess.run([yilan_exe(), "city", "init", str(root), "--name", "哈尔滨市"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    lines = [f"- {{名称: {name}, 分组: {group}, 地址: {bare.as_uri()}}}" for name, group, _, bare in members]
    (root / "schemas" / "members.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "成员名单")
    return root


def held_refs(root: Path) -> dict[str, str]:
    listing = git(root, "for-each-ref", "--format=%(refname) %(objectname)", "refs/yilan/members/")
    return dict(line.removeprefix("refs/yilan/members/").split(" ") for line in listing.splitlines())


def matters_in(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    """How many matters a `--format json` status lists (the warming run; also checks it answers)."""
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8")
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr}")
    return len(json.loads(r.stdout)["matters"])


def once(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, list[float], int]:
    t, rss = timed(cmd, cwd, env)
    return t, [t], rss


def alternated(runs: int, a: Run, b: Run) -> tuple[tuple[float, list[float], int], tuple[float, list[float], int]]:
    """A B A B …: both series see the same load of a shared machine; (median, raw times, peak RSS) each."""
    ta: list[float] = []
    tb: list[float] = []
    pa = pb = 0
    for _ in range(runs):
        t, rss = a()
        ta.append(t)
        pa = max(pa, rss)
        t, rss = b()
        tb.append(t)
        pb = max(pb, rss)
    return (statistics.median(ta), ta, pa), (statistics.median(tb), tb, pb)


def change(work: Path, k: int) -> list[str]:
    """Append a 进展 entry to FILES_CHANGED quiet matters of one member (推进中, nothing logged on or after
    NOTE_DAY), commit and push it; returns their paths."""
    picked = []
    for path in sorted((work / "ledgers").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\n状态: 推进中\n" in text and text.endswith("}\n") \
                and max(re.findall(r"日期: (\d{4}-\d\d-\d\d)", text), default="") < NOTE_DAY:
            with open(path, "a", encoding="utf-8", newline="\n") as f:
                f.write(f"  - {{日期: {NOTE_DAY}, 情况: 市级基准测试追加进展{k}, 报告人: 县委督查室}}\n")
            picked.append(path.relative_to(work).as_posix())
            if len(picked) == FILES_CHANGED:
                break
    git(work, "commit", "-qam", f"bench: {FILES_CHANGED} 进展")
    git(work, "push", "-q", "origin", "HEAD")
    return picked


def bench(n: int, m: int, runs: int, base: Path) -> dict[str, Any]:
    env = {**installed_env(), "COLUMNS": "200"}
    y = yilan_exe()
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    members = build_members(n, m, base)
    root = build_city(base, members, env)
    single = base / f"single{n * m}"
    generate(n * m, single)
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)

    cache = root / ".yilan" / "cache"
    city_status = [y, "city", "status", "--today", STATUS_DAY, "--format", "json"]
    single_status = [y, "status", "--today", STATUS_DAY, "--format", "json"]

    out["fetch_cold"] = once([y, "city", "fetch", "--today", "2022-07-01"], root, env)
    held = held_refs(root)
    if len(held) != n:
        raise SystemExit(f"city fetch: {len(held)} of {n} members fetched")

    def cold() -> tuple[float, int]:
        shutil.rmtree(cache, ignore_errors=True)
        return timed(city_status, root, env)

    times = [cold() for _ in range(min(runs, 3) if n * m > 5000 else runs)]
    out["city_status_cold"] = (statistics.median(t for t, _ in times), [t for t, _ in times], max(r for _, r in times))

    # warm: one warming run each (and the single workspace's 2-second rule for fresh files), then A B A B …
    out["city_matters"] = matters_in(city_status, root, env)
    out["single_matters"] = matters_in(single_status, single, env)
    time.sleep(2.1)
    timed(single_status, single, env)
    out["city_status_warm"], out["single_status_warm"] = alternated(
        runs, lambda: timed(city_status, root, env), lambda: timed(single_status, single, env))

    # re-fetch after 5 members changed 3 matters each
    before = base / "city.bin.before"
    shutil.copyfile(cache / "city.bin", before)
    step = max(1, n // CHANGED)
    changed = {members[i][0]: change(members[i][2], k) for k, i in enumerate(range(0, step * CHANGED, step)[:n])}
    out["fetch_after_change"] = once([y, "city", "fetch", "--today", "2022-07-02"], root, env)
    moved = {name for name, sha in held_refs(root).items() if held.get(name) != sha}
    if moved != set(changed):
        raise SystemExit(f"members whose ref moved: {sorted(moved)}, changed: {sorted(changed)}")

    from yilan_cli.federation import load_members, read_members

    views = read_members(root, load_members(root))
    reads = {v.member.name: v.read for v in views}
    errors = [f"{f.file}: {f.code}" for v in views for f in v.findings if f.severity == "error"]
    total = sum(reads.values())
    ok = all(reads[name] == (FILES_CHANGED if name in changed else 0) for name in reads) and not errors
    out["reads"] = (total, {name: reads[name] for name in changed}, sum(reads[x] for x in reads if x not in changed),
                    errors[:5], ok)

    def after_change() -> tuple[float, int]:  # the cache as it was before the re-fetch: 5 trees, 15 blobs to read
        shutil.copyfile(before, cache / "city.bin")
        return timed(city_status, root, env)

    out["city_status_after_change"], out["city_status_warm_again"] = alternated(
        runs, after_change, lambda: timed(city_status, root, env))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=120)
    ap.add_argument("--matters", type=int, default=473, help="matters per member")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/yilan-bench-city"))
    ap.add_argument("--keep", action="store_true", help="leave the generated repositories in --dir")
    args = ap.parse_args()
    if args.members < 1 or args.matters < 1:
        raise SystemExit("--members and --matters must be at least 1")
    base = args.dir.resolve()
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    isolated_git(base)
    n, m = args.members, args.matters
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}; {version([yilan_exe(), '--version'])}; {version(['git', '--version'])}")
    print(f"\n## city of {n} members × {m} matters = {n * m} (runs {args.runs}, warm series alternated A B A B …)")
    try:
        r = bench(n, m, args.runs, base)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    for key in ("fetch_cold", "city_status_cold", "city_status_warm", "single_status_warm",
                "fetch_after_change", "city_status_after_change", "city_status_warm_again"):
        print(f"  {key:25s} {fmt(r[key])}")
    print(f"  matters listed: city {r['city_matters']}, single workspace {r['single_matters']}")
    total, per, others, errors, ok = r["reads"]
    print(f"  re-fetch: {total} matter files read from git objects; changed members {per}; other members {others}"
          + (f"; errors {errors}" if errors else ""))

    ratio = r["city_status_warm"][0] / r["single_status_warm"][0]
    print("\n## Targets (issue 23; ratios of medians measured in this run)")
    print(f"  warm city status / warm status of {n * m}  {ratio:6.2f}  [≤ 2]  {'pass' if ratio <= 2 else 'MISS'}")
    want = CHANGED * FILES_CHANGED if n >= CHANGED else n * FILES_CHANGED
    print(f"  re-fetch reads only the changed files      {total:6d}  [= {want}, 0 elsewhere]  "
          f"{'pass' if ok and total == want else 'MISS'}")


if __name__ == "__main__":
    main()
