"""The HTTP plumbing the REST API (`api/`) and the pages (`web/`) share: the request's runtime
(`runtime`) and actor (`deps`, `session`), OAuth 2.0 requests carried to the service (`oauth`),
bounded request bodies (`bodies`), rate limits, security headers, CSV downloads and the
verification worker pool.

Neither `api/` nor `web/` imports the other; `credstack.server` assembles both. This package
imports nothing itself: the verification workers import `http.verify_pool` alone, and they
start faster without the request machinery.
"""

__all__ = [
    "bodies",
    "deps",
    "downloads",
    "headers",
    "oauth",
    "ratelimit",
    "runtime",
    "session",
    "uploads",
    "verify_pool",
]
