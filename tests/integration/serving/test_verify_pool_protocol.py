"""The verification workers' side of `credstack.http.verify_pool`, spoken to directly.

A worker serves every server process that connects to it (`serve --workers N` shares one
supervisor's workers): each connection gets its own answers, by its requests' ids; of what
is queued, the earliest deadline (the request that came first) is taken first, whichever
server sent it; a request whose deadline has passed is not run; a server that goes away with
requests queued stops nothing; and a worker that dies is replaced on the same socket.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from credstack.config import Settings
from credstack.http import verify_pool
from credstack.http.verify_pool import Supervisor
from credstack.service.runtime import initialise
from credstack.service.verification import Verifier
from tests.liveness import HANG


def _tag(tag: str, _verifier: Verifier) -> tuple[str, int, float]:
    """Work sent to a worker: which request this was, which process ran it, and when."""
    return tag, os.getpid(), time.monotonic()


def _touch(path: str, _verifier: Verifier) -> None:
    Path(path).touch()


def _nap(seconds: float, _verifier: Verifier) -> None:
    time.sleep(seconds)


@pytest.fixture
def supervisor(tmp_path: Path, database_url: str) -> Iterator[Supervisor]:
    settings = Settings(tmp_path / "data", database_url, "http://127.0.0.1:8000")
    initialise(settings).close()
    workers = Supervisor(settings, 1)
    try:
        yield workers
    finally:
        workers.close()


def _connect(path: str) -> socket.socket:
    """A server's connection: refused until the worker has started and listens."""
    deadline = time.monotonic() + HANG
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(HANG)
        try:
            connection.connect(path)
            return connection
        except OSError:
            connection.close()
            assert time.monotonic() < deadline, "the worker never listened"
            time.sleep(0.05)


def _send(
    connection: socket.socket, work: object, deadline: float | None = None, number: int = 0
) -> None:
    body = pickle.dumps(work)
    due = time.monotonic() + HANG if deadline is None else deadline
    head = verify_pool._REQUEST.pack(verify_pool._CALL, due, number, len(body))
    connection.sendall(head + body)


def _receive(connection: socket.socket) -> tuple[int, int, bytes]:
    head = _exactly(connection, verify_pool._ANSWER.size)
    kind, number, length = verify_pool._ANSWER.unpack(head)
    return kind, number, _exactly(connection, length)


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = connection.recv(size - len(data))
        if not more:
            raise ConnectionResetError("the worker closed the connection")
        data += more
    return data


def _closed(connection: socket.socket) -> bool:
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True


def _result(connection: socket.socket) -> tuple[int, Any]:
    """(the request's id, what its work returned)."""
    kind, number, body = _receive(connection)
    assert kind == verify_pool._PICKLED, (kind, body[:200])
    return number, pickle.loads(body)


def test_each_server_gets_its_own_answers_by_their_ids(supervisor: Supervisor) -> None:
    [path] = supervisor.paths
    one, other = _connect(path), _connect(path)
    with one, other:
        for number, (connection, tag) in enumerate(
            [(one, "a1"), (other, "b1"), (one, "a2"), (one, "a3"), (other, "b2")]
        ):
            _send(connection, partial(_tag, tag), number=number)
        mine = dict(_result(one) for _ in range(3))
        theirs = dict(_result(other) for _ in range(2))
    assert {number: tag for number, (tag, _, _) in mine.items()} == {0: "a1", 2: "a2", 3: "a3"}
    assert {number: tag for number, (tag, _, _) in theirs.items()} == {1: "b1", 4: "b2"}
    assert {pid for _, pid, _ in mine.values()} == set(supervisor.pids())


def test_the_earliest_deadline_is_taken_first_whichever_server_sent_it(
    supervisor: Supervisor,
) -> None:
    [path] = supervisor.paths
    one, other = _connect(path), _connect(path)
    with one, other:
        _send(one, partial(_nap, 1.0), number=1)  # the worker is busy while the rest come
        time.sleep(0.2)
        now = time.monotonic()
        _send(one, partial(_tag, "came second"), deadline=now + 60, number=2)
        _send(one, partial(_tag, "came third"), deadline=now + 61, number=3)
        _send(other, partial(_tag, "came first"), deadline=now + 59, number=1)
        assert _result(one)[0] == 1  # the nap
        ran = {tag: when for _, (tag, _, when) in (_result(one), _result(one), _result(other))}
    assert ran["came first"] < ran["came second"] < ran["came third"]


def test_a_request_past_its_deadline_is_not_run(supervisor: Supervisor, tmp_path: Path) -> None:
    [path] = supervisor.paths
    ran = tmp_path / "ran"
    with _connect(path) as server:
        _send(server, partial(_touch, str(ran)), deadline=time.monotonic() - 1, number=7)
        assert _receive(server) == (verify_pool._EXPIRED, 7, b"")
        _send(server, partial(_tag, "next"), number=8)
        assert _result(server)[1][0] == "next"
    assert not ran.exists()


def test_a_server_gone_with_requests_queued_stops_nothing(supervisor: Supervisor) -> None:
    [path] = supervisor.paths
    gone = _connect(path)
    for _ in range(3):
        _send(gone, partial(_nap, 0.2))
    gone.close()
    with _connect(path) as server:
        _send(server, partial(_tag, "still served"))
        assert _result(server)[1][0] == "still served"


def test_a_dead_worker_is_replaced_on_the_same_socket(supervisor: Supervisor) -> None:
    [path] = supervisor.paths
    with _connect(path) as server:
        _send(server, partial(_tag, "first"))
        _, (_, first, _) = _result(server)
        os.kill(first, signal.SIGKILL)
        assert _closed(server)  # its connections close with it
    # Refused until the successor listens; a connection made while the dead one's listener
    # was still being torn down is reset, and made again.
    deadline = time.monotonic() + HANG
    while True:
        with _connect(path) as server:
            try:
                _send(server, partial(_tag, "again"))
                _, (tag, second, _) = _result(server)
                break
            except ConnectionError:
                assert time.monotonic() < deadline, "no successor answered"
                time.sleep(0.05)
    assert tag == "again"
    assert second != first
    assert supervisor.pids() == [second]
