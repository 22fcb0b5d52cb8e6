"""Verification off the event loop: a few worker processes and a time budget per request.

Canonicalising and checking a signature is CPU work; done inside an ``async`` route it held
the event loop, so one costly request made every other one (``/healthz`` included) wait.
Worker *threads* were measured and were not enough: they hold the GIL, and ``/healthz`` took
0.4 s while four costly verifications ran. Worker *processes* leave the server's own process
free (``/healthz`` in milliseconds; docs/benchmarks.md). Each worker opens its own runtime
(engine, master key) from the server's settings once, then verifies with its own session.

A `Supervisor` starts the workers and replaces each that dies: the server process's own
(one server process, the CLI), or, for ``credstack serve --workers N``, the parent's, shared
by the N server processes, so that verifications queue once for the whole installation
rather than once per process (issue 14: the kernel had given one process 26 of the load
benchmark's 32 connections and the other 6, and each had a worker of its own). Each worker
listens on a Unix socket and every server process connects to each. A request waits in its
server process, in the order it came, until a worker has fewer than two of that process's
requests (the one it works on, and the next, so it never waits for the hop); a worker takes,
of all its servers have sent, the request with the earliest deadline, the one that came
first. `POST /api/v1/verify`'s request is the credential's bytes (and the e-mail address) and
its answer is the report as the API sends it, so nothing is pickled on that path; other work
(a page's result, a group) goes as a pickled call. The server's side is the event loop's own
I/O (one protocol per worker, no thread).

Each request carries its deadline: past its budget it is answered 503, and a worker that
comes to a request whose deadline has passed skips it; one abandoned while it runs is
finished (the bounds in ``credstack.limits`` keep that to seconds) and its answer dropped. A
worker that dies is replaced, and the requests it had are answered 503; a worker whose
supervisor is gone sees its socket close and ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import selectors
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from functools import partial
from multiprocessing.process import BaseProcess
from typing import TypeVar, cast

from credstack.config import Settings
from credstack.errors import InvalidInput, Overloaded
from credstack.http.heap import settle_heap
from credstack.limits import VERIFY_WORKERS, WORKER_NICENESS
from credstack.service.group_view import GroupReport, group_view
from credstack.service.imports import verify_import
from credstack.service.runtime import Runtime, open_runtime
from credstack.service.verification import Verifier, report_json, verifier_for
from credstack.vc.recipient import MAX_EMAIL_LENGTH
from credstack.vc.result import VerificationResult

__all__ = [
    "Supervisor",
    "award_result",
    "bytes_report",
    "bytes_result",
    "group_result",
    "off_loop",
    "pooled",
    "report",
    "shutdown",
    "url_report",
    "url_result",
    "warm_up",
]

_T = TypeVar("_T")
_REQUEST = struct.Struct("!BdII")  # kind, deadline (time.monotonic(), any process), id, length
_ANSWER = struct.Struct("!BII")  # kind, the request's id, length of what follows
_EMAIL = struct.Struct("!H")  # length of the e-mail address before the credential's bytes
_NO_EMAIL = 0xFFFF
# Requests (server to worker).
_REPORT = 1  # e-mail length, e-mail, credential bytes -> the API's report (bytes)
_CALL = 2  # a pickled Callable[[Verifier], T] -> its pickled result
# Answers (worker to server).
_BYTES = 11  # the report's bytes
_PICKLED = 12  # a pickled result
_RAISED = 13  # a pickled exception, re-raised in the server
_EXPIRED = 14  # its deadline had passed when the worker came to it: not started
_STOPPED = "a verification worker stopped; try again (new ones start)"
_READ_BYTES = 1 << 18
# Requests a server process has out at one worker: the one it works on and the next, so that
# it never waits for the hop; the rest wait in the server process, in the order they came.
_DEPTH = 2
# How long a request waits for a first worker to take requests (a start, or a replacement)
# before it is answered 503: importing credstack takes seconds, a minute on a loaded machine.
_START_SECONDS = 300.0
# A worker that ends within this long of its start (a broken installation) would end again:
# its successor starts after a pause (1 s, then 30 s while they keep ending), not in a loop.
_QUICK_END_SECONDS = 10.0
_RESTART_PAUSES = (0.0, 1.0, 30.0)

_runtimes: dict[Settings, Runtime] = {}  # in each worker: one runtime per installation


class _WorkerGone(Exception):
    """The worker's socket closed: it died (or was stopped) before answering."""


