"""Request bodies on a real server: each kind (a page form, a console form, a JSON API body, a
form with a file) is counted as it arrives, however it is sent. A chunked body declares no
length, so before the ceiling FastAPI's parsers read all of it before any bound applied.

Over its ceiling a body is 413 in the shape of its URL (the styled page for a person, JSON for
a program, Imsx_StatusInfo under /ims/), the server keeps answering, and a body within it still
works. A body on a GET, one that stops arriving, a malformed chunked encoding and a JSON route
sent something else are answered too, never hung or 500.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from credstack.http.body_ceiling import Ceilings
from credstack.limits import (
    MAX_AWARD_IMPORT_BYTES,
    MAX_CREDENTIAL_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    MAX_GROUP_BYTES,
    MAX_URLENCODED_FORM_BYTES,
)
from tests.conftest import BACKENDS, DatabaseFactory
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.hardening.tenants import tenant

BODY_TIMEOUT = 3.0
DOCUMENT = Ceilings.of(MAX_CREDENTIAL_BYTES).document
MULTIPART = Ceilings.of(MAX_CREDENTIAL_BYTES).multipart


@dataclass(frozen=True)
class Served:
    url: str
    token: str
    """An admin of the issuer `northwind`."""


@contextmanager
def _serving(databases: DatabaseFactory, data: Path, settings: dict[str, str]) -> Iterator[Served]:
    """A fresh installation with an issuer and its admin, served until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cli = Cli(data, databases.create(), base_url=url, settings=settings)
    cli.ok("init")
    token = tenant(cli, "northwind", "ada@northwind.example")
    try:
        with running_server(cli, "serve", port=port) as served_url:
            yield Served(served_url, token)
    finally:
        databases.drop_all()


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("bodies")
    with _serving(DatabaseFactory(str(request.param), tmp), tmp / "data", {}) as served:
        yield served


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server that waits only BODY_TIMEOUT seconds for a body (the default is 30 s): only
    for the stall, since on a loaded machine a busy server may itself pause for seconds. The
    wait involves no database, so SQLite alone."""
    tmp = tmp_path_factory.mktemp("impatient")
    settings = {"CREDSTACK_BODY_TIMEOUT": str(BODY_TIMEOUT)}
    with _serving(DatabaseFactory("sqlite", tmp), tmp / "data", settings) as served:
        yield served


def _chunks(body: bytes, size: int = 65536) -> Iterator[bytes]:
    """``body`` sent piece by piece: httpx then sends it chunked, without a length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _responsive(url: str) -> None:
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200


