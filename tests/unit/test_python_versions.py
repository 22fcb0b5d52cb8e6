"""Python 3.11, 3.12 and 3.13: what pyproject promises, what the locks pin, how scripts find them.

The suite runs on one of them (CI: 3.11) and `scripts/smoke-python.sh` installs, runs the demo
and verifies a credential on the others. These tests keep the promise written once (the
classifiers) and everything that follows it in step, and check that an interpreter is found
robustly (a pyenv shim that does not run is passed over) or refused with a one-line reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
SUPPORTED = ("3.11", "3.12", "3.13")
LOCKS = [
    pytest.param("requirements.lock", (), id="runtime"),
    pytest.param("requirements-dev.lock", ("dev",), id="dev"),
]
CURRENT = f"{sys.version_info.major}.{sys.version_info.minor}"


def linux_cpython(python: str) -> dict[str, str]:
    """The marker environment of CPython `python` on Linux, where credstack is installed."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "python_version": python,
        "sys_platform": "linux",
        "extra": "",
    }


def applies(marker: Marker | None, python: str) -> bool:
    return marker is None or marker.evaluate(linux_cpython(python))


def pins(lock: str, python: str) -> dict[NormalizedName, Version]:
    """What pip installs from `lock` on Linux CPython `python`: the lines whose markers hold."""
    found: dict[NormalizedName, Version] = {}
    for line in (REPO / lock).read_text("utf-8").splitlines():
        if not line.strip() or line.startswith(("#", " ")):
            continue
        requirement = Requirement(line)
        if not applies(requirement.marker, python):
            continue
        name = canonicalize_name(requirement.name)
        assert name not in found, f"{lock}: {name} is pinned twice for Python {python}"
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{lock}: {line!r} is not a pin"
        found[name] = Version(specifier.version)
    return found


def test_the_classifiers_name_each_supported_version() -> None:
    versions = tuple(
        classifier.rsplit(" :: ", 1)[1]
        for classifier in PROJECT["classifiers"]
        if classifier.startswith("Programming Language :: Python :: 3.")
    )
    assert versions == SUPPORTED


def test_requires_python_admits_each_supported_version_and_nothing_older() -> None:
    allowed = SpecifierSet(PROJECT["requires-python"])
    for python in SUPPORTED:
        assert allowed.contains(f"{python}.0")
        assert allowed.contains(f"{python}.99")
    assert not allowed.contains("3.10.14")


