# Shared environment for the project's scripts. Source it; it changes nothing on disk.
#
# Everything slow to rebuild lives outside the clone, so a fresh clone reuses it:
#   VITRINE_CACHE     root of the reusable cache ($HOME/.cache/vitrine)
#   VITRINE_TOOLS     cargo-leptos, wasm-bindgen, wasm-opt, Playwright (node_modules)
#   CARGO_TARGET_DIR  the one cargo build folder for every build of this workspace
#   VITRINE_VENV      the project's Python venv (torch 2.11 = libtorch, data and weight packages);
#                     the clone's .venv links to it. Its path must not change between clones:
#                     torch-sys records libtorch's folder (and the binaries' rpath) from it, and
#                     does not notice when the venv moves.
VITRINE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VITRINE_ROOT
export VITRINE_CACHE=${VITRINE_CACHE:-$HOME/.cache/vitrine}
export VITRINE_TOOLS=${VITRINE_TOOLS:-$VITRINE_CACHE/tools}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$VITRINE_CACHE/target}
export VITRINE_VENV=${VITRINE_VENV:-$VITRINE_CACHE/venv}
export PATH="$VITRINE_TOOLS/bin:$VITRINE_TOOLS/node_modules/.bin:$VITRINE_VENV/bin:$HOME/.cargo/bin:$PATH"
# tch/torch-sys take libtorch from the venv's torch wheel (see README, "libtorch and CUDA").
export LIBTORCH_USE_PYTORCH=1
# Nothing may be downloaded at build or test time.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export HF_HUB_OFFLINE=1
# leptos reads LEPTOS_OUTPUT_NAME at compile time (the wasm file's name). cargo-leptos sets it for
# its builds; setting it for every cargo command keeps `cargo test` from rebuilding leptos.
export LEPTOS_OUTPUT_NAME=vitrine
