"""`make bench`: every benchmark in turn (each prints its own table as it goes), then one table of
the headline figures with their targets.

    python bench/all.py [--quick]

--quick runs each at a tenth of its size (a check that the benches work, not figures to quote).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import REPORT_ENV, cpu_calibration_ms

HERE = Path(__file__).resolve().parent
# (script, arguments, arguments with --quick)
BENCHES = (
    ("api_load.py", [], ["--quick"]),
    ("engine_scale.py", [], ["--invoices", "100000", "--dispatch", "1000"]),
    ("reminders_bench.py", [], ["--invoices", "10000", "--dispatch", "1000"]),
    ("insights_bench.py", [], ["--invoices", "10000", "--repeat", "3"]),
    ("pdf_bench.py", [], ["--emails", "20", "--rounds", "1"]),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as report:
        env = {**os.environ, REPORT_ENV: report.name}
        calibration_before = cpu_calibration_ms()
        failed = []
        for script, full, quick in BENCHES:
            print(f"\n##### {script}", flush=True)
            started = time.perf_counter()
            run = subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick else full)], env=env)
            print(f"##### {script}: {time.perf_counter() - started:.0f} s", flush=True)
            if run.returncode:
                failed.append(script)
        rows = [json.loads(line) for line in report]
    calibration = f"{calibration_before:.0f} ms before, {cpu_calibration_ms():.0f} ms after"
    rows.insert(0, {"bench": "machine", "measure": "CPU calibration", "result": calibration, "target": "", "met": None})
    print_summary(rows, quick=args.quick)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


def print_summary(rows: list[dict], *, quick: bool) -> None:
    verdicts = {True: "met", False: "MISSED", None: ""}
    headers = ("bench", "measure", "result", "target", "")
    table = [(r["bench"], r["measure"], r["result"], r["target"], verdicts[r["met"]]) for r in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *table, strict=False)]
    title = "Summary" + (" (--quick: sizes cut tenfold, not figures to quote)" if quick else "")
    print(f"\n{title}, on {os.cpu_count()} cores")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in table:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
