"""In-process token buckets: how many tries a client address (or a token) gets a minute.

A dependency-free bucket is enough here: limits are per server process, the numbers are small,
and a library would add a moving part for thirty lines of arithmetic. Behind a proxy, limits
apply to the proxy's address unless the proxy is trusted to set the client address (uvicorn's
``--forwarded-allow-ips``).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from credstack.config import Limits

__all__ = [
    "Bucket",
    "Limiters",
    "RateLimited",
    "RateLimiter",
    "client_address",
    "limit_verify",
    "limiters",
]

_MAX_KEYS = 100_000
"""Bound on remembered clients; the fullest buckets (least recently limited) are forgotten."""


class RateLimited(Exception):
    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}; try again in {retry_after} s")
        self.message = str(self)
        self.retry_after = retry_after


@dataclass
class Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`per_minute` tries, refilled continuously; a burst of `per_minute` is allowed."""

    def __init__(self, what: str, per_minute: int) -> None:
        self.what = what
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_KEYS:
                self._forget(now)
            bucket = self._buckets[key] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        return bucket

    def _forget(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= 1]
        for key in full or list(self._buckets)[: _MAX_KEYS // 2]:
            del self._buckets[key]

    def check(self, key: str) -> None:
        """Raise `RateLimited` if `key` has no try left; does not spend one."""
        with self._lock:
            bucket = self._bucket(key, time.monotonic())
            if bucket.tokens < 1:
                raise RateLimited(self.what, self._wait(bucket))

    def spend(self, key: str) -> None:
        """Spend one try, raising `RateLimited` when there is none left."""
        with self._lock:
            bucket = self._bucket(key, time.monotonic())
            if bucket.tokens < 1:
                raise RateLimited(self.what, self._wait(bucket))
            bucket.tokens -= 1

    def _wait(self, bucket: Bucket) -> int:
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))


@dataclass(frozen=True)
class Limiters:
    """The server's buckets, one per kind of try (see ``config.Limits``)."""

    sign_in: RateLimiter
    sign_in_mail: RateLimiter
    """Keyed by the address asked for, not the client: one inbox, many clients."""
    bad_token: RateLimiter
    verify: RateLimiter
    token: RateLimiter

    @classmethod
    def from_limits(cls, limits: Limits) -> Limiters:
        return cls(
            sign_in=RateLimiter("sign-in attempts", limits.sign_in_per_minute),
            sign_in_mail=RateLimiter(
                "sign-in links for this address", limits.sign_in_mail_per_minute
            ),
            bad_token=RateLimiter("requests with a bad token", limits.bad_token_per_minute),
            verify=RateLimiter("verification requests", limits.verify_per_minute),
            token=RateLimiter("requests with this token", limits.token_per_minute),
        )


def limiters(request: Request) -> Limiters:
    found: Limiters = request.app.state.limiters
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_verify(request: Request) -> None:
    """The public verifier does real work per request: a bounded share per client address."""
    limiters(request).verify.spend(client_address(request))
