//! What a batch of new items must be before anything is written: ids unique and well formed,
//! a title and a category, text or a picture, and a picture that is a whole PNG or JPEG.

use std::collections::HashSet;

use app::error::{ApiError, ErrorCode};
use app::wire::{MAX_CATALOGUE_BATCH, MAX_ITEM_PICTURE_BYTES, NewItem};
use base64::Engine;

/// A picture that decoded.
pub struct Picture {
    pub bytes: Vec<u8>,
    pub mime_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// An item that passed every check.
pub struct Checked {
    pub external_id: String,
    pub title: String,
    pub category: String,
    pub text: String,
    pub picture: Option<Picture>,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

/// A batch's size, for any catalogue request.
///
/// # Errors
/// `invalid_input` for an empty or oversized batch.
pub fn batch_size(n: usize, what: &str) -> Result<(), ApiError> {
    if n == 0 || n > MAX_CATALOGUE_BATCH {
        return Err(invalid(format!(
            "send 1 to {MAX_CATALOGUE_BATCH} {what} per request, not {n}"
        )));
    }
    Ok(())
}

/// An external id: 1 to 128 printable characters.
///
/// # Errors
/// `invalid_input` naming the field.
pub fn external_id(id: &str, field: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must be 1 to 128 printable characters"
        )));
    }
    Ok(())
}

/// Checks every item; the first problem names the item and the field.
///
/// # Errors
/// `invalid_input` (a missing field, a duplicate id, neither text nor picture, a picture that
/// does not decode) or `unsupported_media_type` (a picture that is not PNG or JPEG).
pub fn items(items: Vec<NewItem>) -> Result<Vec<Checked>, ApiError> {
    batch_size(items.len(), "items")?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let at = |field: &str| format!("items[{i}].{field}");
        external_id(&item.external_id, &at("external_id"))?;
        if !seen.insert(item.external_id.clone()) {
            return Err(invalid(format!(
                "{} `{}` appears twice in the batch",
                at("external_id"),
                item.external_id
            )));
        }
        for (value, field, max) in [
            (&item.title, "title", 300),
            (&item.category, "category", 100),
        ] {
            let value = value.trim();
            if value.is_empty() || value.chars().count() > max {
                return Err(invalid(format!(
                    "{} must be 1 to {max} characters",
                    at(field)
                )));
            }
        }
        let text = item.text.as_deref().map(str::trim).unwrap_or_default();
        let picture = match item.image_base64.as_deref().map(str::trim) {
            Some(encoded) if !encoded.is_empty() => Some(picture(encoded, &at("image_base64"))?),
            _ => None,
        };
        if text.is_empty() && picture.is_none() {
            return Err(invalid(format!(
                "items[{i}] has neither text nor a picture: the content tower needs one"
            )));
        }
        out.push(Checked {
            external_id: item.external_id,
            title: item.title.trim().to_owned(),
            category: item.category.trim().to_owned(),
            text: text.to_owned(),
            picture,
        });
    }
    Ok(out)
}

fn picture(encoded: &str, field: &str) -> Result<Picture, ApiError> {
    if encoded.len() > MAX_ITEM_PICTURE_BYTES / 3 * 4 + 4 {
        return Err(invalid(format!(
            "{field} is over {MAX_ITEM_PICTURE_BYTES} bytes"
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| invalid(format!("{field} is not base64: {e}")))?;
    let (format, mime_type) = match image::guess_format(&bytes) {
        Ok(image::ImageFormat::Png) => (image::ImageFormat::Png, "image/png"),
        Ok(image::ImageFormat::Jpeg) => (image::ImageFormat::Jpeg, "image/jpeg"),
        Ok(other) => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!("{field} is {other:?}; send PNG or JPEG"),
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!("{field} is not a picture format we know; send PNG or JPEG"),
            ));
        }
    };
    let decoded = image::load_from_memory_with_format(&bytes, format)
        .map_err(|e| invalid(format!("{field} cannot be decoded (truncated?): {e}")))?;
    Ok(Picture {
        width: decoded.width(),
        height: decoded.height(),
        bytes,
        mime_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, text: Option<&str>, image: Option<String>) -> NewItem {
        NewItem {
            external_id: id.into(),
            title: "Linen shirt".into(),
            category: "Shirt".into(),
            text: text.map(Into::into),
            image_base64: image,
        }
    }

    fn png() -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(4, 3, image::Rgb([200, 10, 10]))
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn good_items_pass_and_bad_ones_say_why() {
        let ok = items(vec![
            item("a", Some("Soft."), None),
            item("b", None, Some(b64(&png()))),
        ])
        .expect("valid");
        let p = ok[1].picture.as_ref().expect("a picture");
        assert_eq!((p.mime_type, p.width, p.height), ("image/png", 4, 3));

        let e = items(vec![item("a", None, None)]).err().expect("refused");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message.contains("neither text nor a picture"),
            "{}",
            e.message
        );

        let e = items(vec![item("a", Some("x"), None), item("a", Some("y"), None)])
            .err()
            .expect("refused");
        assert!(e.message.contains("appears twice"), "{}", e.message);

        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        let e = items(vec![item("a", None, Some(b64(gif)))])
            .err()
            .expect("refused");
        assert_eq!(e.code, ErrorCode::UnsupportedMediaType, "{}", e.message);

        let whole = png();
        let e = items(vec![item("a", None, Some(b64(&whole[..whole.len() / 2])))])
            .err()
            .expect("refused");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("cannot be decoded"), "{}", e.message);

        let e = items(vec![item("a", Some("x"), Some("%%%".into()))])
            .err()
            .expect("refused");
        assert!(e.message.contains("not base64"), "{}", e.message);
        assert!(items(Vec::new()).is_err());
        assert!(items(vec![item("", Some("x"), None)]).is_err());
    }
}
