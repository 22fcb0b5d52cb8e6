"""The queue's connections sleep while they wait: an idle server on PostgreSQL does not wake
its event loop ten times a second per listening worker (psycopg's interval for Ctrl-C), and a
notification still ends the wait at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from credstack.config import Settings
from credstack.service.jobs import queue
from credstack.service.runtime import open_runtime
from tests.conftest import postgres_admin_url
from tests.helpers import Cli

ONLY_POSTGRES = [pytest.param("postgresql", marks=pytest.mark.postgres)]


def _counting_timers(loop: asyncio.AbstractEventLoop) -> list[float]:
    """The delays of the timers the loop is asked for from now on."""
    delays: list[float] = []
    call_later = loop.call_later

    def counted(delay: float, callback: Callable[..., object], *args: Any) -> asyncio.TimerHandle:
        delays.append(delay)
        return call_later(delay, callback, *args)

    loop.call_later = counted  # type: ignore[method-assign]
    return delays


async def _listen_idle_then_notified() -> tuple[list[float], list[str]]:
    url = postgres_admin_url()
    listening = await queue.QueueConnection.connect(url, autocommit=True)
    sender = await psycopg.AsyncConnection.connect(url, autocommit=True)
    try:
        await listening.execute("LISTEN credstack_idle_test")
        timers = _counting_timers(asyncio.get_running_loop())
        quiet = [n.payload async for n in listening.notifies(timeout=2.0)]
        assert quiet == []
        woken = list(timers)

        async def notify() -> None:
            await asyncio.sleep(0.2)
            await sender.execute("NOTIFY credstack_idle_test, 'work'")

        notifying = asyncio.create_task(notify())
        heard = [n.payload async for n in listening.notifies(timeout=120, stop_after=1)]
        await notifying
        return woken, heard
    finally:
        await listening.close()
        await sender.close()


@pytest.mark.postgres
def test_a_listening_queue_connection_sleeps_until_a_notification() -> None:
    woken, heard = asyncio.run(_listen_idle_then_notified())
    # Two seconds with nothing to read: one timer for the wait's own timeout, not twenty.
    assert len(woken) <= 2, woken
    assert heard == ["work"]


@pytest.mark.parametrize("backend", ONLY_POSTGRES)
def test_the_queue_app_pools_queue_connections(tmp_path: Path, database_url: str) -> None:
    cli = Cli(tmp_path / "data", database_url)
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), database_url, cli.base_url))

    async def pooled_connection_type() -> type:
        app = queue.queue_app(runtime, max_connections=1)
        async with app.open_async():
            pool = app.connector.pool  # type: ignore[attr-defined]
            async with pool.connection() as connection:
                return type(connection)

    try:
        assert asyncio.run(pooled_connection_type()) is queue.QueueConnection
    finally:
        runtime.close()
