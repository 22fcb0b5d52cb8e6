"""Throughput and latency of a real server under load (issue 14, "Serving").

Run: ``.venv/bin/python bench/bench_load.py [--workers 1 2] [--concurrency 32] [--seconds 15]``.
For each worker count it sets up a fresh installation (SQLite unless ``--database-url``; the
demo's catalogs, learners and credentials), starts ``credstack serve --workers N``, fetches
the signed credentials, then drives two workloads at a fixed concurrency with an async HTTP
client (httpx; one connection per concurrent caller, kept alive):

- ``POST /api/v1/verify`` with a valid credential (signature, schema, status list checked);
- ``GET /credentials/{id}`` (the signed document).

It prints requests a second, p50/p95/p99 latency, the ratio to the issue's targets (verify
1,000/s with p99 under 50 ms, credentials 2,000/s on 2 cores), and what one request cost
in CPU: the server's processes (verification workers included) and this client, read from
/proc, because on a shared machine the rate says as much about the neighbours as the code.
The client runs on the same machine and takes its share of the cores. The verify rate limit
is raised for the run (one client address sends every request).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import Cli, free_port  # noqa: E402

TARGETS = {"verify": (1000.0, 50.0), "credential": (2000.0, None)}
"""Requests a second, and p99 in ms (None: no latency target), from issue 14."""
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    name: str
    seconds: float
    latencies: list[float]
    failures: int
    server_cpu: float
    client_cpu: float

    def report(self) -> str:
        done = len(self.latencies)
        if not done:
            return f"{self.name}: no request succeeded ({self.failures} failed)"
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(done - 1, round(p * done) - 1)]

        rate = done / self.seconds
        target_rate, target_p99 = TARGETS[self.name]
        against = f"{rate / target_rate:.2f}x the {target_rate:,.0f}/s target"
        if target_p99 is not None:
            met = "met" if pct(0.99) < target_p99 else "not met"
            against += f"; p99 < {target_p99:g} ms {met}"
        return (
            f"{self.name}: {rate:,.0f} req/s ({done} in {self.seconds:.1f} s, "
            f"{self.failures} failed); p50 {statistics.median(ordered):.1f} ms, "
            f"p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms; {against}\n"
            f"  CPU per request: server {1000 * self.server_cpu / done:.2f} ms, "
            f"client {1000 * self.client_cpu / done:.2f} ms"
        )


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += _tree(int(child))
    return found


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of ``pid`` and every live process under it."""
    total = 0
    for each in _tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@contextmanager
def _server(cli: Cli, port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        [sys.executable, "-m", "credstack", *command],
        env=cli.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited {process.returncode}")
            try:
                if httpx.get(f"{cli.base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer /healthz within 300 s")
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _drive(
    name: str,
    url: str,
    requests: list[tuple[str, str, bytes | None]],
    concurrency: int,
    seconds: float,
    server: int,
) -> Run:
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def caller(offset: int, until: float, record: bool) -> None:
            nonlocal failures
            i = offset
            while time.monotonic() < until:
                method, path, body = requests[i % len(requests)]
                i += 1
                started = time.monotonic()
                try:
                    response = await client.request(method, path, content=body)
                except httpx.TransportError:  # e.g. a kept-alive connection the server closed
                    ok = False
                else:
                    ok = response.status_code == 200 and (
                        name != "verify" or response.json()["verified"] is True
                    )
                elapsed = (time.monotonic() - started) * 1000
                if not record:
                    continue
                if ok:
                    latencies.append(elapsed)
                else:
                    failures += 1

        # Warm-up: connections opened, verification workers and caches warm.
        warm_until = time.monotonic() + min(5.0, seconds / 3)
        await asyncio.gather(*(caller(i, warm_until, False) for i in range(concurrency)))
        cpu_before, client_before = _cpu_seconds(server), time.process_time()
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(caller(i, until, True) for i in range(concurrency)))
        elapsed = time.monotonic() - started
        server_cpu = _cpu_seconds(server) - cpu_before
        client_cpu = time.process_time() - client_before
    return Run(name, elapsed, latencies, failures, server_cpu, client_cpu)


def _installation(tmp: Path, database_url: str | None) -> tuple[Cli, list[str]]:
    port = free_port()
    url = database_url or f"sqlite:///{tmp / 'credstack.db'}"
    cli = Cli(tmp / "data", url, base_url=f"http://127.0.0.1:{port}")
    cli.settings["CREDSTACK_RATE_VERIFY"] = "1000000"
    cli.ok("demo", "--no-serve")
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as db:
        ids = list(db.scalars(sqlalchemy.text("SELECT public_id FROM awards ORDER BY id")))
    engine.dispose()
    return cli, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
        f"concurrency {args.concurrency}, {args.seconds:g} s a workload"
    )
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            cli, ids = _installation(Path(tmp), args.database_url)
            with _server(cli, int(cli.base_url.rsplit(":", 1)[1]), workers) as server:
                documents = [httpx.get(f"{cli.base_url}/credentials/{i}").content for i in ids]
                verify = [("POST", "/api/v1/verify", d) for d in documents]
                fetch = [("GET", f"/credentials/{i}", None) for i in ids]
                print(
                    f"--workers {workers} ({len(ids)} credentials; "
                    f"load average {os.getloadavg()[0]:.1f} before)"
                )
                for name, requests in (("verify", verify), ("credential", fetch)):
                    run = asyncio.run(
                        _drive(
                            name,
                            cli.base_url,
                            requests,
                            args.concurrency,
                            args.seconds,
                            server.pid,
                        )
                    )
                    print("  " + run.report().replace("\n", "\n  "))


if __name__ == "__main__":
    main()
