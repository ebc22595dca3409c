#!/usr/bin/env bash
# Page-render benchmark (a report, not a test): the campaign page (`/campaigns/1`, the whole
# server-rendered HTML with its six SVG charts), signed in, timed by curl over REQUESTS requests,
# on a database with the demo's 2,000,000 feed events and on a near-empty one (10 users, 1,000
# events), in the same run, on SQLite and on PostgreSQL (a throwaway cluster). Reports the
# median, p95 and the event counts.
#
#   scripts/bench_pages.sh [--requests N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh apt >/dev/null

requests=50 port=${PORT:-3929}
while (($#)); do
  case "$1" in
    --requests) requests=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cargo leptos build >/dev/null 2>&1
bin="$CARGO_TARGET_DIR/debug/vitrine"
work=$(mktemp -d) pg=$(mktemp -d -t vitrine-pg.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  scripts/pg.sh stop "$pg" || true
  rm -rf "$work" "$pg"
}
trap cleanup EXIT
pg_url=$(scripts/pg.sh start "$pg")

# database URL, label, users, events; sets `events` to the feed events generated
world() {
  export VITRINE__DATABASE__URL=$1 VITRINE__VECTORS__URI="$work/lance-$2" VITRINE__DATA__DIR="$work/data-$2"
  "$bin" import fashion --items 2000 >/dev/null 2>&1
  events=$("$bin" generate --users "$3" --events "$4" 2>/dev/null | grep -oE '[0-9]+ events' | cut -d' ' -f1)
  "$bin" accounts seed-demo >/dev/null 2>&1
}

# label: starts the server on the current database, signs in, times the page
measure() {
  VITRINE__SERVER__ADDR="127.0.0.1:$port" VITRINE__LOG__FILTER=warn "$bin" serve >"$work/server-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
  local jar="$work/cookies-$1"
  curl -s -o /dev/null -c "$jar" -d 'email=northwind-apparel%40demo.vitrine.test&password=vitrine-demo-2026&next=%2Fcampaigns' \
    "http://127.0.0.1:$port/session"
  local status; status=$(curl -s -o "$work/page-$1.html" -w '%{http_code}' -b "$jar" "http://127.0.0.1:$port/campaigns/1")
  local charts; charts=$(grep -o '<svg' "$work/page-$1.html" | wc -l)
  for _ in $(seq "$requests"); do
    curl -s -o /dev/null -b "$jar" -w '%{time_total}\n' "http://127.0.0.1:$port/campaigns/1"
  done | sort -n | awk -v n="$1" -v s="$status" -v c="$charts" '
    { t[NR] = $1 * 1000 }
    END { printf "| %s | %s | %d | %.1f ms | %.1f ms |\n", n, s, c, t[int((NR + 1) / 2)], t[int(NR * 0.95)] }'
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
}

rows=()
for db in sqlite postgres; do
  for size in empty full; do
    if [ "$db" = sqlite ]; then url="sqlite://$work/$size.sqlite?mode=rwc"; else
      name="vitrine_$size"
      psql -q "${pg_url%/*}/postgres" -c "CREATE DATABASE $name" >/dev/null
      url="${pg_url%/*}/$name"
    fi
    if [ "$size" = full ]; then world "$url" "$db-$size" 20000 2000000; else world "$url" "$db-$size" 10 1000; fi
    rows+=("$(measure "$db, $size ($events feed events)")")
  done
done
echo
echo "bench pages: GET /campaigns/1 signed in, $requests requests each, debug build, $(nproc) cores"
echo
echo "| database, size | status | charts | median | p95 |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
