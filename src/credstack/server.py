"""The composition root: the one place that assembles the REST API (`api/`) and the pages
(`web/`) into one FastAPI application, on the HTTP plumbing both share (`http/`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from credstack import __version__
from credstack.api import (
    analytics_routes,
    bulk_routes,
    catalog_routes,
    credential_routes,
    did_routes,
    earning_routes,
    engine_routes,
    exchange_routes,
    ims_routes,
    learner_routes,
    oauth_routes,
    verify_routes,
    webhook_routes,
)
from credstack.api.docs import install_docs
from credstack.api.imsx import IMS_PREFIX, imsx_response
from credstack.api.schemas import HealthOut
from credstack.config import Settings
from credstack.errors import CredstackError
from credstack.http import verify_pool
from credstack.http.body_ceiling import BodyCeiling, BodyRefused, Ceilings
from credstack.http.headers import SecurityHeaders
from credstack.http.heap import settle_heap
from credstack.http.ratelimit import Limiters, RateLimited
from credstack.http.runtime import attach
from credstack.limits import VERIFY_WORKERS
from credstack.service.health import health, is_busy
from credstack.service.jobs import deliver_on_commit, running_worker
from credstack.service.runtime import Runtime, open_runtime
from credstack.vc.safejson import InputRefused
from credstack.web import analytics_routes as web_analytics_routes
from credstack.web import (
    catalog_pages,
    consent_pages,
    console_import_pages,
    console_pages,
    console_review_pages,
    email_change_pages,
    employer_pages,
    holder_pages,
    learner_pages,
    oidc_pages,
    session_pages,
    signin_pages,
    verify_pages,
    wallet_pages,
)
from credstack.web.page import error_page, is_page, status_page

__all__ = ["background_work", "create_app", "worker_app"]


def _ims(request: Request) -> bool:
    """Under `/ims/` errors take the 1EdTech APIs' Imsx_StatusInfo shape."""
    return request.url.path.startswith(IMS_PREFIX)


