//! `scripts/setup.sh --check`: it installs nothing, passes on a machine that setup has
//! prepared, and fails by name when a required piece is absent, whatever a build cache holds.

use std::path::Path;
use std::process::{Command, Output};

fn check(env: &[(&str, &Path)]) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new("bash");
    command
        .arg(root.join("scripts/setup.sh"))
        .arg("--check")
        .current_dir(&root);
    for (key, value) in env {
        command.env(key, value);
    }
    let Output { status, stdout, .. } = command.output().expect("run scripts/setup.sh --check");
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
    )
}

/// The line of the check's report for `piece`.
fn line<'a>(report: &'a str, piece: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.contains(piece))
        .unwrap_or_else(|| panic!("no line for {piece} in:\n{report}"))
}

/// The check, run with `env`, exits 1, and reports `piece` missing with `fix` beside it.
fn fails_naming(env: &[(&str, &Path)], piece: &str, fix: &str) {
    let (ok, report) = check(env);
    assert!(!ok, "must fail:\n{report}");
    let found = line(&report, piece).trim_start();
    assert!(
        found.starts_with("MISSING") && found.contains(fix),
        "{found}"
    );
}

#[test]
fn the_set_up_check_passes_here_and_names_what_is_absent() {
    // This machine ran scripts/setup.sh (the test command does so first).
    let (ok, report) = check(&[]);
    assert!(ok, "{report}");
    for piece in [
        "protobuf-compiler",
        "libprotobuf-dev",
        "protoc well-known types",
        "chromium",
        "fonts-liberation",
        "PostgreSQL initdb, pg_ctl",
        "wrk",
        "cargo-leptos",
        "wasm-bindgen",
        "venv with torch",
        "image encoder",
        "Playwright runner",
    ] {
        let found = line(&report, piece).trim_start();
        assert!(found.starts_with("ok "), "{piece}:\n{report}");
    }
    assert!(!report.contains("MISSING"), "{report}");

    // protoc without the well-known types beside it, as on a machine without libprotobuf-dev:
    // a copy of protoc in a folder with no ../include, run the way lance's build scripts run it
    // (prost-build takes PROTOC).
    let bare = tempfile::tempdir().expect("tempdir");
    let protoc = bare.path().join("bin/protoc");
    std::fs::create_dir_all(protoc.parent().expect("bin")).expect("mkdir");
    std::fs::copy("/usr/bin/protoc", &protoc).expect("copy protoc");
    fails_naming(
        &[("PROTOC", &protoc)],
        "protoc well-known types",
        "libprotobuf-dev",
    );

    // No venv (a fresh machine): named, with the step that brings it; nothing is created.
    let nowhere = bare.path().join("no-venv");
    fails_naming(
        &[("VITRINE_VENV", &nowhere)],
        "venv with torch",
        "scripts/setup.sh venv",
    );
    assert!(!nowhere.exists(), "--check installs nothing");
}
