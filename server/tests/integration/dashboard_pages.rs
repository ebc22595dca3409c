//! The Experiments and Studies pages without a browser: the lists are the caller's own, the
//! power calculator and an experiment's results render on the server, and the study form
//! creates a study or comes back with the reason and what was entered.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::db::entities::{advertiser, causal_study, experiment};

use crate::analytics_world::serve;
use crate::auth_support::advertiser_account;
use crate::http_client::{get_with, post_json_with, post_with};

const FORM: &str = "application/x-www-form-urlencoded";

fn ids(list: &Value, field: &str) -> HashSet<i64> {
    list[field]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|x| x["id"].as_i64())
        .collect()
}

pub(crate) async fn sign_in(app: &crate::support::TestApp, email: &str, password: &str) -> String {
    let body = format!(
        "email={}&password={password}&next=/experiments",
        email.replace('@', "%40")
    );
    let r = post_with(app.addr, "/session", FORM, body.as_bytes(), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let set = r.header("set-cookie").expect("a session cookie");
    set.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn experiments_and_studies_pages_show_the_callers_own_and_work_without_javascript() {
    let (app, _) = serve().await;
    let db = app.state.db.conn();
    let (password, key) = advertiser_account(&app, "Contoso Footwear", "ads@contoso.example").await;
    let contoso = advertiser::Entity::find()
        .filter(advertiser::Column::Name.eq("Contoso Footwear"))
        .one(db)
        .await
        .expect("q")
        .expect("advertiser");
    let bearer = format!("Bearer {key}");
    let admin = format!("Bearer {}", app.key("analytics").await);

    // The lists: its own only; an admin's: all; nobody's without credentials.
    let all_x = experiment::Entity::find().all(db).await.expect("q");
    let own_x: HashSet<i64> = all_x
        .iter()
        .filter(|x| x.advertiser_id == Some(contoso.id))
        .map(|x| i64::from(x.id))
        .collect();
    let mine = get_with(
        app.addr,
        "/api/v1/experiments",
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(ids(&mine.json(), "experiments"), own_x);
    let everything = get_with(
        app.addr,
        "/api/v1/experiments",
        &[("Authorization", &admin)],
    )
    .await;
    assert_eq!(ids(&everything.json(), "experiments").len(), all_x.len());
    assert_eq!(
        get_with(app.addr, "/api/v1/experiments", &[]).await.status,
        401
    );
    let all_s = causal_study::Entity::find().all(db).await.expect("q");
    let own_s: HashSet<i64> = all_s
        .iter()
        .filter(|s| s.advertiser_id == contoso.id)
        .map(|s| i64::from(s.id))
        .collect();
    let contoso_studies =
        get_with(app.addr, "/api/v1/studies", &[("Authorization", &bearer)]).await;
    assert_eq!(contoso_studies.status, 200, "{}", contoso_studies.body);
    assert_eq!(ids(&contoso_studies.json(), "studies"), own_s);
    // The generated studies' advertiser, for the study form below.
    let owner_id = all_s.first().expect("a generated study").advertiser_id;
    let owner = advertiser::Entity::find_by_id(owner_id)
        .one(db)
        .await
        .expect("q")
        .expect("the owner");
    let (owner_password, owner_key) =
        advertiser_account(&app, &owner.name, "studies@owner.example").await;
    let studies = get_with(
        app.addr,
        "/api/v1/studies",
        &[("Authorization", &format!("Bearer {owner_key}"))],
    )
    .await
    .json();
    let theirs: HashSet<i64> = all_s
        .iter()
        .filter(|s| s.advertiser_id == owner_id)
        .map(|s| i64::from(s.id))
        .collect();
    assert_eq!(ids(&studies, "studies"), theirs);
    let geos: Vec<String> = serde_json::from_value(studies["geos"].clone()).expect("geos");
    assert!(geos.len() >= 3, "the campaigns' geos: {geos:?}");
    let campaign = studies["campaigns"][0]["campaign_id"]
        .as_i64()
        .expect("a campaign");

    let cookie = sign_in(&app, "ads@contoso.example", &password).await;
    let as_me = [("Cookie", cookie.as_str())];

    // The navigation offers to sign out; the list names no other advertiser's experiment.
    let page = get_with(app.addr, "/experiments", &as_me).await;
    assert!(
        page.body.contains("Sign out") && page.body.contains("Power calculator"),
        "{}",
        page.body
    );
    for x in all_x.iter().filter(|x| x.advertiser_id != Some(contoso.id)) {
        assert!(
            !page.body.contains(&format!("/experiments/{}\"", x.id)),
            "experiment {} leaks",
            x.id
        );
    }

    // The power calculator answers on the server, as the REST route does.
    let rest = post_json_with(
        app.addr,
        "/api/v1/experiments/power",
        &json!({"baseline_rate": 0.05, "minimum_relative_lift": 0.1}),
        &[("Authorization", &bearer)],
    )
    .await
    .json();
    let total = rest["total_units"].as_u64().expect("total");
    let page = get_with(
        app.addr,
        "/experiments?baseline=5&lift=10&alpha=0.05&power=0.8",
        &as_me,
    )
    .await;
    assert!(
        page.body
            .contains(&app::components::format::count(total as i64)),
        "the total {total} in {}",
        page.body
    );
    let bad = get_with(app.addr, "/experiments?baseline=abc", &as_me).await;
    assert!(
        bad.body.contains("is not a number") && !bad.body.contains("Control users"),
        "{}",
        bad.body
    );

    // An experiment of its own: the results by metric, the SRM reading and the lift chart.
    let shown = own_x
        .iter()
        .min()
        .copied()
        .expect("Contoso runs an experiment in this world");
    let x = get_with(app.addr, &format!("/experiments/{shown}"), &as_me).await;
    assert_eq!(x.status, 200);
    assert!(
        x.body.contains("Results by metric") && x.body.contains("data-testid=\"srm\""),
        "{}",
        x.body
    );
    assert!(
        x.body.contains("p (Holm)") && x.body.contains("<svg"),
        "the corrected p and the lift chart"
    );

    // A study through the form: refused with the reason and the fields kept, then created.
    let owner_cookie = sign_in(&app, "studies@owner.example", &owner_password).await;
    let as_me = [("Cookie", owner_cookie.as_str())];
    let refused = post_with(
        app.addr,
        "/forms/study",
        FORM,
        format!("name=Flight&campaign_id={campaign}&method=did&outcome=clicks&intervention_date=2026-10-14&control={}", geos[1]).as_bytes(),
        &as_me,
    )
    .await;
    assert_eq!(refused.status, 303);
    let back = refused
        .header("location")
        .expect("back to the form")
        .to_owned();
    assert!(
        back.starts_with("/studies?error=") && back.contains("name=Flight"),
        "{back}"
    );
    let form = get_with(app.addr, &back, &as_me).await;
    assert!(form.body.contains("at least one treated"), "{}", form.body);
    assert!(form.body.contains("value=\"Flight\""), "the name is kept");
    let before = causal_study::Entity::find().all(db).await.expect("q").len();
    assert_eq!(before, all_s.len(), "a refused form stores nothing");

    // The generated study's design, so the panel has data around the intervention.
    let model = &studies["studies"][0];
    let mut body = format!(
        "name=Flight&campaign_id={}&method=synthetic_control&outcome=clicks&intervention_date={}",
        model["campaign_id"],
        model["intervention_date"].as_str().expect("a day")
    );
    for (side, geos) in [
        ("treated", &model["treated"]),
        ("control", &model["control"]),
    ] {
        for geo in geos.as_array().expect("geos") {
            body.push_str(&format!("&{side}={}", geo.as_str().expect("a geo")));
        }
    }
    let made = post_with(app.addr, "/forms/study", FORM, body.as_bytes(), &as_me).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let at = made.header("location").expect("the study").to_owned();
    assert!(at.starts_with("/studies/"), "{at}");
    let stored = causal_study::Entity::find().all(db).await.expect("q");
    assert_eq!(stored.len(), before + 1);
    assert!(
        stored
            .iter()
            .any(|s| s.name == "Flight" && s.advertiser_id == owner_id)
    );
    let study = get_with(app.addr, &at, &as_me).await;
    assert_eq!(study.status, 200);
    assert!(
        study.body.contains("Placebo gaps") && study.body.contains("Donor weights"),
        "{}",
        study.body
    );

    // Signed out, the form sends the visitor to sign in and stores nothing.
    let anonymous = post_with(app.addr, "/forms/study", FORM, body.as_bytes(), &[]).await;
    assert_eq!(anonymous.header("location"), Some("/login?next=/studies"));
    assert_eq!(
        causal_study::Entity::find().all(db).await.expect("q").len(),
        before + 1
    );
    app.stop().await;
}

/// A server error reads as a sentence: the page says something went wrong and what, with its
/// code, and never the database's own words or a trace; the REST route answers 503 in JSON.
#[tokio::test]
async fn a_server_error_is_a_friendly_page_not_a_trace() {
    let (app, _) = serve().await;
    let (password, key) = advertiser_account(&app, "Contoso Footwear", "ads@contoso.example").await;
    let cookie = sign_in(&app, "ads@contoso.example", &password).await;
    // The rollups vanish under the running server: every campaign query now fails.
    app.state
        .db
        .conn()
        .execute_unprepared("DROP TABLE campaign_daily_stats")
        .await
        .expect("drop the rollups");
    let page = get_with(app.addr, "/campaigns", &[("Cookie", &cookie)]).await;
    assert!(
        page.body.contains("Not available right now")
            && page
                .body
                .contains("the database is unavailable (reference ")
            && page.body.contains("database_unavailable"),
        "{}",
        page.body
    );
    for internal in [
        "campaign_daily_stats",
        "no such table",
        "panicked",
        "DbErr",
        "backtrace",
    ] {
        assert!(!page.body.contains(internal), "the page shows `{internal}`");
    }
    let rest = post_json_with(
        app.addr,
        "/api/v1/analytics/campaigns",
        &json!({}),
        &[("Authorization", &format!("Bearer {key}"))],
    )
    .await;
    assert_eq!(rest.status, 503, "{}", rest.body);
    assert_eq!(rest.json()["code"], "database_unavailable");
    assert!(!rest.body.contains("no such table"), "{}", rest.body);
    app.stop().await;
}
