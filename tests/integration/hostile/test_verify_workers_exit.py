"""Verification workers end with the server that started them, however it ends.

Before: a server killed (or stopped without its shutdown running) left its two workers
waiting for tasks forever, about 130 MB each; a test run left dozens behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import Cli, free_port


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing bracket.
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_exit_when_the_server_is_killed(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    server = subprocess.Popen(
        [sys.executable, "-m", "credstack", "serve", "--port", str(port)],
        env=cli.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/verify", content=b"{}")
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not verify within 120 s"
            time.sleep(0.5)
        workers = {p for p in _children(server.pid) if "spawn_main" in _cmdline(p)}
        assert len(workers) >= 2
        sockets = {path for pid in workers for path in _unix_paths(pid)}
        assert sockets, "the workers listen on no Unix socket"
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in workers if _alive(p)]
        # Nothing of theirs is left in /tmp either: the sockets, and their directory.
        assert not [path for path in sockets if path.exists() or path.parent.exists()]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _unix_paths(pid: int) -> set[Path]:
    """The paths of the Unix sockets ``pid`` holds (from /proc: its fds' inodes)."""
    inodes = set()
    for fd in (Path("/proc") / str(pid) / "fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[6] in inodes and fields[7].startswith("/"):
            paths.add(Path(fields[7]))
    return paths


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""
