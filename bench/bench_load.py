"""Throughput and latency of a real server under load (issue 14, "Serving").

Run: ``.venv/bin/python bench/bench_load.py [--workers 1 2] [--concurrency 32] [--seconds 15]
[--client wrk|httpx] [--credentials 2000]``. For each worker count it sets up a fresh
installation (SQLite unless ``--database-url``; the demo's catalogs, learners and credentials,
topped up by an award import to ``--credentials`` distinct ones, so that no cache holds the
whole set), starts ``credstack serve
--workers N``, fetches the signed credentials, then drives two workloads at a fixed
concurrency, one kept-alive connection per concurrent caller:

- ``POST /api/v1/verify`` with a valid credential (signature, schema, status list checked);
- ``GET /credentials/{id}`` (the signed document).

It prints requests a second, p50/p95/p99 latency, the ratio to the issue's targets (verify
1,000/s with p99 under 50 ms, credentials 2,000/s on 2 cores), and what one request cost
in CPU: the server's processes (verification workers included) and the client, read from
/proc and getrusage, because on a shared machine the rate says as much about the neighbours as
the code. The server's CPU with no request (its job worker's sweeps) is measured for a few
seconds once the verification workers are up and taken off each workload's figure, so it is
not charged to requests. The client runs on the same machine and takes its share of the
cores, so it is ``wrk`` (C; a Lua script rotates the POST bodies and counts answers that are not
``verified: true``), installed with apt-get when missing and allowed; otherwise, or with
``--client httpx``, an async httpx client, which costs 2-5 ms of CPU per request itself. The
verify rate limit is raised for the run (one client address sends every request).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import shutil
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
IDLE_SECONDS = 5.0
"""How long the idle server's CPU is measured before the workloads."""
SETTLED_RATE = 0.05
"""CPU seconds a second under which the server counts as settled (idle is 2-8 ms a second)."""
SETTLE_SECONDS = 300.0
"""How long to wait for the server to settle before measuring anyway."""


@dataclass
class Run:
    name: str
    seconds: float
    done: int
    """Requests answered as expected (200, and ``verified: true`` for verify)."""
    failures: int
    percentiles: tuple[float, float, float]
    """p50, p95 and p99 latency in ms (wrk's include the failures)."""
    server_cpu: float
    client_cpu: float

    def report(self) -> str:
        done = self.done
        if not done:
            return f"{self.name}: no request succeeded ({self.failures} failed)"
        p50, p95, p99 = self.percentiles
        rate = done / self.seconds
        target_rate, target_p99 = TARGETS[self.name]
        against = f"{rate / target_rate:.2f}x the {target_rate:,.0f}/s target"
        if target_p99 is not None:
            met = "met" if p99 < target_p99 else "not met"
            against += f"; p99 < {target_p99:g} ms {met}"
        return (
            f"{self.name}: {rate:,.0f} req/s ({done} in {self.seconds:.1f} s, "
            f"{self.failures} failed); p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms, p99 {p99:.1f} ms; {against}\n"
            f"  CPU per request: server {1000 * self.server_cpu / done:.2f} ms, "
            f"client {1000 * self.client_cpu / done:.2f} ms"
        )


