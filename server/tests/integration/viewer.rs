//! The browser's feed knows who is looking. Outside the demo, a first visit gets a visitor
//! cookie; the visitor's feed is their own (cold start, then personalised from their own
//! clicks), whatever user a request names, and nobody else's activity shows in it. The page
//! offers no "Viewing as" switch; with the `demo` setting on it does.

use serde_json::{Value, json};

use crate::http_client::{Response, get, get_with, post_json_with};
use crate::serving::ids;
use crate::serving_world::{serve_demo_world, serve_world_with};

async fn feed(app: &crate::support::TestApp, cookie: &str, user: &str) -> Value {
    let r = post_json_with(
        app.addr,
        "/api/fn/recommend",
        &json!({"request": {"user_id": user, "num_recommendations": 10}}),
        &[("Cookie", cookie)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn visitor_cookie(r: &Response) -> String {
    let set = r
        .header("set-cookie")
        .filter(|c| c.starts_with("vitrine_visitor="))
        .unwrap_or_else(|| {
            panic!(
                "a visitor cookie on the first visit: {:?}",
                r.header("set-cookie")
            )
        });
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn a_visitor_gets_their_own_feed_from_their_own_clicks_and_nobody_elses() {
    // The world learns from ratings; the product's feed learns from clicks too.
    let app = serve_world_with(|s| {
        s.inference.feed.history_kinds = vec!["rating".into(), "click".into()];
    })
    .await;
    let first = get(app.addr, "/").await;
    assert_eq!(first.status, 200);
    let alice = visitor_cookie(&first);
    assert!(
        !first.body.contains("Viewing as"),
        "no switch outside the demo"
    );
    // A second visit keeps its cookie (no new one is set).
    let again = get_with(app.addr, "/", &[("Cookie", &alice)]).await;
    assert!(
        again.header("set-cookie").is_none(),
        "{:?}",
        again.header("set-cookie")
    );
    let bob = visitor_cookie(&get(app.addr, "/").await);
    assert_ne!(alice, bob);
    let alice_id = format!("visitor-{}", &alice["vitrine_visitor=".len()..]);

    // Naming MovieLens user 3 serves Alice's own cold-start feed, not user 3's.
    let named = feed(&app, &alice, "3").await;
    assert_eq!(named["user_id"], alice_id.as_str());
    assert_eq!(named["fallback"], true, "{named}");
    let cold = ids(&named);

    // Alice clicks two items: her feed leaves the cold start and leaves them out.
    let clicked = &cold[..2];
    let events: Vec<Value> = clicked
        .iter()
        .enumerate()
        .map(|(i, item)| json!({"kind": "click", "user_id": alice_id, "item_id": item, "idempotency_key": format!("alice-{i}")}))
        .collect();
    let r = post_json_with(
        app.addr,
        "/api/fn/feed_events",
        &json!({"batch": {"events": events}}),
        &[("Cookie", &alice)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["accepted"], 2, "{}", r.body);
    let personal = feed(&app, &alice, "").await;
    assert_eq!(
        personal["fallback"], false,
        "personalised from her clicks: {personal}"
    );
    assert!(
        ids(&personal).iter().all(|i| !clicked.contains(i)),
        "{personal}"
    );

    // Bob sees none of it: still the cold start, with Alice's clicked items in it.
    let bobs = feed(&app, &bob, &alice_id).await;
    assert_eq!(
        bobs["user_id"],
        format!("visitor-{}", &bob["vitrine_visitor=".len()..])
    );
    assert_eq!(bobs["fallback"], true);
    assert_eq!(ids(&bobs), cold);
    // ...and cannot write as Alice.
    let forged = post_json_with(
        app.addr,
        "/api/fn/feed_events",
        &json!({"batch": {"events": [{"kind": "click", "user_id": alice_id, "item_id": cold[3], "idempotency_key": "bob-as-alice"}]}}),
        &[("Cookie", &bob)],
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_setting_brings_back_the_viewing_as_switch() {
    let app = serve_demo_world().await;
    let page = get(app.addr, "/?user=3").await;
    assert!(page.body.contains("Viewing as"), "{}", page.body);
    let cookie = visitor_cookie(&page);
    assert_eq!(feed(&app, &cookie, "3").await["user_id"], "3");
    app.stop().await;
}
