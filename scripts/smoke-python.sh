#!/usr/bin/env bash
# Smoke run on the Pythons the suite does not run on: install, demo, verify.
#   scripts/smoke-python.sh 3.12 3.13
# For each version: a fresh venv with that interpreter (scripts/find-python.sh finds it, and a
# missing one fails before anything is installed), the runtime lock's pins (installed by uv, from
# the dev lock: pip takes a minute or more per venv, mostly waiting on the index, uv seconds),
# then `pip install .` (pip builds a wheel and installs it, as a user does; not the editable
# checkout) and `pip check`, `credstack demo --no-serve` into a
# temporary data directory, then one credential the demo issued is exported as JSON and as a
# PDF certificate and `credstack verify` must accept both (exit 0), and refuse a copy whose
# achievement name was changed (exit 1). Needs the network only for PyPI (pip's cache serves a
# second run). Everything it makes is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
[ $# -gt 0 ] || { echo "error: usage: scripts/smoke-python.sh X.Y [X.Y ...]" >&2; exit 2; }
uv="$checkout/.venv/bin/uv"
[ -x "$uv" ] || { echo "error: $uv is missing: run scripts/setup.sh dev first" >&2; exit 1; }

declare -A interpreter
for version in "$@"; do
  interpreter[$version]=$(scripts/find-python.sh "$version")
done

work=$(mktemp -d "${TMPDIR:-/tmp}/credstack-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "error: smoke run on Python $version: $*" >&2; exit 1; }

for version in "$@"; do
  started=$SECONDS
  echo "== smoke run on Python $version (${interpreter[$version]})"
  venv="$work/venv-$version"
  data="$work/data-$version"
  "${interpreter[$version]}" -m venv "$venv"
  "$uv" pip install --quiet --python "$venv/bin/python" -r "$checkout/requirements.lock"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$checkout"
  "$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null ||
    fail "the lock leaves a requirement unmet: $("$venv/bin/python" -m pip check)"
  # From a directory outside the checkout and with none of the caller's database settings,
  # so the installed wheel (its packaged example catalogs included) is what runs.
  cd "$work"
  installed=$("$venv/bin/python" -c 'import credstack; print(credstack.__file__)')
  [[ $installed == "$venv"/* ]] || fail "credstack was imported from $installed, not the venv"
  run() {
    env -u CREDSTACK_DATABASE_URL -u CREDSTACK_BASE_URL -u CREDSTACK_MASTER_KEY \
      CREDSTACK_DATA_DIR="$data" "$venv/bin/credstack" "$@"
  }
  run demo --no-serve >"$work/demo-$version.out" ||
    fail "credstack demo failed: $(cat "$work/demo-$version.out")"
  grep -E '^[0-9]+ learners, [1-9][0-9]* new awards' "$work/demo-$version.out" ||
    fail "credstack demo issued nothing: $(cat "$work/demo-$version.out")"
  # No command lists awards, so the first signed one is read from the demo's SQLite database.
  award=$("$venv/bin/python" - "$data/credstack.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute(
    "SELECT public_id FROM awards WHERE credential IS NOT NULL ORDER BY id LIMIT 1"
).fetchone()
print(row[0] if row else "")
PY
)
  [ -n "$award" ] || fail "the demo signed no credential"
  run credential export "$award" --format json -o "$work/credential.json" >/dev/null
  run credential export "$award" --format pdf -o "$work/certificate.pdf" >/dev/null
  for file in credential.json certificate.pdf; do
    status=0
    run verify "$work/$file" >"$work/verify.out" || status=$?
    if [ "$status" != 0 ] || ! grep -q '^Verified' "$work/verify.out"; then
      fail "credstack verify $file exited $status: $(cat "$work/verify.out")"
    fi
    echo "verified $file of award $award"
  done
  "$venv/bin/python" - "$work/credential.json" "$work/altered.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1], encoding="utf-8"))
document["credentialSubject"]["achievement"]["name"] += " (altered)"
json.dump(document, open(sys.argv[2], "w", encoding="utf-8"))
PY
  status=0
  run verify "$work/altered.json" >"$work/verify.out" || status=$?
  [ "$status" = 1 ] || fail "an altered credential was not refused (exit $status, expected 1)"
  echo "refused the altered copy"
  cd "$checkout"
  rm -rf "$venv" "$data"
  echo "== Python $version: installed, demo, verified in $((SECONDS - started)) s"
done
