"""What the request-body ceiling (`credstack.http.body_ceiling.BodyCeiling`) costs per request.

Run: ``.venv/bin/python bench/bench_body_ceiling.py``. In one process, no network: the
middleware alone around an application that does nothing (a GET with a browser's headers and
a small POST), then the whole application's ``GET /healthz`` on a fresh SQLite installation
with and without the middleware, in alternating rounds (paired A/B, so a change in the
machine's load falls on both). Figures are CPU time of this process (``time.process_time``)
per request, the median of the rounds and of the paired differences: on a shared machine wall
time measures the neighbours, and even CPU time drifts with them (caches, the thread pool).
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from starlette.types import ASGIApp, Message, Scope  # noqa: E402
from tests.helpers import Cli  # noqa: E402

from credstack.config import load_settings  # noqa: E402
from credstack.http.body_ceiling import BodyCeiling, BodyRefused, Ceilings  # noqa: E402
from credstack.server import create_app  # noqa: E402
from credstack.service.runtime import open_runtime  # noqa: E402

ROUNDS = 5
BROWSER = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    (b"accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    (b"accept-language", b"en-GB,en;q=0.5"),
    (b"accept-encoding", b"gzip, deflate"),
    (b"connection", b"keep-alive"),
    (b"cookie", b"credstack_session=abcdefghijklmnopqrstuvwxyz0123456789"),
    (b"upgrade-insecure-requests", b"1"),
]


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "state": {},
    }


def _per_request(app: ASGIApp, scope: Scope, body: bytes, count: int) -> float:
    """CPU microseconds per request of ``count`` requests to ``app``."""

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_message: Message) -> None:
        return None

    async def run() -> float:
        started = time.process_time()
        for _ in range(count):
            await app(dict(scope), receive, send)
        return (time.process_time() - started) / count * 1e6

    return asyncio.run(run())


def _paired(
    a: Callable[[], float], b: Callable[[], float], rounds: int = ROUNDS
) -> tuple[float, float, float]:
    """Medians of alternating rounds of ``a`` and ``b``, and of their difference per round;
    which of the two goes first alternates too (ABBA), so that what one round leaves behind
    (garbage to collect, a warmer cache) does not always fall on the same side."""
    firsts, seconds = [], []
    for round_ in range(rounds):
        if round_ % 2:
            seconds.append(b())
            firsts.append(a())
        else:
            firsts.append(a())
            seconds.append(b())
    differences = [second - first for first, second in zip(firsts, seconds, strict=True)]
    return statistics.median(firsts), statistics.median(seconds), statistics.median(differences)


async def _nothing(scope: Scope, receive: Callable[[], object], send: object) -> None:
    if scope["method"] == "POST":
        await receive()  # type: ignore[misc]


async def _refuse(_request: object, refusal: BodyRefused) -> object:
    raise AssertionError(refusal.detail)


def main() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    ceiling = BodyCeiling(
        _nothing,  # type: ignore[arg-type]
        ceilings=Ceilings.of(1024 * 1024),
        timeout=30.0,
        answer=_refuse,  # type: ignore[arg-type]
    )
    get = _scope("GET", "/", BROWSER)
    post = _scope(
        "POST",
        "/login",
        [
            *BROWSER,
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"120"),
        ],
    )
    body = b"x" * 120
    for name, scope in (("GET, 8 headers", get), ("POST of 120 bytes", post)):
        bare, wrapped, added = _paired(
            lambda s=scope: _per_request(_nothing, s, body, 50_000),  # type: ignore[misc]
            lambda s=scope: _per_request(ceiling, s, body, 50_000),  # type: ignore[misc]
        )
        print(
            f"middleware alone, {name}: {bare:.2f} µs without, {wrapped:.2f} µs with "
            f"(median difference per round {added:+.2f} µs)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        cli = Cli(Path(tmp) / "data", f"sqlite:///{tmp}/bench.db")
        cli.ok("init")
        runtime = open_runtime(load_settings(env=cli.env()))
        with_ceiling = create_app(runtime, background=False)
        without = create_app(runtime, background=False)
        without.user_middleware = [m for m in without.user_middleware if m.cls is not BodyCeiling]
        healthz = _scope("GET", "/healthz", BROWSER)
        for app in (with_ceiling, without):  # build the middleware stacks, warm the caches
            _per_request(app, healthz, b"", 50)
        bare, wrapped, added = _paired(
            lambda: _per_request(without, healthz, b"", 100),
            lambda: _per_request(with_ceiling, healthz, b"", 100),
            rounds=4 * ROUNDS,
        )
        print(
            f"whole application, GET /healthz: {bare:.1f} µs without, {wrapped:.1f} µs with "
            f"(median difference per round {added:+.1f} µs, {4 * ROUNDS} rounds of 100)"
        )
        runtime.close()


if __name__ == "__main__":
    main()
