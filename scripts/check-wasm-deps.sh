#!/usr/bin/env bash
# Proves that the browser bundle's dependency tree holds none of the server-only crates.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$VITRINE_ROOT"

forbidden='^(tch|torch-sys|lancedb|lance|lance-[a-z-]+|sea-orm|sea-orm-[a-z-]+|sqlx|sqlx-[a-z-]+|datafusion|plotters|statrs)$'
crates=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none --no-dedupe \
  | awk '{print $1}' | sort -u)
count=$(wc -l <<<"$crates")
leaks=$(grep -E "$forbidden" <<<"$crates" || true)
if [ -n "$leaks" ]; then
  echo "wasm dependency check FAILED: the frontend pulls in server-only crates:" >&2
  echo "$leaks" >&2
  exit 1
fi
echo "wasm dependency check passed: $count crates, none of tch, torch-sys, lancedb, sea-orm, sqlx"
