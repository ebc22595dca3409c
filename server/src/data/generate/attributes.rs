//! What each item of the synthetic world *is*: interpretable attributes measured from its real
//! picture (silhouette, pattern, lightness) and read from its real words (colour, material,
//! fit, occasion, tone); the category is in both. Users' tastes are over these values, so the
//! world's truth lives in properties of the items, never in an encoder's space (which would
//! make the multi-modal test circular).

use serde::{Deserialize, Serialize};

/// Which modality carries a family of attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Carrier {
    Both,
    Picture,
    Text,
}

/// One attribute value of the world's vocabulary, such as `pattern=patterned`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub family: String,
    pub value: String,
    pub carrier: Carrier,
    /// Items of the catalogue with this value.
    pub items: usize,
}

impl AttributeValue {
    pub fn label(&self) -> String {
        format!("{}={}", self.family, self.value)
    }
}

/// Picture families: each splits every category at its own quantiles, so that "dark" means
/// dark for a sandal among sandals, and every value is common.
const LIGHTNESS: [&str; 3] = ["dark", "medium", "light"];
const PATTERN: [&str; 2] = ["plain", "patterned"];
const SHAPE: [&str; 2] = ["slim", "full"];

/// Text families: the first value (in order) whose words occur; none when no word does.
/// Phrases with a space match as substrings, single words as whole words.
type WordFamily = (
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);
const TEXT_FAMILIES: &[WordFamily] = &[
    (
        "colour",
        &[
            ("black", &["black"]),
            ("white", &["white", "ivory", "cream"]),
            ("grey", &["grey", "gray", "charcoal"]),
            ("blue", &["blue", "navy"]),
            ("red", &["red", "burgundy", "coral", "pink", "wine"]),
            ("green", &["green", "olive"]),
            ("brown", &["brown", "tan", "cognac", "camel", "beige"]),
        ],
    ),
    (
        "material",
        &[
            ("cotton", &["cotton"]),
            ("denim", &["denim", "jeans"]),
            ("silk", &["silk", "satin"]),
            ("linen", &["linen"]),
            ("knit", &["wool", "knit", "cashmere", "sweater"]),
            ("leather", &["leather", "suede"]),
            ("lace", &["lace"]),
            (
                "synthetic",
                &["polyester", "nylon", "mesh", "canvas", "rayon"],
            ),
        ],
    ),
    (
        "fit",
        &[
            ("snug", &["small", "snug", "tight", "size up"]),
            (
                "roomy",
                &[
                    "large",
                    "loose",
                    "roomy",
                    "size down",
                    "oversized",
                    "baggy",
                    "boxy",
                ],
            ),
        ],
    ),
    (
        "occasion",
        &[
            ("work", &["work", "office"]),
            ("evening", &["wedding", "party", "evening", "date"]),
            ("summer", &["summer", "beach", "vacation"]),
            ("winter", &["winter", "cold", "warm"]),
        ],
    ),
    (
        "tone",
        &[
            (
                "glowing",
                &["love", "perfect", "gorgeous", "beautiful", "great"],
            ),
            (
                "critical",
                &[
                    "disappoint",
                    "return",
                    "cheap",
                    "poor",
                    "unfortunately",
                    "sadly",
                ],
            ),
        ],
    ),
];

/// The vocabulary must fit the bit masks that items carry.
pub const MAX_VALUES: usize = 64;

/// The attributes of a catalogue: its vocabulary, and each item's values as a bit mask over it.
#[derive(Clone, Debug)]
pub struct Attributes {
    pub vocab: Vec<AttributeValue>,
    /// Per item (in input order): bit `v` set when the item has `vocab[v]`.
    pub masks: Vec<u64>,
}

/// An item's raw material: its category (index into `categories`), its words, and its
/// 28x28 grey picture (all zeros where it has none).
pub struct ItemSource<'a> {
    pub category: usize,
    pub text: &'a str,
    pub pixels: &'a [u8],
}

