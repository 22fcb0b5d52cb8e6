"""The interactive API docs (Swagger UI and ReDoc), served from the package, never a CDN.

FastAPI's default `/docs` and `/redoc` pages load their JavaScript, CSS, favicon (and ReDoc
its fonts) from public CDNs, so on an offline or firewalled installation they render blank.
The `fastapi-offline` package ships those same assets as package data; we mount its static
folder and point FastAPI's own page builders at it, so the pages reference only local URLs.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

__all__ = ["ASSETS_URL", "DOCS_URL", "OAUTH_INIT", "REDOC_URL", "install_docs"]

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs-assets"
"""Where the bundled Swagger UI / ReDoc files are mounted."""
OAUTH_INIT = {
    "usePkceWithAuthorizationCodeGrant": True,
    "useBasicAuthenticationWithAccessCodeGrant": True,
}
"""How "Authorize" in Swagger UI runs the OAuth 2.0 code flow: with PKCE (the server refuses a
code request without an S256 challenge) and the client's secret in the Basic header (the
`token_endpoint_auth_method` a registration gets by default)."""


def _assets_directory() -> str:
    # fastapi-offline installs as a plain directory (no zipped eggs), so the traversable is a path.
    return str(resources.files("fastapi_offline").joinpath("static"))


def install_docs(app: FastAPI) -> None:
    """Serve `/docs`, its OAuth 2.0 redirect page and `/redoc` with local assets.

    The app must be created with ``docs_url=None, redoc_url=None`` so FastAPI does not also
    register its CDN-backed pages at the same paths.
    """
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or f"{DOCS_URL}/oauth2-redirect"
    app.mount(ASSETS_URL, StaticFiles(directory=_assets_directory()), name="docs-assets")

    def local(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=local(request, openapi_url),
            title=f"{app.title} API",
            oauth2_redirect_url=local(request, redirect_url),
            swagger_js_url=local(request, f"{ASSETS_URL}/swagger-ui-bundle.js"),
            swagger_css_url=local(request, f"{ASSETS_URL}/swagger-ui.css"),
            swagger_favicon_url=local(request, f"{ASSETS_URL}/favicon.png"),
            swagger_ui_parameters={"persistAuthorization": True},
            init_oauth=OAUTH_INIT,
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=local(request, openapi_url),
            title=f"{app.title} API",
            redoc_js_url=local(request, f"{ASSETS_URL}/redoc.standalone.js"),
            redoc_favicon_url=local(request, f"{ASSETS_URL}/favicon.png"),
            with_google_fonts=False,
        )
