#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while (default 60 s each) and reports each one's runs.
#
#   scripts/fuzz.sh            # all targets, 60 s each
#   scripts/fuzz.sh 300 idx    # one target, 5 minutes
#
# Needs a nightly toolchain (`rustup toolchain install nightly`); cargo-fuzz is installed on
# first use. The targets are in server/fuzz (the `formats` parsers and the REST request
# decoding); their build has its own target folder, beside the main one, so that the
# sanitizer flags never rebuild the main build. A crash leaves its input under
# server/fuzz/artifacts/<target>/ and makes this script fail.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(movielens idx reviews requests)
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz.sh: no nightly toolchain; run: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo +nightly install cargo-fuzz --locked
fi

export CARGO_TARGET_DIR="${VITRINE_FUZZ_TARGET_DIR:-$HOME/.cache/vitrine/fuzz-target}"
fuzz_dir=server/fuzz
for target in "${targets[@]}"; do
  corpus="$fuzz_dir/corpus/$target"
  mkdir -p "$corpus"
  seeds=()
  if [ -d "$fuzz_dir/seeds/$target" ]; then
    seeds=("$fuzz_dir/seeds/$target")
  fi
  echo "== $target: ${seconds} s"
  log="$CARGO_TARGET_DIR/fuzz-$target.log"
  mkdir -p "$CARGO_TARGET_DIR"
  status=0
  cargo +nightly fuzz run --fuzz-dir "$fuzz_dir" "$target" "$corpus" "${seeds[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: $target failed (exit $status); crash inputs, if any, in $fuzz_dir/artifacts/$target" >&2
    exit 1
  fi
done
