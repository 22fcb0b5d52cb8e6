"""The layer rules, kept true by the suite (issue 11, "Keep it true").

Dependencies flow one way: `domain` and `assessment` (pure rules) <- `vc` (credentials) <-
`catalog` / `store` <- `service` <- the edges `api`, `web`, `cli`. Besides the imports: only
`config.py` reads the environment, only the clock reads the wall clock, and no naive
datetimes (ruff's DTZ rules). And the edges never reach past the services into the store
(issue 11 item 3).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from tests.unit.architecture.layers import (
    SRC,
    Violation,
    credstack_targets,
    edge_violations,
    environment_reads,
    foreign_imports,
    package_files,
    third_party_imports,
    wall_clock_reads,
)

REPO = SRC.parents[1]

# `credstack.errors` and `credstack.limits` are the modules every layer shares: the error
# vocabulary each edge maps once (HTTP status, exit code), and the bounds on hostile input
# (a credential's size, a catalog's, YAML's aliases and depth) that the parsers in `vc` and
# `catalog` and the edges all apply. Neither imports anything from credstack (checked below),
# so allowing them adds no dependency.
SHARED = {"errors", "limits"}
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "assessment": set(),
    "vc": {"domain", *SHARED},
    "catalog": {"domain", "assessment", *SHARED},
    "store": {"domain", "assessment", "vc", "catalog", "config", *SHARED},
    "service": {"domain", "assessment", "vc", "catalog", "store", "config", *SHARED},
}
# What the pure layers and the credential layer never need: a database, a web framework, a CLI.
INFRASTRUCTURE = {
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "typer",
    "click",
    "httpx",
    "requests",
}


def _report(violations: Iterable[Violation]) -> str:
    return "\n".join(str(v) for v in violations)


def test_each_layer_imports_only_the_layers_below_it() -> None:
    for package, allowed in ALLOWED.items():
        found = foreign_imports(package, allowed)
        assert not found, f"{package}/ may import only {sorted(allowed)}:\n{_report(found)}"


# The edges: `api/` (REST) and `web/` (pages) never import each other; both stand on `http/`
# (the request's unit of work and caller, rate limits, the verification pool), which imports
# neither; only the composition root `server.py` (and the CLI's `serve`) assembles them.
NOT_ALLOWED: dict[str, set[str]] = {
    "api": {"web", "cli", "server"},
    "web": {"api", "cli", "server"},
    "http": {"api", "web", "cli", "server"},
}


def test_the_edges_stand_beside_each_other_on_http() -> None:
    for package, forbidden in NOT_ALLOWED.items():
        found = [
            Violation(str(path.relative_to(SRC)), line, f"imports {target}")
            for path in package_files(package)
            for line, target in credstack_targets(path)
            if target.split(".")[1] in forbidden
        ]
        assert not found, f"{package}/ may not import {sorted(forbidden)}:\n{_report(found)}"
    importers = {
        str(path.relative_to(SRC))
        for path in package_files()
        for _, target in credstack_targets(path)
        if target.startswith("credstack.server")
    }
    assert importers == {"cli/setup_commands.py"}, importers


def test_the_shared_modules_import_no_other_credstack_module() -> None:
    for name in SHARED:
        found = [target for _, target in credstack_targets(SRC / f"{name}.py")]
        assert found == [], (name, found)
    # Settings name the bounds an operator may change and refuse bad values as errors.
    found = {target.split(".")[1] for _, target in credstack_targets(SRC / "config.py")}
    assert found <= SHARED, found


def test_rules_and_credentials_need_no_database_web_or_cli() -> None:
    for package in ("domain", "assessment", "vc"):
        found = third_party_imports(package, INFRASTRUCTURE)
        assert not found, _report(found)


def test_only_config_reads_the_environment() -> None:
    found = [v for v in environment_reads(package_files()) if v.path != "config.py"]
    assert not found, "read settings in credstack.config and pass them in:\n" + _report(found)
    assert environment_reads([SRC / "config.py"]), "the check must see config.py's reads"


# The clock itself (store.types.utcnow, service.clock.now) and vc's defaults for a caller that
# passes no `now` (an aware UTC instant): every other instant comes from service.clock.
CLOCK_READERS = {"store/types.py", "service/clock.py", "vc/jose.py", "vc/verify.py"}


def test_only_the_clock_reads_the_wall_clock() -> None:
    found = [v for v in wall_clock_reads(package_files()) if v.path not in CLOCK_READERS]
    assert not found, "ask credstack.service.clock (now, today, utc_today):\n" + _report(found)


def _ruff() -> str:
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.is_file() else shutil.which("ruff")
    assert found, "ruff is a dev dependency: install with `scripts/setup.sh dev`"
    return found


def test_no_naive_datetimes_ruff_dtz_is_on_and_clean() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "DTZ" in config["tool"]["ruff"]["lint"]["select"]
    done = subprocess.run(
        [_ruff(), "check", "--no-cache", "--select", "DTZ", "src", "tests"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# The edges parse input, call one service function and render its result: no store imports,
# no ORM rows, no commit() (issue 11 item 3). This was a ratchet while the edges were thinned;
# it reached zero, and now holds as an ordinary rule.
def test_the_edges_are_thin() -> None:
    found = edge_violations()
    reached = [v for kind in found.values() for v in kind]
    assert not reached, "api/, web/, cli/, http/ and server.py call a service instead:\n" + (
        _report(reached)
    )


def test_the_checks_see_what_they_count(tmp_path: Path) -> None:
    """Guards the rules (and the ratchet) from passing because a check went blind."""
    (tmp_path / "api").mkdir()
    sample = tmp_path / "api" / "sample.py"
    sample.write_text(
        "import os\n"
        "from datetime import date, datetime\n"
        "from credstack.store.models import AwardRow\n"
        "from credstack.service.records import LearnerRow\n"
        "def handler(uow):\n"
        "    from credstack.store import uow as lazy\n"
        "    uow.commit()\n"
        "    return os.environ.get('X'), os.getenv('Y'), date.today(), datetime.now()\n",
        encoding="utf-8",
    )
    found = edge_violations(tmp_path)
    assert [v.line for v in found["store"]] == [3, 6]
    assert [v.what for v in found["rows"]] == [
        "imports credstack.store.models.AwardRow",
        "imports credstack.service.records.LearnerRow",
    ]
    assert [(v.path, v.line) for v in found["commit"]] == [("api/sample.py", 7)]
    assert [v.what for v in environment_reads([sample])] == ["os.environ", "os.getenv"]
    assert [v.what for v in wall_clock_reads([sample])] == ["date.today", "datetime.now"]


def test_every_package_says_what_it_offers() -> None:
    """A newcomer finds things by package: each has an `__init__.py` with a docstring and
    `__all__` (Alembic's migration scripts are loaded by path, not imported, and are exempt)."""
    packages = {path.parent for path in package_files() if "migrations" not in path.parts}
    missing = []
    for package in sorted(packages):
        init = package / "__init__.py"
        text = init.read_text(encoding="utf-8") if init.is_file() else ""
        if not text.lstrip().startswith('"""') or "__all__" not in text:
            missing.append(str(package.relative_to(SRC.parent)))
    assert not missing, f"give these an __init__.py with a docstring and __all__: {missing}"
