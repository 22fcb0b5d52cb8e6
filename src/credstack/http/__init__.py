"""The HTTP plumbing the REST API (`api/`) and the pages (`web/`) share: the request's unit of
work and caller, rate limits, security headers and the verification worker pool.

Neither `api/` nor `web/` imports the other; `credstack.server` assembles both.
"""

from credstack.http.deps import BEARER_SCHEME, ActorDep, RuntimeDep, get_actor, get_runtime

__all__ = ["BEARER_SCHEME", "ActorDep", "RuntimeDep", "get_actor", "get_runtime"]
