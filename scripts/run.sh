#!/usr/bin/env bash
# Sets up, builds, loads the demo data once, and serves Vitrine at http://127.0.0.1:3000 on its
# embedded defaults: SQLite in data/vitrine.sqlite and LanceDB in data/lancedb. Extra arguments
# go to `cargo leptos serve` (for example --release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
source scripts/env.sh

profile=debug
for arg in "$@"; do [ "$arg" = --release ] && profile=release; done
cargo leptos build "$@"
vitrine="$CARGO_TARGET_DIR/$profile/vitrine"
"$vitrine" import --if-missing movielens
"$vitrine" import --if-missing fashion
"$vitrine" generate --if-missing
exec cargo leptos serve "$@"
