//! A served fashion world, built once per test run by the real binary: 2,000 real items with
//! pictures and texts, 1,000 simulated users and their events, features from the pretrained
//! encoders, a short training run and its index (about 45 s). Its content tower sees pictures
//! and texts, so a few clicks move a user's feed, as in the product.

use std::path::Path;
use std::sync::OnceLock;

use server::config::Settings;

use crate::encoders::venv_python;
use crate::serving_world::copy_dir;
use crate::support::{TestApp, binary, settings_in};

/// The settings that reach the fashion world in `dir` (or a copy of it).
pub fn world_settings(dir: &Path) -> Settings {
    let mut s = settings_in(dir);
    s.data.dir = dir.join("data");
    s.data.python = venv_python();
    s.inference.catalogue = "fashion".into();
    s.inference.snapshot.poll_secs = 1;
    s
}

fn build(dir: &Path) {
    let s = world_settings(dir);
    for args in [
        &["import", "fashion", "--items", "2000"][..],
        &["generate", "--users", "1000", "--events", "100000"],
        &["extract"],
        &["train", "--k-core", "3", "--max-epochs", "6"],
        &["index"],
    ] {
        let out = binary(&s).args(args).output().expect("start vitrine");
        assert!(
            out.status.success(),
            "vitrine {args:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The fashion world's folder, built on first use (blocking; call off the executor). Read it,
/// or copy it; never write to it.
pub fn world_dir() -> &'static Path {
    static BUILT: OnceLock<tempfile::TempDir> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            build(dir.path());
            dir
        })
        .path()
}

/// A server on a fresh copy of the fashion world, with `adjust` applied to its settings.
pub async fn serve_fashion(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let copy = tokio::task::spawn_blocking(|| {
        let copy = tempfile::tempdir().expect("temp dir");
        copy_dir(world_dir(), copy.path());
        copy
    })
    .await
    .expect("the fashion world");
    let mut s = world_settings(copy.path());
    adjust(&mut s);
    let app = TestApp::start(s, Some(copy)).await;
    assert!(
        app.state.serving.current_version().is_some(),
        "the snapshot loads: {}",
        app.state.serving.problem()
    );
    app
}