def _answer(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error in the shape of its URL: the 1EdTech APIs' under `/ims/`, the styled page for
    a person, ``{"error", "detail"}`` for a program."""
    if _ims(request):
        return imsx_response(status, message, headers)
    if is_page(request):
        return status_page(request, status, message, headers)
    return JSONResponse(
        status_code=status, content={"error": message, "detail": []}, headers=headers
    )


_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type"})


def _not_json(request: Request, exc: RequestValidationError) -> str | None:
    """Why a JSON route refused a body sent as something else: FastAPI hands the model the raw
    bytes then, and pydantic's "a valid dictionary" does not say what was wrong."""
    sent = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not sent or sent == "application/json" or sent.endswith("+json"):
        return None
    if any(e["loc"] == ("body",) and e["type"] in _NOT_AN_OBJECT for e in exc.errors()):
        return f"send the body as JSON (Content-Type: application/json), not as {sent}"
    return None


def background_work(runtime: Runtime) -> AbstractContextManager[object]:
    """What runs once per server, however many processes serve it: the in-process job worker
    (the outbox's deliveries, imports, the nightly run; on PostgreSQL a queue worker)."""
    return running_worker(runtime)


def worker_app(settings: Settings, verify_workers: tuple[str, ...]) -> FastAPI:
    """One of the processes of `credstack serve --workers N`, built in that process.

    It opens its own runtime (engine and connection pool) there, after the process started,
    and closes it when it stops; the background work runs once, in the parent
    (`background_work`), so that N processes do not each poll the outbox. Its verifications go
    to the installation's workers, the parent's (``verify_workers``: their sockets' paths).
    """
    runtime = open_runtime(settings)
    deliver_on_commit(runtime)  # PostgreSQL: this process's new mail is queued at once
    return create_app(runtime, background=False, verify_workers=verify_workers, owned=True)


def create_app(
    runtime: Runtime,
    background: bool = True,
    *,
    verify_workers: int | tuple[str, ...] = VERIFY_WORKERS,
    owned: bool = False,
) -> FastAPI:
    """The application. ``background``: also run `background_work` while serving (one
    process); ``verify_workers``: how many verification workers of its own to start, or the
    sockets' paths of the installation's (`verify_pool.Supervisor`); ``owned``: the
    application closes ``runtime`` when it stops."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        verify_pool.warm_up(runtime.settings, verify_workers)
        settle_heap()
        try:
            with background_work(runtime) if background else nullcontext():
                yield
        finally:
            verify_pool.shutdown()
            if owned:
                runtime.close()

    app = FastAPI(
        lifespan=lifespan,
        title="credstack",
        version=__version__,
        description="Stackable microcredentials, issued and verified as Open Badges 3.0.",
        docs_url=None,  # served by `install_docs` from bundled assets, not a CDN
        redoc_url=None,
    )
    install_docs(app)
    attach(app, runtime)
    app.state.limiters = Limiters.from_limits(runtime.settings.limits)

    async def _body_refused(request: Request, exc: BodyRefused) -> Response:
        return _answer(request, exc.status_code, exc.detail, dict(exc.headers or {}))

    app.add_exception_handler(BodyRefused, _body_refused)  # type: ignore[arg-type]
    # Added first, so it runs inside `SecurityHeaders`: its early answers get them too.
    app.add_middleware(
        BodyCeiling,
        ceilings=Ceilings.of(runtime.settings.max_credential_bytes),
        timeout=runtime.settings.body_timeout,
        answer=_body_refused,
    )
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(CredstackError)
    async def _credstack_error(request: Request, exc: CredstackError) -> Response:
        if _ims(request):
            return imsx_response(exc.http_status, exc.message.split("\n")[0])
        if is_page(request):
            return error_page(request, exc)
        detail = getattr(exc, "problems", [])
        content = {"error": exc.message.split("\n")[0], "detail": detail}
        award_id = getattr(exc, "award_id", None)
        if award_id:
            content["award"] = award_id
        return JSONResponse(status_code=exc.http_status, content=content)

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> Response:
        return _answer(request, 429, exc.message, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        """A lock that could not be had in time is "busy, retry", not a server bug."""
        if not is_busy(exc):
            raise exc
        message = "the database is busy; try again shortly"
        if is_page(request):
            return status_page(request, 503, message, {"Retry-After": "2"})
        return JSONResponse(
            status_code=503,
            content={"error": message, "detail": []},
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(StatementError)
    async def _nul(request: Request, exc: StatementError) -> Response:
        """A NUL byte in a name, a query or a field: PostgreSQL stores no text holding one (on
        SQLite it matches nothing), and no name here holds one; said, not a 500."""
        if "NUL (0x00)" not in str(exc.orig):
            raise exc
        return _answer(request, 422, "a NUL byte (%00) is in no name or text here; remove it")

    @app.exception_handler(InputRefused)
    async def _refused(request: Request, exc: InputRefused) -> Response:
        # Past a bound in credstack.limits: too large (413) or shaped as no credential is (422).
        # Under /ims/: an upserted credential refused by the verifier's bounds.
        return _answer(request, 413 if exc.too_large else 422, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        unsent = _not_json(request, exc)
        if unsent is not None:
            return _answer(request, 415, unsent)
        detail = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        if _ims(request):
            return imsx_response(400, "; ".join(detail) or "invalid request")
        if is_page(request):
            return status_page(request, 422)
        return JSONResponse(status_code=422, content={"error": "invalid request", "detail": detail})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """An unknown path or method under `/ims/` answers in the spec's shape too; on a page
        it is the styled error page."""
        if _ims(request):
            return imsx_response(exc.status_code, str(exc.detail))
        if is_page(request):
            return status_page(request, exc.status_code, headers=exc.headers)
        return await http_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def _fault(request: Request, _exc: Exception) -> Response:
        """A bug: said in words (the traceback goes to the log, as Starlette re-raises it)."""
        message = "the server failed to answer; the failure was logged"
        if _ims(request):
            return imsx_response(500, message)
        if is_page(request):
            return status_page(request, 500)
        return JSONResponse(status_code=500, content={"error": message, "detail": []})

    @app.get("/healthz", tags=["ops"])
    def healthz() -> HealthOut:
        state = health(runtime)
        return HealthOut(
            status="ok",
            version=__version__,
            database=state.database,
            schema_revision=state.schema_revision,
        )

    # First: a request is matched against the routes in order (each router passed costs
    # about 10 µs), and the credentials' stable URLs are the most fetched, then verified (no
    # other route starts with /credentials/, /status/ or /api/v1/verify; test_route_order).
    app.include_router(credential_routes.router)
    app.include_router(verify_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(did_routes.router)
    app.include_router(engine_routes.router)
    app.include_router(exchange_routes.router)
    app.include_router(learner_routes.router)
    app.include_router(earning_routes.router)
    app.include_router(bulk_routes.router)
    app.include_router(ims_routes.router)
    app.include_router(oauth_routes.router)
    app.include_router(webhook_routes.router)
    app.include_router(consent_pages.router)
    app.include_router(verify_pages.router)
    app.include_router(analytics_routes.router)
    app.include_router(web_analytics_routes.router)
    app.include_router(catalog_pages.router)
    app.include_router(learner_pages.router)
    app.include_router(console_pages.router)
    app.include_router(employer_pages.router)
    app.include_router(session_pages.router)
    app.include_router(signin_pages.router)
    app.include_router(oidc_pages.router)
    app.include_router(email_change_pages.router)
    app.include_router(wallet_pages.router)
    app.include_router(console_review_pages.router)
    app.include_router(console_import_pages.router)
    app.include_router(holder_pages.router)
    return app
