"""The one table `make bench` ends with: each bench script records its headline figures here.

A script run on its own prints only its own table; run by `bench/all.py`, which names a file in
DUESPARK_BENCH_REPORT, it also appends one JSON line per figure there for the summary.
"""

from __future__ import annotations

import json
import os

REPORT_ENV = "DUESPARK_BENCH_REPORT"


def record(bench: str, measure: str, result: str, *, target: str = "", met: bool | None = None) -> None:
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    line = {"bench": bench, "measure": measure, "result": result, "target": target, "met": met}
    with open(path, "a", encoding="utf-8") as report:
        report.write(json.dumps(line) + "\n")
