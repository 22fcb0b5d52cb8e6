"""Every command's `--help` reads as words (no `<str>`, `{learner}`), and `--version` works."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
from typer.core import TyperGroup

from credstack.cli import main
from credstack.cli.app import command_tree

PLACEHOLDER = re.compile(r"<(?:str|int|float|bool|path|Path|list\[)|\{[a-z_]+\}")


def command_paths() -> list[list[str]]:
    paths: list[list[str]] = []
    todo: list[tuple[list[str], TyperGroup]] = [([], command_tree())]
    while todo:
        path, group = todo.pop()
        for name, command in group.commands.items():
            paths.append([*path, name])
            if isinstance(command, TyperGroup):
                todo.append(([*path, name], command))
    return sorted(paths)


def help_of(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*args, "--help"])
    assert exited.value.code == 0
    return re.sub(r"[│╭╮╰╯─]", " ", capsys.readouterr().out)  # the boxes Rich draws


def test_every_help_is_plain(capsys: pytest.CaptureFixture[str]) -> None:
    paths = command_paths()
    assert ["award", "history"] in paths and ["award", "list"] in paths
    for path in [[], *paths]:
        shown = help_of(path, capsys)
        assert f"Usage: credstack {' '.join(path)}".strip() in " ".join(shown.split())
        assert not PLACEHOLDER.search(shown), f"credstack {' '.join(path)} --help:\n{shown}"


def test_help_names_arguments_and_values_in_capitals(capsys: pytest.CaptureFixture[str]) -> None:
    shown = " ".join(help_of(["progress"], capsys).split())
    assert "Usage: credstack progress [OPTIONS] LEARNER ACHIEVEMENT" in shown
    assert "--as-of TEXT" in shown and "--json Print JSON" in shown
    revoke = " ".join(help_of(["award", "revoke"], capsys).split())
    # The published reason reaches verifiers of our credentials (service.verification).
    assert "shown to verifiers of the credential" in revoke
    assert "`award history`" in revoke


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"credstack {version('credstack')}\n"
