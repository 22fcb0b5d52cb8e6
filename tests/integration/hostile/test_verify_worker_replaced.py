"""A verification worker that dies is replaced, and the request it had is answered 503."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from tests.helpers import Cli, free_port, running_server
from tests.integration.hostile.test_verify_workers_exit import _alive, _children, _cmdline
from tests.liveness import HANG


def _workers(server: int) -> set[int]:
    return {p for p in _children(server) if "spawn_main" in _cmdline(p)}


def _server_pid(port: int) -> int:
    """The `credstack serve` process listening on ``port`` (the test's child)."""
    for pid in _children(os.getpid()):
        if "serve" in _cmdline(pid) and str(port) in _cmdline(pid):
            return pid
    raise AssertionError("no server process found")


def test_a_dead_worker_gets_its_request_a_503_and_is_replaced(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    with running_server(cli, "serve", port=port) as url:
        assert httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=120).status_code == 200
        server = _server_pid(port)
        workers = _workers(server)
        assert len(workers) >= 2
        for pid in workers:  # stopped, so that the request below is still theirs when they die
            os.kill(pid, signal.SIGSTOP)
        answers: list[httpx.Response] = []
        request = threading.Thread(
            target=lambda: answers.append(
                httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=60)
            )
        )
        request.start()
        time.sleep(1.0)
        assert not answers  # handed to a stopped worker
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        request.join(60)
        [answer] = answers
        assert answer.status_code == 503
        assert answer.json()["error"].startswith("a verification worker stopped")
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        # The server sees each death on its own, and a dead worker it has not seen yet may
        # still be handed a request (answered 503, as above). Each death it has seen starts
        # one successor, so once every dead worker has one, none is left to hand out.
        deadline = time.monotonic() + HANG
        while len(_workers(server) - workers) < len(workers):
            assert time.monotonic() < deadline, "the dead workers were not replaced"
            time.sleep(0.1)
        # New workers start; the next verification waits for them, not for the dead ones.
        again = httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=120)
        assert again.status_code == 200, again.text
        replaced = _workers(server)
        assert len(replaced) >= 2
        assert not replaced & workers
        assert not [p for p in workers if _alive(p)]
