//! The demo catalogue: the 70,000 real Fashion-MNIST images as items' pictures, with
//! descriptions from real reviews of the matching clothing class (labelled as reviews, and
//! named from the attributes their words carry), and from templates for shoes and bags, which
//! no review covers. The images and the texts are real;
//! their pairing is synthetic (seeded, so the same seed gives the same catalogue).

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use sea_orm::{
    ActiveValue::{NotSet, Set},
    DatabaseConnection, EntityTrait, TransactionTrait,
};

use super::DataError;
use super::fashion_text::{CLASSES, from_review, from_template};
use super::idx;
use super::load::{CHUNK, Progress, Tracker, ids_by_external, replace_catalogue};
use super::reviews::{self, Review};
use super::rng::SplitMix64;
use crate::db::entities::{item, item_image};

pub const CATALOGUE: &str = "fashion";
/// Images are stored as encoded PNGs; a smaller chunk keeps each INSERT's payload modest.
const IMAGE_CHUNK: usize = 500;

/// Where the sources are.
pub struct FashionSources {
    /// Holds `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`.
    pub images_dir: PathBuf,
    /// The reviews Parquet file.
    pub reviews: PathBuf,
}

/// Where Debian's `dataset-fashion-mnist` package puts the files.
pub const DEBIAN_IMAGES_DIR: &str = "/usr/share/datasets/fashion-mnist";

pub struct FashionItem {
    /// `train-00000` .. `t10k-09999`: the split and the index in Fashion-MNIST.
    pub external_id: String,
    pub category: &'static str,
    pub title: String,
    pub description: String,
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    pub items: usize,
    pub from_reviews: usize,
    pub from_templates: usize,
}

/// Reads both splits and the reviews, pairs them, and encodes every image as PNG. CPU-bound:
/// call it off the async executor.
///
/// # Errors
/// [`DataError`] naming the file (and the record) of the first problem.
pub fn read(sources: &FashionSources, seed: u64) -> Result<Vec<FashionItem>, DataError> {
    let all_reviews = reviews::read(&sources.reviews)?;
    let pools = review_pools(&all_reviews, &sources.reviews)?;
    let mut rng = SplitMix64::new(seed);
    let mut items = Vec::with_capacity(70_000);
    for split in ["train", "t10k"] {
        let images_path = sources
            .images_dir
            .join(format!("{split}-images-idx3-ubyte.gz"));
        let labels_path = sources
            .images_dir
            .join(format!("{split}-labels-idx1-ubyte.gz"));
        let images = idx::read_images(&images_path)?;
        let labels = idx::read_labels(&labels_path)?;
        if labels.len() != images.count {
            return Err(DataError::Format {
                file: labels_path,
                reason: format!("{} labels for {} images", labels.len(), images.count),
            });
        }
        for (index, &label) in labels.iter().enumerate() {
            let class = CLASSES
                .get(usize::from(label))
                .ok_or_else(|| DataError::Record {
                    file: labels_path.clone(),
                    index,
                    reason: format!("label {label} is not a Fashion-MNIST class (0-9)"),
                })?;
            let (title, description) = match class.template {
                Some(template) => from_template(template, &mut rng),
                None => {
                    let review: &&Review = rng.pick(pools[class.name].as_slice());
                    from_review(class, review)
                }
            };
            let png =
                encode_png(images.image(index), images.cols, images.rows).map_err(|reason| {
                    DataError::Record {
                        file: images_path.clone(),
                        index,
                        reason,
                    }
                })?;
            items.push(FashionItem {
                external_id: format!("{split}-{index:05}"),
                category: class.name,
                title,
                description,
                png,
                width: images.cols as u32,
                height: images.rows as u32,
            });
        }
    }
    Ok(items)
}

/// The reviews each review-backed class draws from; a class with none is an error.
fn review_pools<'a>(
    all: &'a [Review],
    path: &Path,
) -> Result<HashMap<&'static str, Vec<&'a Review>>, DataError> {
    let mut pools = HashMap::new();
    for class in CLASSES.iter().filter(|c| c.template.is_none()) {
        let pool: Vec<&Review> = all
            .iter()
            .filter(|r| class.review_classes.contains(&r.class_name.as_str()))
            .collect();
        if pool.is_empty() {
            return Err(DataError::Format {
                file: path.to_owned(),
                reason: format!(
                    "no reviews of class {:?} for {}",
                    class.review_classes, class.name
                ),
            });
        }
        pools.insert(class.name, pool);
    }
    Ok(pools)
}

