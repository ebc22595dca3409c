//! The run script's first start, on a tiny catalogue: the server answers the feed on an empty
//! model folder (the cold-start order, straight from SQL), the background job (`vitrine
//! prepare`, the real binary) encodes, trains and indexes beside it with a progress line per
//! epoch and its status on the System page, and the server swaps the model in with no
//! restart. A second start finds every stage done.

use std::time::Duration;

use app::wire::RecommendRequest;
use sea_orm::{EntityTrait, QueryOrder};
use server::db::entities::{interaction, user};

use crate::fashion_world::world_settings;
use crate::support::{TestApp, run_binary as run};

fn request(user_id: &str) -> RecommendRequest {
    RecommendRequest {
        user_id: user_id.to_owned(),
        num_recommendations: Some(10),
        context: Default::default(),
        exclude_seen: None,
        cursor: None,
    }
}

#[tokio::test]
async fn the_feed_serves_before_the_model_and_takes_it_in_without_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = world_settings(dir.path());
    let s = settings.clone();
    tokio::task::spawn_blocking(move || {
        run(&s, &["import", "fashion", "--items", "400"]);
        run(&s, &["generate", "--users", "300", "--events", "30000"]);
    })
    .await
    .expect("the data steps");
    let app = TestApp::start(settings.clone(), None).await;
    let db = app.state.db.conn();
    let first = interaction::Entity::find()
        .order_by_asc(interaction::Column::Id)
        .one(db)
        .await
        .expect("query")
        .expect("an event");
    let viewer = user::Entity::find_by_id(first.user_id)
        .one(db)
        .await
        .expect("query")
        .expect("its user")
        .external_id;

    // Before any model: the catalogue in cold-start order, said to be a fallback.
    assert!(app.state.serving.current_version().is_none());
    let cold = app
        .state
        .serving
        .recommend(request(&viewer))
        .await
        .expect("a feed before the model");
    assert!(cold.fallback && cold.model_version.is_empty(), "{cold:?}");
    assert_eq!(cold.items.len(), 10);
    let next = app
        .state
        .serving
        .recommend(RecommendRequest {
            cursor: cold.next_cursor.clone(),
            ..request(&viewer)
        })
        .await
        .expect("the next page");
    assert!(next.items.iter().all(|i| !cold.items.contains(i)));
    // The category filter works before the model too.
    let categories = app.state.serving.categories().await.expect("categories");
    let largest = &categories.categories[0];
    assert_eq!(
        categories.categories.iter().map(|c| c.items).sum::<u64>(),
        400
    );
    let filtered = app
        .state
        .serving
        .recommend(RecommendRequest {
            context: app::wire::FeedContext {
                category: Some(largest.name.clone()),
                text: None,
            },
            ..request(&viewer)
        })
        .await
        .expect("a filtered feed before the model");
    assert!(filtered.items.iter().all(|i| i.category == largest.name));

    // The background job, as the run script starts it beside the server.
    let s = settings.clone();
    let log = tokio::task::spawn_blocking(move || {
        run(
            &s,
            &[
                "prepare",
                "--first-items",
                "400",
                "--max-epochs",
                "2",
                "--k-core",
                "2",
            ],
        )
    })
    .await
    .expect("the background job");
    let epochs: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.starts_with("train: ") && l.contains(" epochs (") && l.contains("valid NDCG@10")
        })
        .collect();
    assert!(epochs.len() >= 2, "a line per epoch:\n{log}");
    let job = server::jobs::read(&settings.data.dir).expect("the job's status");
    assert_eq!(job.stage, "done", "{job:?}");
    assert_eq!(
        job.completed,
        [
            "extract-first",
            "train",
            "index",
            "extract-all",
            "index-all"
        ]
    );

    // The server takes the model in within its poll, with no restart.
    let mut waited = Duration::ZERO;
    while app.state.serving.current_version().is_none() {
        assert!(
            waited < Duration::from_secs(60),
            "{}",
            app.state.serving.problem()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        waited += Duration::from_millis(250);
    }
    let personal = app
        .state
        .serving
        .recommend(request(&viewer))
        .await
        .expect("the model's feed");
    assert!(
        !personal.fallback && !personal.model_version.is_empty(),
        "{personal:?}"
    );
    let report = app
        .state
        .services
        .system
        .model_report(&app::services::Caller::Anonymous)
        .await
        .expect("model report");
    assert!(
        report.problems.is_empty() && report.model.is_some(),
        "{report:?}"
    );
    assert_eq!(report.background.map(|b| b.stage).as_deref(), Some("done"));

    // A second start finds every stage done and does nothing.
    let s = settings.clone();
    let again = tokio::task::spawn_blocking(move || run(&s, &["prepare", "--first-items", "400"]))
        .await
        .expect("a second start");
    assert_eq!(
        again.matches("finished on an earlier run; skipped").count(),
        5,
        "{again}"
    );
    app.stop().await;
}
