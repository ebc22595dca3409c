//! The latent space of the synthetic world: each item gets a vector made from its real
//! picture and its real text, so that simulated tastes are tastes "over visual and textual
//! features". Seeded random projections keep it cheap and reproducible.

use super::super::rng::SplitMix64;

/// Dimensions of the latent space that users' tastes and items share.
pub const LATENT_DIM: usize = 16;
/// 28x28 pictures average-pooled in 4x4 blocks.
const VISUAL_DIM: usize = 49;
/// Hashed bag of words.
const TEXT_DIM: usize = 64;

/// Fixed projections from raw features to the latent space, drawn from the seed.
pub struct Projection {
    visual: Vec<[f64; VISUAL_DIM]>,
    text: Vec<[f64; TEXT_DIM]>,
}

impl Projection {
    pub fn new(rng: &mut SplitMix64) -> Self {
        let visual = (0..LATENT_DIM)
            .map(|_| std::array::from_fn(|_| rng.normal()))
            .collect();
        let text = (0..LATENT_DIM)
            .map(|_| std::array::from_fn(|_| rng.normal()))
            .collect();
        Self { visual, text }
    }

    /// The item's latent vector: equal parts picture and text, L2-normalised.
    pub fn item_vector(&self, pixels_28x28: &[u8], text: &str) -> [f64; LATENT_DIM] {
        let visual = visual_features(pixels_28x28);
        let words = text_features(text);
        let mut z = [0.0; LATENT_DIM];
        for (d, out) in z.iter_mut().enumerate() {
            let v: f64 = self.visual[d].iter().zip(&visual).map(|(w, x)| w * x).sum();
            let t: f64 = self.text[d].iter().zip(&words).map(|(w, x)| w * x).sum();
            *out = v + t;
        }
        normalise(z)
    }
}

/// 4x4 average pooling of a 28x28 picture, centred and L2-normalised.
fn visual_features(pixels: &[u8]) -> [f64; VISUAL_DIM] {
    let mut pooled = [0.0; VISUAL_DIM];
    for (index, &p) in pixels.iter().take(28 * 28).enumerate() {
        let (row, col) = (index / 28, index % 28);
        pooled[(row / 4) * 7 + col / 4] += f64::from(p) / (16.0 * 255.0);
    }
    let mean = pooled.iter().sum::<f64>() / VISUAL_DIM as f64;
    pooled.iter_mut().for_each(|x| *x -= mean);
    normalise(pooled)
}

/// Words of three letters or more, hashed (FNV-1a) into buckets, L2-normalised.
fn text_features(text: &str) -> [f64; TEXT_DIM] {
    let mut buckets = [0.0; TEXT_DIM];
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
    {
        let hash = word
            .to_lowercase()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        buckets[(hash % TEXT_DIM as u64) as usize] += 1.0;
    }
    normalise(buckets)
}

pub fn normalise<const N: usize>(mut v: [f64; N]) -> [f64; N] {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

pub fn dot(a: &[f64; LATENT_DIM], b: &[f64; LATENT_DIM]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_vectors_are_unit_length_and_depend_on_picture_and_text() {
        let projection = Projection::new(&mut SplitMix64::new(1));
        let bright: Vec<u8> = (0..784)
            .map(|i| if i % 28 < 14 { 255 } else { 0 })
            .collect();
        let dark: Vec<u8> = (0..784)
            .map(|i| if i / 28 < 14 { 255 } else { 0 })
            .collect();
        let a = projection.item_vector(&bright, "soft cotton tee");
        let b = projection.item_vector(&dark, "soft cotton tee");
        let c = projection.item_vector(&bright, "leather ankle boot with zip");
        assert!((dot(&a, &a) - 1.0).abs() < 1e-12);
        assert!(dot(&a, &b) < 0.999 && dot(&a, &c) < 0.999);
        assert_eq!(a, projection.item_vector(&bright, "Soft cotton TEE!"));
    }
}
