//! Model versions on the MovieLens serving world, through the real binary while the server
//! runs: a worse candidate is refused by the gate, `--force` serves it, and `rollback` brings
//! back the previous version's scores exactly.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http_client::post_json_with;
use crate::serving_world::world;
use crate::support::{TestApp, binary};

pub(crate) fn vitrine(
    settings: &server::config::Settings,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Output {
    let mut command = binary(settings);
    command.args(args).envs(extra.iter().copied());
    command.output().expect("start vitrine")
}

pub(crate) fn ok(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// "More like this" for a few items: ids and scores, the model's fingerprint on the feed.
async fn scores(app: &TestApp) -> Vec<(i64, f64)> {
    let key = format!("Bearer {}", app.key("feed").await);
    let mut out = Vec::new();
    for item in [1, 50, 100] {
        let r = post_json_with(
            app.addr,
            "/api/v1/similar",
            &json!({"item_id": item, "k": 10}),
            &[("Authorization", &key)],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let answer: Value = r.json();
        for i in answer["items"].as_array().expect("items") {
            out.push((
                i["item_id"].as_i64().expect("id"),
                i["score"].as_f64().expect("score"),
            ));
        }
    }
    out
}

/// Waits until the served index's version changes from `from`; returns the new one.
async fn new_index(app: &TestApp, from: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some((_, v)) = app.state.serving.current_version()
            && v != from
        {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the server never served a new index after {from}");
}

#[tokio::test]
async fn a_worse_model_is_refused_then_forced_and_rolled_back_exactly() {
    let (dir, mut settings) = tokio::task::spawn_blocking(world).await.expect("world");
    settings.inference.snapshot.poll_secs = 1;
    let app = TestApp::start(settings.clone(), Some(dir)).await;
    let index_version = |app: &TestApp| app.state.serving.current_version().expect("served").1;

    // The baseline index is built by the binary too, so that every index compares like for like.
    let first = index_version(&app);
    ok(&vitrine(&settings, &["index"], &[]), "index");
    let served = new_index(&app, &first).await;
    let baseline = scores(&app).await;

    // A worse candidate: one epoch at a learning rate too small to learn anything.
    let out = vitrine(
        &settings,
        &["train", "--catalogue", "movielens", "--max-epochs", "1"],
        &[("VITRINE__TRAINING__LEARNING_RATE", "0.0000001")],
    );
    let stdout = ok(&out, "train");
    let candidate = stdout
        .split("version ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("train names the registered version")
        .to_owned();
    assert!(stdout.contains("registered"), "{stdout}");

    // The gate refuses it, and nothing changes.
    let refused = vitrine(&settings, &["models", "promote", &candidate], &[]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("refused") && why.contains("--force"), "{why}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(index_version(&app), served);

    // Forced, it serves: the scores change.
    ok(
        &vitrine(
            &settings,
            &["models", "promote", &candidate, "--force"],
            &[],
        ),
        "promote --force",
    );
    let forced = new_index(&app, &served).await;
    assert!(
        forced.starts_with(&candidate),
        "{forced} is the candidate's index"
    );
    assert_ne!(scores(&app).await, baseline);

    // Rolled back: the previous version's scores, exactly.
    ok(
        &vitrine(&settings, &["models", "rollback"], &[]),
        "rollback",
    );
    new_index(&app, &forced).await;
    assert_eq!(scores(&app).await, baseline);

    let list = ok(&vitrine(&settings, &["models", "list"], &[]), "models list");
    assert!(
        list.contains(&candidate) && list.contains("forced") && list.contains("rollback"),
        "{list}"
    );
    let serving_line = list
        .lines()
        .find(|l| l.starts_with('*'))
        .expect("a serving version");
    assert!(!serving_line.contains(&candidate), "{list}");
    app.stop().await;
}
