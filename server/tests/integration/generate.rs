//! `generate` over a small catalogue of real-format items: sizes, determinism, the planted
//! click model visible in the data level by level, and the ground truth beside it.

use std::collections::HashMap;
use std::io::Cursor;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::data::fashion::{self, FashionItem};
use server::data::generate::{self, GenerateConfig, GroundTruth};
use server::db::entities::{
    advertiser, campaign, causal_study, creative, event, experiment, experiment_assignment,
    interaction, user,
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
    // The feed's events, and the experiments' saves and dwell on promoted items.
    assert_eq!(stored, truth.events + truth.ad_feed_activity);
    assert!(truth.ad_feed_activity > 0);
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

    // Realised CTR agrees with the planted probabilities within four standard errors.
    let views = truth.counts.view as f64;
    let se = (truth.expected_ctr * (1.0 - truth.expected_ctr) / views).sqrt();
    assert!(
        (truth.realised_ctr - truth.expected_ctr).abs() < 4.0 * se,
        "{truth:?}"
    );

    // Planted vs realised, level by level: at every affinity that enough impressions reach,
    // the click-through rate is the planted sigmoid within four standard errors.
    let by_label = |file: &str, column: usize| -> HashMap<String, String> {
        std::fs::read_to_string(config.out_dir.join(file))
            .expect("truth file")
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].to_owned(), f[column].to_owned())
            })
            .collect()
    };
    let tastes = by_label("user_tastes.tsv", 1);
    let attributes = by_label("item_attributes.tsv", 2);
    assert_eq!((tastes.len(), attributes.len()), (300, 90));
    let affinity = |user: &str, item: i64| -> f64 {
        let values: Vec<&str> = attributes[&item.to_string()].split('|').collect();
        tastes[user]
            .split('|')
            .filter_map(|t| t.rsplit_once(':'))
            .filter(|(label, _)| values.contains(label))
            .map(|(_, w)| w.parse::<f64>().expect("weight"))
            .sum()
    };
    let users: HashMap<i64, String> = user::Entity::find()
        .all(db.conn())
        .await
        .expect("users")
        .into_iter()
        .map(|u| (u.id, u.external_id))
        .collect();
    // Affinity (in tenths) -> [views, clicks].
    let mut levels: HashMap<i64, [usize; 2]> = HashMap::new();
    for row in interaction::Entity::find()
        .filter(interaction::Column::Kind.is_in(["view", "click"]))
        .all(db.conn())
        .await
        .expect("interactions")
    {
        let a = affinity(&users[&row.user_id], row.item_id);
        levels.entry((a * 10.0).round() as i64).or_default()[usize::from(row.kind == "click")] += 1;
    }
    let mut checked = 0;
    for (&tenths, &[views, clicks]) in &levels {
        if views < 500 {
            continue;
        }
        let planted = truth.params.click_probability(tenths as f64 / 10.0);
        let realised = clicks as f64 / views as f64;
        let se = (planted * (1.0 - planted) / views as f64).sqrt();
        assert!(
            (realised - planted).abs() < 4.0 * se,
            "affinity {tenths}/10: {clicks} clicks of {views} views, planted {planted}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "{levels:?}");
    // The tastes decide: liked items are clicked far more often than the rest.
    let rate = |keep: &dyn Fn(i64) -> bool| {
        let (views, clicks) = levels
            .iter()
            .filter(|(t, _)| keep(**t))
            .fold((0, 0), |(v, c), (_, [views, clicks])| {
                (v + views, c + clicks)
            });
        clicks as f64 / views.max(1) as f64
    };
    let (liked, neutral) = (rate(&|t| t >= 20), rate(&|t| t == 0));
    assert!(liked > 5.0 * neutral, "liked {liked} vs neutral {neutral}");

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
        truth.events + truth.ad_feed_activity
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
