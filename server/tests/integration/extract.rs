//! `extract` on real items: the fashion catalogue (pictures and review text) and MovieLens
//! (text only), through the real encoders into LanceDB. Resume, a corrupt picture, vectors of
//! other encoders, and what the text vectors mean.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use server::data::{fashion, movielens};
use server::db::entities::{item, item_image};
use server::encoders::{ImageEncoder, TextEncoder};
use server::features::{self, ExtractOptions, ExtractReport};
use server::vector::{FeatureRow, FeatureStamp, FeatureTable};

use crate::encoders::cpu_encoders;
use crate::import_fashion::packaged_sources;
use crate::import_movielens::movielens_dir;
use crate::support::TestApp;

async fn run(app: &TestApp, catalogue: &str, limit: Option<usize>) -> ExtractReport {
    let (text, image) = tokio::task::spawn_blocking(cpu_encoders)
        .await
        .expect("join");
    let options = ExtractOptions {
        catalogue: Some(catalogue.to_owned()),
        limit,
        up_to: None,
        batch_size: 32,
        page_size: 64,
    };
    let mut last = (0, 0);
    let report = features::extract(
        app.state.db.conn(),
        &app.state.vectors,
        Box::new(text),
        Box::new(image),
        &options,
        |done, total| last = (done, total),
    )
    .await
    .expect("extract");
    assert_eq!(last.0, last.1, "the progress reaches its total");
    report
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()
}

#[tokio::test]
async fn extraction_resumes_skips_bad_pictures_and_marks_text_only_items() {
    let app = TestApp::sqlite().await;
    let db = app.state.db.conn();
    let items = tokio::task::spawn_blocking(|| fashion::read(&packaged_sources(), 42))
        .await
        .expect("join")
        .expect("sources");
    fashion::load(db, fashion::CATALOGUE, &items[..300], |_| Ok(()))
        .await
        .expect("load");
    let stored = item::Entity::find().all(db).await.expect("items");
    let category: HashMap<i64, String> =
        stored.iter().map(|i| (i.id, i.category.clone())).collect();

    // A truncated picture fails its item only.
    let broken = stored[10].id;
    let picture = item_image::Entity::find()
        .filter(item_image::Column::ItemId.eq(broken))
        .one(db)
        .await
        .expect("query")
        .expect("a picture");
    let half = picture.content[..picture.content.len() / 2].to_vec();
    let mut truncated: item_image::ActiveModel = picture.into();
    truncated.content = Set(half);
    truncated.update(db).await.expect("truncate");

    // Vectors from another encoder version are replaced, not kept beside new ones.
    let (text, image) = cpu_encoders();
    let stale_stamp = FeatureStamp {
        text_encoder: format!("{}@older", text.info().name),
        image_encoder: image.info().stamp(),
        text_dim: 384,
        image_dim: 1280,
    };
    let stale_table = FeatureTable::open_or_create(&app.state.vectors, stale_stamp)
        .await
        .expect("table");
    let stale_id = stored[200].id;
    stale_table
        .append(&[FeatureRow {
            item_id: stale_id,
            text: vec![0.0; 384],
            image: None,
        }])
        .await
        .expect("append");

    let first = run(&app, fashion::CATALOGUE, Some(100)).await;
    assert_eq!((first.items, first.already_done), (300, 0));
    assert_eq!((first.extracted, first.failed.len()), (99, 1));
    assert_eq!(first.failed[0].item_id, broken);
    assert!(
        first.failed[0].reason.contains("decode"),
        "{:?}",
        first.failed
    );

    let second = run(&app, fashion::CATALOGUE, None).await;
    assert_eq!(second.already_done, 99, "the first run's items are skipped");
    assert_eq!((second.extracted, second.failed.len()), (200, 1));
    assert_eq!((second.with_image, second.replaced), (200, 1));

    let table = FeatureTable::open_or_create(&app.state.vectors, stamp_of(&text, &image))
        .await
        .expect("open");
    let rows = table.read_all().await.expect("read");
    assert_eq!(rows.len(), 299, "one row per item, the broken one left out");
    assert!(
        rows.iter()
            .all(|r| r.image.as_ref().map(Vec::len) == Some(1280))
    );
    let refreshed = rows
        .iter()
        .find(|r| r.item_id == stale_id)
        .expect("replaced row");
    assert!(refreshed.image.is_some() && refreshed.text.iter().any(|v| *v != 0.0));

    // "a red summer dress" is nearer dress items than sneaker items.
    let query = text.encode(&["a red summer dress"]).expect("encode");
    let query: Vec<f32> = Vec::try_from(query.view([-1])).expect("f32");
    let mean_similarity = |class: &str| {
        let sims: Vec<f32> = rows
            .iter()
            .filter(|r| category[&r.item_id] == class)
            .map(|r| cosine(&query, &r.text))
            .collect();
        assert!(sims.len() >= 10, "{class}: {} items", sims.len());
        sims.iter().sum::<f32>() / sims.len() as f32
    };
    let (dress, sneaker) = (mean_similarity("Dress"), mean_similarity("Sneaker"));
    assert!(
        dress > sneaker + 0.05,
        "dress {dress:.3} vs sneaker {sneaker:.3}"
    );
    app.stop().await;
}

fn stamp_of(text: &dyn TextEncoder, image: &dyn ImageEncoder) -> FeatureStamp {
    FeatureStamp {
        text_encoder: text.info().stamp(),
        image_encoder: image.info().stamp(),
        text_dim: text.info().dim,
        image_dim: image.info().dim,
    }
}

#[tokio::test]
async fn movielens_items_get_text_features_only() {
    let app = TestApp::sqlite().await;
    let data = movielens::read(&movielens_dir()).expect("files");
    movielens::load(app.state.db.conn(), &data, |_| Ok(()))
        .await
        .expect("load");
    let report = run(&app, "movielens", Some(40)).await;
    assert_eq!((report.items, report.extracted), (1682, 40));
    assert_eq!((report.text_only, report.with_image), (40, 0));
    assert!(report.failed.is_empty());
    let (text, image) = cpu_encoders();
    let table = FeatureTable::open_or_create(&app.state.vectors, stamp_of(&text, &image))
        .await
        .expect("open");
    let rows = table.read_all().await.expect("read");
    assert_eq!(rows.len(), 40);
    assert!(
        rows.iter()
            .all(|r| r.image.is_none() && r.text.len() == 384)
    );
    app.stop().await;
}
