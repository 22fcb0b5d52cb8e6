"""Every error status as a styled page on page URLs, and in its JSON shape on machine URLs;
the favicon. Through a real server, except the server fault, which no real request causes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from credstack.config import Settings
from credstack.limits import MAX_CREDENTIAL_BYTES
from credstack.server import create_app
from credstack.service.runtime import initialise
from credstack.web.page import PageRoute
from tests.helpers import running_server
from tests.integration.console.console_helpers import (
    EXAMPLES,
    alert,
    browser,
    csrf_of,
    installation,
    staff,
    tokens,
)


def _page(answer: httpx.Response, status: int, sentence: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "<title>" in answer.text and 'href="/static/site.css"' in answer.text
    assert f"Error {status}." in answer.text
    assert '<a href="/">Back to the home page</a>' in answer.text
    assert sentence in alert(answer)
    assert "Traceback" not in answer.text


def _json(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body: dict[str, object] = answer.json()
    return body


def test_errors_are_pages_on_page_urls_and_json_on_machine_urls(
    tmp_path: Path, database_url: str
) -> None:
    cli, port, outputs = installation(
        tmp_path,
        database_url,
        ("issuer", "add", "tmcb", "--name", "Tropical Medicine Certification Body"),
        ("catalog", "load", str(EXAMPLES / "tropical-medicine-board.yaml"), "--issuer", "tmcb"),
        *staff("tmcb", mo="mentor"),
        CREDSTACK_RATE_SIGN_IN="3",
        CREDSTACK_RATE_BAD_TOKEN="3",
    )
    mentor = tokens(outputs, "mo")["mo"]
    with running_server(cli, "serve", port=port) as url, httpx.Client(base_url=url) as client:
        _page(client.get("/no/such/page"), 404, "There is no page at this address")
        assert _json(client.get("/api/v1/no-such-thing"), 404) == {"detail": "Not Found"}
        ims = _json(client.get("/ims/ob/v3p0/no-such-thing"), 404)
        assert ims["imsx_codeMajor"] == "failure"

        _page(client.put("/verify"), 405, "cannot be used that way")
        assert _json(client.put("/api/v1/verify"), 405) == {"detail": "Method Not Allowed"}

        _page(client.get("/?page=lots"), 422, "was not accepted")
        invalid = _json(client.get("/api/v1/issuers/tmcb/analytics?since=lots"), 422)
        assert invalid["error"] == "invalid request"

        too_big = b"{" + b" " * MAX_CREDENTIAL_BYTES + b"}"
        assert _json(client.post("/api/v1/verify", content=too_big), 413)["error"]

        with browser(url, mentor, "/") as mo:
            _page(mo.get("/console/issuers/tmcb/review"), 403, "may not read the review queue")
        refused = client.get(
            "/api/v1/issuers/tmcb/achievements/ebola-diagnosis/quality",
            headers={"authorization": f"Bearer {mentor}"},
        )
        assert "may not read the quality report" in str(_json(refused, 403)["error"])

        csrf = csrf_of(client, "/login")
        for n in range(3):
            client.post("/login", data={"token": f"cst_guess{n}", "csrf": csrf})
        limited = client.post("/login", data={"token": "cst_guess", "csrf": csrf})
        _page(limited, 429, "too many")
        assert int(limited.headers["retry-after"]) >= 1
        bearer = {"authorization": "Bearer cst_guess"}
        for _ in range(3):
            client.get("/api/v1/learners/x/awards", headers=bearer)
        blocked = _json(client.get("/api/v1/learners/x/awards", headers=bearer), 429)
        assert "too many requests" in str(blocked["error"])

        icon = client.get("/favicon.ico")
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/vnd.microsoft.icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
        svg = client.get("/static/icon.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.startswith("<svg")
        home = client.get("/")
        assert '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">' in home.text
        assert '<link rel="icon" href="/favicon.ico"' in home.text


def test_a_server_fault_is_a_page_or_json_and_never_a_traceback(
    tmp_path: Path, database_url: str
) -> None:
    runtime = initialise(Settings(tmp_path / "data", database_url, "http://127.0.0.1:8000"))
    try:
        app = create_app(runtime)

        def broken() -> None:
            raise RuntimeError("a bug")

        app.router.add_api_route("/broken", broken, route_class_override=PageRoute)
        app.add_api_route("/api/v1/broken", broken)

        async def get(path: str) -> httpx.Response:
            # No lifespan (no verification workers); the fault is re-raised after the answer.
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.get(path)

        _page(asyncio.run(get("/broken")), 500, "The server failed to answer")
        fault = _json(asyncio.run(get("/api/v1/broken")), 500)
        assert fault == {
            "error": "the server failed to answer; the failure was logged",
            "detail": [],
        }
    finally:
        runtime.close()
