//! `vitrine catalogue` beside a running server on the MovieLens serving world: items added and
//! retired from a JSON file by the real binary reach the served snapshot at the server's next
//! poll, and a malformed or refused file names itself and changes nothing.

use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use server::db::entities::item;

use crate::catalogue::serve;
use crate::http_client::post_json_with;
use crate::registry::vitrine;
use crate::serving::ids;
use crate::support::TestApp;

async fn similar_to(app: &TestApp, text: &str, category: &str) -> Vec<i64> {
    let key = format!("Bearer {}", app.key("feed").await);
    let r = post_json_with(
        app.addr,
        "/api/v1/similar",
        &json!({"text": text, "category": category, "k": 20}),
        &[("Authorization", &key)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    ids(&r.json())
}

#[tokio::test]
async fn items_from_the_command_line_reach_a_running_server() {
    let app = serve(&["rating"]).await;
    let settings = app.state.settings.as_ref().clone();
    let db = app.state.db.conn();
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "A retired cartographer maps the dreams of a sleepless harbour town.";
    let file = dir.path().join("items.json");
    std::fs::write(
        &file,
        json!({"items": [{"external_id": "cli-1", "title": "The Dream Atlas", "category": "Drama", "text": text}]})
            .to_string(),
    )
    .expect("write");
    let before = item::Entity::find().count(db).await.expect("count");

    let run = |args: Vec<String>| {
        let settings = settings.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                vitrine(&settings, &args, &[])
            })
            .await
            .expect("run vitrine")
        }
    };
    let path = file.display().to_string();
    let out = run(vec!["catalogue".into(), "add".into(), path.clone()]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added = item::Entity::find()
        .filter(item::Column::ExternalId.eq("cli-1"))
        .one(db)
        .await
        .expect("q")
        .expect("the new item");
    assert_eq!(added.external_id, "cli-1");

    // Served at the server's next poll plus its additions pass.
    let asked = Instant::now();
    while !similar_to(&app, text, "Drama").await.contains(&added.id) {
        assert!(asked.elapsed() < Duration::from_secs(40), "never served");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "an item added from the command line was served {:.2} s after the command",
        asked.elapsed().as_secs_f64()
    );

    // Retired from the command line: gone at the next poll.
    let retire = dir.path().join("retire.json");
    std::fs::write(&retire, json!({"external_ids": ["cli-1"]}).to_string()).expect("write");
    let out = run(vec![
        "catalogue".into(),
        "retire".into(),
        retire.display().to_string(),
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let asked = Instant::now();
    while similar_to(&app, text, "Drama").await.contains(&added.id) {
        assert!(asked.elapsed() < Duration::from_secs(20), "never retired");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A malformed file names its line; a refused batch says why; nothing changes.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"items\": [\n  {\"external_id\": \"x\",\n  oops}\n]}",
    )
    .expect("write");
    let out = run(vec![
        "catalogue".into(),
        "add".into(),
        broken.display().to_string(),
    ])
    .await;
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(why.contains("broken.json: line 3"), "{why}");
    let out = run(vec!["catalogue".into(), "add".into(), path]).await;
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        why.contains("already in") && why.contains("nothing was changed"),
        "{why}"
    );
    assert_eq!(
        item::Entity::find().count(db).await.expect("count"),
        before + 1
    );
    app.stop().await;
}
