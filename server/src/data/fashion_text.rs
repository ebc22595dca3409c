//! The words of the demo catalogue: which real reviews each Fashion-MNIST class borrows, and
//! the templates for the classes that no review covers (shoes and bags).

use super::reviews::Review;
use super::rng::SplitMix64;

/// A Fashion-MNIST class (in label order) and where its text comes from.
pub struct FashionClass {
    pub name: &'static str,
    /// Review classes of the same kind of garment; empty means `template` writes the text.
    pub review_classes: &'static [&'static str],
    pub template: Option<&'static Template>,
}

pub struct Template {
    pub kinds: &'static [&'static str],
    pub materials: &'static [&'static str],
    pub features: &'static [&'static str],
}

const COLOURS: &[&str] = &[
    "black", "white", "tan", "navy", "red", "olive", "grey", "burgundy", "cream", "cognac",
];
const CLOSINGS: &[&str] = &[
    "Easy to pair with everyday outfits.",
    "Made to last through daily wear.",
    "A wardrobe staple in a classic shape.",
    "Lightweight and comfortable from morning to night.",
    "Finished with careful stitching throughout.",
];

const SANDAL: Template = Template {
    kinds: &[
        "sandal",
        "slide sandal",
        "strappy sandal",
        "platform sandal",
    ],
    materials: &["leather", "suede", "woven", "faux-leather"],
    features: &[
        "an ankle strap",
        "a cork footbed",
        "cross-over straps",
        "a buckle closure",
        "a cushioned sole",
        "a low block heel",
    ],
};
const SNEAKER: Template = Template {
    kinds: &[
        "low-top sneaker",
        "high-top sneaker",
        "slip-on sneaker",
        "running shoe",
    ],
    materials: &["canvas", "knit", "leather", "mesh"],
    features: &[
        "a cushioned insole",
        "a grippy rubber outsole",
        "a padded collar",
        "a breathable lining",
        "flat laces",
    ],
};
const BAG: Template = Template {
    kinds: &[
        "tote",
        "crossbody bag",
        "shoulder bag",
        "clutch",
        "backpack",
        "satchel",
    ],
    materials: &["leather", "canvas", "nylon", "faux-leather", "suede"],
    features: &[
        "a zip top",
        "an adjustable strap",
        "inner pockets",
        "a magnetic snap",
        "gold-tone hardware",
        "a detachable pouch",
    ],
};
const ANKLE_BOOT: Template = Template {
    kinds: &[
        "ankle boot",
        "chelsea boot",
        "lace-up boot",
        "heeled bootie",
    ],
    materials: &["leather", "suede", "faux-leather"],
    features: &[
        "a side zip",
        "a stacked heel",
        "a lug sole",
        "a pull tab",
        "elastic gussets",
        "an almond toe",
    ],
};

/// Label order of Fashion-MNIST.
pub const CLASSES: [FashionClass; 10] = [
    FashionClass {
        name: "T-shirt/top",
        review_classes: &["Knits"],
        template: None,
    },
    FashionClass {
        name: "Trouser",
        review_classes: &["Pants", "Jeans", "Casual bottoms"],
        template: None,
    },
    FashionClass {
        name: "Pullover",
        review_classes: &["Sweaters", "Fine gauge"],
        template: None,
    },
    FashionClass {
        name: "Dress",
        review_classes: &["Dresses"],
        template: None,
    },
    FashionClass {
        name: "Coat",
        review_classes: &["Jackets", "Outerwear"],
        template: None,
    },
    FashionClass {
        name: "Sandal",
        review_classes: &[],
        template: Some(&SANDAL),
    },
    FashionClass {
        name: "Shirt",
        review_classes: &["Blouses"],
        template: None,
    },
    FashionClass {
        name: "Sneaker",
        review_classes: &[],
        template: Some(&SNEAKER),
    },
    FashionClass {
        name: "Bag",
        review_classes: &[],
        template: Some(&BAG),
    },
    FashionClass {
        name: "Ankle boot",
        review_classes: &[],
        template: Some(&ANKLE_BOOT),
    },
];

/// Title and description written from `template`.
pub fn from_template(template: &Template, rng: &mut SplitMix64) -> (String, String) {
    let colour = rng.pick(COLOURS);
    let material = rng.pick(template.materials);
    let kind = rng.pick(template.kinds);
    let first = rng.below(template.features.len());
    let second = (first + 1 + rng.below(template.features.len() - 1)) % template.features.len();
    let title = capitalise(&format!("{colour} {material} {kind}"));
    let description = format!(
        "A {colour} {material} {kind} with {} and {}. {}",
        template.features[first],
        template.features[second],
        rng.pick(CLOSINGS)
    );
    (title, description)
}

/// Title and description from a real review: its title, or else its first sentence.
pub fn from_review(review: &Review) -> (String, String) {
    let title = if review.title.is_empty() {
        let sentence = review
            .text
            .split(['.', '!', '?'])
            .next()
            .unwrap_or(&review.text);
        shorten(sentence.trim(), 60)
    } else {
        shorten(&review.title, 80)
    };
    (title, review.text.clone())
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{at_word}…")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_deterministic_and_name_two_different_features() {
        let (a, b) = (
            from_template(&BAG, &mut SplitMix64::new(7)),
            from_template(&BAG, &mut SplitMix64::new(7)),
        );
        assert_eq!(a, b);
        for seed in 0..200 {
            let (title, description) = from_template(&ANKLE_BOOT, &mut SplitMix64::new(seed));
            assert!(
                title.chars().next().is_some_and(char::is_uppercase),
                "{title}"
            );
            let named = ANKLE_BOOT
                .features
                .iter()
                .filter(|f| description.contains(*f))
                .count();
            assert_eq!(named, 2, "{description}");
        }
    }

    #[test]
    fn review_text_becomes_title_and_description() {
        let review = |title: &str, text: &str| Review {
            class_name: "Dresses".into(),
            title: title.into(),
            text: text.into(),
        };
        assert_eq!(
            from_review(&review("Love it", "Fits well. Soft.")),
            ("Love it".into(), "Fits well. Soft.".into())
        );
        assert_eq!(from_review(&review("", "Fits well. Soft.")).0, "Fits well");
        let long = "word ".repeat(30);
        let (title, _) = from_review(&review("", &long));
        assert!(
            title.ends_with('…') && title.chars().count() <= 61,
            "{title}"
        );
    }
}
