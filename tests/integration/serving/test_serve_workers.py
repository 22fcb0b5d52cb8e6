"""`credstack serve --workers 2`: two processes serve one port, see one database, and the
mail sender runs once (issue 14, "Serving").

Which process answered a connection is read from /proc (the server socket's owner), not from
anything the server says: nothing here is a debug hook shipped in credstack.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy

from credstack.limits import VERIFY_WORKERS
from tests.helpers import Cli, free_port
from tests.integration.hostile.test_verify_workers_exit import _children, _cmdline
from tests.integration.mail.conftest import MailServer

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc (Linux)")


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.up()
    try:
        yield server
    finally:
        server.down()


@contextmanager
def serving(cli: Cli, port: int, workers: int) -> Iterator[subprocess.Popen[str]]:
    """`credstack serve --workers N`, up once /healthz answers; stopped with SIGTERM."""
    log = cli.data_dir.parent / "serve.log"
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "credstack", *command],
            env=cli.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, f"server exited {process.returncode}: {log.read_text()}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no /healthz within 180 s: {log.read_text()}"
            time.sleep(0.3)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _socket_inode(port: int, client_port: int) -> str:
    """The inode of the server's end of the connection from ``client_port``."""
    want_local, want_remote = f":{port:04X}", f":{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(want_local) and fields[2].endswith(want_remote):
                return fields[9]
    raise AssertionError(f"no server socket for client port {client_port}")


def _owner(port: int, connection: http.client.HTTPConnection, server: int) -> int:
    """The server process that accepted ``connection`` (waiting until one has)."""
    connection.connect()
    assert connection.sock is not None
    client_port = connection.sock.getsockname()[1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        target = f"socket:[{_socket_inode(port, client_port)}]"
        for pid in _descendants(server):
            try:
                if any(os.readlink(fd) == target for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    return pid
            except (FileNotFoundError, PermissionError):
                continue
        time.sleep(0.05)
    raise AssertionError(f"no process of the server accepted the connection from {client_port}")


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _resource_trackers(pid: int) -> set[int]:
    """multiprocessing's resource tracker, which a process that spawns others starts."""
    return {child for child in _children(pid) if "resource_tracker" in _cmdline(child)}


def _serving_processes(port: int, server: int) -> set[int]:
    """Connect until two processes have each accepted a connection."""
    seen: set[int] = set()
    for _ in range(200):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        seen.add(_owner(port, connection, server))
        connection.close()
        if len(seen) == 2:
            break
    return seen


def _call(
    port: int,
    server: int,
    pid: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request on a new connection that process ``pid`` accepted."""
    for _ in range(200):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if _owner(port, connection, server) == pid:
            break
        connection.close()
    else:
        raise AssertionError(f"process {pid} accepted none of 200 connections")
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _outbox(engine: sqlalchemy.Engine) -> tuple[int, int]:
    """Messages in the outbox, and how many of them are sent."""
    with engine.connect() as db:
        total = db.scalar(sqlalchemy.text("SELECT count(*) FROM mail_outbox"))
        sent = db.scalar(sqlalchemy.text("SELECT count(*) FROM mail_outbox WHERE status = 'sent'"))
    return int(total or 0), int(sent or 0)


def test_two_processes_serve_one_database_and_send_each_mail_once(
    tmp_path: Path, database_url: str, mail_server: MailServer
) -> None:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.settings["CREDSTACK_SMTP_URL"] = f"smtp://127.0.0.1:{mail_server.port}"
    token = cli.ok("demo", "--no-serve").strip().rsplit(" ", 1)[1]
    engine = sqlalchemy.create_engine(database_url)
    with engine.connect() as db:
        queued = db.scalar(sqlalchemy.text("SELECT count(*) FROM mail_outbox"))
        award = db.scalar(sqlalchemy.text("SELECT public_id FROM awards ORDER BY id LIMIT 1"))
    assert queued and award

    with serving(cli, port, workers=2) as server:
        processes = _serving_processes(port, server.pid)
        assert len(processes) == 2, "every connection went to one process"
        one, other = sorted(processes)
        # The verification workers are the installation's, the parent's, shared by both
        # server processes: a verification queues once, whichever process took it.
        verifiers = _children(server.pid) - processes - _resource_trackers(server.pid)
        assert len(verifiers) == VERIFY_WORKERS, verifiers
        assert all(_children(pid) <= _resource_trackers(pid) for pid in processes)

        status, document = _call(port, server.pid, one, "GET", f"/credentials/{award}")
        assert status == 200
        for pid in (one, other):
            status, body = _call(port, server.pid, pid, "POST", "/api/v1/verify", document)
            assert status == 200, body
            assert json.loads(body)["verified"] is True

        # Revoked through one process, refused at once through both: the status lists each
        # process caches are keyed by the list's bits in the shared database.
        status, body = _call(
            port,
            server.pid,
            one,
            "POST",
            f"/api/v1/awards/{award}/revoke",
            json.dumps({"reason": "issued in error"}).encode(),
            {"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        assert status == 200, body
        for pid in (other, one):
            status, body = _call(port, server.pid, pid, "POST", "/api/v1/verify", document)
            assert status == 200, body
            report = json.loads(body)
            assert report["verified"] is False
            assert report["revocation_reason"] == "issued in error"

        # Each award's mail, and the revocation's: sent by the one sender in the parent.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and _outbox(engine) != (
            len(mail_server.inbox.messages),
            len(mail_server.inbox.messages),
        ):
            time.sleep(0.5)
        time.sleep(3)  # a second sender would have sent its copies by now (it polls every 2 s)
        children = _descendants(server.pid)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0

    ids = [message["Message-ID"] for message in mail_server.inbox.messages]
    total, sent = _outbox(engine)
    engine.dispose()
    assert total > queued and sent == total
    assert len(ids) == total and len(set(ids)) == total
    # SIGTERM stopped every process: the server processes and the verification workers
    # (which end within a second or so of their supervisor; see credstack.http.verify_pool).
    deadline = time.monotonic() + 30
    while (alive := [pid for pid in children if _running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not alive, f"still running after SIGTERM: {alive}"
    # Nothing was left for the resource tracker (one of the children above) to clean up: the
    # verification pools' named semaphores were released before their processes ended.
    log = (cli.data_dir.parent / "serve.log").read_text()
    assert "resource_tracker" not in log, log


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie no one has reaped yet has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
