"""A served installation for the console: Northwind's catalog, staff with each kind of role
(a token each, to sign in through the login form), a learner with no record yet and 55
learners enrolled at Northwind (more than one page), on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.earning import recording
from credstack.service.people import add_issuer, add_learner, add_user, grant_role, issue_token
from credstack.service.runtime import Runtime, open_runtime
from tests.conftest import DatabaseFactory
from tests.helpers import Cli, free_port, running_server

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ROLES = ("admin", "registrar", "assessor", "mentor", "reviewer")
ENROLLED = 55


@dataclass(frozen=True)
class Console:
    url: str
    cli: Cli
    tokens: dict[str, str]
    """A token per role (each user holds that one role at Northwind)."""
    ana: str
    """The public id of Ana Lima, registered with no record anywhere."""

    def runtime(self) -> Runtime:
        return open_runtime(
            Settings(self.cli.data_dir.resolve(), self.cli.database_url, self.cli.base_url)
        )


def _seed(runtime: Runtime) -> tuple[dict[str, str], str]:
    with runtime.uow() as uow:
        issuer = add_issuer(uow, runtime.keys(uow), key="northwind", name="Northwind Data Academy")
        text = (EXAMPLES / "northwind-data-academy.yaml").read_text(encoding="utf-8")
        load_catalog(uow, issuer_key="northwind", text=text, source="northwind.yaml")
        tokens = {}
        for role in ROLES:
            user = add_user(uow, email=f"{role}@northwind.example", name=f"A {role}")
            scope = "pathway" if role == "mentor" else ""
            grant_role(uow, user=user, issuer=issuer, role=role, scope=scope)
            tokens[role] = issue_token(uow, user=user, name="console test")
        ana = add_learner(uow, key="ana", name="Ana Lima", email="ana@example.org")
        for n in range(ENROLLED):
            add_learner(uow, key=f"l{n:03d}", name=f"Learner {n:03d}", email=f"l{n:03d}@ex.org")
        uow.commit()
        public_id = ana.public_id
    keys = [f"l{n:03d}" for n in range(ENROLLED)]
    recording.enrol(runtime, Actor.operator(), issuer="northwind", learners=keys, program="pathway")
    return tokens, public_id


@dataclass(frozen=True)
class Seeded:
    """An initialised, seeded installation that tests copy and never serve or change."""

    data_dir: Path
    database_url: str
    tokens: dict[str, str]
    ana: str


class ConsoleTemplates:
    """One seeded installation per backend and test process, built when first asked for.

    Initialising and seeding (an issuer, a catalog, six users with tokens, 56 learners, 55
    enrolments) was each console test's largest set-up; a test now gets a copy of the data
    directory and of the database (SQLite's backup, PostgreSQL's CREATE DATABASE ... TEMPLATE),
    so it still changes only its own installation.
    """

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._seeded: dict[str, Seeded] = {}
        self._factories: list[DatabaseFactory] = []

    def seeded(self, backend: str) -> Seeded:
        if backend not in self._seeded:
            factory = DatabaseFactory(backend, self._tmp.mktemp("console-template"))
            self._factories.append(factory)
            cli = Cli(factory.tmp / "data", factory.create())
            cli.ok("init")
            runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
            try:
                tokens, ana = _seed(runtime)
            finally:
                runtime.close()
            self._seeded[backend] = Seeded(cli.data_dir, cli.database_url, tokens, ana)
        return self._seeded[backend]

    def close(self) -> None:
        for factory in self._factories:
            factory.drop_all()


@pytest.fixture(scope="session")
def console_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleTemplates]:
    templates = ConsoleTemplates(tmp_path_factory)
    yield templates
    templates.close()


@pytest.fixture
def console(
    tmp_path: Path, databases: DatabaseFactory, console_templates: ConsoleTemplates
) -> Iterator[Console]:
    seeded = console_templates.seeded(databases.backend)
    port = free_port()
    data_dir = tmp_path / "data"
    shutil.copytree(seeded.data_dir, data_dir)
    database_url = databases.create(template=seeded.database_url)
    cli = Cli(data_dir, database_url, base_url=f"http://127.0.0.1:{port}")
    with running_server(cli, "serve", port=port) as url:
        yield Console(url, cli, dict(seeded.tokens), seeded.ana)
