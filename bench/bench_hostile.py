"""Time per hostile input, and /healthz latency while costly verifications run (issue 10).

Run: ``.venv/bin/python bench/bench_hostile.py``. It starts a real ``credstack serve`` on a
fresh SQLite data directory, sends each hostile input of the issue once (after one warm-up
request), then measures ``/healthz`` idle and while four in-bounds but costly verifications
(a credential with 20,000 tags, about 1.5 s of canonicalisation each) run at once. The
catalog inputs (alias bomb, deep nesting) are timed in-process through ``parse_catalog``.
A page form and a JSON body just over their ceilings (`credstack.http.body_ceiling`), sent
chunked, are timed too.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import Cli, free_port, running_server  # noqa: E402
from tests.integration.hostile.support import heavy_credential, hostile_bodies  # noqa: E402

from credstack.catalog.parse import parse_catalog  # noqa: E402
from credstack.http.body_ceiling import Ceilings  # noqa: E402
from credstack.limits import MAX_CREDENTIAL_BYTES  # noqa: E402


def _over_ceilings() -> list[tuple[str, str, str, bytes]]:
    """Bodies just over their content type's ceiling, to be sent chunked (no length)."""
    ceilings = Ceilings.of(MAX_CREDENTIAL_BYTES)
    form = "application/x-www-form-urlencoded"
    return [
        ("a sign-in form over its ceiling", "/login", form, b"t=" + b"x" * ceilings.urlencoded),
        (
            "a JSON body over its ceiling",
            "/api/v1/learners",
            "application/json",
            b'{"id": "' + b"x" * ceilings.document + b'"}',
        ),
    ]


def _pieces(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 65536):
        yield body[start : start + 65536]


def _healthz(url: str, samples: int) -> list[float]:
    latencies = []
    with httpx.Client() as client:
        while len(latencies) < samples:
            started = time.monotonic()
            client.get(f"{url}/healthz", timeout=30).raise_for_status()
            latencies.append((time.monotonic() - started) * 1000)
            time.sleep(0.05)
    return latencies


def _describe(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
        f"max {ordered[-1]:.1f} ms ({len(ordered)} requests)"
    )


def main() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    broken = ROOT / "tests" / "data" / "broken-catalogs"
    for name in ("alias-bomb", "deep-nesting", "self-referential-alias"):
        started = time.monotonic()
        problems = parse_catalog((broken / f"{name}.yaml").read_text(), name).problems
        took = time.monotonic() - started
        print(f"| catalog {name} | {took:.2f} s | {problems[0]} |")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        cli = Cli(Path(tmp) / "data", f"sqlite:///{tmp}/bench.db", f"http://127.0.0.1:{port}")
        cli.ok("init")
        with running_server(cli, "serve", port=port) as url:
            httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=120)
            for name, (body, _status) in hostile_bodies().items():
                started = time.monotonic()
                answer = httpx.post(f"{url}/api/v1/verify", content=body, timeout=120)
                took = time.monotonic() - started
                print(f"| {name} | {took:.2f} s | {answer.status_code} |")
            for name, path, kind, body in _over_ceilings():
                started = time.monotonic()
                answer = httpx.post(
                    f"{url}{path}",
                    content=_pieces(body),
                    headers={"content-type": kind},
                    timeout=120,
                )
                took = time.monotonic() - started
                print(f"| {name}, sent chunked | {took:.2f} s | {answer.status_code} |")
            print(f"/healthz idle: {_describe(_healthz(url, 20))}")
            heavy = heavy_credential(20_000)
            took: list[float] = []

            def verify() -> None:
                started = time.monotonic()
                httpx.post(f"{url}/api/v1/verify", content=heavy, timeout=120)
                took.append(time.monotonic() - started)

            workers = [threading.Thread(target=verify) for _ in range(4)]
            for worker in workers:
                worker.start()
            time.sleep(0.3)
            latencies: list[float] = []
            while any(w.is_alive() for w in workers):
                latencies.extend(_healthz(url, 1))
            print(f"/healthz during 4 costly verifications: {_describe(latencies)}")
            print(f"each costly verification: {', '.join(f'{t:.1f} s' for t in sorted(took))}")


if __name__ == "__main__":
    main()
