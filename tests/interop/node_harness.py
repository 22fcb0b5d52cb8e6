"""Runs tests/interop/js/credstack_interop.mjs against the pinned digitalbazaar stack.

The npm packages are installed with ``npm ci`` from the committed lock file into
``.cache/npm-interop`` (gitignored), once, and reused offline-first afterwards. The script
gets credstack's bundled contexts, so neither side ever fetches a context.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).resolve().parent / "js"
CACHE = ROOT / ".cache" / "npm-interop"
CONTEXTS = ROOT / "src" / "credstack" / "vc" / "contexts"
SCRIPT = "credstack_interop.mjs"


class NodeHarness:
    def __init__(self) -> None:
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"The interop tests need {tool} on PATH.")
        self._install()

    def _install(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        lock = (JS / "package-lock.json").read_bytes()
        stamp = hashlib.sha256(lock + (JS / "package.json").read_bytes()).hexdigest()
        with (CACHE / ".install.lock").open("w") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            if (CACHE / ".installed").exists() and (CACHE / ".installed").read_text() == stamp:
                shutil.copyfile(JS / SCRIPT, CACHE / SCRIPT)
                return
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(JS / name, CACHE / name)
            subprocess.run(
                [
                    "npm",
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--prefer-offline",
                    "--cache",
                    str(CACHE / "_npm-cache"),
                ],
                cwd=CACHE,
                check=True,
                capture_output=True,
                timeout=600,
            )
            shutil.copyfile(JS / SCRIPT, CACHE / SCRIPT)
            (CACHE / ".installed").write_text(stamp)

    def run(self, payload: dict[str, Any]) -> Any:
        env = {**os.environ, "CREDSTACK_CONTEXT_DIR": str(CONTEXTS)}
        done = subprocess.run(
            ["node", str(CACHE / SCRIPT)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
        answer = json.loads(done.stdout) if done.stdout else {"error": done.stderr}
        if done.returncode != 0 or (isinstance(answer, dict) and "error" in answer):
            raise RuntimeError(f"node failed: {answer.get('error')}\n{done.stderr}")
        return answer

    def batch(
        self, requests: list[dict[str, Any]], controller_documents: dict[str, Any] | None = None
    ) -> list[Any]:
        answers: list[Any] = self.run(
            {"requests": requests, "controllerDocuments": controller_documents or {}}
        )
        return answers
