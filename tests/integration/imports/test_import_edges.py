"""Importing through the edges of a real server, on SQLite and PostgreSQL: the CLI's
`learner import-credential` and the wallet page's upload form (CSRF, bounded, refusals)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx

from credstack.config import Settings
from credstack.http.session import COOKIE_NAME
from credstack.limits import MAX_FORM_OVERHEAD_BYTES, MAX_IMPORT_BYTES
from credstack.service.runtime import open_runtime
from credstack.service.sessions import SessionPolicy, open_learner_session
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.imports.foreign import Institution, png_badge
from tests.stories.driver import EXAMPLES

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=1))


def _session(cli: Cli, learner: str) -> str:
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            found = uow.learners.by_key(learner)
            assert found is not None
            session_id = open_learner_session(uow, found, POLICY)
            uow.commit()
        return session_id
    finally:
        runtime.close()


def _form_of_size(csrf: str, size: int) -> tuple[str, bytes]:
    """A wallet import form of exactly `size` bytes: the CSRF token, the largest file a
    wallet takes, and a note padded to make up the rest."""
    boundary = "credstack-bound-test"

    def part(name: str, value: bytes, filename: str | None = None) -> bytes:
        named = f'; filename="{filename}"' if filename else ""
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{named}\r\n\r\n'
        return head.encode() + value + b"\r\n"

    fixed = part("csrf", csrf.encode()) + part("file", b" " * MAX_IMPORT_BYTES, "big.json")
    end = f"--{boundary}--\r\n".encode()
    padding = size - len(fixed) - len(end) - len(part("note", b""))
    assert padding >= 0
    body = fixed + part("note", b"x" * padding) + end
    assert len(body) == size
    return f"multipart/form-data; boundary={boundary}", body


def test_the_cli_and_the_wallet_page_import_and_refuse_with_the_reason(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    cli.ok("issuer", "add", "lakeside", "--name", "Lakeside University", "--kind", "university")
    cli.ok("catalog", "load", str(EXAMPLES / "lakeside-university.yaml"), "--issuer", "lakeside")
    cli.ok("learner", "add", "max", "--name", "Max Muster", "--email", "max@example.org")
    harbor = Institution()
    harbor.publish(cli.data_dir / "trusted")

    # The CLI: imported, and said what it counts toward; a refusal is a message, not a trace.
    path = tmp_path / "harbor.json"
    path.write_text(json.dumps(harbor.credential("max@example.org")))
    said = cli.ok("learner", "import-credential", "max", str(path))
    assert "imported Graduate Certificate in Applied Analytics from Harbor College" in said
    assert "counts toward the catalogs of: Lakeside University" in said
    again = cli.ok("learner", "import-credential", "max", str(path))
    assert again.startswith("replaced ")
    theirs = tmp_path / "theirs.json"
    theirs.write_text(json.dumps(harbor.credential("someone@example.org")))
    refused = cli.run("learner", "import-credential", "max", str(theirs))
    assert refused.returncode != 0
    assert "not shown to be issued to this learner" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = cli.run("learner", "import-credential", "max", str(tmp_path / "nope.json"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr

    with running_server(cli, "serve", port=port) as url:
        browser = httpx.Client(base_url=url, timeout=60)
        browser.cookies.set(COOKIE_NAME, _session(cli, "max"))
        with browser:
            page = browser.get("/wallet")
            assert "Credentials from elsewhere" in page.text
            assert "Graduate Certificate in Applied Analytics" in page.text
            csrf = form_csrf(browser, "/wallet")
            badge = png_badge(
                harbor.jwt(
                    harbor.credential(
                        "max@example.org", achievement="b", name="Harbor Data Badge", credits=None
                    )
                )
            )
            done = browser.post(
                "/wallet/imports",
                data={"csrf": csrf},
                files={"file": ("badge.png", badge, "image/png")},
            )
            assert done.status_code == 303 and done.headers["location"] == "/wallet#imported"
            assert "Harbor Data Badge" in browser.get("/wallet").text

            wrong = browser.post(
                "/wallet/imports",
                data={"csrf": csrf},
                files={"file": ("theirs.json", theirs.read_bytes(), "application/json")},
            )
            assert wrong.status_code == 422
            assert "not shown to be issued to this learner" in wrong.text
            forged = browser.post(
                "/wallet/imports",
                data={"csrf": "not-the-token"},
                files={"file": ("badge.png", badge, "image/png")},
            )
            assert forged.status_code == 403
            huge = browser.post(
                "/wallet/imports",
                data={"csrf": csrf},
                files={"file": ("big.json", b" " * (3 * 1024 * 1024), "application/json")},
            )
            assert huge.status_code == 413
            # The one bound of a form around its file: the largest file and a form filled to
            # the bound is read (and refused for what it is); one byte more is refused unread.
            bound = MAX_IMPORT_BYTES + MAX_FORM_OVERHEAD_BYTES
            for size, status in ((bound, 422), (bound + 1, 413)):
                kind, body = _form_of_size(csrf, size)
                answer = browser.post(
                    "/wallet/imports", content=body, headers={"content-type": kind}
                )
                assert answer.status_code == status, answer.text[:300]
                assert answer.headers["content-type"].startswith("text/html")
        anonymous = httpx.post(
            f"{url}/wallet/imports", data={"csrf": csrf}, files={"file": ("b.png", badge)}
        )
        assert anonymous.status_code in (303, 403)
