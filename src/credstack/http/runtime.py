"""The installation's `Runtime` as a request reaches it: the one `credstack.server` attached.

One place names where it hangs on the application, so the API's dependency (`deps`), the
session reader (`session`) and the pages' CSRF keys (`web.auth`) cannot disagree about it.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from credstack.service.runtime import Runtime

__all__ = ["attach", "runtime_of"]


def attach(app: FastAPI, runtime: Runtime) -> None:
    """Give every request to `app` this runtime (the composition root calls this once)."""
    app.state.runtime = runtime


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime
