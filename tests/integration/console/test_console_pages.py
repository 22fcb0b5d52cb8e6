"""The staff console through a real server, on SQLite and PostgreSQL: navigation by role,
the learner list's search and paging, and each form: it works for a role that may, is refused
(403, nothing written) for one that may not and without this site's CSRF token, and shows bad
input again with a clear message and what was typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from html import unescape

import httpx
from sqlalchemy import func, select

from credstack.catalog.parse import parse_catalog
from credstack.http.session import COOKIE_NAME
from credstack.service.catalog import load_catalog
from credstack.service.sessions import SessionPolicy, open_learner_session
from credstack.store.models import AssessmentAttemptRow, AwardRow, CourseCompletionRow, LearnerRow
from tests.helpers import form_csrf, sign_in
from tests.integration.console.conftest import ENROLLED, EXAMPLES, Console

NW = "/console/issuers/northwind"


@contextmanager
def _staff(console: Console, role: str) -> Iterator[httpx.Client]:
    """A browser signed in through the login form as the user holding `role`."""
    with httpx.Client(base_url=console.url, timeout=60) as client:
        assert sign_in(client, console.tokens[role]).status_code == 303
        yield client


def _post(client: httpx.Client, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Submit a form of `page` as a browser would, with the page's CSRF token."""
    return client.post(action, data={"csrf": form_csrf(client, page), **data})


def _count(console: Console, table: type, **where: object) -> int:
    runtime = console.runtime()
    try:
        with runtime.uow(write=False) as uow:
            query = select(func.count()).select_from(table).filter_by(**where)
            return uow.session.scalar(query) or 0
    finally:
        runtime.close()


def _text(response: httpx.Response) -> str:
    return unescape(re.sub(r"\s+", " ", response.text))


def test_staff_reach_their_issuers_and_see_only_what_their_roles_allow(console: Console) -> None:
    with httpx.Client(base_url=console.url, timeout=60) as anonymous:
        home = anonymous.get("/console")
        assert (home.status_code, home.headers["location"]) == (303, "/signin?next=%2Fconsole")
        deep = anonymous.get(f"{NW}/learners?q=l0")
        assert (
            deep.headers["location"]
            == "/signin?next=%2Fconsole%2Fissuers%2Fnorthwind%2Flearners%3Fq%3Dl0"
        )
        analytics = anonymous.get("/issuers/northwind/analytics")
        assert analytics.headers["location"].startswith("/signin?next=%2Fissuers%2Fnorthwind")
    with _staff(console, "registrar") as registrar:
        page = _text(registrar.get("/console"))
        assert "Northwind Data Academy" in page and "you are registrar" in page
        assert 'aria-label="Console"' in page and f'href="{NW}"' in page
        assert re.search(r'action="/logout".*?name="csrf" value="[0-9a-f]+"', page)
        board = _text(registrar.get(NW))
        for link in (f"{NW}/learners", "/issuers/northwind", "/issuers/northwind/analytics"):
            assert f'href="{link}"' in board
        assert f'href="{NW}/imports"' in board
        assert f'href="{NW}/review"' not in board and f'href="{NW}/flagged"' not in board
        elsewhere = registrar.get("/console/issuers/lakeside")
        assert elsewhere.status_code == 403 and "role at issuer lakeside" in elsewhere.text
    with _staff(console, "admin") as admin:
        board = _text(admin.get(NW))
        assert "You are administrator here" in board
        for link in ("review", "imports", "flagged"):
            assert f'href="{NW}/{link}"' in board
    with _staff(console, "mentor") as mentor:
        page = _text(mentor.get("/console"))
        assert "you are mentor of program pathway" in page
        board = _text(mentor.get(NW))
        assert f'href="{NW}/imports"' not in board and f'href="{NW}/flagged"' not in board
    runtime = console.runtime()
    try:
        with runtime.uow() as uow:
            ana = uow.session.scalars(select(LearnerRow).filter_by(key="ana")).one()
            policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=1))
            session = open_learner_session(uow, ana, policy)
            uow.commit()
    finally:
        runtime.close()
    with httpx.Client(base_url=console.url, timeout=60) as learner:
        learner.cookies.set(COOKIE_NAME, session)
        sent = learner.get("/console")
        assert (sent.status_code, sent.headers["location"]) == (303, "/wallet")


def test_learners_are_searched_and_paged(console: Console) -> None:
    with _staff(console, "registrar") as registrar:
        first = _text(registrar.get(f"{NW}/learners"))
        assert first.count("<tr><td><a href=") == 50
        assert "page 1 of 2 (55 in all)" in first and 'href="?page=2"' in first
        assert "Learner 000" in first and "Ana Lima" not in first  # no record here yet
        second = _text(registrar.get(f"{NW}/learners", params={"page": 2}))
        assert second.count("<tr><td><a href=") == ENROLLED - 50 and "Learner 054" in second
        assert registrar.get(f"{NW}/learners", params={"page": 3}).status_code == 404
        by_id = _text(registrar.get(f"{NW}/learners", params={"q": "l05"}))
        assert by_id.count("<tr><td><a href=") == 5 and "Learner 049" not in by_id
        by_mail = _text(registrar.get(f"{NW}/learners", params={"q": " l054@ex.org "}))
        assert by_mail.count("<tr><td><a href=") == 1 and "Learner 054" in by_mail
        paged = _text(registrar.get(f"{NW}/learners", params={"q": "l0"}))
        assert 'href="?q=l0&page=2"' in paged
        none = _text(registrar.get(f"{NW}/learners", params={"q": "ana@example.org"}))
        assert "No learner of Northwind Data Academy matches" in none
        long = registrar.get(f"{NW}/learners", params={"q": "x" * 255})
        assert long.status_code == 422 and "at most 254 characters" in long.text
        link = re.search(rf'href="({NW}/learners/[A-Za-z0-9_-]+)">Learner 054', by_mail)
        assert link is not None
        by_key = registrar.get(f"{NW}/learners/l054")  # a registrar's key is not kept in URLs
        assert (by_key.status_code, by_key.headers["location"]) == (303, link.group(1))
        learner = _text(registrar.get(link.group(1)))
        assert "<h1>Learner 054</h1>" in learner and "l054@ex.org" in learner


def test_a_registrar_adds_a_learner_and_records_their_evidence(console: Console) -> None:
    learners = f"{NW}/learners"
    with _staff(console, "registrar") as registrar:
        bad = _post(registrar, learners, learners, {"key": "Bea Stone", "name": "Bea Stone"})
        assert bad.status_code == 422 and "Bea Stone" in bad.text
        assert 'value="Bea Stone"' in bad.text and 'class="form-error"' in bad.text
        assert _count(console, LearnerRow, name_sealed=None) == 0
        taken = _post(
            registrar, learners, learners, {"key": "bea", "name": "Bea", "email": "ana@example.org"}
        )
        assert taken.status_code == 422 and "already has this email address" in taken.text
        added = _post(
            registrar, learners, learners, {"key": "bea", "name": "Bea Stone", "email": ""}
        )
        assert added.status_code == 303
        bea = _text(registrar.get(added.headers["location"]))
        assert "Added Bea Stone (learner id bea)." in bea and "<h1>Learner bea</h1>" in bea
        assert "credstack_flash" not in registrar.cookies  # shown once

        ana = f"{learners}/{console.ana}"
        nonsense = _post(
            registrar, ana, f"{ana}/results", {"assessment": "sql-exam", "score": "lots"}
        )
        assert nonsense.status_code == 422 and "is not a number" in nonsense.text
        assert 'value="lots"' in nonsense.text
        assert re.search(r'<option value="sql-exam" selected>SQL Querying, online', nonsense.text)
        assert _count(console, AssessmentAttemptRow) == 0
        scored = _post(
            registrar, ana, f"{ana}/results", {"assessment": "spreadsheets-exam", "score": "85"}
        )
        assert (scored.status_code, scored.headers["location"]) == (303, ana)
        page = _text(registrar.get(ana))
        assert "Result recorded: passed with 85%. 1 new award: see Credentials below." in page
        assert "<h1>Ana Lima</h1>" in page and "Spreadsheets Fundamentals" in page

        zero = {"provider": "northwind", "course": "excel-basics", "hours": "0"}
        refused = _post(registrar, ana, f"{ana}/courses", zero)
        assert refused.status_code == 422 and "hours must be more than 0" in refused.text
        assert 'value="excel-basics"' in refused.text
        assert _count(console, CourseCompletionRow) == 0
        done = _post(registrar, ana, f"{ana}/courses", {**zero, "hours": "3.5"})
        assert done.status_code == 303
        assert "Course completion recorded." in registrar.get(ana).text
        assert _count(console, CourseCompletionRow) == 1

        awarded = _post(registrar, ana, f"{ana}/awards", {"achievement": "sql-querying"})
        assert awarded.status_code == 303
        assert "Awarded SQL Querying." in registrar.get(ana).text
        again = _post(registrar, ana, f"{ana}/awards", {"achievement": "sql-querying"})
        assert again.status_code == 422 and 'class="form-error"' in again.text
        assert _count(console, AwardRow) == 2


def test_forms_are_refused_without_the_role_or_the_token_and_nothing_is_written(
    console: Console,
) -> None:
    ana = f"{NW}/learners/{console.ana}"
    result = {"assessment": "spreadsheets-exam", "score": "90"}
    with _staff(console, "registrar") as registrar:
        assert _post(registrar, ana, f"{ana}/results", result).status_code == 303
        award_id = registrar.get(ana).text.split('data-award="')[1].split('"')[0]
        page = registrar.get(ana).text
        assert "Revoke" not in page  # only an admin revokes
        revoke = f"{ana}/awards/{award_id}/revoke"
        refused = _post(registrar, ana, revoke, {"reason": "proxy"})
        assert refused.status_code == 403 and "may not revoke awards" in refused.text
        missing = registrar.post(f"{ana}/results", data=result)
        wrong = registrar.post(f"{ana}/results", data={**result, "csrf": "0" * 64})
        for response in (missing, wrong):
            assert response.status_code == 403 and "did not come from this site" in response.text
    with _staff(console, "mentor") as mentor:
        page = mentor.get(ana).text
        assert "Record an assessment result" not in page and "Award an achievement" not in page
        nope = _post(mentor, ana, f"{ana}/results", result)
        assert nope.status_code == 403 and "may not record results" in nope.text
        assert (
            _post(mentor, ana, f"{ana}/awards", {"achievement": "sql-querying"}).status_code == 403
        )
    with httpx.Client(base_url=console.url, timeout=60) as anonymous:
        nobody = _post(anonymous, "/signin", f"{ana}/results", result)
        assert nobody.status_code == 403
    assert _count(console, AssessmentAttemptRow) == 1
    assert _count(console, AwardRow, status="active") == 1
    with _staff(console, "admin") as admin:
        assert "Revoke Spreadsheets Fundamentals" in admin.get(ana).text
        empty = _post(admin, ana, revoke, {"reason": "  "})
        assert empty.status_code == 422 and "a revocation needs a reason" in empty.text
        long = _post(admin, ana, revoke, {"reason": "x" * 2001})
        assert long.status_code == 422 and "at most 2000 characters" in long.text
        assert _count(console, AwardRow, status="active") == 1
        done = _post(admin, ana, revoke, {"reason": "exam sat by proxy"})
        assert (done.status_code, done.headers["location"]) == (303, ana)
        page = _text(admin.get(ana))
        assert "Award revoked." in page and "exam sat by proxy" in page
    assert _count(console, AwardRow, status="revoked") == 1


def test_an_admin_suspends_and_reinstates_an_award_beside_revoke(console: Console) -> None:
    ana = f"{NW}/learners/{console.ana}"
    result = {"assessment": "spreadsheets-exam", "score": "90"}
    with _staff(console, "registrar") as registrar:
        assert _post(registrar, ana, f"{ana}/results", result).status_code == 303
        award_id = registrar.get(ana).text.split('data-award="')[1].split('"')[0]
        assert "Suspend" not in registrar.get(ana).text  # only an admin suspends
        suspend = f"{ana}/awards/{award_id}/suspend"
        reinstate = f"{ana}/awards/{award_id}/reinstate"
        refused = _post(registrar, ana, suspend, {"reason": "proctor under review"})
        assert refused.status_code == 403 and "may not suspend awards" in refused.text
    with _staff(console, "admin") as admin:
        page = admin.get(ana).text
        assert "Suspend Spreadsheets Fundamentals" in page
        assert "Reinstate Spreadsheets Fundamentals" not in page
        no_token = admin.post(suspend, data={"reason": "proctor under review"})
        assert no_token.status_code == 403 and "did not come from this site" in no_token.text
        empty = _post(admin, ana, suspend, {"reason": "  "})
        assert empty.status_code == 422 and "a suspension needs a reason" in empty.text
        early = _post(admin, ana, reinstate, {"reason": "nothing to lift"})
        assert early.status_code == 422 and "only a suspended award can be reinstated" in early.text
        assert _count(console, AwardRow, status="active") == 1

        done = _post(admin, ana, suspend, {"reason": "proctor under review"})
        assert (done.status_code, done.headers["location"]) == (303, ana)
        page = _text(admin.get(ana))
        assert "Award suspended until it is reinstated." in page
        assert "proctor under review" in page
        assert _count(console, AwardRow, status="suspended") == 1
        form = admin.get(ana).text
        assert "Reinstate Spreadsheets Fundamentals" in form
        assert "Suspend Spreadsheets Fundamentals" not in form
        assert "Revoke Spreadsheets Fundamentals" in form  # a suspended award may be revoked
        again = _post(admin, ana, suspend, {"reason": "again"})
        assert again.status_code == 422 and "this one is suspended" in again.text

        lifted = _post(admin, ana, reinstate, {"reason": "proctor cleared"})
        assert (lifted.status_code, lifted.headers["location"]) == (303, ana)
        assert "Award reinstated." in _text(admin.get(ana))
    assert _count(console, AwardRow, status="active") == 1


