#!/usr/bin/env bash
# Create .venv and install credstack with locked dependencies.
#   scripts/setup.sh          runtime only (what `make demo` needs)
#   scripts/setup.sh dev      runtime + test/lint tools (what `make test` needs)
#   PYTHON=/path/to/python3.13 scripts/setup.sh   a chosen interpreter (3.11, 3.12 or 3.13)
# Without PYTHON it takes the first of the supported versions it finds, oldest first, so CI's
# suite runs on 3.11 (scripts/find-python.sh says where it looks).
#
# One lock per profile covers every supported Python: they are universal locks (`make lock`),
# whose pins hold on 3.11, 3.12 and 3.13 alike, so there is no per-interpreter file to choose.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-runtime}"
lock="requirements.lock"
[ "$profile" = dev ] && lock="requirements-dev.lock"

mapfile -t supported < <(scripts/find-python.sh --supported)
listed=$(IFS=,; echo "${supported[*]}")
listed=${listed//,/, }
minor() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
is_supported() { [[ " ${supported[*]} " == *" $1 "* ]]; }

python=${PYTHON:-}
if [ -n "$python" ]; then
  version=$(minor "$python") ||
    { echo "error: PYTHON=$python does not run (scripts/find-python.sh 3.X finds one)" >&2; exit 1; }
  is_supported "$version" ||
    { echo "error: PYTHON=$python is Python $version; credstack supports $listed" >&2; exit 1; }
else
  for version in "${supported[@]}"; do
    python=$(scripts/find-python.sh "$version" 2>/dev/null) && break
    python=""
  done
  [ -n "$python" ] ||
    { echo "error: credstack needs one of Python $listed; none found (set PYTHON)" >&2; exit 1; }
fi

if [ -x .venv/bin/python ]; then
  # An existing .venv keeps its interpreter; asking for another one must not pass unnoticed.
  existing=$(minor .venv/bin/python) || existing="broken"
  if ! is_supported "$existing" || { [ -n "${PYTHON:-}" ] && [ "$existing" != "$version" ]; }; then
    echo "error: .venv has Python $existing, not $version: remove it (rm -rf .venv) and run again" >&2
    exit 1
  fi
else
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$profile"
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
