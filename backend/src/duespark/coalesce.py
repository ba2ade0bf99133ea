"""Identical expensive reads asked for at the same moment share computations.

A dashboard is opened by a team at once, or by a browser that reloads: each summary reads every open
invoice of the account (about 200 ms at 50,000), and sixteen of them at once queue behind each other for
seconds. Here requests for the same key share work, without ever answering from data older than the
request: a request never takes the result of a computation that started before it arrived (it may have
read before the request's own write was committed). Up to `parallel` computations of a key run at once
(two: the database reads for one while Python adds up the other); a request that finds them all busy
waits for the next one, which starts as soon as one of them ends, and shares it with everyone else who
arrived meanwhile. So however many requests ask, a key has at most `parallel` + 1 computations alive.

State lives in the event loop's thread (no locks); the computations run on the request threads. Each API
process coalesces its own requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


@dataclass
class _Key(Generic[T]):
    running: int = 0
    waiting: asyncio.Future[T] | None = None
    waiting_work: Callable[[], T] | None = None


class Coalescer(Generic[T]):
    def __init__(self, parallel: int = 2) -> None:
        self._parallel = parallel
        self._keys: dict[Hashable, _Key[T]] = {}

    async def run(self, key: Hashable, work: Callable[[], T]) -> T:
        """`work()`'s result, computed after this call began, possibly shared with concurrent callers
        of the same key (their `work` must compute the same thing)."""
        loop = asyncio.get_running_loop()
        # Futures belong to one event loop (one per API process; tests may run several).
        slot = (loop, key)
        state = self._keys.setdefault(slot, _Key())
        if state.running < self._parallel:
            future = self._start(slot, state, work)
        else:
            if state.waiting is None:
                state.waiting = loop.create_future()
                state.waiting.add_done_callback(_retrieve)
                state.waiting_work = work
            future = state.waiting
        # A caller that goes away (client disconnect) must not cancel the others' computation.
        return await asyncio.shield(future)

    def _start(self, slot: Hashable, state: _Key[T], work: Callable[[], T]) -> asyncio.Future[T]:
        state.running += 1
        task = asyncio.ensure_future(run_in_threadpool(work))
        task.add_done_callback(lambda done: self._finished(slot, state, done))
        return task

    def _finished(self, slot: Hashable, state: _Key[T], done: asyncio.Future[T]) -> None:
        _retrieve(done)
        state.running -= 1
        if state.waiting is not None:
            waiting, work = state.waiting, state.waiting_work
            state.waiting = state.waiting_work = None
            assert work is not None
            self._start(slot, state, work).add_done_callback(lambda task: _settle(waiting, task))
        elif state.running == 0:
            del self._keys[slot]


def _retrieve(future: asyncio.Future) -> None:
    """Marks a failure as seen: when every caller went away, nobody else awaits it (asyncio would log
    "exception was never retrieved"); when somebody does, the exception reaches them all the same."""
    if future.done() and not future.cancelled():
        future.exception()


def _settle(target: asyncio.Future[T], task: asyncio.Future[T]) -> None:
    if target.cancelled():
        return
    if task.cancelled():
        target.cancel()
    elif (error := task.exception()) is not None:
        target.set_exception(error)
    else:
        target.set_result(task.result())
