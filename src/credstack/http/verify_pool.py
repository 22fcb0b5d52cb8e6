"""Verification off the event loop: a few worker processes and a time budget per request.

Canonicalising and checking a signature is CPU work; done inside an ``async`` route it held
the event loop, so one costly request made every other one (``/healthz`` included) wait.
Worker *threads* were measured and were not enough: they hold the GIL, and ``/healthz`` took
0.4 s while four costly verifications ran. Worker *processes* leave the server's own process
free (``/healthz`` in milliseconds; docs/benchmarks.md). Each worker opens its own runtime
(engine, master key) from the server's settings once, then verifies with its own session.

Each worker is a long-lived process with its own socket to the server, and takes one request
at a time: a length-prefixed frame goes in, one comes back. `POST /api/v1/verify`'s frame is
the credential's bytes (and the e-mail address) and its answer is the report as the API sends
it, so nothing is pickled on that path; other work (a page's result, a group) goes as a pickled
call. The server side is the event loop's own I/O (one protocol per worker, no thread): this
replaced a ``ProcessPoolExecutor``, whose queue feeder and management threads woke on every
request (issue 14; figures in docs/benchmarks.md). A worker that dies is replaced, and the
request it had is answered 503; a worker whose server is gone sees its socket close and ends.

A request whose verification has not finished within its budget is answered 503; the worker
finishes the abandoned verification, which the bounds in ``credstack.limits`` keep to seconds,
and its answer is dropped before it takes the next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable
from datetime import date
from functools import partial
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, cast

from credstack.config import Settings
from credstack.errors import InvalidInput, Overloaded
from credstack.limits import VERIFY_WORKERS, WORKER_NICENESS
from credstack.service.group_view import GroupReport, group_view
from credstack.service.imports import verify_import
from credstack.service.runtime import Runtime, open_runtime
from credstack.service.verification import Verifier, report_json, verifier_for
from credstack.vc.recipient import MAX_EMAIL_LENGTH
from credstack.vc.result import VerificationResult

__all__ = [
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
_FRAME = struct.Struct("!BI")  # kind, length of what follows
_EMAIL = struct.Struct("!H")  # length of the e-mail address before the credential's bytes
_NO_EMAIL = 0xFFFF
# Requests (server to worker).
_REPORT = 1  # e-mail length, e-mail, credential bytes -> the API's report (bytes)
_CALL = 2  # a pickled Callable[[Verifier], T] -> its pickled result
# Answers (worker to server).
_READY = 10  # the worker has started and takes requests
_BYTES = 11  # the report's bytes
_PICKLED = 12  # a pickled result
_RAISED = 13  # a pickled exception, re-raised in the server
_STOPPED = "a verification worker stopped; try again (new ones start)"

_runtimes: dict[Settings, Runtime] = {}  # in each worker: one runtime per installation


class _WorkerGone(Exception):
    """The worker's socket closed: it died (or was stopped) before answering."""


class _Channel(asyncio.Protocol):
    """The server's side of one worker's socket: frames in, one request at a time."""

    def __init__(self, pool: _Pool, process: BaseProcess) -> None:
        self.pool = pool
        self.process = process
        self.transport: asyncio.Transport | None = None
        self.ready = False
        self.gone = False
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= _FRAME.size:
            kind, length = _FRAME.unpack_from(buffer)
            end = _FRAME.size + length
            if len(buffer) < end:
                return
            body = bytes(buffer[_FRAME.size : end])
            del buffer[:end]
            self._answered(kind, body)

    def _answered(self, kind: int, body: bytes) -> None:
        if kind == _READY:
            self.ready = True
            self.pool.started(self)
            return
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((kind, body))
        # Answered, or the answer of a request abandoned past its budget: either way the
        # worker is free again.
        self.pool.release(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(_WorkerGone())
        self.pool.lost(self)

    def send(self, kind: int, body: bytes) -> asyncio.Future[tuple[int, bytes]]:
        # Only a ready channel (its transport attached) is handed out, to one request at a time.
        assert self.transport is not None
        assert self._waiter is None
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(_FRAME.pack(kind, len(body)) + body)
        return waiter


class _Pool:
    """This server process's workers, bound to its event loop."""

    def __init__(self, settings: Settings, size: int, loop: asyncio.AbstractEventLoop) -> None:
        self.settings = settings
        self.size = size
        self.loop = loop
        self.closed = False
        self._channels: set[_Channel] = set()
        self._idle: deque[_Channel] = deque()
        self._waiting: deque[asyncio.Future[_Channel]] = deque()
        self._starting = 0
        self._ready = 0
        self._all_started = asyncio.Event()
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        """A new worker: spawned, not forked (the server has threads and database connections
        a fork would copy); its socket is the one thing it inherits besides the settings."""
        ours, theirs = socket.socketpair()
        process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(self.settings, theirs), daemon=True
        )
        process.start()
        theirs.close()
        channel = _Channel(self, process)
        self._channels.add(channel)
        self._starting += 1
        self._all_started.clear()
        task = self.loop.create_task(self.loop.create_connection(lambda: channel, sock=ours))
        task.add_done_callback(_quiet)

    def started(self, channel: _Channel) -> None:
        self._ready += 1
        self._starting -= 1
        if self._starting == 0:
            self._all_started.set()
        self.release(channel)

    async def wait_started(self) -> None:
        """At the server's start, until every worker is up; later (a worker replaced), only
        while none is."""
        if self._starting and not self._ready:
            await self._all_started.wait()

    async def acquire(self) -> _Channel:
        if self._idle:
            return self._idle.popleft()
        waiter: asyncio.Future[_Channel] = self.loop.create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())  # handed over just as the budget ran out
            raise

    def release(self, channel: _Channel) -> None:
        if channel.gone or self.closed:
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(channel)
                return
        self._idle.append(channel)

    def lost(self, channel: _Channel) -> None:
        """A worker's socket closed: forget it and start another, so that the pool keeps its
        size; not for one that died before it was ready (it would die again, in a loop)."""
        self._channels.discard(channel)
        with contextlib.suppress(ValueError):
            self._idle.remove(channel)
        if channel.ready:
            self._ready -= 1
        else:
            self._starting -= 1
            if self._starting == 0:
                self._all_started.set()
        channel.process.join(0)  # reaps it if it has ended
        if self.closed:
            return
        if channel.ready:
            self._start()
        elif not self._channels:
            while self._waiting:  # nothing will answer them
                waiter = self._waiting.popleft()
                if not waiter.done():
                    waiter.set_exception(_WorkerGone())

    async def call(self, kind: int, body: bytes) -> tuple[int, bytes]:
        if not self._channels:
            raise _WorkerGone
        channel = await self.acquire()
        return await channel.send(kind, body)

    def close(self) -> None:
        """Ends the workers at once (see `shutdown`)."""
        self.closed = True
        for channel in list(self._channels):
            channel.process.terminate()
            if channel.transport is not None:
                with contextlib.suppress(RuntimeError):  # its loop has been closed
                    channel.transport.close()
        for channel in list(self._channels):
            channel.process.join(5)
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(_WorkerGone())
        self._channels.clear()
        self._idle.clear()