/// Measures every item. Deterministic: no randomness at all.
///
/// # Errors
/// A message when the vocabulary would exceed [`MAX_VALUES`] (too many categories).
pub fn measure(categories: &[String], items: &[ItemSource<'_>]) -> Result<Attributes, String> {
    let mut vocab: Vec<AttributeValue> = categories
        .iter()
        .map(|c| value("class", c, Carrier::Both))
        .collect();
    let picture = [
        ("lightness", &LIGHTNESS[..]),
        ("pattern", &PATTERN[..]),
        ("shape", &SHAPE[..]),
    ];
    for (family, values) in picture {
        vocab.extend(values.iter().map(|v| value(family, v, Carrier::Picture)));
    }
    for (family, values) in TEXT_FAMILIES {
        vocab.extend(values.iter().map(|(v, _)| value(family, v, Carrier::Text)));
    }
    if vocab.len() > MAX_VALUES {
        return Err(format!(
            "{} categories make {} attribute values; at most {MAX_VALUES} fit",
            categories.len(),
            vocab.len()
        ));
    }
    let offset = |family: &str| vocab.iter().position(|v| v.family == family).unwrap_or(0);
    let measures: Vec<[f64; 3]> = items.iter().map(|i| picture_measures(i.pixels)).collect();
    let mut masks: Vec<u64> = items.iter().map(|i| 1_u64 << i.category).collect();
    for (slot, (family, values)) in picture.iter().enumerate() {
        let cuts = per_category_cuts(categories.len(), items, &measures, slot, values.len());
        let base = offset(family);
        for (index, item) in items.iter().enumerate() {
            let level = cuts[item.category]
                .iter()
                .filter(|&&top_of_lower| measures[index][slot] > top_of_lower)
                .count();
            masks[index] |= 1 << (base + level);
        }
    }
    for (index, item) in items.iter().enumerate() {
        for cue in text_cues(item.text) {
            masks[index] |= 1 << (offset(cue.family) + cue.level);
        }
    }
    for (v, entry) in vocab.iter_mut().enumerate() {
        entry.items = masks.iter().filter(|&&m| m & (1 << v) != 0).count();
    }
    Ok(Attributes { vocab, masks })
}

/// A text attribute found in an item's words: its family, value, the value's position in the
/// family, and the word (or phrase) that gave it away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextCue {
    pub family: &'static str,
    pub value: &'static str,
    pub level: usize,
    pub cue: &'static str,
}

/// Each text family's value in `text`: the first value (in order) whose words occur, and the
/// first of its words that does. The item names of the catalogue are built from these, so a
/// name never says what its words do not.
pub fn text_cues(text: &str) -> Vec<TextCue> {
    let text = text.to_lowercase();
    let words: std::collections::HashSet<&str> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let occurs = |cue: &str| {
        if cue.contains(' ') {
            text.contains(cue)
        } else {
            words.contains(cue)
        }
    };
    TEXT_FAMILIES
        .iter()
        .filter_map(|(family, values)| {
            values
                .iter()
                .enumerate()
                .find_map(|(level, (value, cues))| {
                    cues.iter().find(|c| occurs(c)).map(|cue| TextCue {
                        family,
                        value,
                        level,
                        cue,
                    })
                })
        })
        .collect()
}

fn value(family: &str, value: &str, carrier: Carrier) -> AttributeValue {
    AttributeValue {
        family: family.to_owned(),
        value: value.to_owned(),
        carrier,
        items: 0,
    }
}

