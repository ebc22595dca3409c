#!/usr/bin/env bash
# Sets up, then runs every test:
#   1. formatting, lints and the wasm dependency check
#   2. `cargo leptos build`: the server and the wasm bundle
#   3. unit and integration tests, on SQLite and on a real PostgreSQL started here
#   4. the Playwright specs in Chromium, JavaScript on and off (`cargo leptos end-to-end`)
# Steps 2-4 build the server with the same features and profile, so the heavy crates
# (lancedb, datafusion, tch) compile once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Installs what is missing, then `scripts/setup.sh --check`: a required piece that is absent
# fails here, by name, even where the build cache would let everything else pass.
scripts/setup.sh
source scripts/env.sh

# The binaries must find libtorch through their rpath alone.
unset LD_LIBRARY_PATH
# Playwright's server; cargo-leptos passes it to the server it starts.
export LEPTOS_SITE_ADDR=127.0.0.1:${VITRINE_E2E_PORT:-3917}

started=$SECONDS
step() { printf '\n\033[1;35m==> %s\033[0m (%ss)\n' "$*" "$((SECONDS - started))"; }

work=$(mktemp -d)
pg=$(mktemp -d -t vitrine-pg.XXXXXX)   # its own folder: the postgres user must reach it
cleanup() {
  scripts/pg.sh stop "$pg" || true
  rm -rf "$work" "$pg"
}
trap cleanup EXIT

step "formatting"
cargo fmt --all --check

step "lints (clippy, warnings are errors)"
cargo clippy -p server -p ann -p estimators -p formats -p migrations -p app --all-targets -- -D warnings

step "wasm dependency tree"
scripts/check-wasm-deps.sh

step "build (server + wasm)"
cargo leptos build

step "unit and integration tests (SQLite and PostgreSQL)"
VITRINE_TEST_POSTGRES_URL=$(scripts/pg.sh start "$pg")
export VITRINE_TEST_POSTGRES_URL VITRINE_REQUIRE_POSTGRES=1
cargo test -p server -p ann -p estimators -p formats -p migrations -p app --no-fail-fast 2>&1 | tee "$work/cargo-test.log"

step "end-to-end in Chromium (JavaScript on and off)"
if (echo >"/dev/tcp/${LEPTOS_SITE_ADDR%:*}/${LEPTOS_SITE_ADDR#*:}") 2>/dev/null; then
  echo "port ${LEPTOS_SITE_ADDR#*:} is busy; set VITRINE_E2E_PORT to a free port" >&2
  exit 1
fi
# The specs use the demo's "Viewing as" switch; the cargo tests cover the feed without it.
export VITRINE__DATABASE__URL="sqlite://$work/e2e.sqlite?mode=rwc" VITRINE__VECTORS__URI="$work/lancedb" \
  VITRINE__DATA__DIR="$work/data" VITRINE__DEMO=true
# A small demo world for the specs: 2,000 real items, 1,000 simulated users and their campaigns
# (about 10 s), the demo accounts, and a served model for the feed and the System page: the
# pretrained encoders over the items (about 30 s), a short training run, the index and an
# offline evaluation (about 10 s together).
vitrine="$CARGO_TARGET_DIR/debug/vitrine"
"$vitrine" import fashion --items 2000 >/dev/null
"$vitrine" generate --users 1000 --events 100000 >/dev/null
"$vitrine" accounts seed-demo >/dev/null
"$vitrine" extract >/dev/null
"$vitrine" train --k-core 3 --max-epochs 3 >/dev/null
"$vitrine" index >/dev/null
"$vitrine" evaluate --catalogue fashion --k-core 3 --max-epochs 3 >/dev/null
cargo leptos end-to-end 2>&1 | tee "$work/e2e.log"

# One closing line for every runner together.
count() { grep -oE "$1" "$2" | awk '{ sum += $1 } END { print sum + 0 }'; }
passed=$(( $(count '[0-9]+ passed;' "$work/cargo-test.log") + $(count '[0-9]+ passed \(' "$work/e2e.log") ))
failed=$(( $(count '[0-9]+ failed;' "$work/cargo-test.log") + 0 ))
step "finished in $((SECONDS - started))s"
echo "tests: $passed passed, $failed failed"
