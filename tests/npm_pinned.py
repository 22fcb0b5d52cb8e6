"""npm packages pinned by a test's committed lock file, installed once and reused.

`npm ci` installs ``package.json`` and its lock from a folder of tests into ``.cache/<name>``
(gitignored), offline-first, under a file lock (parallel test workers install once), and
again only when the lock changes. The interop harness (the digitalbazaar stack) and the
accessibility checks (axe-core) each pin their own.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

__all__ = ["ROOT", "install_pinned"]

ROOT = Path(__file__).resolve().parents[1]


def install_pinned(js: Path, name: str, *, tools: tuple[str, ...] = ("npm",)) -> Path:
    """The folder where `js`'s pinned packages are installed (its ``node_modules`` inside)."""
    for tool in tools:
        if shutil.which(tool) is None:
            raise RuntimeError(f"these tests need {tool} on PATH (apt-get install nodejs npm)")
    cache = ROOT / ".cache" / name
    cache.mkdir(parents=True, exist_ok=True)
    stamp = hashlib.sha256(
        (js / "package.json").read_bytes() + (js / "package-lock.json").read_bytes()
    ).hexdigest()
    with (cache / ".install.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        installed = cache / ".installed"
        if not installed.exists() or installed.read_text() != stamp:
            for file in ("package.json", "package-lock.json"):
                shutil.copyfile(js / file, cache / file)
            subprocess.run(
                [
                    "npm",
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--prefer-offline",
                    "--cache",
                    str(cache / "_npm-cache"),
                ],
                cwd=cache,
                check=True,
                capture_output=True,
                timeout=600,
            )
            installed.write_text(stamp)
    return cache
