//! Retraining on command through the real binary, on the MovieLens serving world: a run
//! warm-started from the serving version goes on from it (its one epoch validates above the
//! one cold epoch it started from), and `--promote` serves it through the gate.

use crate::registry::{ok, vitrine};
use crate::serving_world::world;

/// The validation NDCG@10 the run printed for its best epoch.
fn valid_ndcg(stdout: &str) -> f64 {
    stdout
        .rsplit("valid NDCG@10 ")
        .next()
        .and_then(|rest| rest.split([',', ' ', ')']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no NDCG in {stdout}"))
}

#[test]
fn a_warm_started_run_begins_from_the_serving_version_and_promotes_through_the_gate() {
    let (_dir, settings) = world();
    let one_epoch = ["train", "--catalogue", "movielens", "--max-epochs", "1"];

    // One epoch from a random draw, served.
    let cold = ok(&vitrine(&settings, &one_epoch, &[]), "a cold run");
    let first = registered(&cold);
    ok(
        &vitrine(&settings, &["models", "promote", &first, "--force"], &[]),
        "serve the cold run",
    );

    // One more epoch, warm-started from it: the same architecture, every row it knew.
    let warm = ok(
        &vitrine(
            &settings,
            &[&one_epoch[..], &["--warm-start", "--promote"]].concat(),
            &[("VITRINE__INFERENCE__PROMOTION__NDCG_MARGIN", "1.0")],
        ),
        "a warm run",
    );
    println!("cold: {cold}\nwarm: {warm}");
    assert!(warm.contains("warm start from"), "{warm}");
    assert!(warm.contains(", 0 drawn fresh"), "{warm}");
    let carried: usize = warm
        .split(" known rows")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no row count in {warm}"));
    // Items twice (the content and history tables) plus categories and tokens.
    assert!(carried > 2_000, "{carried} rows carried");
    let (cold_ndcg, warm_ndcg) = (valid_ndcg(&cold), valid_ndcg(&warm));
    assert!(
        warm_ndcg > cold_ndcg,
        "a warm epoch ({warm_ndcg}) goes on from the cold one ({cold_ndcg})"
    );
    // The gate let it through, so it serves.
    let candidate = registered(&warm);
    assert!(warm.contains("serves `movielens`"), "{warm}");
    let list = ok(&vitrine(&settings, &["models", "list"], &[]), "models list");
    let serving = list
        .lines()
        .find(|l| l.starts_with('*'))
        .expect("a serving version");
    assert!(serving.contains(&candidate), "{list}");

    // A schedule needs a positive period.
    let bad = vitrine(
        &settings,
        &[&one_epoch[..], &["--every-hours", "0"]].concat(),
        &[],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("positive number of hours"));
}

fn registered(stdout: &str) -> String {
    stdout
        .split("version ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no registered version in {stdout}"))
        .to_owned()
}