def test_the_scripts_read_the_supported_versions_from_the_classifiers() -> None:
    listed = subprocess.run(
        [REPO / "scripts" / "find-python.sh", "--supported"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout.split() == list(SUPPORTED)


@pytest.mark.parametrize(("lock", "extras"), LOCKS)
def test_each_lock_is_universal(lock: str, extras: tuple[str, ...]) -> None:
    """Made by `uv pip compile --universal`: one resolution valid on every Python >= 3.11."""
    header = (REPO / lock).read_text("utf-8").splitlines()[:2]
    assert "uv pip compile --universal --python-version 3.11" in header[1]
    assert all(f"--extra {extra}" in header[1] for extra in extras)


@pytest.mark.parametrize("python", SUPPORTED)
@pytest.mark.parametrize(("lock", "extras"), LOCKS)
def test_each_lock_pins_every_dependency_for_each_version(
    lock: str, extras: tuple[str, ...], python: str
) -> None:
    pinned = pins(lock, python)
    wanted = [Requirement(text) for text in PROJECT["dependencies"]]
    for extra in extras:
        wanted += [Requirement(text) for text in PROJECT["optional-dependencies"][extra]]
    for requirement in wanted:
        if not applies(requirement.marker, python):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock} pins no {name} for Python {python}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock}: {name}=={pinned[name]} does not satisfy {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("python", SUPPORTED)
def test_the_smoke_run_installs_what_the_suite_tested(python: str) -> None:
    """The runtime lock pins each package at the dev lock's version (the suite runs on that)."""
    runtime, dev = pins("requirements.lock", python), pins("requirements-dev.lock", python)
    assert {name: dev.get(name) for name in runtime} == runtime


# --- finding an interpreter ------------------------------------------------------------------


def find_python(version: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REPO / "scripts" / "find-python.sh", version],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """No pyenv, no uv, no real home: only what a test lays out, and the system's /usr/bin."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), **extra}


def test_an_explicit_interpreter_wins(tmp_path: Path) -> None:
    variable = f"CREDSTACK_PYTHON_{CURRENT.replace('.', '_')}"
    found = find_python(CURRENT, bare_env(tmp_path, **{variable: sys.executable}))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == sys.executable


def test_an_explicit_interpreter_of_another_version_is_refused(tmp_path: Path) -> None:
    found = find_python("3.99", bare_env(tmp_path, CREDSTACK_PYTHON_3_99=sys.executable))
    assert found.returncode == 1
    assert found.stdout == ""
    assert found.stderr == (
        f"error: CREDSTACK_PYTHON_3_99={sys.executable}: not a CPython 3.99 with venv and "
        f"ensurepip (it is Python {CURRENT})\n"
    )


def test_a_missing_version_is_one_line_saying_where_it_looked_and_what_to_do(
    tmp_path: Path,
) -> None:
    found = find_python("3.99", bare_env(tmp_path))
    assert found.returncode == 1
    assert found.stdout == ""
    assert found.stderr.startswith("error: no CPython 3.99 with venv found (looked at python3.99")
    assert f"pyenv's versions/3.99.* under {tmp_path}/.pyenv" in found.stderr
    assert found.stderr.endswith(
        "install it (pyenv install 3.99, or Debian's python3.99-venv) "
        "or set CREDSTACK_PYTHON_3_99\n"
    )
    assert found.stderr.count("\n") == 1


@pytest.mark.parametrize("argument", ["", "twelve", "3", "3.12.1"])
def test_a_version_not_written_as_x_y_is_a_usage_error(tmp_path: Path, argument: str) -> None:
    found = find_python(argument, bare_env(tmp_path))
    assert found.returncode == 2
    assert found.stderr.startswith("error: usage: scripts/find-python.sh X.Y")


def test_a_shim_that_does_not_run_is_passed_over_for_pyenvs_newest_release(
    tmp_path: Path,
) -> None:
    """As on CI: pyenv's shim python3.12 is on PATH but fails while 3.11 is the active version."""
    real = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / f"python{CURRENT}"
    shim.write_text(f"#!/bin/sh\necho 'pyenv: python{CURRENT}: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    versions = tmp_path / "pyenv" / "versions"
    for release in ("1", "2", "10", "10t", "11-dev"):
        bin_dir = versions / f"{CURRENT}.{release}" / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / f"python{CURRENT}").symlink_to(real)
    (versions / f"{CURRENT}-dev" / "bin").mkdir(parents=True)
    shutil.copy(shim, versions / f"{CURRENT}-dev" / "bin" / f"python{CURRENT}")

    env = bare_env(tmp_path, PYENV_ROOT=str(tmp_path / "pyenv"))
    env["PATH"] = f"{shims}:{env['PATH']}"
    found = find_python(CURRENT, env)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(versions / f"{CURRENT}.10" / "bin" / f"python{CURRENT}")


# --- setup.sh: the interpreter it accepts ---------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what setup.sh reads, so refusing can be tested without touching the real .venv."""
    (tmp_path / "scripts").mkdir()
    for name in ("setup.sh", "find-python.sh"):
        shutil.copy(REPO / "scripts" / name, tmp_path / "scripts" / name)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def fake_python(path: Path, version: str) -> Path:
    """A stand-in interpreter that only answers setup.sh's question: which version are you."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(0o755)
    return path


def setup(checkout: Path, python: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", checkout / "scripts" / "setup.sh"],
        capture_output=True,
        text=True,
        env={**bare_env(checkout), "PYTHON": str(python)},
        check=False,
    )


def test_setup_refuses_an_unsupported_python(checkout: Path) -> None:
    old = fake_python(checkout / "old" / "python", "3.10")
    done = setup(checkout, old)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: PYTHON={old} is Python 3.10; credstack supports 3.11, 3.12, 3.13\n"
    )
    assert not (checkout / ".venv").exists()


def test_setup_will_not_reuse_a_venv_of_another_version(checkout: Path) -> None:
    fake_python(checkout / ".venv" / "bin" / "python", "3.11")
    newer = fake_python(checkout / "newer" / "python", "3.13")
    done = setup(checkout, newer)
    assert done.returncode == 1
    assert done.stderr == (
        "error: .venv has Python 3.11, not 3.13: remove it (rm -rf .venv) and run again\n"
    )
