"""A real HTTP receiver on 127.0.0.1 (a threading http.server), and settings that allow it as a target."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from duespark.clock import FixedClock
from duespark.settings import Settings
from tests.conftest import make_test_settings


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    started: float
    finished: float = 0.0


@dataclass
class Receiver:
    """Records every request exactly as it arrived; `answer(request_number, received)` picks the reply."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    answer: Callable[[int, Received], tuple[int, dict[str, str], bytes]] = lambda n, r: (200, {}, b"ok")
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def bodies_of(self, event_type: str) -> list[bytes]:
        return [r.body for r in self.requests if f'"type":"{event_type}"'.encode() in r.body]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length), time.monotonic()
            )
            with state.lock:
                state.requests.append(received)
                number = len(state.requests)
            if state.delay:
                time.sleep(state.delay)
            status, headers, body = state.answer(number, received)
            received.finished = time.monotonic()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        # Two workers open 16 connections at once; with the default backlog of 5 a busy machine drops SYNs
        # and the client's retransmit (1 s, then 3 s) turns into a timeout and a retry nobody asked for.
        request_queue_size = 128
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_test_settings(tmp_path, database_url, webhooks_allow_private_targets=True, webhook_timeout_seconds=2)


@pytest.fixture
def now_clock() -> FixedClock:
    # Near the real time: Webhook.verify refuses timestamps more than 5 minutes from its own clock.
    return FixedClock(datetime.now(UTC).replace(microsecond=0))