def _is_page(answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert words in answer.text
    assert "Content-Security-Policy" in answer.headers


def _is_json(answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text[:300]
    body = answer.json()
    assert words in body["error"] and body["detail"] == []


def _sign_in(client: httpx.Client, served: Served) -> None:
    """Signed in as the issuer's admin through the sign-in form, sent chunked."""
    csrf = form_csrf(client, "/login")
    form = urlencode({"token": served.token, "next": "/", "csrf": csrf}).encode()
    answer = client.post(
        "/login",
        content=_chunks(form, 16),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 303, answer.text[:300]


def test_page_forms_sent_chunked_are_cut_off_as_a_page_and_work_within_it(served: Served) -> None:
    over = b"token=" + b"x" * MAX_URLENCODED_FORM_BYTES
    kind = {"content-type": "application/x-www-form-urlencoded"}
    with httpx.Client(base_url=served.url, timeout=60) as client:
        _sign_in(client, served)  # the sign-in form within its ceiling, sent chunked
        for path in ("/login", "/console/issuers/northwind/learners"):
            answer = client.post(path, content=_chunks(over), headers=kind)
            _is_page(answer, 413, f"larger than {MAX_URLENCODED_FORM_BYTES} bytes")
            _responsive(served.url)
        csrf = form_csrf(client, "/console/issuers/northwind/learners")
        form = urlencode({"csrf": csrf, "key": "lin", "name": "Lin Chunked"}).encode()
        added = client.post(
            "/console/issuers/northwind/learners", content=_chunks(form, 7), headers=kind
        )
        assert added.status_code == 303, added.text[:300]
        assert "Lin Chunked" in client.get(added.headers["location"]).text


def test_json_bodies_sent_chunked_are_cut_off_in_json_and_work_within_it(served: Served) -> None:
    headers = {"authorization": f"Bearer {served.token}", "content-type": "application/json"}
    learners = f"{served.url}/api/v1/learners"
    over = json.dumps({"id": "x", "name": "y" * DOCUMENT}).encode()
    answer = httpx.post(learners, content=_chunks(over), headers=headers, timeout=60)
    _is_json(answer, 413, f"larger than {DOCUMENT} bytes")
    _responsive(served.url)
    within = json.dumps({"id": "mo", "name": "Mo Chunked"}).encode()
    added = httpx.post(learners, content=_chunks(within, 5), headers=headers, timeout=30)
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Mo Chunked"


def test_a_form_with_a_file_sent_chunked_works_and_an_oversized_one_is_refused_unread(
    served: Served,
) -> None:
    with httpx.Client(base_url=served.url, timeout=60) as client:
        csrf = form_csrf(client, "/employer")
        boundary = "credstackceiling"
        form = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="pasted"\r\n\r\n\r\n'
            f"--{boundary}--\r\n"
        ).encode()
        kind = {"content-type": f"multipart/form-data; boundary={boundary}"}
        answer = client.post("/employer", content=_chunks(form, 9), headers=kind)
        assert "Choose credential files, or paste credentials." in answer.text  # parsed whole
    # Declared over the ceiling: refused from the headers alone (no "100 Continue" first).
    status, headers, body = _raw(
        served.url,
        "POST /employer HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Expect: 100-continue\r\nContent-Length: {MULTIPART + 1}\r\n\r\n",
    )
    assert status == 413 and headers["content-type"].startswith("text/html")
    assert f"at most {MULTIPART} bytes" in body
    _responsive(served.url)


def test_an_upload_without_a_credential_is_refused_from_its_headers_alone(served: Served) -> None:
    """The imports take 256 MiB; a stranger's request is refused before any of it is read,
    and the connection closes so that it cannot go on sending."""
    declared = MAX_AWARD_IMPORT_BYTES
    with _connected(served.url) as sock:
        sock.sendall(
            b"POST /api/v1/issuers/northwind/award-imports HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: text/csv\r\n"
            + f"Content-Length: {declared}\r\n\r\n".encode()
            + b"learner,email,name,achievement,date\r\n"
        )
        status, headers, body = _response(sock)
        assert status == 401, body
        assert json.loads(body)["error"] == "this needs an API token (Authorization: Bearer ...)"
        assert headers["www-authenticate"] == "bearer" and headers["connection"] == "close"
        assert sock.recv(1) == b""
    with _connected(served.url) as sock:  # a page: sent to sign in, as its handler would
        sock.sendall(
            b"POST /console/issuers/northwind/imports/awards HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + b"--b\r\n" * 2 + b"\r\n\r\n"
        )
        status, headers, _ = _response(sock)
        assert status == 303
        assert headers["location"] == "/signin?next=/console/issuers/northwind/imports"
        assert sock.recv(1) == b""
    _responsive(served.url)


def test_an_empty_upload_without_a_credential_is_answered_as_a_full_one(served: Served) -> None:
    """Not with the handler's 403: the API's 401 and its challenge, a page's sign-in."""
    for what in ("award-imports", "results/import"):
        answer = httpx.post(f"{served.url}/api/v1/issuers/northwind/{what}", timeout=30)
        _is_json(answer, 401, "this needs an API token")
        assert answer.headers["www-authenticate"] == "Bearer"
    for what in ("awards", "results"):
        answer = httpx.post(f"{served.url}/console/issuers/northwind/imports/{what}", timeout=30)
        assert answer.status_code == 303, answer.text[:300]
        assert answer.headers["location"] == "/signin?next=/console/issuers/northwind/imports"
    _responsive(served.url)


def test_only_the_uploads_take_bodies_past_the_public_ceilings(served: Served) -> None:
    """/employer is bounded by the group it checks, not by the award import; an import with a
    token takes a body past the public ceiling, and is refused past its own bound."""
    assert MULTIPART == MAX_GROUP_BYTES + MAX_FORM_OVERHEAD_BYTES < MAX_AWARD_IMPORT_BYTES
    bearer = f"Authorization: Bearer {served.token}\r\n"
    status, _, body = _raw(
        served.url,
        f"POST /api/v1/issuers/northwind/award-imports HTTP/1.1\r\nHost: x\r\n{bearer}"
        f"Content-Type: text/csv\r\nContent-Length: {MAX_AWARD_IMPORT_BYTES + 1}\r\n\r\n",
    )
    assert status == 413, body
    assert f"an award import is at most {MAX_AWARD_IMPORT_BYTES} bytes" in json.loads(body)["error"]
    past_public = b"learner,email,name,achievement,date\n" + b"x" * (DOCUMENT + 1)
    answer = httpx.post(
        f"{served.url}/api/v1/issuers/northwind/award-imports",
        content=_chunks(past_public),
        headers={"authorization": f"Bearer {served.token}", "content-type": "text/csv"},
        timeout=120,
    )
    assert answer.status_code == 422, answer.text[:300]  # read whole, then refused by its rows
    _responsive(served.url)


def test_a_length_declared_over_the_ceiling_is_answered_in_the_shape_of_its_url(
    served: Served,
) -> None:
    for path, shape in (
        ("/ims/ob/v3p0/credentials", "imsx_description"),
        ("/api/v1/learners", '"error"'),
        ("/oauth/token", '"error"'),
    ):
        status, headers, body = _raw(
            served.url,
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {DOCUMENT + 1}\r\n\r\n",
        )
        assert status == 413, body
        assert headers["content-type"] == "application/json" and shape in body
        assert f"at most {DOCUMENT} bytes" in body


def test_a_body_on_a_get_is_refused_and_the_server_goes_on(served: Served) -> None:
    api = httpx.request("GET", f"{served.url}/api/v1/learners", content=b"{}", timeout=10)
    _is_json(api, 400, "a GET request carries no body")
    page = httpx.request("GET", f"{served.url}/login", content=_chunks(b"x=1"), timeout=10)
    _is_page(page, 400, "a GET request carries no body")
    assert httpx.request("GET", f"{served.url}/healthz", content=b"", timeout=10).is_success


def test_a_body_that_stops_arriving_is_answered_408_and_the_connection_closed(
    impatient: Served,
) -> None:
    served = impatient
    with _connected(served.url) as sock:
        sock.sendall(
            b"POST /api/v1/learners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"id": "stall'
        )
        _responsive(served.url)  # meanwhile
        status, headers, body = _response(sock)
        assert status == 408, body
        assert f"stopped arriving for {BODY_TIMEOUT:g} s" in json.loads(body)["error"]
        assert headers.get("connection") == "close"
        assert sock.recv(1) == b""  # closed by the server, not left open


def test_a_malformed_chunked_body_is_a_400_not_a_hang(served: Served) -> None:
    status, _, body = _raw(
        served.url,
        "POST /api/v1/learners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\nnot-a-size\r\n{}\r\n0\r\n\r\n",
    )
    assert status == 400, body
    _responsive(served.url)


def test_a_json_route_sent_another_content_type_says_to_send_json(served: Served) -> None:
    answer = httpx.post(
        f"{served.url}/api/v1/learners",
        content=b'{"id": "kim", "name": "Kim"}',
        headers={"authorization": f"Bearer {served.token}", "content-type": "text/plain"},
        timeout=10,
    )
    _is_json(answer, 415, "application/json")


def _connected(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=BODY_TIMEOUT + 20)


def _response(sock: socket.socket) -> tuple[int, dict[str, str], str]:
    """One HTTP/1.1 response read off the socket: status, headers (lower-case), body."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        assert piece, f"closed before a response: {data!r}"
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        rest += piece
    found = re.search(r"charset=([\w-]+)", headers.get("content-type", ""))
    return status, headers, rest.decode(found.group(1) if found else "utf-8")


def _raw(url: str, request: str) -> tuple[int, dict[str, str], str]:
    with _connected(url) as sock:
        sock.sendall(request.encode())
        return _response(sock)
