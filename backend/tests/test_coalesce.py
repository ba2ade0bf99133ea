"""Requests that share a computation never get a result read before they arrived."""

from __future__ import annotations

import asyncio
import threading

import pytest

from duespark.coalesce import Coalescer


class Computations:
    """Each computation reads `value` when it starts, then waits until the test lets it finish."""

    def __init__(self) -> None:
        self.value = 0
        self.started: list[threading.Event] = [threading.Event() for _ in range(5)]
        self.release: list[threading.Event] = [threading.Event() for _ in range(5)]
        self.count = 0

    def work(self) -> int:
        index = self.count
        self.count += 1
        seen = self.value
        self.started[index].set()
        assert self.release[index].wait(5)
        return seen


async def _until(event: threading.Event) -> None:
    assert await asyncio.to_thread(event.wait, 5)


def _ask(coalescer: Coalescer[int], work) -> asyncio.Future[int]:
    return asyncio.ensure_future(coalescer.run("account 1", work))


async def _first_computation_has_read(computations: Computations) -> tuple[Coalescer[int], asyncio.Future[int]]:
    """A coalescer running one computation at a time, and the first caller's request, its computation held."""
    coalescer: Coalescer[int] = Coalescer(parallel=1)
    first = _ask(coalescer, computations.work)
    await _until(computations.started[0])
    return coalescer, first


def test_callers_during_a_computation_share_the_next_one_which_reads_after_they_arrived():
    async def scenario() -> None:
        computations = Computations()
        coalescer, first = await _first_computation_has_read(computations)
        # A write commits after the first computation read, then six callers arrive.
        computations.value = 1
        later = [_ask(coalescer, computations.work) for _ in range(6)]
        await asyncio.sleep(0.05)
        assert computations.count == 1
        computations.release[0].set()
        assert await first == 0
        await _until(computations.started[1])
        computations.release[1].set()
        assert await asyncio.gather(*later) == [1] * 6
        assert computations.count == 2

    asyncio.run(scenario())


def test_other_keys_do_not_wait_and_a_failure_reaches_every_caller_of_its_computation():
    async def scenario() -> None:
        computations = Computations()
        coalescer, blocked = await _first_computation_has_read(computations)
        assert await coalescer.run("account 2", lambda: 42) == 42

        def fails() -> int:
            raise ValueError("no such account")

        waiting = [_ask(coalescer, fails) for _ in range(3)]
        await asyncio.sleep(0.05)
        computations.release[0].set()
        assert await blocked == 0
        for caller in waiting:
            with pytest.raises(ValueError, match="no such account"):
                await caller
        # Nothing is left behind: the next caller computes afresh.
        computations.release[1].set()
        assert await coalescer.run("account 1", computations.work) == 0
        assert computations.count == 2

    asyncio.run(scenario())


def test_callers_that_go_away_do_not_cancel_the_computations_of_the_others():
    async def scenario() -> None:
        computations = Computations()
        coalescer, first = await _first_computation_has_read(computations)
        computations.value = 1
        leaving, staying = (_ask(coalescer, computations.work) for _ in range(2))
        await asyncio.sleep(0.05)
        first.cancel()
        leaving.cancel()
        computations.release[0].set()
        await _until(computations.started[1])
        computations.release[1].set()
        assert await staying == 1
        assert first.cancelled() and leaving.cancelled()
        assert computations.count == 2

    asyncio.run(scenario())