/// Lightness (mean of the garment's pixels), pattern (mean absolute step between neighbouring
/// garment pixels, relative to the lightness) and shape (the share of the frame the garment
/// fills), from a 28x28 picture; the garment is every pixel brighter than 30.
fn picture_measures(pixels: &[u8]) -> [f64; 3] {
    const SIDE: usize = 28;
    const INK: u8 = 30;
    let at = |r: usize, c: usize| pixels.get(r * SIDE + c).copied().unwrap_or(0);
    let (mut ink, mut sum) = (0_usize, 0.0);
    let (mut steps, mut step_sum) = (0_usize, 0.0);
    for r in 0..SIDE {
        for c in 0..SIDE {
            let p = at(r, c);
            if p <= INK {
                continue;
            }
            ink += 1;
            sum += f64::from(p);
            for (nr, nc) in [(r, c + 1), (r + 1, c)] {
                if nr < SIDE && nc < SIDE && at(nr, nc) > INK {
                    steps += 1;
                    step_sum += (f64::from(p) - f64::from(at(nr, nc))).abs();
                }
            }
        }
    }
    let lightness = sum / ink.max(1) as f64;
    let pattern = step_sum / steps.max(1) as f64 / lightness.max(1.0);
    [lightness, pattern, ink as f64 / (SIDE * SIDE) as f64]
}

/// For each category, the `levels - 1` quantile cuts of one measure: cut `k` is the largest
/// value of the lowest `k` shares, so ties at a cut stay together below it.
fn per_category_cuts(
    categories: usize,
    items: &[ItemSource<'_>],
    measures: &[[f64; 3]],
    slot: usize,
    levels: usize,
) -> Vec<Vec<f64>> {
    let mut by_category: Vec<Vec<f64>> = vec![Vec::new(); categories];
    for (item, m) in items.iter().zip(measures) {
        by_category[item.category].push(m[slot]);
    }
    by_category
        .into_iter()
        .map(|mut values| {
            values.sort_by(f64::total_cmp);
            (1..levels)
                .map(|k| {
                    let lower = (values.len() * k).div_ceil(levels);
                    values
                        .get(lower.saturating_sub(1))
                        .copied()
                        .unwrap_or(f64::INFINITY)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(level: u8, striped: bool, width: usize) -> Vec<u8> {
        (0..784)
            .map(|p| {
                let (r, c) = (p / 28, p % 28);
                if c < 14 - width / 2 || c >= 14 + width / 2 {
                    0
                } else if striped && r % 2 == 0 {
                    level / 2
                } else {
                    level
                }
            })
            .collect()
    }

    #[test]
    fn pictures_and_words_give_the_values_a_person_would_name() {
        let categories = vec!["Dress".to_owned(), "Bag".to_owned()];
        let pics = [
            picture(250, false, 20),
            picture(80, true, 8),
            picture(160, false, 14),
            picture(200, true, 10),
        ];
        let texts = [
            "A navy silk dress, perfect for a wedding",
            "Runs small; I had to return it. Black cotton.",
            "Plain words",
            "A cream leather tote",
        ];
        let items: Vec<ItemSource<'_>> = pics
            .iter()
            .zip(texts)
            .enumerate()
            .map(|(i, (p, t))| ItemSource {
                category: usize::from(i == 3),
                text: t,
                pixels: p,
            })
            .collect();
        let attributes = measure(&categories, &items).expect("vocabulary fits");
        let labels = |i: usize| -> Vec<String> {
            attributes
                .vocab
                .iter()
                .enumerate()
                .filter(|(v, _)| attributes.masks[i] & (1 << v) != 0)
                .map(|(_, a)| a.label())
                .collect()
        };
        assert_eq!(
            labels(0),
            [
                "class=Dress",
                "lightness=light",
                "pattern=plain",
                "shape=full",
                "colour=blue",
                "material=silk",
                "occasion=evening",
                "tone=glowing"
            ]
        );
        assert_eq!(
            labels(1),
            [
                "class=Dress",
                "lightness=dark",
                "pattern=patterned",
                "shape=slim",
                "colour=black",
                "material=cotton",
                "fit=snug",
                "tone=critical"
            ]
        );
        // Nothing in the words: only the picture's values and the class.
        assert_eq!(labels(2).len(), 4, "{:?}", labels(2));
        assert!(labels(3).contains(&"colour=white".to_owned()));
        assert_eq!(attributes.vocab[0].items, 3);
    }
}
