"""Server CPU per `GET /credentials/{id}` (issue 14, "Serving"), with `wrk` as the client.

Run: ``.venv/bin/python bench/bench_fetch.py [--workers 1 2] [--seconds 10]`` (needs ``wrk``
on the PATH: ``apt-get install wrk``). For each worker count it sets up the demo (SQLite
unless ``--database-url``), starts ``credstack serve --workers N`` and has ``wrk`` fetch the
signed credentials in turn on kept-alive connections, then prints the rate, wrk's latency
percentiles, and the server's CPU per request (its process tree, read from /proc). wrk is
written in C and costs a small fraction of what the server does, so on a shared 2-core
machine the CPU per request, not the rate, is the figure to compare between versions.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_load import _cpu_seconds, _installation, _server  # noqa: E402

_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


_IDLE_SECONDS = 5.0
"""The server's CPU with no request (the job worker's polling, the demo's mail still going
out) is measured this long before the run and taken off, so it is not charged to requests."""


def _wrk(url: str, ids: list[str], seconds: float, connections: int, tmp: Path) -> str:
    script = tmp / "paths.lua"
    script.write_text(_SCRIPT % ", ".join(f'"/credentials/{i}"' for i in ids))
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds:g}s", "--latency"]
    done = subprocess.run([*command, "-s", str(script), url], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr.strip()}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
        f"wrk, {args.connections} connections, {args.seconds:g} s"
    )
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            cli, ids = _installation(Path(tmp), args.database_url)
            with _server(cli, int(cli.base_url.rsplit(":", 1)[1]), workers) as server:
                for i in ids:  # every credential read once, and the processes warmed up
                    httpx.get(f"{cli.base_url}/credentials/{i}").raise_for_status()
                _wrk(cli.base_url, ids, min(3.0, args.seconds), args.connections, Path(tmp))
                load = os.getloadavg()[0]
                idle, started = _cpu_seconds(server.pid), time.monotonic()
                time.sleep(_IDLE_SECONDS)
                idle_rate = (_cpu_seconds(server.pid) - idle) / (time.monotonic() - started)
                before, started = _cpu_seconds(server.pid), time.monotonic()
                out = _wrk(cli.base_url, ids, args.seconds, args.connections, Path(tmp))
                elapsed = time.monotonic() - started
                cpu = _cpu_seconds(server.pid) - before - idle_rate * elapsed
            found = re.search(r"(\d+) requests in", out)
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            done = int(found.group(1)) if found else 0
            percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.MULTILINE))
            print(
                f"--workers {workers} ({len(ids)} credentials, load average {load:.1f}): "
                f"{done / elapsed:,.0f} req/s, p50 {percentiles.get('50')}, "
                f"p90 {percentiles.get('90')}, p99 {percentiles.get('99')}, "
                f"{errors.group(1) if errors else 0} non-2xx; "
                f"server CPU per request {1000 * cpu / max(done, 1):.3f} ms "
                f"(idle {1000 * idle_rate:.0f} ms/s taken off)"
            )


if __name__ == "__main__":
    main()
