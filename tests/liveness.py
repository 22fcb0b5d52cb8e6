"""Asserting that work returns and that a server keeps answering, without measuring either.

Tests never assert timings: on a machine shared with other suites a fast call may take seconds.
What a bound on hostile input or an off-loop verifier promises is behaviour: the call returns
(a hang, or work that grows exponentially, never does within a generous `HANG` seconds), and
`/healthz` is answered *beside* costly requests rather than after them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

__all__ = ["HANG", "Beside", "healthz_beside", "returns"]

HANG = 120.0
"""Seconds after which a call is taken to hang: far past any load, far below "for ever"."""

_T = TypeVar("_T")


def returns(call: Callable[[], _T], *, within: float = HANG) -> _T:
    """``call()``'s result (or its exception), failing only if it has not returned within
    ``within`` seconds, which no load explains (run in a daemon thread, left behind then)."""
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the caller as raised
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(within)
    assert not worker.is_alive(), f"{call!r} did not return within {within:g} s: it hangs"
    if failure:
        raise failure[0]
    return outcome[0]


@dataclass(frozen=True)
class Beside:
    statuses: list[int]
    """What the costly requests were answered."""
    overlapped: list[int]
    """Per /healthz answer: how many costly requests finished while it waited for it."""

    @property
    def unblocked(self) -> int:
        """/healthz answers that waited for no costly request: if the costly work held the
        event loop, each would wait for one to finish."""
        return self.overlapped.count(0)


def healthz_beside(
    url: str, send: Callable[[], int], clients: int = 4, samples: int = 30
) -> Beside:
    """``clients`` threads keep ``send`` (a costly request, answering its status) going while
    /healthz is asked ``samples`` times, one after another."""
    done: list[int] = []
    stop = threading.Event()

    def keep_sending() -> None:
        while not stop.is_set():
            done.append(send())

    workers = [threading.Thread(target=keep_sending) for _ in range(clients)]
    for worker in workers:
        worker.start()
    overlapped: list[int] = []
    try:
        while not done and all(w.is_alive() for w in workers):  # the costly work has begun
            time.sleep(0.05)
        with httpx.Client() as client:
            while len(overlapped) < samples:
                before = len(done)
                assert client.get(f"{url}/healthz", timeout=HANG).status_code == 200
                overlapped.append(len(done) - before)
                time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    return Beside(list(done), overlapped)
