#!/usr/bin/env bash
# Create .venv and install credstack with locked dependencies.
#   scripts/setup.sh          runtime only (what `make demo` needs)
#   scripts/setup.sh dev      runtime + test/lint tools (what `make test` needs)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-runtime}"
lock="requirements.lock"
[ "$profile" = dev ] && lock="requirements-dev.lock"

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[ -n "$python" ] || { echo "error: credstack needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$profile"
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
