"""Two runtimes on one database, standing for two processes of `serve --workers N`: a writer
that changes an award's status and a reader whose verifier (warm caches and all) must say so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from credstack.config import Settings
from credstack.service.runtime import Runtime, initialise, open_runtime
from credstack.service.verification import verifier_for
from credstack.vc.result import VerificationResult

__all__ = ["check", "runtimes", "verify"]


@contextmanager
def runtimes(settings: Settings) -> Iterator[tuple[Runtime, Runtime]]:
    """(writer, reader): the writer initialises the installation, the reader opens it."""
    writer = initialise(settings)
    try:
        reader = open_runtime(settings)
        try:
            yield writer, reader
        finally:
            reader.close()
    finally:
        writer.close()


def verify(runtime: Runtime, document: dict[str, Any], now: datetime) -> VerificationResult:
    with runtime.uow(write=False) as uow:
        return verifier_for(runtime, uow, now=now).verify_bytes(json.dumps(document).encode())


def check(result: VerificationResult, name: str) -> tuple[bool, str]:
    found = result.check(name)
    assert found is not None, result.checks
    return found.passed, found.message
