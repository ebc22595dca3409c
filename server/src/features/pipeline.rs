//! The three overlapping stages of extraction: SQL pages in, one encoder thread, LanceDB out.

use std::collections::HashMap;

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use super::source::{self, SourceItem};
use super::{ExtractError, ExtractOptions, ExtractReport, ItemFailure};
use crate::encoders::{EncoderError, ImageEncoder, TextEncoder, preprocess, to_rows};
use crate::vector::{FeatureRow, FeatureTable, RowState};

/// Pages in flight between two stages: enough to overlap I/O with compute, little memory.
const DEPTH: usize = 2;
/// Texts remembered across pages. Catalogues repeat texts (the demo's 70K items have 40K
/// distinct ones), and a repeat costs a lookup instead of a forward pass; 100K vectors of
/// 384 floats are about 150 MB at most.
const TEXT_CACHE_LIMIT: usize = 100_000;

type TextCache = HashMap<String, Vec<f32>>;

struct Encoded {
    rows: Vec<FeatureRow>,
    failures: Vec<ItemFailure>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn run(
    db: &DatabaseConnection,
    table: &FeatureTable,
    states: &HashMap<i64, RowState>,
    text: Box<dyn TextEncoder>,
    image: Box<dyn ImageEncoder>,
    todo: Vec<i64>,
    options: &ExtractOptions,
    report: &mut ExtractReport,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), ExtractError> {
    let total = todo.len();
    let (page_tx, mut page_rx) = mpsc::channel::<Vec<SourceItem>>(DEPTH);
    let (out_tx, mut out_rx) = mpsc::channel::<Result<Encoded, EncoderError>>(DEPTH);
    let batch_size = options.batch_size.max(1);
    let worker = std::thread::Builder::new()
        .name("extract-encoders".into())
        .spawn(move || {
            let mut cache = TextCache::new();
            while let Some(page) = page_rx.blocking_recv() {
                let encoded =
                    encode_page(page, text.as_ref(), image.as_ref(), batch_size, &mut cache);
                let stop = encoded.is_err();
                if out_tx.blocking_send(encoded).is_err() || stop {
                    break;
                }
            }
        })
        .map_err(|e| ExtractError::Worker(e.to_string()))?;

    let reader = async {
        for ids in todo.chunks(options.page_size.max(1)) {
            let page = source::load_page(db, ids).await?;
            if page_tx.send(page).await.is_err() {
                break; // the worker stopped; its error arrives on the other channel
            }
        }
        drop(page_tx);
        Ok::<(), ExtractError>(())
    };
    let writer = async {
        let mut settled = 0;
        while let Some(encoded) = out_rx.recv().await {
            let encoded = encoded?;
            let (fresh, stale): (Vec<FeatureRow>, Vec<FeatureRow>) = encoded
                .rows
                .into_iter()
                .partition(|row| !states.contains_key(&row.item_id));
            table.append(&fresh).await?;
            table.replace(&stale).await?;
            let written = fresh.len() + stale.len();
            report.with_image += fresh
                .iter()
                .chain(&stale)
                .filter(|r| r.image.is_some())
                .count();
            report.extracted += written;
            report.replaced += stale.len();
            settled += written + encoded.failures.len();
            report.failed.extend(encoded.failures);
            progress(settled, total);
        }
        Ok::<(), ExtractError>(())
    };
    let (read, write) = tokio::join!(reader, writer);
    report.text_only = report.extracted - report.with_image;
    worker
        .join()
        .map_err(|_| ExtractError::Worker("the encoder thread panicked".into()))?;
    write.and(read)
}

/// Decodes and preprocesses the pictures (a bad one fails only its item), then runs both
/// encoders in batches.
fn encode_page(
    page: Vec<SourceItem>,
    text: &dyn TextEncoder,
    image: &dyn ImageEncoder,
    batch_size: usize,
    cache: &mut TextCache,
) -> Result<Encoded, EncoderError> {
    let size = image.resolution();
    let mut failures = Vec::new();
    let mut items = Vec::with_capacity(page.len());
    let mut pixels = Vec::new();
    let mut has_picture = Vec::with_capacity(page.len());
    for item in page {
        match item.picture.as_deref().map(preprocess::decode) {
            Some(Err(error)) => failures.push(ItemFailure {
                item_id: item.id,
                reason: error.to_string(),
            }),
            Some(Ok(picture)) => {
                pixels.extend(preprocess::to_chw(&picture, size));
                has_picture.push(true);
                items.push(item);
            }
            None => {
                has_picture.push(false);
                items.push(item);
            }
        }
    }

    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    encode_new_texts(&texts, text, batch_size, cache)?;
    let text_vectors: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| cache.get(*t).cloned().unwrap_or_default())
        .collect();

    let plane = 3 * (size as usize) * (size as usize);
    let mut image_vectors = Vec::with_capacity(pixels.len() / plane.max(1));
    for chunk in pixels.chunks(plane * batch_size) {
        let (_, dim, values) = to_rows(&image.encode(&preprocess::stack(chunk, size))?)?;
        image_vectors.extend(values.chunks_exact(dim.max(1)).map(<[f32]>::to_vec));
    }

    let mut image_vectors = image_vectors.into_iter();
    let rows = items
        .iter()
        .zip(text_vectors)
        .zip(has_picture)
        .map(|((item, text), has_picture)| FeatureRow {
            item_id: item.id,
            text,
            image: if has_picture {
                image_vectors.next()
            } else {
                None
            },
        })
        .collect();
    Ok(Encoded { rows, failures })
}

/// Encodes the texts not yet in `cache`, each once, sorted by length so that a batch pads
/// little, and remembers them.
fn encode_new_texts(
    texts: &[&str],
    text: &dyn TextEncoder,
    batch_size: usize,
    cache: &mut TextCache,
) -> Result<(), EncoderError> {
    if cache.len() + texts.len() > TEXT_CACHE_LIMIT {
        cache.clear(); // before choosing what to encode, so every text of this page is there after
    }
    let mut new: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| !cache.contains_key(*t))
        .collect();
    new.sort_unstable_by_key(|t| (t.len(), *t));
    new.dedup();
    for chunk in new.chunks(batch_size) {
        let (_, dim, values) = to_rows(&text.encode(chunk)?)?;
        for (t, vector) in chunk.iter().zip(values.chunks_exact(dim.max(1))) {
            cache.insert((*t).to_owned(), vector.to_vec());
        }
    }
    Ok(())
}
