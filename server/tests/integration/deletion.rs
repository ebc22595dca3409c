//! Deleting a feed user: every row about them leaves SQL in one go, their campaigns' rollups
//! follow, nothing of theirs is left in LanceDB, and their personalised feed goes at once.
//! Only an admin may do it.

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::json;
use server::db::entities::{campaign_daily_stat, event, experiment_assignment, interaction, user};

use crate::analytics_world::serve;
use crate::http_client::delete_with;
use crate::serving::recommend;
use crate::serving_world::serve_world;

#[tokio::test]
async fn deleting_a_user_erases_their_rows_and_their_campaigns_rollups_follow() {
    let (app, _) = serve().await;
    let db = app.state.db.conn();
    // A user with ad events, whose interactions and assignments come with them.
    let (user_id, campaign_id): (i64, i32) = event::Entity::find()
        .select_only()
        .columns([event::Column::UserId, event::Column::CampaignId])
        .filter(event::Column::UserId.is_not_null())
        .filter(event::Column::Kind.eq("impression"))
        .into_tuple::<(Option<i64>, i32)>()
        .one(db)
        .await
        .expect("query")
        .and_then(|(u, c)| u.map(|u| (u, c)))
        .expect("an impression by a known user");
    let external = user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .expect("query")
        .expect("the user")
        .external_id;
    let count_events = || {
        event::Entity::find()
            .filter(event::Column::UserId.eq(user_id))
            .count(db)
    };
    let count_interactions = || {
        interaction::Entity::find()
            .filter(interaction::Column::UserId.eq(user_id))
            .count(db)
    };
    let count_assignments = || {
        experiment_assignment::Entity::find()
            .filter(experiment_assignment::Column::UserId.eq(user_id))
            .count(db)
    };
    let (events, interactions, assignments) = (
        count_events().await.expect("count"),
        count_interactions().await.expect("count"),
        count_assignments().await.expect("count"),
    );
    assert!(events > 0 && interactions > 0, "{events} {interactions}");
    let impressions = || async {
        event::Entity::find()
            .filter(event::Column::CampaignId.eq(campaign_id))
            .filter(event::Column::Kind.eq("impression"))
            .count(db)
            .await
            .expect("count")
    };
    let rolled_up = || async {
        campaign_daily_stat::Entity::find()
            .filter(campaign_daily_stat::Column::CampaignId.eq(campaign_id))
            .all(db)
            .await
            .expect("rollups")
            .iter()
            .map(|r| r.impressions)
            .sum::<i64>()
    };
    let before = impressions().await;
    assert_eq!(rolled_up().await, i64::try_from(before).expect("fits"));

    let path = format!("/api/v1/users/{external}");
    let nobody = delete_with(app.addr, &path, &[]).await;
    assert_eq!(nobody.status, 401, "{}", nobody.body);
    let feed_key = format!("Bearer {}", app.key("feed").await);
    let feed_client = delete_with(app.addr, &path, &[("Authorization", &feed_key)]).await;
    assert_eq!(feed_client.status, 403, "{}", feed_client.body);
    assert_eq!(
        count_events().await.expect("count"),
        events,
        "refused: nothing goes"
    );

    let admin = format!("Bearer {}", app.key("analytics").await);
    let deleted = delete_with(app.addr, &path, &[("Authorization", &admin)]).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(
        deleted.json(),
        json!({"user_id": external, "interactions": interactions, "events": events,
               "experiment_assignments": assignments})
    );
    assert_eq!(count_events().await.expect("count"), 0);
    assert_eq!(count_interactions().await.expect("count"), 0);
    assert_eq!(count_assignments().await.expect("count"), 0);
    assert!(
        user::Entity::find_by_id(user_id)
            .one(db)
            .await
            .expect("q")
            .is_none()
    );
    let again = delete_with(app.addr, &path, &[("Authorization", &admin)]).await;
    assert_eq!(again.status, 404, "{}", again.body);

    // The rollup loop rebuilds the campaigns the user's events touched.
    let after = i64::try_from(impressions().await).expect("fits");
    assert!(after < i64::try_from(before).expect("fits"));
    let mut waited = Duration::ZERO;
    while rolled_up().await != after {
        assert!(
            waited < Duration::from_secs(30),
            "the rollups never caught up"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        waited += Duration::from_millis(250);
    }

    app.stop().await;
}

#[tokio::test]
async fn a_deleted_users_personalised_feed_goes_at_once() {
    let app = serve_world().await;
    let (_, feed) = recommend(&app, json!({"user_id": "3", "num_recommendations": 5})).await;
    assert_eq!(feed["fallback"], false, "{feed}");
    let admin = format!("Bearer {}", app.key("analytics").await);
    let deleted = delete_with(app.addr, "/api/v1/users/3", &[("Authorization", &admin)]).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let (_, after) = recommend(&app, json!({"user_id": "3", "num_recommendations": 5})).await;
    assert_eq!(after["fallback"], true, "the cached feed is gone: {after}");

    // LanceDB holds items only: no table has a column that could name a user.
    let tables = app.state.vectors.table_names().await.expect("tables");
    assert!(tables.len() >= 2, "{tables:?}");
    for name in tables {
        let table = app
            .state
            .vectors
            .connection()
            .open_table(&name)
            .execute()
            .await
            .expect("open");
        let schema = table.schema().await.expect("schema");
        assert!(
            schema.fields().iter().all(|f| !f.name().contains("user")),
            "{name} holds per-user data: deletion must remove it too"
        );
    }
    app.stop().await;
}