class _Channel(asyncio.Protocol):
    """The server's side of one worker's socket: up to `_DEPTH` requests out at once, each
    answer matched to its request by the id they share."""

    def __init__(self, pool: _Pool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.gone = False
        self.waiters: dict[int, asyncio.Future[tuple[int, bytes]]] = {}
        self.reserved = 0  # handed to a request that has not sent yet
        self._buffer = bytearray()
        self._ids = itertools.count()

    @property
    def load(self) -> int:
        return len(self.waiters) + self.reserved

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= _ANSWER.size:
            kind, number, length = _ANSWER.unpack_from(buffer)
            end = _ANSWER.size + length
            if len(buffer) < end:
                return
            body = bytes(buffer[_ANSWER.size : end])
            del buffer[:end]
            waiter = self.waiters.pop(number)
            # A request abandoned past its budget was still out; its answer is dropped.
            if not waiter.done():
                waiter.set_result((kind, body))
            self.pool.release(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone = True
        waiters, self.waiters = self.waiters, {}
        for waiter in waiters.values():
            if not waiter.done():
                waiter.set_exception(_WorkerGone())
        self.pool.lost(self)

    def send(self, kind: int, deadline: float, body: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None  # a channel is handed out once connected
        self.reserved -= 1
        waiter = asyncio.get_running_loop().create_future()
        if self.gone:
            waiter.set_exception(_WorkerGone())
            return waiter
        number = next(self._ids) & 0xFFFFFFFF
        self.waiters[number] = waiter
        self.transport.write(_REQUEST.pack(kind, deadline, number, len(body)) + body)
        return waiter


class _Pool:
    """This server process's connections to the verification workers, on its event loop.

    The workers are this process's own (a `Supervisor` it started: one server process, the
    CLI) or the installation's (``credstack serve --workers N``: the parent's, shared by every
    server process). A request waits here, in the order it came, until a worker has fewer
    than `_DEPTH` of this process's requests; a worker takes, of all its servers have sent,
    the request with the earliest deadline, which is the one that came first. So a
    verification waits behind those that came before it, whichever server process took its
    connection (workers per server process had left a process given more of the clients'
    connections as many times slower: 26 and 6 of the load benchmark's 32), and no worker
    holds more than one of a process's requests behind the one it is working on, so a slow
    one delays little besides itself.
    """

    def __init__(
        self,
        settings: Settings,
        paths: tuple[str, ...],
        loop: asyncio.AbstractEventLoop,
        supervisor: Supervisor | None,
    ) -> None:
        self.settings = settings
        self.paths = paths
        self.loop = loop
        self.supervisor = supervisor
        self.closed = False
        self.channels: list[_Channel | None] = [None] * len(paths)
        self._waiting: deque[asyncio.Future[_Channel]] = deque()
        self._connected = asyncio.Event()
        self._connecting: set[asyncio.Task[None]] = set()
        self._next = 0
        for index in range(len(paths)):
            self._connect(index)

    def _connect(self, index: int) -> None:
        task = self.loop.create_task(self._attach(index))
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)

    async def _attach(self, index: int) -> None:
        """Connect to worker ``index``: it listens once it has started, so until then (a start,
        or a replacement after a death) the attempts are refused, and repeated."""
        pause = 0.01
        while not self.closed:
            channel = _Channel(self, index)
            try:
                await self.loop.create_unix_connection(partial(_same, channel), self.paths[index])
            except OSError:
                await asyncio.sleep(pause)
                pause = min(2 * pause, 0.25)
                continue
            if self.closed:
                if channel.transport is not None:
                    channel.transport.close()
                return
            self.channels[index] = channel
            self._connected.set()
            self.release(channel)
            return

    def lost(self, channel: _Channel) -> None:
        """A worker's socket closed (it died, or was stopped): its requests were answered
        503; connect again, to its successor (its supervisor starts one). Requests waiting
        for a worker go on waiting, within their budget."""
        if self.channels[channel.index] is channel:
            self.channels[channel.index] = None
        if not any(self.channels):
            self._connected.clear()
        if not self.closed:
            self._connect(channel.index)

    async def wait_started(self) -> None:
        """Until a worker takes requests: at the start, or while every one is being replaced.
        That wait is not the request's fault, so it is not part of its budget; it has a bound
        of its own, for workers that cannot start."""
        if self._connected.is_set():
            return
        try:
            async with asyncio.timeout(_START_SECONDS):
                await self._connected.wait()
        except TimeoutError:
            raise _WorkerGone from None

    def _free(self) -> _Channel | None:
        """The worker with the fewest of this process's requests, if under `_DEPTH`; ties
        taken in turn."""
        count = len(self.channels)
        best: _Channel | None = None
        for step in range(count):
            channel = self.channels[(self._next + step) % count]
            if channel is not None and (best is None or channel.load < best.load):
                best = channel
        if best is None or best.load >= _DEPTH:
            return None
        self._next = (best.index + 1) % count
        return best

    async def acquire(self) -> _Channel:
        """A worker to send one request to (its `send` must follow at once)."""
        channel = self._free() if not self._waiting else None
        if channel is not None:
            channel.reserved += 1
            return channel
        waiter: asyncio.Future[_Channel] = self.loop.create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over as the budget ran out
                handed = waiter.result()
                handed.reserved -= 1
                self.release(handed)
            raise

    def release(self, channel: _Channel) -> None:
        """``channel`` has room again: hand it to the requests that have waited longest."""
        while self._waiting and not channel.gone and channel.load < _DEPTH:
            waiter = self._waiting.popleft()
            if not waiter.done():
                channel.reserved += 1
                waiter.set_result(channel)

    def close(self) -> None:
        """Ends this process's connections, and its own workers if it started them."""
        self.closed = True
        for task in list(self._connecting):
            task.cancel()
        for channel in self.channels:
            if channel is not None and channel.transport is not None:
                with contextlib.suppress(RuntimeError):  # its loop has been closed
                    channel.transport.close()
        self.channels = [None] * len(self.paths)
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(_WorkerGone())
        self._waiting.clear()
        if self.supervisor is not None:
            self.supervisor.close()


def _same(channel: _Channel) -> _Channel:
    return channel


class Supervisor:
    """Starts the verification workers, and another in place of each that ends.

    Each worker listens on a socket of its own in a directory only this user can open (a
    request may carry a pickled call), and ends when its supervisor's end of a second socket
    closes, however the supervisor ended (killed included). Workers are spawned, not forked:
    the server has threads and database connections a fork would copy.
    """

    def __init__(self, settings: Settings, size: int) -> None:
        self.settings = settings
        self._directory = tempfile.mkdtemp(prefix="credstack-verify-")
        self.paths = tuple(os.path.join(self._directory, f"{i}.sock") for i in range(size))
        self._lock = threading.Lock()
        self._closed = False
        self._wake_read, self._wake_write = os.pipe()
        self._workers = [self._spawn(index) for index in range(size)]
        self._pauses = [0] * size  # index into _RESTART_PAUSES, per worker
        self._watcher = threading.Thread(
            target=self._watch, name="credstack-verify-supervisor", daemon=True
        )
        self._watcher.start()
        _supervisors.append(self)

    def _spawn(self, index: int) -> tuple[BaseProcess, socket.socket, float]:
        ours, theirs = socket.socketpair()
        process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(self.settings, theirs, self.paths[index]), daemon=True
        )
        process.start()
        theirs.close()
        return process, ours, time.monotonic()

    def pids(self) -> list[int]:
        with self._lock:
            return [process.pid for process, _, _ in self._workers if process.pid is not None]

    def _watch(self) -> None:
        """Waits for a worker to end (no polling: each process's sentinel), then starts its
        successor, at once unless it ended soon after its own start."""
        due: dict[int, float] = {}  # worker index -> when to start its successor
        while True:
            with self._lock:
                if self._closed:
                    return
                now = time.monotonic()
                for index, when in list(due.items()):
                    if when <= now:
                        del due[index]
                        self._workers[index] = self._spawn(index)
                sentinels = {
                    process.sentinel: index
                    for index, (process, _, _) in enumerate(self._workers)
                    if index not in due
                }
            timeout = max(0.0, min(due.values()) - time.monotonic()) if due else None
            ended = multiprocessing.connection.wait([*sentinels, self._wake_read], timeout)
            with self._lock:
                if self._closed:
                    return
                for sentinel in ended:
                    if sentinel not in sentinels:
                        continue  # the wake-up pipe
                    index = sentinels[sentinel]
                    process, ours, started = self._workers[index]
                    process.join(0)  # reaps it
                    ours.close()
                    quick = time.monotonic() - started < _QUICK_END_SECONDS
                    self._pauses[index] = min(self._pauses[index] + 1, 2) if quick else 0
                    due[index] = time.monotonic() + _RESTART_PAUSES[self._pauses[index]]

    def close(self) -> None:
        """Ends the workers at once. Waiting for them to finish instead took tens of seconds
        on a busy machine: they run at a lower priority."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
        os.write(self._wake_write, b"x")
        for process, ours, _ in workers:
            process.terminate()
            ours.close()
        for process, _, _ in workers:
            process.join(5)
        self._watcher.join(5)
        os.close(self._wake_read)
        os.close(self._wake_write)
        shutil.rmtree(self._directory, ignore_errors=True)
        with contextlib.suppress(ValueError):
            _supervisors.remove(self)


_supervisors: list[Supervisor] = []  # this process's, live
_pools: list[_Pool] = []  # at most one: this process's, on the loop that serves
# What this process's pool connects to: workers of its own (how many), or the installation's
# (their sockets' paths, from `credstack serve --workers N`'s parent).
_wanted: list[int | tuple[str, ...]] = [VERIFY_WORKERS]
_lock = threading.Lock()


def _pool(settings: Settings) -> _Pool:
    """The pool of the running loop, started on first use."""
    loop = asyncio.get_running_loop()
    if _pools and _pools[0].loop is loop and _pools[0].settings is settings:
        return _pools[0]  # every request but the first
    with _lock:
        if _pools and (_pools[0].loop is not loop or _pools[0].settings != settings):
            if _pools[0].loop is not loop and _pools[0].loop.is_running():
                raise RuntimeError("the verification workers serve another running event loop")
            _pools.pop().close()  # a stopped loop's, or another installation's
        if not _pools:
            workers = _wanted[0]
            supervisor = Supervisor(settings, workers) if isinstance(workers, int) else None
            paths = supervisor.paths if supervisor is not None else cast(tuple[str, ...], workers)
            _pools.append(_Pool(settings, paths, loop, supervisor))
        return _pools[0]


def warm_up(settings: Settings, workers: int | tuple[str, ...] = VERIFY_WORKERS) -> None:
    """Start ``workers`` verification processes now (importing credstack takes seconds), not
    on the first request, or connect to the installation's (their sockets' paths); called on
    the event loop that will serve (the server's lifespan)."""
    _wanted[0] = workers
    _pool(settings)


def shutdown() -> None:
    """Close this process's pool: its own workers end at once and take nothing more."""
    with _lock:
        pools = list(_pools)
        _pools.clear()
    for pool in pools:
        pool.close()


def _overdue(settings: Settings) -> Overloaded:
    return Overloaded(
        f"the verification did not finish within {settings.verify_time_budget:g} s (the "
        "server may be busy); try again later, or send a smaller credential"
    )


async def _exchange(settings: Settings, kind: int, body: bytes) -> tuple[int, bytes]:
    pool = _pool(settings)
    budget = settings.verify_time_budget
    try:
        await pool.wait_started()
        # Its deadline is also its place: a worker takes the earliest first, and skips one
        # whose budget ran out while it waited.
        deadline = time.monotonic() + budget
        async with asyncio.timeout(budget):
            channel = await pool.acquire()
            answer_kind, answer = await channel.send(kind, deadline, body)
    except _WorkerGone:
        raise Overloaded(_STOPPED) from None
    except TimeoutError:
        raise _overdue(settings) from None
    if answer_kind == _EXPIRED:
        raise _overdue(settings)
    if answer_kind == _RAISED:
        raise pickle.loads(answer)  # noqa: S301 - from our own worker
    return answer_kind, answer


async def report(settings: Settings, data: bytes, email: str | None) -> bytes:
    """The API's report (`report_json`) on ``data``, verified in a worker: bytes both ways."""
    encoded = email.encode("utf-8", "surrogatepass") if email is not None else b""
    if len(encoded) >= _NO_EMAIL:
        raise InvalidInput(f"an e-mail address has at most {MAX_EMAIL_LENGTH} characters")
    head = _EMAIL.pack(len(encoded) if email is not None else _NO_EMAIL)
    _, answer = await _exchange(settings, _REPORT, head + encoded + data)
    return answer


async def off_loop(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    """``work(verifier)`` in a worker process; Overloaded past ``settings.verify_time_budget``.

    ``work`` must be picklable: a module-level function, or a ``functools.partial`` of one.
    """
    _, answer = await _exchange(settings, _CALL, pickle.dumps(work, pickle.HIGHEST_PROTOCOL))
    return cast(_T, pickle.loads(answer))  # noqa: S301 - from our own worker


def _in_pool(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    """``off_loop`` for a caller already off the event loop (a use case in a worker thread):
    the same workers and budget, on the server's loop, blocking this thread only."""
    with _lock:
        loop = _pools[0].loop if _pools else None
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread: as it should be
        pass
    else:
        raise RuntimeError("on the event loop, await off_loop instead of blocking it")
    if loop is not None and loop.is_running():
        return asyncio.run_coroutine_threadsafe(off_loop(settings, work), loop).result()
    return asyncio.run(_alone(settings, work))


async def _alone(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    """No server loop in this process: for this one call, the workers of a supervisor this
    process runs (`serve --workers N`'s parent, whose background jobs import credentials),
    or workers of its own."""
    with _lock:
        shared = next((s.paths for s in _supervisors if s.settings == settings), None)
    _wanted[0] = shared if shared is not None else VERIFY_WORKERS
    try:
        return await off_loop(settings, work)
    finally:
        shutdown()


def pooled(settings: Settings) -> Callable[[bytes, str], VerificationResult]:
    """A `service.imports.Verify` that verifies in the workers: what an import or upsert is
    given is as hostile as what `POST /api/v1/verify` is given, so it gets the same bounds
    and time budget, and its CPU work stays out of the server's process."""

    def verify(data: bytes, email: str) -> VerificationResult:
        return _in_pool(settings, partial(verify_import, settings, data, email))

    return verify


# -- in the worker ----------------------------------------------------------------------------


def _serve(settings: Settings, supervisor: socket.socket, path: str) -> None:
    """A worker's life: start, listen, then answer its servers' requests one at a time, in
    the order it read them, until its supervisor's socket closes."""
    # Workers run at a lower priority, so that on a busy machine the server process that
    # answers every other request (and /healthz) is scheduled before verification work.
    os.nice(WORKER_NICENESS)
    # Ctrl-C reaches the whole process group: the supervisor stops them (or its socket
    # closing does), so that one is not seen as a worker dying, to be replaced, while it stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One trivial verification loads what the verifier imports lazily (schemas, contexts).
    # If it fails, the first real request fails the same way and says why.
    with contextlib.suppress(Exception):
        _in_worker(settings, _ready)
    settle_heap()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # the socket of the worker this one replaces
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)  # only now: a server's connection means this worker takes requests
    listener.listen(64)
    _work(settings, listener, supervisor)
    # The supervisor is gone. Had it stopped the workers itself it would have removed the
    # directory; it did not (it was killed), so each worker takes its socket away, and the
    # last one the directory.
    with contextlib.suppress(OSError):
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    os._exit(0)


def _work(settings: Settings, listener: socket.socket, supervisor: socket.socket) -> None:
    """Answer requests until the supervisor's socket closes (nothing else is ever sent on
    it): then return."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(supervisor, selectors.EVENT_READ)
    buffers: dict[socket.socket, bytearray] = {}
    # (deadline, arrival, connection, id, kind, body): the earliest deadline first, which is
    # the request that came first (every server gives the same budget); ties as they came.
    queue: list[tuple[float, int, socket.socket, int, int, bytes]] = []
    arrivals = itertools.count()
    while True:
        # Everything sent so far is read before the next request is taken.
        for key, _ in selector.select(0 if queue else None):
            connection = cast(socket.socket, key.fileobj)
            if connection is supervisor:
                return
            if connection is listener:
                accepted, _ = listener.accept()
                selector.register(accepted, selectors.EVENT_READ)
                buffers[accepted] = bytearray()
                continue
            try:
                data = connection.recv(_READ_BYTES)
            except OSError:
                data = b""
            if not data:  # that server is gone: nothing it sent needs an answer
                _forget(selector, buffers, connection)
                queue = _without(queue, connection)
                continue
            buffer = buffers[connection]
            buffer += data
            while len(buffer) >= _REQUEST.size:
                kind, deadline, number, length = _REQUEST.unpack_from(buffer)
                end = _REQUEST.size + length
                if len(buffer) < end:
                    break
                body = bytes(buffer[_REQUEST.size : end])
                item = (deadline, next(arrivals), connection, number, kind, body)
                heapq.heappush(queue, item)
                del buffer[:end]
        if not queue:
            continue
        deadline, _, connection, number, kind, body = heapq.heappop(queue)
        if time.monotonic() > deadline:
            answer_kind, answer = _EXPIRED, b""
        else:
            answer_kind, answer = _answer(settings, kind, body)
        try:
            connection.sendall(_ANSWER.pack(answer_kind, number, len(answer)) + answer)
        except OSError:
            _forget(selector, buffers, connection)
            queue = _without(queue, connection)


def _without(
    queue: list[tuple[float, int, socket.socket, int, int, bytes]], connection: socket.socket
) -> list[tuple[float, int, socket.socket, int, int, bytes]]:
    """The queue less a gone server's requests: nothing is left to answer them."""
    kept = [item for item in queue if item[2] is not connection]
    heapq.heapify(kept)
    return kept


def _forget(
    selector: selectors.BaseSelector,
    buffers: dict[socket.socket, bytearray],
    connection: socket.socket,
) -> None:
    if buffers.pop(connection, None) is not None:
        selector.unregister(connection)
        connection.close()


def _answer(settings: Settings, kind: int, body: bytes) -> tuple[int, bytes]:
    try:
        if kind == _REPORT:
            (length,) = _EMAIL.unpack_from(body)
            start = _EMAIL.size + (0 if length == _NO_EMAIL else length)
            given = body[_EMAIL.size : start].decode("utf-8", "surrogatepass")
            email = None if length == _NO_EMAIL else given
            data = body[start:]
            return _BYTES, _in_worker(settings, partial(bytes_report, data, email))
        work = pickle.loads(body)  # noqa: S301 - from our own server
        return _PICKLED, pickle.dumps(_in_worker(settings, work), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # re-raised in the server, which answers it as before
        try:
            return _RAISED, pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that does not pickle: its text does
            return _RAISED, pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))


def _in_worker(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    runtime = _runtimes.get(settings)
    if runtime is None:
        runtime = _runtimes[settings] = open_runtime(settings)
    # Read-only: verifying never writes, and on SQLite a writer's unit of work would take the
    # write lock for each verification, one worker (and every writer) waiting for the next.
    with runtime.uow(write=False) as uow:
        return work(verifier_for(runtime, uow))


def _ready(verifier: Verifier) -> None:
    verifier.verify_bytes(b'{"@context": []}')


# The work routes hand to the workers: module-level, so partials of them pickle.


def bytes_result(data: bytes, email: str | None, verifier: Verifier) -> VerificationResult:
    return verifier.verify_bytes(data, email=email)


def bytes_report(data: bytes, email: str | None, verifier: Verifier) -> bytes:
    """`bytes_result` as the API answers it (`report_json`): a few kilobytes come back from
    the worker instead of the whole result, the credential included."""
    return report_json(verifier.verify_bytes(data, email=email))


def url_report(url: str, email: str | None, verifier: Verifier) -> bytes:
    return report_json(verifier.verify_url(url, email=email))


def award_result(public_id: str, verifier: Verifier) -> VerificationResult | None:
    """One of our own credentials by its public id; None if it is not (or no longer) here."""
    award = verifier.uow.awards.by_public_id(public_id) if verifier.uow is not None else None
    if award is None or award.credential is None:
        return None
    return verifier.verify_award(award)


def url_result(url: str, email: str | None, verifier: Verifier) -> VerificationResult:
    return verifier.verify_url(url, email=email)


def group_result(
    items: list[bytes], today: date, email: str | None, verifier: Verifier
) -> GroupReport:
    return group_view(verifier, items, today, email=email)
