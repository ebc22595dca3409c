//! `generate` over a small catalogue of real-format items: sizes, determinism, the planted
//! click model visible in the data, and the ground truth beside it.

use std::collections::HashMap;
use std::io::Cursor;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::data::fashion::{self, FashionItem};
use server::data::generate::{self, GenerateConfig, GroundTruth};
use server::db::entities::{
    advertiser, campaign, causal_study, creative, event, experiment, experiment_assignment,
    interaction, item, user,
};

use crate::import_movielens::fresh_sqlite;

/// 90 items in three categories, each with its own picture pattern and vocabulary.
pub fn small_catalogue() -> Vec<FashionItem> {
    let kinds = [
        ("Dress", "floral summer dress flowy"),
        ("Bag", "leather tote zip strap"),
        ("Sneaker", "canvas runner laces sole"),
    ];
    (0..90)
        .map(|i| {
            let (category, words) = kinds[i % 3];
            let pixels: Vec<u8> = (0..784)
                .map(|p| {
                    if (p / 28 + p % 28 * (i % 3 + 1)) % 7 < 3 {
                        220
                    } else {
                        10
                    }
                })
                .collect();
            let mut png = Cursor::new(Vec::new());
            image::GrayImage::from_raw(28, 28, pixels)
                .expect("28x28")
                .write_to(&mut png, image::ImageFormat::Png)
                .expect("png");
            FashionItem {
                external_id: format!("t-{i:03}"),
                category,
                title: format!("{category} {i}"),
                description: format!("A {words} number {i}"),
                png: png.into_inner(),
                width: 28,
                height: 28,
            }
        })
        .collect()
}

#[tokio::test]
async fn the_world_is_seeded_sized_and_carries_its_planted_model() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = fresh_sqlite(tmp.path()).await;
    fashion::load(
        db.conn(),
        fashion::CATALOGUE,
        &small_catalogue(),
        |_| Ok(()),
    )
    .await
    .expect("catalogue");
    let config = GenerateConfig {
        catalogue: fashion::CATALOGUE.to_owned(),
        advertising: true,
        users: 300,
        events: 60_000,
        seed: 3,
        out_dir: tmp.path().join("truth"),
    };
    let truth = generate::run(db.conn(), &config, |_| Ok(()))
        .await
        .expect("generate");

    assert_eq!(
        user::Entity::find().count(db.conn()).await.expect("count"),
        300
    );
    let stored = interaction::Entity::find()
        .count(db.conn())
        .await
        .expect("count") as usize;
    assert_eq!(stored, truth.events);
    // At least the budget, over by at most one impression's outcomes (5 events) a user.
    assert!(
        truth.events >= 60_000 && truth.events <= 60_000 + 300 * 4,
        "{}",
        truth.events
    );

    // The file on disk is the truth returned.
    let on_disk: GroundTruth = serde_json::from_slice(
        &std::fs::read(config.out_dir.join("ground_truth.json")).expect("ground truth file"),
    )
    .expect("json");
    // Exactly: serde_json parses floats back bit for bit (float_roundtrip).
    assert_eq!(on_disk.expected_ctr.to_bits(), truth.expected_ctr.to_bits());
    assert_eq!(
        (&on_disk.counts, &on_disk.params, on_disk.events),
        (&truth.counts, &truth.params, truth.events)
    );
    let tastes = std::fs::read_to_string(config.out_dir.join("user_tastes.tsv")).expect("tastes");
    assert_eq!(tastes.lines().count(), 301);

    // Realised CTR agrees with the planted probabilities within four standard errors.
    let views = truth.counts.view as f64;
    let se = (truth.expected_ctr * (1.0 - truth.expected_ctr) / views).sqrt();
    assert!(
        (truth.realised_ctr - truth.expected_ctr).abs() < 4.0 * se,
        "{truth:?}"
    );

    // Tastes show in the data: users click their favourite categories more often.
    let favourites: HashMap<String, Vec<String>> = tastes
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split('\t');
            let id = f.next().unwrap_or_default().to_owned();
            (
                id,
                f.next()
                    .unwrap_or_default()
                    .split('|')
                    .map(str::to_owned)
                    .collect(),
            )
        })
        .collect();
    let categories: HashMap<i64, String> = item::Entity::find()
        .all(db.conn())
        .await
        .expect("items")
        .into_iter()
        .map(|i| (i.id, i.category))
        .collect();
    let users: HashMap<i64, String> = user::Entity::find()
        .all(db.conn())
        .await
        .expect("users")
        .into_iter()
        .map(|u| (u.id, u.external_id))
        .collect();
    let mut counts = [[0_usize; 2]; 2]; // [favourite?][view, click]
    for row in interaction::Entity::find()
        .filter(interaction::Column::Kind.is_in(["view", "click"]))
        .all(db.conn())
        .await
        .expect("interactions")
    {
        let favourite = favourites[&users[&row.user_id]].contains(&categories[&row.item_id]);
        counts[usize::from(favourite)][usize::from(row.kind == "click")] += 1;
    }
    let ctr = |c: [usize; 2]| c[1] as f64 / c[0] as f64;
    assert!(
        ctr(counts[1]) > ctr(counts[0]) * 1.2,
        "favourite {} vs other {}",
        ctr(counts[1]),
        ctr(counts[0])
    );

    let ad_rows = ad_counts(&db).await;
    assert_eq!(
        (ad_rows[0], ad_rows[1], ad_rows[4], ad_rows[6]),
        (4, 8, 2, 2)
    );
    assert_eq!(ad_rows[3] as usize, truth.ad_events);
    assert!(ad_rows[2] >= 16, "two or three creatives a campaign");
    // Every user is assigned in the clean experiment; the other loses some treatment users.
    assert!(ad_rows[5] > 300 && ad_rows[5] < 600, "{}", ad_rows[5]);

    // The same seed gives the same world; running again replaces rather than adds.
    let again = generate::run(db.conn(), &config, |_| Ok(()))
        .await
        .expect("generate again");
    assert_eq!(again, truth);
    assert_eq!(
        user::Entity::find().count(db.conn()).await.expect("count"),
        300
    );
    assert_eq!(
        interaction::Entity::find()
            .count(db.conn())
            .await
            .expect("count") as usize,
        truth.events
    );
    assert_eq!(ad_counts(&db).await, ad_rows);
}

/// Rows of advertisers, campaigns, creatives, events, experiments, assignments, studies.
async fn ad_counts(db: &server::db::Database) -> [u64; 7] {
    let c = db.conn();
    [
        advertiser::Entity::find().count(c).await.expect("count"),
        campaign::Entity::find().count(c).await.expect("count"),
        creative::Entity::find().count(c).await.expect("count"),
        event::Entity::find().count(c).await.expect("count"),
        experiment::Entity::find().count(c).await.expect("count"),
        experiment_assignment::Entity::find()
            .count(c)
            .await
            .expect("count"),
        causal_study::Entity::find().count(c).await.expect("count"),
    ]
}

#[tokio::test]
async fn generating_without_the_catalogue_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = fresh_sqlite(tmp.path()).await;
    let config = GenerateConfig {
        catalogue: fashion::CATALOGUE.to_owned(),
        advertising: true,
        users: 10,
        events: 100,
        seed: 1,
        out_dir: tmp.path().join("truth"),
    };
    let error = generate::run(db.conn(), &config, |_| Ok(()))
        .await
        .expect_err("no catalogue")
        .to_string();
    assert!(error.contains("vitrine import fashion"), "{error}");
    assert!(!config.out_dir.join("ground_truth.json").exists());
}
