"""The one table `make bench` ends with: each bench script records its headline figures here.

A script run on its own prints only its own table; run by `bench/all.py`, which names a file in
DUESPARK_BENCH_REPORT, it also appends one JSON line per figure there for the summary.
"""

from __future__ import annotations

import json
import os
import time

REPORT_ENV = "DUESPARK_BENCH_REPORT"


def record(bench: str, measure: str, result: str, *, target: str = "", met: bool | None = None) -> None:
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    line = {"bench": bench, "measure": measure, "result": result, "target": target, "met": met}
    with open(path, "a", encoding="utf-8") as report:
        report.write(json.dumps(line) + "\n")


def cpu_calibration_ms() -> float:
    """A fixed piece of pure-Python work, timed: how fast this machine is right now. Shared machines drift (a
    neighbour's load), so figures of two runs compare only as far as their calibrations agree."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number * number % 7
        best = min(best, time.perf_counter() - started)
    return best * 1000
