#!/usr/bin/env bash
# The whole suite: lint, types, a smoke run on the other supported Pythons, then every test on
# SQLite and PostgreSQL.
# Installs what the tests need (PostgreSQL from Debian's packages, when missing) and
# starts a throwaway PostgreSQL on loopback for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

echo "== ruff"; .venv/bin/ruff check src tests bench scripts
echo "== mypy --strict src"; .venv/bin/mypy src

# Browser tests drive Debian's Chromium; interoperability tests run the digitalbazaar stack on
# Node. Install whichever is missing (needs root or sudo, as PostgreSQL does).
scripts/system-packages.sh

# The suite runs on .venv's Python (3.11 unless PYTHON chose another); every other supported
# version gets a smoke run: a venv from its lock, `pip install .`, the demo, a verified credential.
suite_python=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
mapfile -t others < <(scripts/find-python.sh --supported | grep -vx "$suite_python")
echo "== smoke run on Python ${others[*]} (the suite runs on $suite_python)"
scripts/smoke-python.sh "${others[@]}"

eval "$(scripts/postgres.sh start)"
trap 'scripts/postgres.sh stop "$CREDSTACK_PG_DIR"' EXIT

# The fast canonicalisation path is checked against pyld on generated OB 3.0 / CLR documents:
# about 3,000 of them in the full suite (a quick local run may lower this).
export CREDSTACK_FASTCANON_EXAMPLES="${CREDSTACK_FASTCANON_EXAMPLES:-1500}"

echo "== pytest (SQLite and PostgreSQL)"
# --dist loadfile: each test file runs whole on one worker, so a module-scoped fixture (a
# server per backend in tests/integration/hostile, standards_api, test_api_docs; the demo
# site and Chromium in tests/e2e) is built once, not once per worker that gets one of its
# tests. No test carries an xdist_group mark (none ever did); grouping by file is what the
# earlier --dist loadgroup was for, and it grouped nothing anyway: with pytest 9.2 and
# pytest-xdist 3.8 the group is written to item._nodeid, which pytest 9.2 no longer reads
# (pytest-dev/pytest-xdist#1386), so it ran as --dist load. loadfile reads node ids without
# changing them, so it does not depend on that fix, nor on pinning pytest below 9.2. Measured
# on the five non-browser files with module fixtures, -n 2 (2026-12-04, load 15-25): 108 s of
# process-tree CPU with loadfile, 137 s with load; wall times were within the load's noise.
.venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider "$@"
