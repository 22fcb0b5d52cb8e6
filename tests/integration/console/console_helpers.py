"""Installations and signed-in browsers for the console page tests (a real server each)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.helpers import Cli, form_csrf, free_port, sign_in

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
_BATCH = r"""
import contextlib, io, json, sys
from credstack.cli.app import main
answers = []
for argv in json.loads(sys.stdin.read()):
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code or 0
    answers.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(answers))
"""


def batch(cli: Cli, *commands: tuple[str, ...]) -> list[str]:
    """Run real `credstack` commands one after another in one process (the setup of a test:
    a process start costs seconds on a busy machine); each must succeed; their outputs."""
    ran = subprocess.run(
        [sys.executable, "-c", _BATCH],
        env=cli.env(),
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    answers = json.loads(ran.stdout.splitlines()[-1])
    for argv, (code, _out, err) in zip(commands, answers, strict=True):
        assert code == 0, f"credstack {' '.join(argv)}: {err}"
    return [out for _code, out, _err in answers]


def installation(
    tmp_path: Path, database_url: str, *commands: tuple[str, ...], **settings: str
) -> tuple[Cli, int, list[str]]:
    """A fresh installation set up by `credstack init` and `commands` (`settings` are further
    CREDSTACK_* variables); its CLI, the port its server will listen on, the outputs."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cli = Cli(tmp_path / "data", database_url, base_url=base, settings=settings)
    return cli, port, batch(cli, ("init",), *commands)[1:]


def staff(issuer: str, **roles: str) -> list[tuple[str, ...]]:
    """The commands adding users named by the keywords, each with the given role at
    `issuer`; `tokens` reads their API tokens from the batch's outputs."""
    commands: list[tuple[str, ...]] = []
    for name, role in roles.items():
        email = f"{name}@{issuer}.example"
        commands += [
            ("user", "add", email, "--name", name.title()),
            ("user", "grant", email, "--issuer", issuer, "--role", role),
            ("user", "token", email),
        ]
    return commands


def tokens(outputs: list[str], *names: str) -> dict[str, str]:
    """The tokens `staff(...)`'s commands printed, when they ran last in a batch."""
    printed = outputs[-3 * len(names) :][2::3]
    return {name: token.strip() for name, token in zip(names, printed, strict=True)}


@contextmanager
def browser(url: str, token: str, then: str) -> Iterator[httpx.Client]:
    """A browser signed in through the login form (its session cookie kept)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        assert sign_in(client, token, then).status_code == 303
        yield client


def csrf_of(client: httpx.Client, path: str) -> str:
    return form_csrf(client, path)


def alert(page: httpx.Response) -> str:
    """The error page's sentence."""
    found = re.search(r'role="alert">([^<]*)<', page.text)
    assert found, page.text
    return found.group(1)