def test_a_mentor_attests_for_a_learner_of_their_program(console: Console) -> None:
    with _staff(console, "registrar") as registrar:
        found = registrar.get(f"{NW}/learners", params={"q": "l000"}).text
    learner = re.search(rf'href="({NW}/learners/[A-Za-z0-9_-]+)"', found)
    assert learner is not None
    page = learner.group(1)
    with _staff(console, "mentor") as mentor:
        form = mentor.get(page).text
        assert "Attest a skill" in form and "<option selected>pathway</option>" not in form
        blank = _post(
            mentor,
            page,
            f"{page}/attestations",
            {"program": "pathway", "achievement": "sql-querying", "statement": ""},
        )
        assert blank.status_code == 422 and "needs a statement" in blank.text
        said = {
            "program": "pathway",
            "achievement": "sql-querying",
            "statement": "Wrote the monthly sales queries unaided.",
        }
        done = _post(mentor, page, f"{page}/attestations", said)
        assert done.status_code == 303
        assert "Attestation recorded." in mentor.get(page).text


ELECTIVES = 60
"""More achievements than a learner page offers at once (`service.console.MAX_PICKED`)."""


def _with_electives(console: Console) -> None:
    """Northwind's catalog again, with electives earned by a course each: the even ones' courses
    named by the catalog, the odd ones' by their id only (as catalogs before names were)."""
    text = (EXAMPLES / "northwind-data-academy.yaml").read_text(encoding="utf-8")
    electives = "".join(
        f"  - id: elective-{n:03d}\n"
        "    type: badge\n"
        f"    name: Elective {n:03d}\n"
        "    description: One elective of the data programme.\n"
        "    criteria: Complete the elective's course at Northwind.\n"
        "    requirements: {course: {id: course-%03d%s, providers: [northwind]}}\n"
        % (n, f", name: Elective course {n:03d}" if n % 2 == 0 else "")
        for n in range(ELECTIVES)
    )
    runtime = console.runtime()
    try:
        with runtime.uow() as uow:
            changed = text.replace("achievements:\n", "achievements:\n" + electives, 1)
            load_catalog(uow, issuer_key="northwind", text=changed, source="northwind-2.yaml")
            uow.commit()
    finally:
        runtime.close()


def _options(page: str, select_id: str) -> list[tuple[str, str]]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert found, select_id
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', found.group(1))


def test_the_learner_page_finds_achievements_by_name_and_names_courses(console: Console) -> None:
    _with_electives(console)
    ana = f"{NW}/learners/{console.ana}"
    with _staff(console, "registrar") as registrar:
        page = _text(registrar.get(ana))
        offered = _options(page, "award-achievement")
        assert len(offered) == 50 and offered == sorted(offered, key=lambda o: o[1].lower())
        example = parse_catalog((EXAMPLES / "northwind-data-academy.yaml").read_text())
        assert example.catalog is not None
        total = ELECTIVES + len(example.catalog.achievements)
        assert f"Showing the first 50 of {total} achievements, by name" in page
        assert '<form method="get" action="' + ana + '" role="search">' in page

        narrowed = _text(registrar.get(ana, params={"q": "ELECTIVE 05"}))
        assert _options(narrowed, "award-achievement") == [
            (f"elective-{n:03d}", f"Elective {n:03d}") for n in range(50, 60)
        ]
        assert "Showing the first" not in narrowed and 'value="ELECTIVE 05"' in narrowed
        by_id = _options(_text(registrar.get(ana, params={"q": "sql-query"})), "award-achievement")
        assert by_id == [("sql-querying", "SQL Querying")]
        literal = _text(registrar.get(ana, params={"q": "%"}))  # a wildcard is a character
        assert "No achievement’s name or id contains “%”." in literal
        too_long = registrar.get(ana, params={"q": "x" * 300})
        assert too_long.status_code == 422 and "at most 254 characters" in too_long.text

        courses = _options(page, "course")
        assert ("course-000", "Elective course 000") in courses
        assert ("course-001", "course-001") in courses  # no name in the catalog: the id
        assert len(courses) == ELECTIVES
        done = _post(
            registrar,
            ana,
            f"{ana}/courses",
            {"provider": "northwind", "course": "course-000", "hours": "2"},
        )
        assert done.status_code == 303
        assert "Course completion recorded." in registrar.get(ana).text
        assert _count(console, CourseCompletionRow) == 1
