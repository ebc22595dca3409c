//! Pictures to encoder input with the `image` crate: decode, resize to R x R (a triangle filter,
//! which is bilinear when enlarging and antialiased when shrinking, like PIL's), grey replicated
//! to three channels, then ImageNet's mean and std. Resizing happens in `f32`, so no rounding to
//! 8 bits creeps in between the steps.

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageBuffer, Luma, Rgb};
use tch::Tensor;

pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

#[derive(Debug, thiserror::Error)]
#[error("cannot decode the picture: {0}")]
pub struct DecodeError(String);

/// Decodes PNG (or any format the build enables) bytes. A truncated or corrupt file is an error.
///
/// # Errors
/// [`DecodeError`] with the decoder's reason.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, DecodeError> {
    image::load_from_memory(bytes).map_err(|e| DecodeError(e.to_string()))
}

/// The picture as `3 * size * size` values, channel-major (CHW), normalised.
pub fn to_chw(picture: &DynamicImage, size: u32) -> Vec<f32> {
    let plane = (size * size) as usize;
    let mut out = Vec::with_capacity(3 * plane);
    if picture.color().has_color() {
        let rgb: ImageBuffer<Rgb<f32>, Vec<f32>> =
            imageops::resize(&picture.to_rgb32f(), size, size, FilterType::Triangle);
        for channel in 0..3 {
            let (mean, std) = (IMAGENET_MEAN[channel], IMAGENET_STD[channel]);
            out.extend(rgb.pixels().map(|p| (p.0[channel] - mean) / std));
        }
    } else {
        let grey: ImageBuffer<Luma<f32>, Vec<f32>> =
            imageops::resize(&picture.to_luma32f(), size, size, FilterType::Triangle);
        for channel in 0..3 {
            let (mean, std) = (IMAGENET_MEAN[channel], IMAGENET_STD[channel]);
            out.extend(grey.pixels().map(|p| (p.0[0] - mean) / std));
        }
    }
    out
}

/// Stacks pictures already turned into CHW values (see [`to_chw`]) into `[N, 3, size, size]`.
pub fn stack(chw: &[f32], size: u32) -> Tensor {
    let side = i64::from(size);
    Tensor::from_slice(chw).view([-1, 3, side, side])
}

/// One picture as a `[1, 3, size, size]` tensor.
pub fn to_tensor(picture: &DynamicImage, size: u32) -> Tensor {
    stack(&to_chw(picture, size), size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_png_is_an_error_not_a_panic() {
        let mut png = Vec::new();
        DynamicImage::new_luma8(28, 28)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        assert!(decode(&png).is_ok());
        let error = decode(&png[..png.len() / 2]).expect_err("truncated");
        assert!(error.to_string().starts_with("cannot decode"), "{error}");
        assert!(decode(b"not a picture").is_err());
    }

    #[test]
    fn grey_is_replicated_and_normalised_per_channel() {
        let white = DynamicImage::ImageLuma8(ImageBuffer::from_pixel(5, 7, Luma([255u8])));
        let values = to_chw(&white, 4);
        assert_eq!(values.len(), 3 * 16);
        for channel in 0..3 {
            let expected = (1.0 - IMAGENET_MEAN[channel]) / IMAGENET_STD[channel];
            for v in &values[channel * 16..(channel + 1) * 16] {
                assert!((v - expected).abs() < 1e-5, "{v} vs {expected}");
            }
        }
        assert_eq!(to_tensor(&white, 4).size(), vec![1, 3, 4, 4]);
    }
}
