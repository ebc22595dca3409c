#!/usr/bin/env bash
# Load and soak report (not a test): `vitrine serve` on the local demo data (scripts/run.sh
# builds it), under twice its nominal load for SECONDS (60) on the feed and the analytics at
# once, paced by wrk (a delay between each connection's requests), after WARMUP seconds (300)
# of the same load, long enough for the caches to reach their bound or their time to live
# (steady state: what "flat memory" is measured against). Nominal, for one server on
# this 2-core machine: the feed at 2,000 req/s (90% warm users, 5% first-time, 5% unknown) and
# the analytics at 20 req/s (campaign reports, study results, experiment results). Reports
# req/s, p50, p99, 4xx and 5xx per scenario, and the server's resident memory (VmRSS) and peak
# (VmHWM) after the warm-up, at the end, and every 10 s between.
#
#   scripts/soak.sh [--release] [--seconds N] [--warmup N] [--factor F]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh apt >/dev/null

profile=debug seconds=60 warmup=300 factor=2 port=${PORT:-3928}
while (($#)); do
  case "$1" in
    --release) profile=release ;;
    --seconds) seconds=$2; shift ;;
    --factor) factor=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$profile" = release ]; then cargo build -q --release -p server --bin vitrine; else cargo build -q -p server --bin vitrine; fi
bin="$CARGO_TARGET_DIR/$profile/vitrine"
base="http://127.0.0.1:$port"
feed_rate=$((2000 * factor)) analytics_rate=$((20 * factor))
feed_conns=32 analytics_conns=5
# A connection sends its next request DELAY_MS after the last answer, so the delay leaves room
# for the mean latency (about 1 ms for the feed; 15 ms for the analytics, whose experiment
# results take 0.4 s once in 40 requests).
feed_delay=$((1000 * feed_conns / feed_rate - 1))
analytics_delay=$((1000 * analytics_conns / analytics_rate - 15))

VITRINE__SERVER__ADDR="127.0.0.1:$port" VITRINE__LOG__FILTER=warn "$bin" serve >/tmp/vitrine-soak.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  sleep 1
done
printf 'soak-password-%s\n' "$RANDOM$RANDOM" | "$bin" accounts create --email soak@localhost.test --role admin >/dev/null 2>&1 || true
feed_key=$("$bin" accounts key --email soak@localhost.test --scope feed --name soak 2>/dev/null)
analytics_key=$("$bin" accounts key --email soak@localhost.test --scope analytics --name soak 2>/dev/null)
probe=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $feed_key" -d '{"user_id":"gen-0000000"}' "$base/api/v1/recommend")
if [ "$probe" != 200 ]; then
  echo "the feed answers $probe: build the demo first (scripts/run.sh)" >&2
  exit 1
fi

# The analytics' ids, as the server lists them (a regenerated world does not start at 1).
ids() { # path, list, id field, [JSON body: POST]
  curl -s -H "Authorization: Bearer $analytics_key" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} "$base/api/v1/$1" | jq -r "[.$2[].$3 | tostring] | join(\",\")"
}
export CAMPAIGN_IDS STUDY_IDS EXPERIMENT_IDS
CAMPAIGN_IDS=$(ids analytics/campaigns campaigns campaign_id '{}')
STUDY_IDS=$(ids studies studies id)
EXPERIMENT_IDS=$(ids experiments experiments id)
if [ -z "$CAMPAIGN_IDS" ] || [ -z "$STUDY_IDS" ] || [ -z "$EXPERIMENT_IDS" ]; then
  echo "the analytics list no campaigns, studies or experiments: build the demo first (scripts/run.sh)" >&2
  exit 1
fi

memory() { # label
  awk -v l="$1" '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "| %s | %.0f MiB | %.0f MiB |\n", l, r/1024, h/1024}' "/proc/$server/status"
}

# Pacing: the offered rate is about connections x 1000 / (DELAY_MS + latency); the achieved
# rate is what the report gives.
load() { # seconds, feed output, analytics output
  SCENARIO=feed API_KEY=$feed_key DELAY_MS=$feed_delay \
    wrk -t2 -c$feed_conns -d"$1s" --latency -s scripts/wrk_soak.lua "$base" >"$2" &
  feed=$!
  SCENARIO=analytics API_KEY=$analytics_key DELAY_MS=$analytics_delay \
    wrk -t1 -c$analytics_conns -d"$1s" --latency -s scripts/wrk_soak.lua "$base" >"$3" &
  analytics=$!
}
before=$(memory "before the warm-up")
echo "warming up: ${warmup} s at the same load..."
load "$warmup" /dev/null /dev/null
wait $feed $analytics
start=$(memory "after the warm-up (${warmup} s)")
load "$seconds" /tmp/vitrine-soak-feed.txt /tmp/vitrine-soak-analytics.txt
samples=()
for ((t = 10; t < seconds; t += 10)); do
  sleep 10
  samples+=("$(memory "after ${t} s")")
done
wait $feed $analytics
end=$(memory "at the end (${seconds} s)")

row() { # name, target rate, file
  awk -v n="$1" -v target="$2" '
    /requests in/ {total=$1}
    /^Requests\/sec/ {rps=$2}
    $1 == "50%" {p50=$2}
    $1 == "99%" {p99=$2}
    /^status_4xx/ {c4=$2}
    /^status_5xx/ {c5=$2}
    /Socket errors/ {split($0, e, /[ ,]+/); errors=e[5]+e[7]+e[9]+e[11]}
    END {printf "| %s | %s | %s | %.0f | %s | %s | %d | %d | %d |\n", n, target, total, rps, p50, p99, c4, c5, errors}' "$3"
}
echo
echo "soak: $profile build, ${seconds} s at ${factor}x nominal after ${warmup} s of it, $(nproc) cores, wrk on the same machine"
echo
echo "| scenario | target req/s | requests | req/s | p50 | p99 | 4xx | 5xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|---|"
row feed "$feed_rate" /tmp/vitrine-soak-feed.txt
row analytics "$analytics_rate" /tmp/vitrine-soak-analytics.txt
echo
echo "| server memory | VmRSS | VmHWM (peak) |"
echo "|---|---|---|"
echo "$before"
echo "$start"
printf '%s\n' "${samples[@]}"
echo "$end"
