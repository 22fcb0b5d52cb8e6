"""The issuer, achievement, console-issuer and review-queue lists come a page at a time, paged
in SQL (SQLite and PostgreSQL): the pages together are the whole list in its order, each says
where it is, and the API answers carry `X-Total-Count` and `Link` like the CE reminders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from credstack.config import Settings
from credstack.errors import NotFound
from credstack.limits import PAGE_ITEMS
from credstack.service.actor import Actor, ActorKind, RoleGrant
from credstack.service.catalog import load_catalog
from credstack.service.catalog_listing import achievement_summaries, issuer_listing
from credstack.service.console import console_home
from credstack.service.people import add_issuer
from credstack.service.review_queue import QUEUE_ORDER, review_queue
from credstack.service.runtime import Runtime, open_runtime
from tests.helpers import Cli, free_port, running_server
from tests.liveness import HANG

ISSUERS = PAGE_ITEMS + 3
ACHIEVEMENTS = PAGE_ITEMS + 4


def _catalog(count: int) -> str:
    """`count` badges with mixed-case names, so the order by name is not the order by key."""
    lines = ["format: credstack-catalog/1", "achievements:"]
    lines += [
        f"  - {{id: a{n:03d}, type: badge, name: {'Zeta' if n % 2 else 'alpha'} {n:03d}, "
        f"criteria: Do it, requirements: {{course: c{n:03d}}}}}"
        for n in range(count)
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    made = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{free_port()}")
    made.ok("init")
    return made


@pytest.fixture
def runtime(cli: Cli) -> Iterator[Runtime]:
    made = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    with made.uow() as uow:
        for n in range(ISSUERS):
            add_issuer(uow, made.keys(uow), key=f"i{n:03d}", name=f"Issuer {n:03d}")
        load_catalog(uow, issuer_key="i000", text=_catalog(ACHIEVEMENTS), source="c.yaml")
        load_catalog(  # a second version of one achievement: versions are what the queue lists
            uow,
            issuer_key="i000",
            text=_catalog(ACHIEVEMENTS).replace("criteria: Do it", "criteria: Do it well", 1),
            source="c.yaml",
        )
        uow.commit()
    yield made
    made.close()


def test_issuers_and_achievements_come_a_page_at_a_time(runtime: Runtime) -> None:
    first, second = issuer_listing(runtime), issuer_listing(runtime, page=2)
    assert [i.key for i in first.items + second.items] == [f"i{n:03d}" for n in range(ISSUERS)]
    assert (first.pager.total, first.pager.pages, len(first.items)) == (ISSUERS, 2, PAGE_ITEMS)
    assert (first.pager.next, second.pager.previous, second.pager.next) == (2, 1, None)
    with pytest.raises(NotFound):
        issuer_listing(runtime, page=3)

    one, two = (
        achievement_summaries(runtime, "i000"),
        achievement_summaries(runtime, "i000", page=2),
    )
    listed = one.items + two.items
    assert [a.key for a in listed] == [f"a{n:03d}" for n in range(ACHIEVEMENTS)]
    assert one.pager.total == ACHIEVEMENTS
    assert [a.version for a in listed[:2]] == [2, 1]  # each with its current version
    assert achievement_summaries(runtime, "i001").items == ()


def test_the_console_lists_a_page_of_the_readers_issuers(runtime: Runtime) -> None:
    roles = frozenset(RoleGrant(f"i{n:03d}", "admin") for n in range(1, ISSUERS, 1))
    staff = Actor(ActorKind.STAFF, "staff@example.org", user_id=1, roles=roles)
    first, second = console_home(runtime, staff), console_home(runtime, staff, page=2)
    shown = [i.key for i in first.issuers + second.issuers]
    assert shown == sorted(g.issuer for g in roles)  # i000 is not theirs
    assert (first.pager.total, len(first.issuers)) == (ISSUERS - 1, PAGE_ITEMS)


def test_the_review_queue_comes_a_page_at_a_time_in_its_order(runtime: Runtime) -> None:
    pages = [review_queue(runtime, Actor.operator(), issuer="i000", page=n) for n in (1, 2)]
    versions = [v for page in pages for _status, group in page.groups for v in group]
    assert len(versions) == ACHIEVEMENTS + 1 == pages[0].pager.total
    assert pages[0].totals == pages[1].totals
    assert sum(pages[0].totals.values()) == ACHIEVEMENTS + 1
    rank = {status.value: n for n, status in enumerate(QUEUE_ORDER)}
    order = [(rank[v.status], v.name.casefold(), v.version) for v in versions]
    assert order == sorted(order)
    assert len({(v.achievement, v.version) for v in versions}) == len(versions)
    with pytest.raises(NotFound):
        review_queue(runtime, Actor.operator(), issuer="i000", page=3)


def test_the_api_lists_carry_their_paging_headers(cli: Cli, runtime: Runtime) -> None:
    port = int(cli.base_url.rsplit(":", 1)[1])
    with (
        running_server(cli, "serve", port=port) as url,
        httpx.Client(base_url=url, timeout=HANG) as http,
    ):
        for path, total in (
            ("/api/v1/issuers", ISSUERS),
            ("/api/v1/issuers/i000/achievements", ACHIEVEMENTS),
        ):
            first = http.get(path)
            assert first.status_code == 200
            assert len(first.json()) == PAGE_ITEMS
            assert first.headers["X-Total-Count"] == str(total)
            assert first.headers["Link"] == f'<{url}{path}?page=2>; rel="next"'
            second = http.get(path, params={"page": 2})
            assert len(second.json()) == total - PAGE_ITEMS
            assert second.headers["Link"] == f'<{url}{path}?page=1>; rel="prev"'
            assert {x["id"] for x in first.json()}.isdisjoint(x["id"] for x in second.json())
            past = http.get(path, params={"page": 3})
            assert (past.status_code, past.json()["error"]) == (
                404,
                "there is no page 3; the list has 2",
            )
            for bad in ("0", "-1", "10001", "x"):
                assert http.get(path, params={"page": bad}).status_code == 422
        spec = http.get("/openapi.json").json()["paths"]
        reminders = spec["/api/v1/issuers/{issuer}/ce/reminders"]["get"]["parameters"]
        (page,) = [p for p in reminders if p["name"] == "page"]
        assert (page["schema"]["minimum"], page["schema"]["maximum"]) == (1, 10_000)
