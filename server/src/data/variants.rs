//! Items beyond the 70,000 real ones, for the scale size: each variant is a real item's
//! picture, transformed (mirrored, shifted, brightened or darkened), with recombined real text
//! (its source's title, and the description of another item of the same class). Its
//! `external_id` names its source: `var-0000123-of-train-04567`.

use std::collections::HashMap;

use super::DataError;
use super::fashion::{FashionItem, encode_png};
use super::rng::SplitMix64;

/// `real` followed by variants up to `total` items in all; fewer than the real ones keeps the
/// first `total` (a small catalogue for quick experiments).
///
/// # Errors
/// [`DataError::Inconsistent`] when a real picture cannot be decoded.
pub fn extend(
    mut real: Vec<FashionItem>,
    total: usize,
    seed: u64,
) -> Result<Vec<FashionItem>, DataError> {
    let originals = real.len();
    if total <= originals || originals == 0 {
        real.truncate(total.max(1));
        return Ok(real);
    }
    let mut by_category: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (index, item) in real.iter().enumerate() {
        by_category.entry(item.category).or_default().push(index);
    }
    let mut rng = SplitMix64::new(seed ^ 0x7A21_A175);
    let mut variants = Vec::with_capacity(total - originals);
    for k in 0..total - originals {
        let source = &real[rng.below(originals)];
        let donor = &real[*rng.pick(&by_category[source.category])];
        let pixels = decode(&source.png).map_err(|reason| {
            DataError::Inconsistent(format!("item {}: {reason}", source.external_id))
        })?;
        let transformed = transform(
            &pixels,
            source.width as usize,
            source.height as usize,
            &mut rng,
        );
        let png = encode_png(&transformed, source.width as usize, source.height as usize)
            .map_err(DataError::Inconsistent)?;
        variants.push(FashionItem {
            external_id: format!("var-{k:07}-of-{}", source.external_id),
            category: source.category,
            title: source.title.clone(),
            description: donor.description.clone(),
            png,
            width: source.width,
            height: source.height,
        });
    }
    real.extend(variants);
    Ok(real)
}

fn decode(png: &[u8]) -> Result<Vec<u8>, String> {
    Ok(image::load_from_memory(png)
        .map_err(|e| format!("unreadable picture: {e}"))?
        .to_luma8()
        .into_raw())
}

/// One or two of: a mirror, a shift of one or two pixels, a brightness change.
fn transform(pixels: &[u8], width: usize, height: usize, rng: &mut SplitMix64) -> Vec<u8> {
    let mut out = pixels.to_vec();
    // One or two different kinds of step, so that two steps never undo each other.
    let first = rng.below(3);
    let kinds = if rng.bernoulli(0.5) {
        vec![first]
    } else {
        vec![first, (first + 1 + rng.below(2)) % 3]
    };
    for kind in kinds {
        out = match kind {
            0 => (0..height * width)
                .map(|i| out[(i / width) * width + (width - 1 - i % width)])
                .collect(),
            1 => {
                // Never (0, 0): a shift always moves the picture.
                const OFFSETS: [isize; 4] = [-2, -1, 1, 2];
                let dx = OFFSETS[rng.below(4)];
                let dy = OFFSETS[rng.below(4)];
                (0..height * width)
                    .map(|i| {
                        let (y, x) = ((i / width) as isize - dy, (i % width) as isize - dx);
                        let inside =
                            (0..height as isize).contains(&y) && (0..width as isize).contains(&x);
                        if inside {
                            out[y as usize * width + x as usize]
                        } else {
                            0
                        }
                    })
                    .collect()
            }
            _ => {
                let gain = 0.75 + 0.5 * rng.uniform();
                out.iter()
                    .map(|&p| (f64::from(p) * gain).round().clamp(0.0, 255.0) as u8)
                    .collect()
            }
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, category: &'static str, shade: u8) -> FashionItem {
        let pixels: Vec<u8> = (0..784)
            .map(|i| if i % 28 < 10 { shade } else { 0 })
            .collect();
        FashionItem {
            external_id: id.into(),
            category,
            title: format!("title {id}"),
            description: format!("description {id}"),
            png: encode_png(&pixels, 28, 28).expect("png"),
            width: 28,
            height: 28,
        }
    }

    #[test]
    fn variants_keep_class_recombine_text_and_change_the_picture() {
        let real = vec![
            item("a", "Dress", 200),
            item("b", "Dress", 120),
            item("c", "Bag", 90),
        ];
        let all = extend(real, 60, 1).expect("variants");
        assert_eq!(all.len(), 60);
        for v in &all[3..] {
            let source_id = v.external_id.rsplit("-of-").next().expect("provenance");
            let source = all[..3]
                .iter()
                .find(|r| r.external_id == source_id)
                .expect("source");
            assert_eq!(v.category, source.category);
            assert_eq!(v.title, source.title);
            let donor = all[..3]
                .iter()
                .find(|r| r.description == v.description)
                .expect("donor");
            assert_eq!(donor.category, v.category);
            assert_eq!(decode(&v.png).expect("png").len(), 784);
        }
        let changed = all[3..].iter().filter(|v| {
            let source_id = v.external_id.rsplit("-of-").next().unwrap_or_default();
            let source = all[..3].iter().find(|r| r.external_id == source_id);
            source.is_some_and(|s| decode(&s.png).ok() != decode(&v.png).ok())
        });
        assert!(
            changed.count() >= 50,
            "most variants differ from their source picture"
        );
        let again = extend(
            vec![
                item("a", "Dress", 200),
                item("b", "Dress", 120),
                item("c", "Bag", 90),
            ],
            60,
            1,
        )
        .expect("again");
        assert!(
            again
                .iter()
                .zip(&all)
                .all(|(x, y)| x.png == y.png && x.external_id == y.external_id)
        );
    }
}
