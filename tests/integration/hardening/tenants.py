"""Installations set up through the real CLI, for the tests that hammer a real server."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Cli, free_port

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CATALOGS = {"tmcb": "tropical-medicine-board.yaml", "northwind": "northwind-data-academy.yaml"}


def installation(tmp_path: Path, database_url: str, **settings: str) -> tuple[Cli, int]:
    port = free_port()
    cli = Cli(
        tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}", settings=settings
    )
    cli.ok("init")
    return cli, port


def tenant(
    cli: Cli, issuer: str, email: str, *, role: str = "admin", learners: tuple[str, ...] = ()
) -> str:
    """An issuer with its example catalog, one staff member and some learners; returns the
    staff member's API token."""
    for learner in learners:
        cli.ok("learner", "add", learner, "--name", learner.title())
    cli.ok("issuer", "add", issuer, "--name", issuer.upper())
    cli.ok("catalog", "load", str(EXAMPLES / CATALOGS[issuer]), "--issuer", issuer)
    cli.ok("user", "add", email, "--name", email.split("@")[0])
    cli.ok("user", "grant", email, "--issuer", issuer, "--role", role)
    return cli.ok("user", "token", email).strip()
