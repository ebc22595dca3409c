#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, run as the `postgres` user (PostgreSQL refuses
# root) in a temp folder, on a free port, with no system service involved.
#
#   scripts/pg.sh start DIR   initialise and start; prints the database URL
#   scripts/pg.sh stop DIR    stop it (the caller removes DIR)
set -euo pipefail

cmd=${1:?start|stop}
dir=${2:?folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (scripts/setup.sh apt)" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_postgres "$bin/initdb" -D "$dir/data" -A trust -U vitrine >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  psql -q -h 127.0.0.1 -p "$port" -U vitrine -d postgres -c 'CREATE DATABASE vitrine_test' >/dev/null
  # trust auth ignores the password; it is there so the tests can check that it is redacted.
  echo "postgres://vitrine:secret@127.0.0.1:$port/vitrine_test"
  ;;
stop)
  [ -d "$dir/data" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2
  ;;
esac
