//! The words of the demo catalogue: which real reviews each Fashion-MNIST class borrows, and
//! the templates for the classes that no review covers (shoes and bags).

use super::generate::attributes::text_cues;
use super::reviews::Review;
use super::rng::SplitMix64;

/// A Fashion-MNIST class (in label order) and where its text comes from.
pub struct FashionClass {
    pub name: &'static str,
    /// What a shop calls one, at the end of a product name.
    pub noun: &'static str,
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
        noun: "top",
        review_classes: &["Knits"],
        template: None,
    },
    FashionClass {
        name: "Trouser",
        noun: "trousers",
        review_classes: &["Pants", "Jeans", "Casual bottoms"],
        template: None,
    },
    FashionClass {
        name: "Pullover",
        noun: "pullover",
        review_classes: &["Sweaters", "Fine gauge"],
        template: None,
    },
    FashionClass {
        name: "Dress",
        noun: "dress",
        review_classes: &["Dresses"],
        template: None,
    },
    FashionClass {
        name: "Coat",
        noun: "coat",
        review_classes: &["Jackets", "Outerwear"],
        template: None,
    },
    FashionClass {
        name: "Sandal",
        noun: "sandal",
        review_classes: &[],
        template: Some(&SANDAL),
    },
    FashionClass {
        name: "Shirt",
        noun: "shirt",
        review_classes: &["Blouses"],
        template: None,
    },
    FashionClass {
        name: "Sneaker",
        noun: "sneaker",
        review_classes: &[],
        template: Some(&SNEAKER),
    },
    FashionClass {
        name: "Bag",
        noun: "bag",
        review_classes: &[],
        template: Some(&BAG),
    },
    FashionClass {
        name: "Ankle boot",
        noun: "ankle boot",
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

/// A product name and a description from a real review of the class. The name is built from
/// the class and the attributes the review's words carry (fit, colour, material; the occasion
/// when none of those is named), as the synthetic world reads them, so that the name, the text
/// and the behaviour agree: "Roomy navy cotton pullover". Only text attributes go into the
/// name: the picture's (pattern, lightness, shape) stay the picture's, so the modality
/// ablation still measures what the pictures add. The review is the description, labelled.
pub fn from_review(class: &FashionClass, review: &Review) -> (String, String) {
    let description = if review.title.is_empty() {
        format!("Customer review: {}", review.text)
    } else {
        format!("Customer review, \"{}\": {}", review.title, review.text)
    };
    (product_name(class, &description), description)
}

/// Cues that name a garment rather than a colour or a material.
const GARMENT_CUES: &[&str] = &["jeans", "sweater"];

/// `[fit] [colour] [material] noun`, or `[occasion] noun`, or `Classic noun`.
pub fn product_name(class: &FashionClass, text: &str) -> String {
    let cues = text_cues(text);
    let word = |family: &str, from_value: bool| {
        cues.iter()
            .find(|c| c.family == family)
            // A garment word ("jeans", "sweater") names its material by the value ("denim").
            .map(|c| {
                if from_value || GARMENT_CUES.contains(&c.cue) {
                    c.value
                } else {
                    c.cue
                }
            })
    };
    let mut words: Vec<&str> = [
        word("fit", true),
        word("colour", false),
        word("material", false),
    ]
    .into_iter()
    .flatten()
    .collect();
    if words.is_empty() {
        words.push(word("occasion", true).unwrap_or("classic"));
    }
    words.push(class.noun);
    capitalise(&words.join(" "))
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
    fn a_review_becomes_the_labelled_description_and_its_attributes_the_name() {
        let review = |title: &str, text: &str| Review {
            class_name: "Sweaters".into(),
            title: title.into(),
            text: text.into(),
        };
        let pullover = &CLASSES[2];
        let (name, description) = from_review(
            pullover,
            &review(
                "Disappointing!",
                "Runs large. The navy wool is itchy, sadly.",
            ),
        );
        assert_eq!(name, "Roomy navy wool pullover");
        assert_eq!(
            description,
            "Customer review, \"Disappointing!\": Runs large. The navy wool is itchy, sadly."
        );
        // No fit, colour or material: the occasion, else "classic".
        assert_eq!(
            from_review(pullover, &review("", "Wore it to the office.")).0,
            "Work pullover"
        );
        assert_eq!(
            from_review(&CLASSES[3], &review("Beautiful", "So happy with it.")).0,
            "Classic dress"
        );
        // A garment word names the material by its value.
        assert_eq!(
            from_review(&CLASSES[1], &review("", "My favourite jeans.")).0,
            "Denim trousers"
        );
    }

    #[test]
    fn a_name_says_only_what_the_words_say() {
        // Every value the name implies is one the world reads from the same text.
        let text = "Customer review: A tight fit in black and white silk, great for a date.";
        let name = product_name(&CLASSES[6], text);
        assert_eq!(name, "Snug black silk shirt");
        let values = |t: &str| -> Vec<(&str, &str)> {
            text_cues(t).iter().map(|c| (c.family, c.value)).collect()
        };
        assert_eq!(values(&format!("{name} {text}")), values(text));
    }
}
