"""The FastAPI application: REST API, OpenAPI document, DID documents and pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text

from credstack import __version__
from credstack.api import (
    analytics_routes,
    catalog_routes,
    credential_routes,
    did_routes,
    engine_routes,
    routes_routes,
    verify_routes,
)
from credstack.api.docs import install_docs
from credstack.api.schemas import HealthOut
from credstack.errors import CredstackError
from credstack.service.runtime import Runtime
from credstack.store import migrate
from credstack.web import analytics_routes as web_analytics_routes
from credstack.web import catalog_pages, employer_pages, learner_pages, session_pages
from credstack.web import routes as web_routes

__all__ = ["create_app"]


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="credstack",
        version=__version__,
        description="Stackable microcredentials, issued and verified as Open Badges 3.0.",
        docs_url=None,  # served by `install_docs` from bundled assets, not a CDN
        redoc_url=None,
    )
    install_docs(app)
    app.state.runtime = runtime

    @app.exception_handler(CredstackError)
    async def _credstack_error(_request: Request, exc: CredstackError) -> JSONResponse:
        detail = getattr(exc, "problems", [])
        return JSONResponse(
            status_code=exc.http_status,
            content={"error": exc.message.split("\n")[0], "detail": detail},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(status_code=422, content={"error": "invalid request", "detail": detail})

    @app.get("/healthz", tags=["ops"])
    def healthz() -> HealthOut:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return HealthOut(
            status="ok",
            version=__version__,
            database=runtime.engine.dialect.name,
            schema_revision=migrate.current_revision(runtime.engine),
        )

    app.include_router(catalog_routes.router)
    app.include_router(did_routes.router)
    app.include_router(engine_routes.router)
    app.include_router(routes_routes.router)
    app.include_router(credential_routes.router)
    app.include_router(verify_routes.router)
    app.include_router(web_routes.router)
    app.include_router(analytics_routes.router)
    app.include_router(web_analytics_routes.router)
    app.include_router(catalog_pages.router)
    app.include_router(learner_pages.router)
    app.include_router(employer_pages.router)
    app.include_router(session_pages.router)
    return app
