"""axe-core in the test browser: installed from npm, injected without loosening the CSP.

The pinned ``axe-core`` (``tests/e2e/js/package.json`` and its lock) is installed with
``npm ci`` into ``.cache/npm-axe`` (gitignored) once, and reused while the lock is unchanged,
as the interop harness does. The pages' CSP allows no inline or foreign script, so the source
is run with ``page.evaluate``: the browser's debugging protocol, which the CSP does not govern,
rather than a ``<script>`` tag the CSP would rightly refuse.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).resolve().parent / "js"
CACHE = ROOT / ".cache" / "npm-axe"
SEVERE = ("serious", "critical")


def axe_source() -> str:
    """axe.min.js of the pinned version, installed on first use."""
    if shutil.which("npm") is None:
        raise RuntimeError("the accessibility tests need npm on PATH (apt-get install npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    stamp = hashlib.sha256(
        (JS / "package.json").read_bytes() + (JS / "package-lock.json").read_bytes()
    ).hexdigest()
    with (CACHE / ".install.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        installed = CACHE / ".installed"
        if not installed.exists() or installed.read_text() != stamp:
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(JS / name, CACHE / name)
            subprocess.run(
                [
                    "npm",
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--prefer-offline",
                    "--cache",
                    str(CACHE / "_npm-cache"),
                ],
                cwd=CACHE,
                check=True,
                capture_output=True,
                timeout=600,
            )
            installed.write_text(stamp)
    return (CACHE / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def severe_violations(page: Page, source: str) -> list[str]:
    """axe's serious and critical violations on the page as it is now, one line each."""
    page.evaluate(source)
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in found
        if v["impact"] in SEVERE
    ]
