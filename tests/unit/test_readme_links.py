"""Every local file the README (and the docs it points to) links or shows exists.

Screenshots moved into docs/screenshots/ once; a link left behind shows a broken image on
the project's front page, which no other test would notice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def local_targets(page: Path) -> list[str]:
    """The page's Markdown link and image targets that name a file in the repository."""
    found = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
            continue  # a URL, an anchor on the page, or a path on a running server
        found.append(target.split("#", 1)[0])
    return [t for t in found if t]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_local_link_and_image_exists(page: Path) -> None:
    missing = [t for t in local_targets(page) if not (page.parent / t).exists()]
    assert not missing, f"{page.relative_to(ROOT)} links to missing files: {missing}"


def test_the_readme_shows_the_screenshots() -> None:
    shown = local_targets(ROOT / "README.md")
    for name in ("home", "achievement", "verify-result", "employer-bundle", "wallet", "share"):
        assert f"docs/screenshots/{name}.png" in shown
    assert all(t.startswith("docs/screenshots/") for t in shown if t.endswith(".png"))


def test_the_rule_sees_a_missing_file(tmp_path: Path) -> None:
    """Guards the check from passing because it went blind."""
    page = tmp_path / "README.md"
    page.write_text("![x](docs/gone.png) [y](https://example.org/a.png) [z](#top)\n")
    assert local_targets(page) == ["docs/gone.png"]
