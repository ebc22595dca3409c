#!/usr/bin/env bash
# Sets up, builds, loads the demo data once, and serves Vitrine at http://127.0.0.1:3000 on its
# embedded defaults: SQLite in data/vitrine.sqlite and LanceDB in data/lancedb; the model is
# trained in the background and swapped in when ready. Extra arguments go to `cargo leptos
# serve` (for example --release); --all-features encodes every item before training.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
source scripts/env.sh

profile=debug
first=(--first-items 10000)
args=()
for arg in "$@"; do
  case "$arg" in
    --all-features) first=(--first-items 1000000) ;;  # encode every item before training
    --release) profile=release; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done
set -- "${args[@]}"
# Each stage prints its wall time, so a slow first start says where the time went.
started=$SECONDS
stage() { printf '\033[1;35m==> %s\033[0m (%ss)\n' "$*" "$((SECONDS - started))"; }
stage "build (server + wasm)"
cargo leptos build "$@"
stage "demo data (each once)"
vitrine="$CARGO_TARGET_DIR/$profile/vitrine"
"$vitrine" import --if-missing movielens
"$vitrine" import --if-missing fashion
"$vitrine" generate --if-missing
# The demo's dashboard logins (README, "Accounts"); existing accounts are kept.
"$vitrine" accounts seed-demo
# Every MovieLens title's features (seconds).
"$vitrine" extract --catalogue movielens
# Serve first. Until a model exists the feed serves the catalogue in cold-start order; the
# background job beside the server encodes the first 10,000 fashion items, trains the
# two-tower, publishes its index (the server swaps it in, no restart), then encodes the rest
# and publishes again. Its progress is in this log (a line every 10 s) and on the System page;
# a later start goes on where it stopped, and does nothing once it is done.
stage "serving; the background job prepares the model"
# The demo: the Feed page's "Viewing as" switch shows the generated world's people (off by
# default, and in configs/production.yaml).
export VITRINE__DEMO=true
VITRINE_PROGRESS=lines "$vitrine" prepare --catalogue fashion --k-core 2 --max-epochs 8 "${first[@]}" &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
cargo leptos serve "$@"