def _percentiles(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    done = len(ordered)

    def pct(p: float) -> float:
        return ordered[min(done - 1, max(0, round(p * done) - 1))]

    return (statistics.median(ordered), pct(0.95), pct(0.99)) if ordered else (0.0, 0.0, 0.0)


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += _tree(int(child))
    return found


def _idle_rate(server: int) -> float:
    """The server's CPU seconds a second while nothing is asked of it, once it has settled:
    after an import its job worker sends the outbox's e-mails for a while, and that work,
    taken off the workloads' CPU or competing with them for the cores, is not what is
    measured."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        before, started = _cpu_seconds(server), time.monotonic()
        time.sleep(IDLE_SECONDS)
        rate = (_cpu_seconds(server) - before) / (time.monotonic() - started)
        if rate < SETTLED_RATE or time.monotonic() > deadline:
            return rate


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
    idle: float,
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
        server_cpu = _cpu_seconds(server) - cpu_before - idle * elapsed
        client_cpu = time.process_time() - client_before
    return Run(
        name,
        elapsed,
        len(latencies),
        failures,
        _percentiles(latencies),
        server_cpu,
        client_cpu,
    )


_WRK_SCRIPT = """
local bodies = {%(bodies)s}
local paths = {%(paths)s}
local method = "%(method)s"
local check = %(check)s
local threads = {}
local i = 0
failures = 0  -- a global: done() reads each thread's through thread:get

function setup(thread)
  table.insert(threads, thread)
end

function request()
  i = i + 1
  local n = (i %% #paths) + 1
  return wrk.format(method, paths[n], nil, bodies[n])
end

function response(status, headers, body)
  if status ~= 200 or (check and body:sub(1, 16) ~= '{"verified":true') then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  local errors = summary.errors
  failed = failed + errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, failed,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
"""wrk's Lua: rotates the requests, counts wrong answers, prints one parsable line."""


def _lua_string(text: str) -> str:
    """A Lua long string holding ``text`` exactly (a level of "=" that ``text`` lacks)."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    # A long string drops a newline that directly follows its opening bracket.
    return f"[{'=' * level}[\n{text}]{'=' * level}]"


def _wrk(
    name: str,
    url: str,
    requests: list[tuple[str, str, bytes | None]],
    concurrency: int,
    seconds: float,
    server: int,
    idle: float,
    script: Path,
) -> Run:
    method = requests[0][0]
    script.write_text(
        _WRK_SCRIPT
        % {
            "bodies": ", ".join(_lua_string((b or b"").decode("utf-8")) for _m, _p, b in requests),
            "paths": ", ".join(_lua_string(p) for _m, p, _b in requests),
            "method": method,
            "check": "true" if name == "verify" else "false",
        },
        encoding="utf-8",
    )
    threads = str(min(2, concurrency))

    def run(duration: float) -> str:
        whole = f"{max(1, round(duration))}s"  # wrk takes whole seconds
        command = ["wrk", "-t", threads, "-c", str(concurrency), "-d", whole]
        command += ["--timeout", "60s", "-s", str(script), url]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    run(min(5.0, seconds / 3))  # warm-up: verification workers and caches warm
    cpu_before = _cpu_seconds(server)
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    output = run(seconds)
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = _cpu_seconds(server) - cpu_before - idle * (time.monotonic() - started)
    client_cpu = (client_after.ru_utime - client_before.ru_utime) + (
        client_after.ru_stime - client_before.ru_stime
    )
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    total, failed, duration, p50, p95, p99 = (int(x) for x in line.split()[1:])
    return Run(
        name,
        duration / 1e6,
        total - failed,
        failed,
        (p50 / 1000, p95 / 1000, p99 / 1000),
        server_cpu,
        client_cpu,
    )


def _have_wrk() -> bool:
    """Whether wrk runs here, installing Debian's package first if missing and allowed."""
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, check=False)
    return shutil.which("wrk") is not None


def _first_verification(url: str, document: bytes) -> None:
    """Wait for the verification workers: they start with the server, but importing credstack
    in each takes seconds (a minute on a loaded machine), which is not what is measured."""
    answer = httpx.post(f"{url}/api/v1/verify", content=document, timeout=600)
    if answer.status_code != 200 or answer.json()["verified"] is not True:
        raise SystemExit(f"the first verification failed: {answer.status_code} {answer.text}")


_AWARDED = sqlalchemy.text(
    "SELECT i.key, a.key FROM awards w JOIN issuers i ON i.id = w.issuer_id "
    "JOIN achievement_versions v ON v.id = w.achievement_version_id "
    "JOIN achievements a ON a.id = v.achievement_id ORDER BY w.id LIMIT 1"
)


def _installation(tmp: Path, database_url: str | None, credentials: int) -> tuple[Cli, list[str]]:
    """The demo, topped up by an award import to ``credentials`` distinct signed credentials:
    verifying the demo's 20 over and over would measure the caches that hold a document's
    schema check and expanded fragments, not a verification."""
    port = free_port()
    url = database_url or f"sqlite:///{tmp / 'credstack.db'}"
    cli = Cli(tmp / "data", url, base_url=f"http://127.0.0.1:{port}")
    cli.settings["CREDSTACK_RATE_VERIFY"] = "1000000"
    cli.ok("demo", "--no-serve")
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as db:
        issuer, achievement = db.execute(_AWARDED).one()
        existing = db.scalar(sqlalchemy.text("SELECT count(*) FROM awards")) or 0
    more = max(0, credentials - existing)
    if more:
        rows = tmp / "more.csv"
        with rows.open("w", encoding="utf-8") as out:
            out.write("learner,email,name,achievement,date,score\n")
            for i in range(more):
                out.write(f"load-{i:06d},load{i}@example.org,Load Learner {i},{achievement},")
                out.write(f"2026-06-{1 + i % 28:02d},{50 + i % 50}\n")
        cli.ok("award", "import", str(rows), "--issuer", issuer)
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
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk")
    parser.add_argument(
        "--credentials",
        type=int,
        default=2000,
        help="distinct signed credentials to rotate through (the demo's, then an award import)",
    )
    args = parser.parse_args()
    client = args.client
    if client == "wrk" and not _have_wrk():
        print("wrk is not available: driving the load with httpx instead")
        client = "httpx"
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
        f"concurrency {args.concurrency}, {args.seconds:g} s a workload, client {client}"
    )
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            cli, ids = _installation(Path(tmp), args.database_url, args.credentials)
            with _server(cli, int(cli.base_url.rsplit(":", 1)[1]), workers) as server:
                with httpx.Client(base_url=cli.base_url, timeout=120) as fetcher:
                    documents = [fetcher.get(f"/credentials/{i}").content for i in ids]
                _first_verification(cli.base_url, documents[0])
                idle = _idle_rate(server.pid)
                verify = [("POST", "/api/v1/verify", d) for d in documents]
                fetch = [("GET", f"/credentials/{i}", None) for i in ids]
                print(
                    f"--workers {workers} ({len(ids)} credentials; "
                    f"load average {os.getloadavg()[0]:.1f} before; server idle "
                    f"{1000 * idle:.1f} ms of CPU a second, taken off)"
                )
                for name, requests in (("verify", verify), ("credential", fetch)):
                    workload = (name, cli.base_url, requests, args.concurrency, args.seconds)
                    if client == "wrk":
                        run = _wrk(*workload, server.pid, idle, Path(tmp) / f"{name}.lua")
                    else:
                        run = asyncio.run(_drive(*workload, server.pid, idle))
                    print("  " + run.report().replace("\n", "\n  "))


if __name__ == "__main__":
    main()
