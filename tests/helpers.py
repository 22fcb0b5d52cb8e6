"""Running the real CLI and a real server from tests."""

from __future__ import annotations

import atexit
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["Cli", "CliForkServer", "form_csrf", "free_port", "running_server", "sign_in"]

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Cli:
    data_dir: Path
    database_url: str
    base_url: str = "http://127.0.0.1:8000"
    settings: dict[str, str] = field(default_factory=dict)
    """Further CREDSTACK_* settings (rate limits, session timeouts) for the commands."""

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
        env.update(
            CREDSTACK_DATA_DIR=str(self.data_dir),
            CREDSTACK_DATABASE_URL=self.database_url,
            CREDSTACK_BASE_URL=self.base_url,
        )
        env.update(self.settings)
        return env

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`python -m credstack <args>` in a process of its own (forked from `CliForkServer`
        when it is free, so the imports are not paid again), its status and output."""
        forked = CliForkServer.shared().run(list(args), self.env(), stdin, timeout=120)
        if forked is not None:
            return forked
        return subprocess.run(
            [sys.executable, "-m", "credstack", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            input=stdin,
            timeout=120,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"credstack {' '.join(args)}: {result.stderr}"
        return result.stdout


def _text(produced: str) -> str:
    """Output as `subprocess.run(text=True)` gives it: UTF-8, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(produced.encode("latin-1")), encoding="utf-8").read()


class CliForkServer:
    """This test process's `tests/cli_forkserver.py`, started when first asked for."""

    _shared: CliForkServer | None = None

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_forkserver"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()
        atexit.register(self.close)

    @classmethod
    def shared(cls) -> CliForkServer:
        if cls._shared is None or cls._shared._process.poll() is not None:
            cls._shared = cls()
        return cls._shared

    def run(
        self, argv: list[str], env: dict[str, str], stdin: str | None, timeout: int
    ) -> subprocess.CompletedProcess[str] | None:
        """The command's result; None while another thread's command is running (the caller
        starts a process of its own, so concurrent commands stay concurrent)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            request = {"argv": argv, "env": env, "cwd": os.getcwd(), "stdin": stdin}
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(json.dumps({**request, "timeout": timeout}) + "\n")
            self._process.stdin.flush()
            answer = json.loads(self._process.stdout.readline())
        finally:
            self._lock.release()
        args = [sys.executable, "-m", "credstack", *argv]
        out, err = _text(answer["out"]), _text(answer["err"])
        return subprocess.CompletedProcess(args, answer["code"], out, err)

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)


@contextmanager
def running_server(cli: Cli, *args: str, port: int) -> Iterator[str]:
    """Start `credstack <args> --port N` and wait until /healthz answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "credstack", *args, "--port", str(port)],
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A bound that catches a server that never starts, not a measure: under a load of 28
        # one took more than 60 s to answer its first /healthz.
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                out, err = process.communicate()
                raise AssertionError(f"server exited {process.returncode}: {out}\n{err}")
            try:
                if httpx.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not answer /healthz within 180 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def form_csrf(client: httpx.Client, path: str) -> str:
    """Load a page as a browser would (keeping its cookies) and return its form's CSRF token."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: httpx.Client, token: str, then: str = "/") -> httpx.Response:
    """Sign in through the login form, CSRF token included; the client keeps the session."""
    csrf = form_csrf(client, "/login")
    return client.post("/login", data={"token": token, "next": then, "csrf": csrf})
