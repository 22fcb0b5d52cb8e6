"""Security headers on every response, and pages that need no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from credstack.http.headers import CSP
from tests.helpers import running_server
from tests.integration.hardening.tenants import installation

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "credstack" / "web" / "templates"


def _assert_hardened(response: httpx.Response) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_every_kind_of_response_has_the_headers(tmp_path: Path) -> None:
    cli, port = installation(tmp_path, f"sqlite:///{tmp_path / 'data' / 'credstack.db'}")
    with running_server(cli, "serve", port=port) as url:
        answers = {
            "page": httpx.get(f"{url}/"),
            "form": httpx.get(f"{url}/login"),
            "page error": httpx.get(f"{url}/issuers/nobody"),
            "api": httpx.get(f"{url}/api/v1/issuers"),
            "api error": httpx.get(f"{url}/api/v1/issuers/nobody/achievements"),
            "not found": httpx.get(f"{url}/no/such/path"),
            "invalid": httpx.post(f"{url}/api/v1/verify", content=b""),
            "forbidden": httpx.post(f"{url}/api/v1/learners", json={"id": "x", "name": "X"}),
            "static": httpx.get(f"{url}/static/site.css"),
            "health": httpx.get(f"{url}/healthz"),
        }
        for what, response in answers.items():
            assert response.status_code < 500, (what, response.text)
            _assert_hardened(response)
            assert response.headers["content-security-policy"] == CSP, what
        assert {answers[k].status_code for k in ("page error", "api error", "not found")} == {404}
        docs = httpx.get(f"{url}/docs")  # FastAPI's explorer: its own, narrower exception
        assert docs.status_code == 200
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
        assert docs.headers["x-content-type-options"] == "nosniff"


def test_templates_have_no_inline_script_or_style() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
    for template in TEMPLATES.glob("*.html"):
        assert not inline.search(template.read_text()), template.name
