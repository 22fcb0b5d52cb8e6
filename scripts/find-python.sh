#!/usr/bin/env bash
# Find a CPython interpreter of one minor version, for setup.sh and the smoke run.
#   scripts/find-python.sh 3.12       print the path of a Python 3.12 that can make a venv
#   scripts/find-python.sh --supported  print the versions credstack supports, one a line
#
# The supported versions are the "Programming Language :: Python :: 3.X" classifiers of
# pyproject.toml, so that list is written once.
#
# Where it looks, in order (the first interpreter that runs, is CPython X.Y and has venv and
# ensurepip wins; the path printed is the real executable, not a shim):
#   1. $CREDSTACK_PYTHON_3_12 (for 3.12): an explicit choice is checked, never passed over;
#   2. python3.12 on PATH (a pyenv shim of a version that is not active fails to run: passed over);
#   3. pyenv's versions/3.12.N (newest N first) under $PYENV_ROOT, `pyenv root` and ~/.pyenv;
#   4. uv's managed Pythons (~/.local/share/uv/python/cpython-3.12.N-*);
#   5. /usr/local/bin and /usr/bin.
# Nothing found: one line on stderr saying where it looked and how to fix it, exit 1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = --supported ]; then
  sed -n 's/^ *"Programming Language :: Python :: \(3\.[0-9][0-9]*\)",*$/\1/p' \
    "$root/pyproject.toml"
  exit 0
fi

want=${1:-}
if ! [[ $want =~ ^3\.[0-9]+$ ]]; then
  echo "error: usage: scripts/find-python.sh X.Y (a Python version such as 3.12) | --supported" >&2
  exit 2
fi
variable="CREDSTACK_PYTHON_${want/./_}"

# The real executable of $1 if it is a working CPython $want with venv and ensurepip, else fail.
# (Debian's python3.X without python3.X-venv lacks ensurepip, and its venvs have no pip.)
probe() {
  "$1" -c "
import sys, venv, ensurepip
if sys.implementation.name != 'cpython' or '%d.%d' % sys.version_info[:2] != '$want':
    sys.exit(1)
print(sys.executable)
" 2>/dev/null
}

if [ -n "${!variable:-}" ]; then
  if found=$(probe "${!variable}"); then
    echo "$found"
    exit 0
  fi
  actual=$("${!variable}" -c 'import sys; print("it is Python %d.%d" % sys.version_info[:2])' \
    2>/dev/null || echo "it does not run")
  echo "error: $variable=${!variable}: not a CPython $want with venv and ensurepip ($actual)" >&2
  exit 1
fi

candidates=()
if command -v "python$want" >/dev/null 2>&1; then
  candidates+=("$(command -v "python$want")")
fi
pyenv_roots=()
for pyenv_root in "${PYENV_ROOT:-}" "$(pyenv root 2>/dev/null || true)" "${HOME:-/root}/.pyenv"; do
  if [ -n "$pyenv_root" ] && [[ " ${pyenv_roots[*]} " != *" $pyenv_root "* ]]; then
    pyenv_roots+=("$pyenv_root")
  fi
done
for pyenv_root in "${pyenv_roots[@]}"; do
  [ -d "$pyenv_root/versions" ] || continue
  # Plain releases only (3.12.1, not 3.12-dev or the free-threaded 3.13.0t), newest first.
  while IFS= read -r version; do
    candidates+=("$pyenv_root/versions/$version/bin/python$want")
  done < <(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -printf '%f\n' \
    | grep -E "^${want//./\\.}\.[0-9]+$" | sort -rV)
done
uv_dir="${UV_PYTHON_INSTALL_DIR:-${HOME:-/root}/.local/share/uv/python}"
if [ -d "$uv_dir" ]; then
  while IFS= read -r install; do
    candidates+=("$uv_dir/$install/bin/python$want")
  done < <(find "$uv_dir" -mindepth 1 -maxdepth 1 -name "cpython-$want.*" -printf '%f\n' \
    | grep -v -- '+freethreaded' | sort -rV)
fi
candidates+=("/usr/local/bin/python$want" "/usr/bin/python$want")

for candidate in "${candidates[@]}"; do
  [ -x "$candidate" ] || continue
  if found=$(probe "$candidate"); then
    echo "$found"
    exit 0
  fi
done

echo "error: no CPython $want with venv found (looked at python$want on PATH," \
  "pyenv's versions/$want.* under ${pyenv_roots[*]}, uv's $uv_dir, /usr/local/bin, /usr/bin):" \
  "install it (pyenv install $want, or Debian's python$want-venv) or set $variable" >&2
exit 1
