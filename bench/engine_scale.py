"""The reminder engine at scale on PostgreSQL: planning and dispatch, each in its own worker process.

Seeds N open invoices (default 1,000,000; 5 policy steps each), then runs in a fresh Python process
(a) the planner over every invoice and (b) a dispatcher with a 200 ms provider for a fixed number of
batches, and reports each one's time and the process's peak memory (ru_maxrss): the worker must
stream, never load every row. Then (c) several dispatcher processes at once share the work.

    python bench/engine_scale.py [--invoices 1000000] [--dispatch 3000] [--dispatch-workers 2] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duespark import migrate
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.worker import plan_with_retry
from duespark.settings import Settings
from reminders_bench import NOW, SlowProvider, create_database, drop_database, seed
from report import record


DISPATCH_TARGET_PER_SECOND = 100


def child(job: str, url: str, dispatch: int) -> None:
    """One job in this process; prints its time and peak memory as JSON."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    engine = make_engine(url, pool_size=10)
    factory = make_session_factory(engine)
    settings = Settings(
        env="test",
        database_url=url,
        secret_keys=["bench" * 10],
        email_from="reminders@duespark.test",
        data_dir=Path("/tmp/duespark-bench"),
    )
    started = time.perf_counter()
    if job == "plan":
        result = plan_with_retry(factory, FixedClock(NOW))
        detail = f"{result.inserted:,} reminders for {result.invoices:,} invoices"
    else:
        clock = FixedClock(NOW + timedelta(minutes=1))
        dispatcher = Dispatcher(
            session_factory=factory,
            settings=settings,
            provider=SlowProvider(),
            clock=clock,
            worker_id="scale",
        )
        dispatcher.run(max_batches=1)  # catch-up over every due row, and a first batch
        started = time.perf_counter()
        cpu_started = time.process_time()
        stats = dispatcher.run(max_batches=max(1, dispatch // settings.scheduler_batch_size))
        rate = stats.sent / (time.perf_counter() - started)
        # CPU per email (all threads) tells what the rate would be on a machine not shared with others.
        cpu_ms = (time.process_time() - cpu_started) * 1000 / max(1, stats.sent)
        detail = (
            f"{stats.sent:,} sent, {rate:,.0f} / s through 200 ms calls, {settings.dispatch_concurrency} at once "
            f"({cpu_ms:.1f} ms CPU each; target >= 100 / s)"
        )
        sent, sending_from = stats.sent, time.time() - (time.perf_counter() - started)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"seconds": seconds, "peak_mib": peak_mib, "detail": detail}
    if job == "dispatch":
        result |= {"sent": sent, "from": sending_from, "until": time.time()}
    print(json.dumps(result))


def run_children(job: str, url: str, dispatch: int, count: int = 1) -> list[dict]:
    """`count` processes of the job at once; each one's result."""
    command = [sys.executable, __file__, "--child", job, "--url", url, "--dispatch", str(dispatch)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ) for _ in range(count)]
    outputs = [process.communicate()[0] for process in processes]
    if any(process.returncode for process in processes):
        raise SystemExit(f"a {job} process failed")
    return [json.loads(output.strip().splitlines()[-1]) for output in outputs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--dispatch", type=int, default=3_000)
    parser.add_argument("--dispatch-workers", type=int, default=2, help="dispatcher processes sharing the work in (c)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DUESPARK_TEST_POSTGRES_URL",
            "postgresql://postgres@127.0.0.1:5432/postgres",
        ),
    )
    parser.add_argument("--child", choices=["plan", "dispatch"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.dispatch)
        return

    url = create_database(args.postgres)
    rows = []
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        started = time.perf_counter()
        seed(engine, args.invoices)
        engine.dispose()
        rows.append(
            (
                "seed open invoices",
                f"{time.perf_counter() - started:.1f} s",
                "",
                f"{args.invoices:,} invoices",
            )
        )
        for job in ("plan", "dispatch"):
            [result] = run_children(job, url, args.dispatch)
            if job == "dispatch":
                dispatch_rate = result["sent"] / result["seconds"]
            rows.append(
                (
                    f"worker: {job}",
                    f"{result['seconds']:.1f} s",
                    f"{result['peak_mib']:.0f} MiB",
                    result["detail"],
                )
            )
        if args.dispatch_workers > 1:
            results = run_children("dispatch", url, args.dispatch, args.dispatch_workers)
            sent = sum(r["sent"] for r in results)
            # From the first process's start to the last one's end: a rate never flattered by a late start.
            span = max(r["until"] for r in results) - min(r["from"] for r in results)
            rows.append(
                (
                    f"{args.dispatch_workers} workers: dispatch",
                    f"{span:.1f} s",
                    f"{max(r['peak_mib'] for r in results):.0f} MiB",
                    f"{sent:,} sent, {sent / span:,.0f} / s together through 200 ms calls",
                )
            )
    finally:
        drop_database(args.postgres, url)

    print(f"\nEngine scale: {args.invoices:,} open invoices on PostgreSQL, each job in a fresh worker process")
    print(f"{'measure':<22}  {'time':>9}  {'peak RSS':>9}  detail")
    print(f"{'-' * 22}  {'-' * 9}  {'-' * 9}  {'-' * 40}")
    for name, seconds, peak, detail in rows:
        print(f"{name:<22}  {seconds:>9}  {peak:>9}  {detail}")
        record(f"engine, {args.invoices:,} invoices", name, f"{seconds}, peak RSS {peak or '-'}: {detail}")
    record(
        f"engine, {args.invoices:,} invoices",
        "dispatch rate, 1 worker, 200 ms provider",
        f"{dispatch_rate:,.0f} / s",
        target=">= 100 / s",
        met=dispatch_rate >= DISPATCH_TARGET_PER_SECOND,
    )


if __name__ == "__main__":
    main()
