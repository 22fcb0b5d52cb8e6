#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback for the test suite and print its URL.
#   eval "$(scripts/postgres.sh start)"   -> exports CREDSTACK_TEST_POSTGRES_URL, CREDSTACK_PG_DIR
#   scripts/postgres.sh stop "$CREDSTACK_PG_DIR"
# Installs Debian's postgresql package when no server is present (needs root or sudo).
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: installing PostgreSQL needs root; install Debian's postgresql package" >&2; exit 1; fi
}

start() {
  bin=$(find_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "installing PostgreSQL from Debian's packages..." >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  dir=$(mktemp -d /tmp/credstack-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U credstack --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  echo "export CREDSTACK_PG_DIR=$dir"
  echo "export CREDSTACK_TEST_POSTGRES_URL=postgresql://credstack@127.0.0.1:$port/postgres"
}

stop() {
  dir=$1
  bin=$(find_bin)
  run=()
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  if ! "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1; then
    echo "warning: the test PostgreSQL in $dir did not stop cleanly" >&2
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
