//! Links libtorch so that binaries and tests need no environment:
//! - an rpath to the venv's torch/lib, read from torch-sys (`DEP_TCH_LIBTORCH_LIB`);
//! - `--no-as-needed` around `-ltorch_cuda -ltorch`: without it the linker drops
//!   libtorch_cuda, CUDA is never registered and `Cuda::is_available()` is false on a GPU;
//! - libtorch's folder as the build saw it, for `doctor` where `/proc/self/maps` is unreadable.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let lib = std::env::var("DEP_TCH_LIBTORCH_LIB")
        .expect("torch-sys did not report libtorch's folder (is it a direct dependency?)");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    println!("cargo:rustc-link-search=native={lib}");
    if Path::new(&lib).join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        println!("cargo:rustc-link-arg=-ltorch");
        println!("cargo:rustc-link-arg=-Wl,--as-needed");
    }
    println!("cargo:rustc-env=VITRINE_LIBTORCH_LIB={lib}");
}
