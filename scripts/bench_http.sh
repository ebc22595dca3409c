#!/usr/bin/env bash
# HTTP load benchmark (a report, not a test): `vitrine serve` on the local data (the fashion
# index built by scripts/run.sh), driven by wrk. In one run, on one server:
#   1. GET /healthz, the ceiling of the HTTP stack on this machine;
#   2. POST /api/v1/recommend, warm cache (every user's feed cached by the warm-up);
#   3. the same, cold cache (every request a user not asked for before; COLD_SECONDS, 5 s);
#   4. the same, a realistic mix (90% warm users, 5% first-time users, 5% new users);
#   5. the warm feed again, on a second server from the same binary with the rate-limit layer
#      off (`auth.rate_limits: false`), beside a rerun of row 2: what the layer costs.
# Reports req/s, p50, p99 and errors, and the feed's share of the ceiling. Requests carry a feed
# key of a `bench@` account (made here if missing) whose rate limit, `auth.key_requests_per_sec`,
# is above the test rate.
#
#   scripts/bench_http.sh [--release] [--duration SECONDS] [--connections N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh apt >/dev/null

profile=debug duration=60 connections=64 port=${PORT:-3927}
while (($#)); do
  case "$1" in
    --release) profile=release ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$profile" = release ]; then cargo build -q --release -p server --bin vitrine; else cargo build -q -p server --bin vitrine; fi
bin="$CARGO_TARGET_DIR/$profile/vitrine"
base="http://127.0.0.1:$port"

start() { # extra environment (VAR=value ...): a server on the port, once it answers
  env VITRINE__SERVER__ADDR="127.0.0.1:$port" VITRINE__LOG__FILTER=warn "$@" \
    "$bin" serve >/tmp/vitrine-bench-http.log 2>&1 &
  server=$!
  for _ in $(seq 120); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 1
  done
}
stop() {
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
}
start
trap 'kill $server 2>/dev/null || true' EXIT
printf 'bench-password-%s\n' "$RANDOM$RANDOM" | "$bin" accounts create --email bench@localhost.test --role admin >/dev/null 2>&1 || true
API_KEY=$("$bin" accounts key --email bench@localhost.test --scope feed --name bench 2>/dev/null)
export API_KEY
probe=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $API_KEY" -d '{"user_id":"gen-0000000"}' "$base/api/v1/recommend")
if [ "$probe" != 200 ]; then
  echo "the feed answers $probe: build the index first (scripts/run.sh, or vitrine train + vitrine index)" >&2
  exit 1
fi

run() { # name, then wrk arguments
  local name=$1; shift
  local out; out=$(WRK_THREADS=2 wrk -t2 -c"$connections" -d"${duration}s" --latency "$@")
  local rps p50 p99 non2xx errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  errors=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out"); errors=${errors:-0}
  local total; total=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$total" "$rps" "$p50" "$p99" "$((non2xx + errors))"
  echo "$rps" > "/tmp/vitrine-bench-$name.rps"
}

echo "warming the cache (1000 users)..."
MODE=warmup WRK_THREADS=2 wrk -t2 -c8 -d10s -s scripts/wrk_feed.lua "$base/api/v1/recommend" >/dev/null

echo
echo "bench http: $profile build, wrk -t2 -c$connections, ${duration}s per row, $(nproc) cores"
echo
echo "| endpoint | requests | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
run healthz "$base/healthz"
MODE=warm run recommend-warm -s scripts/wrk_feed.lua "$base/api/v1/recommend"
# The cold run is short: it has 19,000 unseen users to spend before users repeat (and become
# cache hits); it runs before the mix, whose first-time users come from the same range.
cold_s=${COLD_SECONDS:-5}
duration=$cold_s MODE=cold run recommend-cold -s scripts/wrk_feed.lua "$base/api/v1/recommend"
MODE=mix run recommend-mix -s scripts/wrk_feed.lua "$base/api/v1/recommend"
ceiling=$(cat /tmp/vitrine-bench-healthz.rps)
warm=$(cat /tmp/vitrine-bench-recommend-warm.rps)
mix=$(cat /tmp/vitrine-bench-recommend-mix.rps)
cold=$(cat /tmp/vitrine-bench-recommend-cold.rps)
echo
awk -v c="$ceiling" -v w="$warm" -v m="$mix" -v k="$cold" 'BEGIN {
  printf "of the ceiling: warm %.0f%%, mix %.0f%%, cold %.0f%%\n", 100 * w / c, 100 * m / c, 100 * k / c }'

# The limit layer's cost: the same warm feed without it, then with it again (the two closest
# in time), on the same data and binary.
stop
start VITRINE__AUTH__RATE_LIMITS=false
MODE=warmup WRK_THREADS=2 wrk -t2 -c8 -d10s -s scripts/wrk_feed.lua "$base/api/v1/recommend" >/dev/null
echo
echo "| endpoint | requests | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
MODE=warm run recommend-warm-no-limits -s scripts/wrk_feed.lua "$base/api/v1/recommend"
stop
start
MODE=warmup WRK_THREADS=2 wrk -t2 -c8 -d10s -s scripts/wrk_feed.lua "$base/api/v1/recommend" >/dev/null
MODE=warm run recommend-warm-limits -s scripts/wrk_feed.lua "$base/api/v1/recommend"
off=$(cat /tmp/vitrine-bench-recommend-warm-no-limits.rps)
on=$(cat /tmp/vitrine-bench-recommend-warm-limits.rps)
awk -v off="$off" -v on="$on" 'BEGIN {
  printf "the limit layer: warm feed at %.0f%% of its rate without the layer\n", 100 * on / off }'