pub(super) fn encode_png(pixels: &[u8], width: usize, height: usize) -> Result<Vec<u8>, String> {
    let image = image::GrayImage::from_raw(width as u32, height as u32, pixels.to_vec())
        .ok_or_else(|| {
            format!(
                "{} bytes do not make a {width}x{height} image",
                pixels.len()
            )
        })?;
    let mut png = Cursor::new(Vec::with_capacity(512));
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode as PNG: {e}"))?;
    Ok(png.into_inner())
}

/// FNV-1a, 64 bits, as hex: a stable content hash for HTTP ETags.
pub fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Replaces the catalogue `catalogue` with `items` and their images, in one transaction.
///
/// # Errors
/// [`DataError::Database`] (for example while campaigns still promote the old items), or
/// whatever `progress` returned; either way nothing is committed.
pub async fn load(
    db: &DatabaseConnection,
    catalogue: &str,
    items: &[FashionItem],
    progress: impl FnMut(Progress) -> Result<(), DataError>,
) -> Result<ImportSummary, DataError> {
    let now = chrono::Utc::now();
    let mut tracker = Tracker::new(items.len() * 2, progress);
    let txn = db.begin().await?;
    let description = if items.len() > 70_000 {
        "Fashion-MNIST images with real review text, plus transformed variants (scale size)"
    } else {
        "Fashion-MNIST images with real review text; the pairing is synthetic"
    };
    let catalogue_id = replace_catalogue(&txn, catalogue, description).await?;
    for chunk in items.chunks(CHUNK) {
        item::Entity::insert_many(chunk.iter().map(|i| item::ActiveModel {
            id: NotSet,
            catalogue_id: Set(catalogue_id),
            external_id: Set(i.external_id.clone()),
            title: Set(i.title.clone()),
            description: Set(i.description.clone()),
            category: Set(i.category.to_owned()),
            year: Set(None),
            genres: Set(None),
            retired_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }))
        .exec_without_returning(&txn)
        .await?;
        tracker.advance(chunk.len())?;
    }
    let ids = ids_by_external(&txn, "items", catalogue_id).await?;
    for chunk in items.chunks(IMAGE_CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for i in chunk {
            let item_id = *ids.get(&i.external_id).ok_or_else(|| {
                DataError::Inconsistent(format!("item {} was not loaded", i.external_id))
            })?;
            rows.push(item_image::ActiveModel {
                id: NotSet,
                item_id: Set(item_id),
                mime_type: Set("image/png".to_owned()),
                width: Set(i.width as i32),
                height: Set(i.height as i32),
                content_hash: Set(content_hash(&i.png)),
                content: Set(i.png.clone()),
                created_at: Set(now),
            });
        }
        item_image::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
        tracker.advance(chunk.len())?;
    }
    txn.commit().await?;
    let from_templates = items.iter().filter(|i| is_templated(i.category)).count();
    Ok(ImportSummary {
        items: items.len(),
        from_reviews: items.len() - from_templates,
        from_templates,
    })
}

fn is_templated(category: &str) -> bool {
    CLASSES
        .iter()
        .any(|c| c.name == category && c.template.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_encoding_round_trips() {
        let pixels: Vec<u8> = (0..=255).cycle().take(28 * 28).collect();
        let png = encode_png(&pixels, 28, 28).expect("encode");
        let decoded = image::load_from_memory(&png).expect("decode").to_luma8();
        assert_eq!(decoded.dimensions(), (28, 28));
        assert_eq!(decoded.into_raw(), pixels);
        assert!(encode_png(&pixels[..10], 28, 28).is_err());
    }

    #[test]
    fn the_content_hash_is_fnv1a() {
        // Reference values of FNV-1a 64 (the empty input is the offset basis).
        assert_eq!(content_hash(b""), "cbf29ce484222325");
        assert_eq!(content_hash(b"a"), "af63dc4c8601ec8c");
    }
}
