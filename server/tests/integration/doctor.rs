//! `vitrine doctor` on the states a newcomer meets before the demo is up: no database, an
//! empty one, a migrated one with nothing imported, one imported but never encoded. It says
//! what it found and the command that moves on, exits 2 when there is nothing to read and 1
//! when there is nothing to serve, and never prints a raw SQL error nor creates anything.
//! (The served demo's states, exit 0 with notes and exit 1 for an index of another model, are
//! in `kill`.)

use std::path::Path;

use crate::support::{binary, run_binary as run, settings_in};

struct Outcome {
    code: Option<i32>,
    stdout: String,
}

fn doctor(settings: &server::config::Settings) -> Outcome {
    let out = binary(settings)
        .arg("doctor")
        .output()
        .expect("start vitrine");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for raw in ["Query Error", "no such table", "SqlxError", "Error: "] {
        assert!(
            !stdout.contains(raw) && !stderr.contains(raw),
            "{raw}\n{stdout}\n{stderr}"
        );
    }
    Outcome {
        code: out.status.code(),
        stdout,
    }
}

#[test]
fn doctor_explains_every_state_before_the_demo_is_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.data.dir = dir.path().join("data");
    settings.inference.catalogue = "movielens".into();
    let file = dir.path().join("vitrine.sqlite");

    // A fresh checkout: no database file. Nothing is created.
    let fresh = doctor(&settings);
    assert_eq!(fresh.code, Some(2), "{}", fresh.stdout);
    assert!(fresh.stdout.contains("no database at"), "{}", fresh.stdout);
    assert!(fresh.stdout.contains("scripts/run.sh"), "{}", fresh.stdout);
    assert!(!file.exists() && !Path::new(&settings.vectors.uri).exists());

    // An empty database file.
    std::fs::write(&file, b"").expect("an empty file");
    let empty = doctor(&settings);
    assert_eq!(empty.code, Some(2), "{}", empty.stdout);
    assert!(empty.stdout.contains("is empty"), "{}", empty.stdout);

    // Migrated, nothing imported: nothing to serve.
    run(&settings, &["migrate"]);
    let bare = doctor(&settings);
    assert_eq!(bare.code, Some(1), "{}", bare.stdout);
    assert!(
        bare.stdout.contains("`vitrine import movielens`"),
        "{}",
        bare.stdout
    );

    // Imported, never encoded: as designed, with the command that goes on.
    run(&settings, &["import", "movielens"]);
    let imported = doctor(&settings);
    assert_eq!(imported.code, Some(0), "{}", imported.stdout);
    assert!(
        imported.stdout.contains("no LanceDB folder")
            && imported.stdout.contains("`vitrine extract`"),
        "{}",
        imported.stdout
    );
    assert!(!Path::new(&settings.vectors.uri).exists());
}
