"""Runs tests/interop/js/credstack_interop.mjs against the pinned digitalbazaar stack.

The npm packages are installed by ``tests.npm_pinned`` from the committed lock file into
``.cache/npm-interop``, once, and reused offline-first afterwards. The script
gets credstack's bundled contexts, so neither side ever fetches a context.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.npm_pinned import ROOT, install_pinned

JS = Path(__file__).resolve().parent / "js"
CONTEXTS = ROOT / "src" / "credstack" / "vc" / "contexts"
SCRIPT = "credstack_interop.mjs"


class NodeHarness:
    def __init__(self) -> None:
        self._cache = install_pinned(JS, "npm-interop", tools=("node", "npm"))
        # Replaced whole, never rewritten in place: another worker may be running it.
        staged = self._cache / f"{SCRIPT}.{os.getpid()}"
        shutil.copyfile(JS / SCRIPT, staged)
        staged.replace(self._cache / SCRIPT)

    def run(self, payload: dict[str, Any]) -> Any:
        env = {**os.environ, "CREDSTACK_CONTEXT_DIR": str(CONTEXTS)}
        done = subprocess.run(
            ["node", str(self._cache / SCRIPT)],
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
