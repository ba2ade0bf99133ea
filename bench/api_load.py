"""The API under load on PostgreSQL: `make bench` (or `python bench/api_load.py`).

Creates its own database, registers one user through the API, gives the account 500 clients and
50,000 invoices (bulk SQL), starts `duespark serve --workers 2` on a free loopback port, then runs
a closed-loop load generator (asyncio + httpx, N connections, fixed duration) against each endpoint
in turn and prints requests/s and p50/p95/p99 latency per endpoint, with the error count.

    python bench/api_load.py [--invoices 50000] [--seconds 15] [--connections 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duespark import migrate
from duespark.db import make_engine
from reminders_bench import create_database, drop_database

PASSWORD = "correct horse battery staple"
NOW = datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(url: str, account_id: int, invoices: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                """
                INSERT INTO clients (account_id, name, email, client_type, timezone, reminders_paused,
                                     created_at, updated_at)
                SELECT :account, 'Client ' || g, 'client' || g || '@example.com', 'business', 'Europe/Berlin',
                       false, :now, :now
                FROM generate_series(1, 500) g
                """
            ),
            {"account": account_id, "now": NOW},
        )
        # A realistic mix: most paid, some open (due soon or overdue), a few partially paid, void or draft.
        conn.execute(
            text(
                """
                INSERT INTO invoices (account_id, client_id, number, amount_minor, amount_paid_minor, currency,
                                      issue_date, due_date, status, reminders_excluded, reminders_paused,
                                      created_at, updated_at)
                SELECT :account, c.id, 'INV-' || lpad(g::text, 6, '0'), 10000 + g % 90000,
                       CASE WHEN g % 10 < 6 THEN 10000 + g % 90000 WHEN g % 10 = 6 THEN 5000 ELSE 0 END, 'EUR',
                       CURRENT_DATE - 400 + (g % 430), CURRENT_DATE - 370 + (g % 430),
                       CASE WHEN g % 10 < 6 THEN 'paid' WHEN g % 10 = 6 THEN 'partially_paid'
                            WHEN g % 50 = 7 THEN 'void' WHEN g % 50 = 17 THEN 'draft' ELSE 'open' END,
                       false, false, :now - (g || ' minutes')::interval, :now
                FROM generate_series(1, :n) g
                JOIN clients c ON c.account_id = :account AND c.name = 'Client ' || (1 + g % 500)
                """
            ),
            {"account": account_id, "now": NOW, "n": invoices},
        )
    # The state autovacuum brings a table to within minutes of a bulk insert, and the one a database that
    # grew over months is in: statistics, the visibility map, and the GIN indexes' pending lists merged
    # (while 50,000 new entries sit in those lists PostgreSQL prefers to scan the table for a search).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


class Server:
    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DUESPARK_", "PROMETHEUS_"))},
            "DUESPARK_ENV": "test",
            "DUESPARK_DATABASE_URL": url,
            "DUESPARK_DATA_DIR": str(log.parent / "data"),
            "DUESPARK_SECRET_KEY": "bench-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DUESPARK_EMAIL_FROM": "reminders@duespark.test",
            "DUESPARK_RUN_WORKER_IN_PROCESS": "false",
            "DUESPARK_RATE_LIMIT_ENABLED": "false",  # one client address sends everything
            "DUESPARK_LOG_JSON": "true",
            "DUESPARK_LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            "-m",
            "duespark",
            "serve",
            "--no-migrate",
            "--host",
            "127.0.0.1",
        ]
        command += ["--port", str(self.port), "--workers", str(workers)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"duespark serve did not start:\n{log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


Request = Callable[[httpx.AsyncClient, random.Random], "asyncio.Future[httpx.Response]"]


async def load(base: str, token: str, request: Request, *, seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {token}"}

    async def user(index: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        rng = random.Random(index)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await request(client, rng)
                ok = response.status_code < 400
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(user(i, client) for i in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": quantiles[49] * 1000,
        "p95": quantiles[94] * 1000,
        "p99": quantiles[98] * 1000,
        "errors": errors,
    }


def endpoints(invoice_ids: list[int], client_ids: list[int]) -> dict[str, Request]:
    counter = iter(range(10**9))
    today = date.today()

    def list_overdue(client: httpx.AsyncClient, rng: random.Random):
        page = rng.randint(1, 20)
        return client.get(f"/api/invoices?status=overdue&sort=-due_date&page_size=50&page={page}")

    def list_by_client(client: httpx.AsyncClient, rng: random.Random):
        return client.get(f"/api/invoices?client_id={rng.choice(client_ids)}&status=open&status=overdue&page_size=50")

    def search(client: httpx.AsyncClient, rng: random.Random):
        return client.get(f"/api/invoices?q=INV-0{rng.randint(100, 499)}&page_size=50")

    def get_invoice(client: httpx.AsyncClient, rng: random.Random):
        return client.get(f"/api/invoices/{rng.choice(invoice_ids)}")

    def create_invoice(client: httpx.AsyncClient, rng: random.Random):
        number = f"LOAD-{os.getpid()}-{next(counter)}-{rng.randint(0, 10**9)}"
        body = {
            "client_id": rng.choice(client_ids),
            "number": number,
            "amount": "1250.00",
            "issue_date": today.isoformat(),
            "due_date": (today + timedelta(days=30)).isoformat(),
        }
        return client.post("/api/invoices", json=body)

    def summary(client: httpx.AsyncClient, rng: random.Random):
        return client.get("/api/insights/summary")

    return {
        "GET /api/invoices?status=overdue (page of 50)": list_overdue,
        "GET /api/invoices?client_id=&status=open,overdue": list_by_client,
        "GET /api/invoices?q= (number search)": search,
        "GET /api/invoices/{id}": get_invoice,
        "POST /api/invoices": create_invoice,
        "GET /api/insights/summary (dashboard)": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DUESPARK_TEST_POSTGRES_URL",
            "postgresql://postgres@127.0.0.1:5432/postgres",
        ),
    )
    args = parser.parse_args()

    url = create_database(args.postgres)
    workdir = Path(tempfile.mkdtemp(prefix="duespark-api-load-"))
    server = None
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        server = Server(url, args.workers, workdir / "serve.log")
        httpx.post(
            f"{server.base}/api/auth/register",
            json={"email": "load@example.com", "password": PASSWORD, "name": "Load"},
        ).raise_for_status()
        signed_in = httpx.post(
            f"{server.base}/api/auth/login",
            json={"email": "load@example.com", "password": PASSWORD},
        )
        token = signed_in.raise_for_status().json()["access_token"]
        with engine.connect() as conn:
            account_id = conn.scalar(text("SELECT id FROM accounts ORDER BY id LIMIT 1"))
        started = time.perf_counter()
        seed(url, account_id, args.invoices)
        print(f"seeded {args.invoices:,} invoices in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            invoice_ids = list(conn.scalars(text("SELECT id FROM invoices")))
            client_ids = list(conn.scalars(text("SELECT id FROM clients")))
        engine.dispose()

        rows = []
        for name, request in endpoints(invoice_ids, client_ids).items():
            asyncio.run(load(server.base, token, request, seconds=2, connections=args.connections))  # warm-up
            result = asyncio.run(
                load(
                    server.base,
                    token,
                    request,
                    seconds=args.seconds,
                    connections=args.connections,
                )
            )
            rows.append((name, result))
    finally:
        if server is not None:
            server.stop()
        drop_database(args.postgres, url)

    width = max(len(name) for name, _ in rows)
    print(
        f"\nAPI load: {args.invoices:,} invoices, duespark serve --workers {args.workers}, "
        f"{args.connections} connections, {args.seconds:.0f} s per endpoint, on {os.cpu_count()} cores"
    )
    print(f"{'endpoint'.ljust(width)}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  errors")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 7}  {'-' * 7}  {'-' * 7}  ------")
    for name, r in rows:
        print(
            f"{name.ljust(width)}  {r['rps']:>7.0f}  {r['p50']:>7.1f}  {r['p95']:>7.1f}  {r['p99']:>7.1f}  "
            f"{r['errors']:.0f}/{r['requests']:.0f}"
        )


if __name__ == "__main__":
    main()