def _quiet(task: asyncio.Task[Any]) -> None:
    """A worker whose socket could not be attached (the server stopping) is not an error."""
    if not task.cancelled():
        task.exception()


_pools: list[_Pool] = []  # at most one: this process's, on the loop that serves
_size = [VERIFY_WORKERS]  # this server process's share (`serve --workers N` divides the cores)
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
            _pools.append(_Pool(settings, _size[0], loop))
        return _pools[0]


def warm_up(settings: Settings, workers: int = VERIFY_WORKERS) -> None:
    """Start ``workers`` verification processes now (importing credstack takes seconds), not on
    the first request; called on the event loop that will serve (the server's lifespan)."""
    _size[0] = workers
    _pool(settings)


def shutdown() -> None:
    """Stop the workers (the server's shutdown): they are ended at once, and take nothing more.

    Waiting for them to finish instead took tens of seconds on a busy machine: they run at a
    lower priority.
    """
    with _lock:
        pools = list(_pools)
        _pools.clear()
    for pool in pools:
        pool.close()


async def _exchange(settings: Settings, kind: int, body: bytes) -> tuple[int, bytes]:
    pool = _pool(settings)
    # A worker's start (seconds of imports on a busy machine) is not the request's fault: the
    # budget starts once the workers are up.
    await pool.wait_started()
    try:
        async with asyncio.timeout(settings.verify_time_budget):
            answer_kind, answer = await pool.call(kind, body)
    except _WorkerGone:
        raise Overloaded(_STOPPED) from None
    except TimeoutError:
        raise Overloaded(
            f"the verification did not finish within {settings.verify_time_budget:g} s (the "
            "server may be busy); try again later, or send a smaller credential"
        ) from None
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
    """No server is running: workers for this one call."""
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


def _serve(settings: Settings, server: socket.socket) -> None:
    """A worker's life: start, say so, then answer one frame at a time until the socket
    closes (the server stopped, or died: then nothing is left to answer)."""
    # Workers run at a lower priority, so that on a busy machine the server process that
    # answers every other request (and /healthz) is scheduled before verification work.
    os.nice(WORKER_NICENESS)
    # Ctrl-C reaches the whole process group: the server stops them (or its socket closing
    # does), so that one is not seen as a worker dying, to be replaced, while the server stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One trivial verification loads what the verifier imports lazily (schemas, contexts).
    # If it fails, the first real request fails the same way and says why.
    with contextlib.suppress(Exception):
        _in_worker(settings, _ready)
    server.sendall(_FRAME.pack(_READY, 0))
    while True:
        head = _read(server, _FRAME.size)
        if head is None:
            os._exit(0)
        kind, length = _FRAME.unpack(head)
        body = _read(server, length) if length else b""
        if body is None:
            os._exit(0)
        answer_kind, answer = _answer(settings, kind, body)
        server.sendall(_FRAME.pack(answer_kind, len(answer)) + answer)


def _read(server: socket.socket, size: int) -> bytes | None:
    """Exactly ``size`` bytes, or None once the server's end is closed."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = server.recv_into(view[got:])
        if count == 0:
            return None
        got += count
    return bytes(buffer)


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
