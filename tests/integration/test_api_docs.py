"""The interactive docs work offline, and the OpenAPI document declares how to authorise."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from credstack.http.deps import BEARER_SCHEME, OAUTH_SCHEME
from credstack.service.oauth.scopes import OFFERED_SCOPES
from tests.helpers import Cli, free_port, running_server
from tests.liveness import HANG

# Every URL an HTML page can make a browser fetch: attributes and the Swagger UI / ReDoc calls.
_REFERENCES = re.compile(
    r"""(?:src|href)\s*=\s*["']([^"']+)["']"""
    r"""|\burl\s*:\s*["']([^"']+)["']"""
    r"""|oauth2RedirectUrl\s*:\s*window\.location\.origin\s*\+\s*["']([^"']+)["']"""
    r"""|Redoc\.init\(\s*["']([^"']+)["']"""
    r"""|<redoc\s+spec-url\s*=\s*["']([^"']+)["']"""
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """One real server (SQLite) for the module: the docs never touch the database."""
    tmp: Path = tmp_path_factory.mktemp("docs")
    port = free_port()
    cli = Cli(tmp / "data", f"sqlite:///{tmp / 'credstack.db'}", f"http://127.0.0.1:{port}")
    cli.ok("init")
    with (
        running_server(cli, "serve", port=port) as url,
        httpx.Client(base_url=url, timeout=HANG) as http,
    ):
        yield http


def _references(html: str) -> list[str]:
    return [next(g for g in match.groups() if g) for match in _REFERENCES.finditer(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_references_only_local_urls_that_answer(client: httpx.Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    references = _references(html)
    assert "/openapi.json" in references
    assert any(ref.endswith(".js") for ref in references), references
    for reference in references:
        parts = urlsplit(reference)
        assert not parts.scheme and not parts.netloc, f"{page} loads {reference} from elsewhere"
        assert reference.startswith("/"), reference
        assert client.get(reference).status_code == 200, reference
    # Nothing else on the page (a CDN, web fonts) names a host the browser would contact.
    assert not re.search(r"(?:https?:)?//[A-Za-z0-9]", html), "the page names a remote URL"


def test_swagger_ui_assets_are_the_real_bundle(client: httpx.Client) -> None:
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text
    assert client.get("/docs-assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/docs-assets/no-such-file.js").status_code == 404


def test_openapi_declares_the_bearer_scheme_on_authenticated_operations(
    client: httpx.Client,
) -> None:
    spec = client.get("/openapi.json").json()
    scheme = spec["components"]["securitySchemes"][BEARER_SCHEME]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "Authorization: Bearer" in scheme["description"]
    upload = spec["paths"]["/api/v1/issuers/{issuer}/catalog"]["post"]
    assert {BEARER_SCHEME: []} in upload["security"]
    # A public read declares no security, so the docs do not ask for a token there.
    listing = spec["paths"]["/api/v1/issuers"]["get"]
    assert "security" not in listing
    # The header is declared by the scheme, not as an ordinary parameter Swagger UI ignores.
    for path in spec["paths"].values():
        for operation in path.values():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert "authorization" not in names


def test_openapi_declares_the_oauth_code_flow_on_the_standards_api(client: httpx.Client) -> None:
    """Swagger UI's "Authorize" can run the learner's OAuth 2.0 code flow for `/ims/`: the
    scheme names the real endpoints and the specs' scope URIs, and the page turns PKCE on."""
    spec = client.get("/openapi.json").json()
    scheme = spec["components"]["securitySchemes"][OAUTH_SCHEME]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["authorizationCode"]
    assert set(flow["scopes"]) == OFFERED_SCOPES
    assert all(flow["scopes"].values())  # each scope is explained
    assert flow["refreshUrl"] == flow["tokenUrl"]
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert client.base_url.join(flow["authorizationUrl"]) == metadata["authorization_endpoint"]
    assert client.base_url.join(flow["tokenUrl"]) == metadata["token_endpoint"]
    # The endpoints exist: the consent page sends a stranger to sign in, the token endpoint
    # answers a bare POST with an OAuth error (not 404 / 405).
    assert client.get(flow["authorizationUrl"]).status_code in (303, 400)
    assert client.post(flow["tokenUrl"]).json()["error"] == "unsupported_grant_type"
    for path in ("/ims/ob/v3p0/credentials", "/ims/clr/v2p0/profile"):
        assert {OAUTH_SCHEME: []} in spec["paths"][path]["get"]["security"]
        assert {BEARER_SCHEME: []} not in spec["paths"][path]["get"]["security"]
    page = client.get("/docs").text
    assert re.search(r"initOAuth\(\s*\{[^}]*\"usePkceWithAuthorizationCodeGrant\": true", page)
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_a_malformed_authorization_header_is_still_refused(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/issuers/nobody/catalog",
        headers={"Authorization": "Basic dXNlcjpwdw=="},
        content="format: credstack-catalog/1",
    )
    assert response.status_code == 403
    assert "Bearer" in response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/issuers/{issuer}/ce/reminders",
        "/api/v1/issuers",
        "/api/v1/issuers/{issuer}/achievements",
    ],
)
def test_openapi_declares_how_the_lists_are_paged(client: httpx.Client, path: str) -> None:
    spec = client.get("/openapi.json", timeout=120).json()  # built on first request: slow
    operation = spec["paths"][path]["get"]
    assert "page" in {p["name"] for p in operation["parameters"]}
    headers = operation["responses"]["200"]["headers"]
    assert {"X-Total-Count", "Link"} <= set(headers)
    assert "404" in operation["responses"]  # past the last page
