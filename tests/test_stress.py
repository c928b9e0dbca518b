"""No acknowledged write lost: two clones, concurrent yilan commands, SIGKILL and SIGINT at random moments.

The harness (tests/stress_harness.py, also runnable alone) builds ``yilan init --example``, a bare origin and
clones A and B, runs seeded operations (update, add, import, undo, fmt, notice --issue, sync) on 12 threads
while a killer thread signals random yilan processes, settles with fmt and sync A → B → A, then checks both
clones. ``YILAN_STRESS_SEED`` picks another seed, ``YILAN_STRESS_OPS`` another number of operations; the
summary line is printed (``pytest -s``) for docs/reliability.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .stress_harness import DEFAULT_SEED, Config, run

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    sys.platform == "win32",
    reason="sends POSIX SIGKILL and SIGINT to single processes started in their own sessions; Windows has neither")]

MIN_WORKERS, MIN_KILLS, MIN_ACKNOWLEDGED_WRITES = 10, 5, 20


def test_no_acknowledged_write_is_lost_under_random_kills_in_two_clones(tmp_path: Path) -> None:
    config = Config(seed=int(os.environ.get("YILAN_STRESS_SEED", DEFAULT_SEED)),
                    ops=int(os.environ.get("YILAN_STRESS_OPS", Config.ops)))
    report = run(config, tmp_path / "stress")
    print(report.summary())
    # the run must have been a real storm, or zero violations would prove nothing
    weak = []
    if config.workers < MIN_WORKERS:
        weak.append(f"only {config.workers} concurrent workers (want ≥ {MIN_WORKERS})")
    for name in ("SIGKILL", "SIGINT"):
        if report.kills[name] < MIN_KILLS:
            weak.append(f"only {report.kills[name]} {name} sent (want ≥ {MIN_KILLS})")
    if report.acknowledged_writes < MIN_ACKNOWLEDGED_WRITES:
        weak.append(f"only {report.acknowledged_writes} acknowledged writes (want ≥ {MIN_ACKNOWLEDGED_WRITES})")
    if weak or report.violations:
        pytest.fail("\n".join([*weak, report.explain()]), pytrace=False)
