"""Pages link only http(s) URLs, even one stored before catalogs were checked (defence in depth)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credstack.catalog.format import is_web_url
from credstack.web.verify_pages import templates

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "credstack" / "web" / "templates"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://ccrb.example/ccrp", True),
        ("http://harbor.example", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example", False),
        ("https://a.example/\njavascript:x", False),
        (None, False),
    ],
)
def test_only_http_urls_are_links(url: str | None, linked: bool) -> None:
    assert is_web_url(url) is linked
    page = templates.env.from_string('{% if u is web_url %}<a href="{{ u }}">{% endif %}')
    assert ("<a href" in page.render(u=url)) is linked


def test_every_stored_url_in_a_template_is_checked_before_it_is_a_link() -> None:
    for template in TEMPLATES.glob("*.html"):
        for href in re.findall(r'href="\{\{ ([a-z_.]+) \}\}"', template.read_text()):
            if href.endswith(".url"):
                assert f"{href} is web_url" in template.read_text(), (template.name, href)
