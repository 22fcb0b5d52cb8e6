"""The application's routers are ordered for speed, which is safe only while no path is
answered by two routes: a request is matched against the routes in order, each router passed
costs time (issue 14: `POST /api/v1/verify` spent about 70 µs of its ~190 µs in routing when
its router came ninth), so the most asked-for come first. Here every route is reached by a
path of its own shape, whatever its place, so reordering can change speed but not answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Match

from credstack.config import Settings
from credstack.server import create_app
from credstack.service.runtime import initialise

# A value for each kind of path parameter, unlike any fixed segment of our paths.
_SAMPLE = {"path": "x0/y0", "int": "7"}


def _concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        convertor = match.group(2) or "str"
        return _SAMPLE.get(convertor, "z0")

    return re.sub(r"\{([^}:]+)(?::([^}]+))?\}", value, path)


def _routes(app: Any) -> list[tuple[int, Any]]:
    """(place of its router among the application's routes, route) of every HTTP route."""
    found = []
    for place, route in enumerate(app.router.routes):
        included = getattr(route, "original_router", None)
        if included is not None:
            assert not route.include_context.prefix, "a router included with a prefix"
        for each in included.routes if included is not None else [route]:
            if getattr(each, "methods", None):
                found.append((place, each))
    return found


def _full(route: Any, method: str, path: str) -> bool:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return bool(route.matches(scope)[0] == Match.FULL)


def _reached_by(app: Any, method: str, path: str) -> tuple[int, Any] | None:
    """The router (its place) and the route a request would be answered by: the first
    router to match it whole, then that router's first route to."""
    for place, route in enumerate(app.router.routes):
        if _full(route, method, path):
            included = getattr(route, "original_router", None)
            inner = included.routes if included is not None else [route]
            return place, next(r for r in inner if _full(r, method, path))
    return None


def test_each_route_is_reached_by_its_own_paths(tmp_path: Path, database_url: str) -> None:
    runtime = initialise(Settings(tmp_path / "data", database_url, "http://127.0.0.1:8000"))
    try:
        app = create_app(runtime)
        routes = _routes(app)
        assert len(routes) > 100
        shadowed = [
            (method, route.path)
            for place, route in routes
            for method in sorted(route.methods - {"HEAD"})
            if _reached_by(app, method, _concrete(route.path)) != (place, route)
        ]
        assert not shadowed, f"answered by an earlier route: {shadowed}"
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [("GET", "/credentials/abc", "credential"), ("POST", "/api/v1/verify", "verify")],
)
def test_the_most_asked_for_routes_come_first(
    tmp_path: Path, database_url: str, method: str, path: str, name: str
) -> None:
    runtime = initialise(Settings(tmp_path / "data", database_url, "http://127.0.0.1:8000"))
    try:
        app = create_app(runtime)
        routers = [r for r in app.router.routes if hasattr(r, "original_router")]
        reached = next(i for i, r in enumerate(routers) if _full(r, method, path))
        assert reached <= 1, f"{name} is matched in router {reached + 1}"
    finally:
        runtime.close()
