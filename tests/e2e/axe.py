"""axe-core in the test browser: installed from npm, injected without loosening the CSP.

The pinned ``axe-core`` (``tests/e2e/js/package.json`` and its lock) is installed by
``tests.npm_pinned`` into ``.cache/npm-axe`` once, as the interop harness's packages are. The
pages' CSP allows no inline or foreign script, so the source is run with ``page.evaluate``:
the browser's debugging protocol, which the CSP does not govern, rather than a ``<script>``
tag the CSP would rightly refuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.npm_pinned import install_pinned

JS = Path(__file__).resolve().parent / "js"
SEVERE = ("serious", "critical")


def axe_source() -> str:
    """axe.min.js of the pinned version, installed on first use."""
    cache = install_pinned(JS, "npm-axe")
    return (cache / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


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
