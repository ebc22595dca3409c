#!/usr/bin/env bash
# Sets up, builds, loads the demo data once, and serves Vitrine at http://127.0.0.1:3000 on its
# embedded defaults: SQLite in data/vitrine.sqlite and LanceDB in data/lancedb. Extra arguments
# go to `cargo leptos serve` (for example --release); --all-features encodes every item at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
source scripts/env.sh

profile=debug
features=(--up-to 10000)
args=()
for arg in "$@"; do
  case "$arg" in
    --all-features) features=() ;;  # every item's features, not only the first 10,000
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
stage "demo data, encoders, model and index (each once)"
vitrine="$CARGO_TARGET_DIR/$profile/vitrine"
"$vitrine" import --if-missing movielens
"$vitrine" import --if-missing fashion
"$vitrine" generate --if-missing
# The demo's dashboard logins (README, "Accounts"); existing accounts are kept.
"$vitrine" accounts seed-demo
# Content features: every MovieLens title (seconds), then fashion items until 10,000 items in all
# have them on the first start (a few minutes on 2 cores, once); `vitrine extract` or
# `scripts/run.sh --all-features` does the rest, resuming where it stopped.
"$vitrine" extract --catalogue movielens
"$vitrine" extract "${features[@]}"
# The personalised feed: the two-tower on the fashion clicks (a few minutes on 2 cores, once),
# then every item through the content tower into LanceDB item_vectors. `vitrine train` and
# `vitrine index` without --if-missing redo them; a running server picks up a new index.
"$vitrine" train --catalogue fashion --k-core 2 --max-epochs 8 --if-missing
"$vitrine" index --if-missing
stage "serving"
exec cargo leptos serve "$@"
