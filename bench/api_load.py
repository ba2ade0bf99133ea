"""The API under load on PostgreSQL: `make bench` (or `python bench/api_load.py`).

Creates its own database, registers one user through the API, gives the account 500 clients and
50,000 invoices (bulk SQL; paid ones with each client's own delay), starts `duespark serve --workers 2`
on a free loopback port, then loads each endpoint in turn with a closed loop of N connections for a
fixed time and prints requests/s and p50/p95/p99 latency, with the error count. The load comes from
wrk (apt-get install wrk) with a generated Lua script, or without it from an asyncio + httpx client,
which takes a good part of a core from the server it measures.

    python bench/api_load.py [--invoices 50000] [--seconds 15] [--connections 2,8] [--workers 2]
                             [--generator auto|wrk|httpx] [--only summary]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duespark import migrate
from duespark.db import make_engine
from reminders_bench import create_database, drop_database
from report import record

PASSWORD = "correct horse battery staple"
READ_P95_TARGET_MS = 50
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
                                      issue_date, due_date, status, paid_at, reminders_excluded, reminders_paused,
                                      created_at, updated_at)
                SELECT :account, c.id, 'INV-' || lpad(g::text, 6, '0'), 10000 + g % 90000,
                       CASE WHEN g % 10 < 6 THEN 10000 + g % 90000 WHEN g % 10 = 6 THEN 5000 ELSE 0 END, 'EUR',
                       CURRENT_DATE - 400 + (g % 430), CURRENT_DATE - 370 + (g % 430),
                       CASE WHEN g % 10 < 6 THEN 'paid' WHEN g % 10 = 6 THEN 'partially_paid'
                            WHEN g % 50 = 7 THEN 'void' WHEN g % 50 = 17 THEN 'draft' ELSE 'open' END,
                       -- each client its own habit: paid from 5 days early to 24 days late
                       CASE WHEN g % 10 < 6
                            THEN LEAST((CURRENT_DATE - 370 + (g % 430) + (g % 500) % 30 - 5)::timestamptz
                                       + interval '14 hours', :now)
                       END,
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


# Each endpoint is one HTTP request, written once as data: both load generators build it from this.
@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    # Fields drawn anew for each request: <invoice>, <client>, <page>, <prefix>, <n> (both generators fill them).
    path: str
    body: str | None = None


def endpoints() -> list[Endpoint]:
    today = date.today()
    body = json.dumps(
        {
            "client_id": "<client>",
            "number": "LOAD-<n>",
            "amount": "1250.00",
            "issue_date": today.isoformat(),
            "due_date": (today + timedelta(days=30)).isoformat(),
        }
    ).replace('"<client>"', "<client>")
    return [
        Endpoint(
            "GET /api/invoices?status=overdue (page of 50)",
            "GET",
            "/api/invoices?status=overdue&sort=-due_date&page_size=50&page=<page>",
        ),
        Endpoint(
            "GET /api/invoices?client_id=&status=open,overdue",
            "GET",
            "/api/invoices?client_id=<client>&status=open&status=overdue&page_size=50",
        ),
        Endpoint(
            "GET /api/invoices?q= (number search)",
            "GET",
            "/api/invoices?q=INV-0<prefix>&page_size=50",
        ),
        Endpoint("GET /api/invoices/{id}", "GET", "/api/invoices/<invoice>"),
        Endpoint("GET /api/insights/summary (dashboard)", "GET", "/api/insights/summary"),
        Endpoint("POST /api/invoices", "POST", "/api/invoices", body),
    ]


def fill(
    template: str,
    rng: random.Random,
    invoice_ids: list[int],
    client_ids: list[int],
    serial: int,
) -> str:
    values = {
        "invoice": rng.choice(invoice_ids),
        "client": rng.choice(client_ids),
        "page": rng.randint(1, 20),
        "prefix": rng.randint(100, 499),
        "n": f"{os.getpid()}-{serial}-{rng.randint(0, 10**9)}",
    }
    return re.sub(r"<(\w+)>", lambda match: str(values[match[1]]), template)


WRK_SCRIPT = """
local invoices = {%(invoices)s}
local clients = {%(clients)s}
local serial = 0
wrk.method = "%(method)s"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "application/json"
local function fill(template)
  serial = serial + 1
  local values = {
    invoice = invoices[math.random(#invoices)], client = clients[math.random(#clients)],
    page = math.random(1, 20), prefix = math.random(100, 499),
    n = "%(run)s-" .. tostring(serial),
  }
  return (template:gsub("<(%%w+)>", function(key) return tostring(values[key]) end))
end
request = function()
  return wrk.format(nil, fill(%(path)s), nil, %(body)s)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def load_with_wrk(
    base: str,
    token: str,
    endpoint: Endpoint,
    ids: tuple[list[int], list[int]],
    *,
    seconds: float,
    connections: int,
) -> dict[str, float]:
    """wrk (C, one thread) costs the two cores far less than a Python client would."""
    invoice_ids, client_ids = ids
    body = "nil" if endpoint.body is None else f"fill({lua_string(endpoint.body)})"
    script = WRK_SCRIPT % {
        "invoices": ",".join(map(str, invoice_ids)),
        "clients": ",".join(map(str, client_ids)),
        "method": endpoint.method,
        "token": token,
        "path": lua_string(endpoint.path),
        "body": body,
        "run": uuid.uuid4().hex,  # numbers of created invoices stay unique across runs
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:.0f}s",
        "--timeout",
        "30s",
        "-s",
        handle.name,
        base,
    ]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


async def load_with_httpx(
    base: str,
    token: str,
    endpoint: Endpoint,
    ids: tuple[list[int], list[int]],
    *,
    seconds: float,
    connections: int,
) -> dict[str, float]:
    """A closed-loop asyncio client, for a machine without wrk: it takes CPU from the server it measures."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    serial = iter(range(10**9))

    async def user(index: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        rng = random.Random(index)
        while time.perf_counter() < deadline:
            number = next(serial)
            body = None if endpoint.body is None else fill(endpoint.body, rng, *ids, number)
            path = fill(endpoint.path, rng, *ids, number)
            started = time.perf_counter()
            try:
                response = await client.request(endpoint.method, path, content=body)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument(
        "--connections",
        default="2,8",
        help="comma-separated; each endpoint is loaded at each count (2: one request per server worker; 8: saturated)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generator", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--only", default="", help="load only the endpoints whose name contains this text")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DUESPARK_TEST_POSTGRES_URL",
            "postgresql://postgres@127.0.0.1:5432/postgres",
        ),
    )
    args = parser.parse_args()
    connection_counts = [int(count) for count in args.connections.split(",")]
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "httpx"
        if generator == "httpx":
            print("wrk not found (apt-get install wrk): the Python client shares the cores with the server")

    def load(
        base: str,
        token: str,
        endpoint: Endpoint,
        ids,
        *,
        seconds: float,
        connections: int,
    ):
        if generator == "wrk":
            return load_with_wrk(base, token, endpoint, ids, seconds=seconds, connections=connections)
        return asyncio.run(load_with_httpx(base, token, endpoint, ids, seconds=seconds, connections=connections))

    url = create_database(args.postgres)
    workdir = Path(tempfile.mkdtemp(prefix="duespark-api-load-"))
    server = None
    rows = []
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        server = Server(url, args.workers, workdir / "serve.log")
        httpx.post(
            f"{server.base}/api/auth/register",
            json={"email": "load@example.com", "password": PASSWORD, "name": "Load"},
        ).raise_for_status()
        with engine.connect() as conn:
            account_id = conn.scalar(text("SELECT id FROM accounts ORDER BY id LIMIT 1"))
        started = time.perf_counter()
        seed(url, account_id, args.invoices)
        print(f"seeded {args.invoices:,} invoices in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            ids = (
                list(conn.scalars(text("SELECT id FROM invoices"))),
                list(conn.scalars(text("SELECT id FROM clients"))),
            )
        engine.dispose()

        for endpoint in (endpoint for endpoint in endpoints() if args.only in endpoint.name):
            for connections in connection_counts:
                # A fresh token for each run: access tokens live 15 minutes, the whole bench longer.
                token = (
                    httpx.post(
                        f"{server.base}/api/auth/login",
                        json={"email": "load@example.com", "password": PASSWORD},
                    )
                    .raise_for_status()
                    .json()["access_token"]
                )
                load(
                    server.base,
                    token,
                    endpoint,
                    ids,
                    seconds=2,
                    connections=connections,
                )  # warm-up
                result = load(
                    server.base,
                    token,
                    endpoint,
                    ids,
                    seconds=args.seconds,
                    connections=connections,
                )
                rows.append((endpoint.name, connections, result))
    finally:
        if server is not None:
            server.stop()
        drop_database(args.postgres, url)

    width = max(len(name) for name, _, _ in rows)
    print(
        f"\nAPI load: {args.invoices:,} invoices, duespark serve --workers {args.workers}, "
        f"{args.seconds:.0f} s per row, load from {generator} on the same {os.cpu_count()} cores"
    )
    print(f"{'endpoint'.ljust(width)}  {'conns':>5}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  errors")
    print(f"{'-' * width}  {'-' * 5}  {'-' * 7}  {'-' * 7}  {'-' * 7}  {'-' * 7}  ------")
    for name, connections, r in rows:
        print(
            f"{name.ljust(width)}  {connections:>5}  {r['rps']:>7.0f}  {r['p50']:>7.1f}  {r['p95']:>7.1f}  "
            f"{r['p99']:>7.1f}  {r['errors']:.0f}/{r['requests']:.0f}"
        )
        # The target holds for reads at the rate two cores sustain: one request per server worker.
        read = name.startswith("GET") and connections == args.workers
        record(
            f"API, {args.invoices:,} invoices",
            f"{name} @ {connections} conns",
            f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} / p95 {r['p95']:.1f} / p99 {r['p99']:.1f} ms, "
            f"{r['errors']:.0f} errors",
            target="p95 < 50 ms, no errors" if read else "",
            met=(r["p95"] < READ_P95_TARGET_MS and not r["errors"]) if read else None,
        )


if __name__ == "__main__":
    main()
