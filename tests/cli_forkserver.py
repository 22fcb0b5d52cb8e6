"""A process that has imported the CLI once and forks a child for each `credstack` command.

Starting `python -m credstack` spends seconds of CPU importing the application before the
command does anything, and the suite runs hundreds of commands. Each command here is still a
process of its own - its own environment, working directory, stdin, stdout, stderr and exit
status, as `python -m credstack` would have - forked from a parent that did the imports and
nothing else (no database, no thread), as multiprocessing's forkserver does.

Protocol: one JSON request a line on stdin (argv, env, cwd, the stdin text, a timeout), one
JSON answer a line on stdout (exit status, stdout bytes and stderr bytes, as latin-1 text).
Run as `python tests/cli_forkserver.py` (`tests.helpers.Cli` does).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import runpy
import shutil
import signal
import sys
import tempfile
import time
import traceback
from typing import Any

import credstack.cli.app  # noqa: F401  (the imports every command shares, done once)


def _child(request: dict[str, Any], files: tuple[int, int, int]) -> None:
    """In the forked child: become `python -m credstack <argv>`; never returns."""
    code = 1
    try:
        signal.alarm(int(request["timeout"]))  # a command that hangs dies, as a timeout would
        for fd, target in zip(files, (0, 1, 2), strict=True):
            os.dup2(fd, target)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        os.chdir(request["cwd"])
        sys.argv = ["credstack", *request["argv"]]
        try:
            runpy.run_module("credstack", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream has nothing left to say
                stream.flush()
        os._exit(code & 0xFF)


def _run(request: dict[str, Any]) -> dict[str, Any]:
    # Not a TemporaryDirectory: its finalizer is an exit function, which the child runs.
    tmp = tempfile.mkdtemp(prefix="credstack-cli-")
    try:
        paths = [os.path.join(tmp, name) for name in ("in", "out", "err")]
        with open(paths[0], "w", encoding="utf-8") as stdin:
            stdin.write(request["stdin"] or "")
        fds = (
            os.open(paths[0], os.O_RDONLY),
            os.open(paths[1], os.O_WRONLY | os.O_CREAT),
            os.open(paths[2], os.O_WRONLY | os.O_CREAT),
        )
        pid = os.fork()
        if pid == 0:
            _child(request, fds)
        for fd in fds:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        outputs = []
        for path in paths[1:]:
            with open(path, "rb") as produced:
                outputs.append(produced.read().decode("latin-1"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"code": os.waitstatus_to_exitcode(status), "out": outputs[0], "err": outputs[1]}


def serve() -> None:
    for line in sys.stdin:
        answer = _run(json.loads(line))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
