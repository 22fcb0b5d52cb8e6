"""A real server per backend and test module, for the hostile-input tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import BACKENDS, DatabaseFactory
from tests.helpers import Cli, free_port, running_server


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh installation served on one backend, its verification workers answering.

    One per module and backend: starting a server takes seconds on a busy machine.
    """
    tmp = tmp_path_factory.mktemp("served")
    databases = DatabaseFactory(str(request.param), tmp)
    port = free_port()
    cli = Cli(tmp / "data", databases.create(), base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    try:
        with running_server(cli, "serve", port=port) as url:
            answer = httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=120)
            assert answer.status_code == 200, answer.text
            yield url
    finally:
        databases.drop_all()
