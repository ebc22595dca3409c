//! Integers as JSON means them. JSON has one number type, and JSON Schema counts `20.0` as an
//! integer, so where a request expects a whole number it accepts `20` and `20.0` alike; a
//! fraction (`20.5`), a number out of the field's range or a non-number is refused, and the
//! REST error names the field (axum reports the path of a deserialisation error).
//!
//! Use with `#[serde(deserialize_with = "whole::number")]`, or for an optional field
//! `#[serde(default, deserialize_with = "whole::optional")]`.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// An integer type a request field may have.
pub trait Whole: Sized {
    fn from_i128(value: i128) -> Option<Self>;
}

macro_rules! whole {
    ($($t:ty),*) => {$(
        impl Whole for $t {
            fn from_i128(value: i128) -> Option<Self> {
                <$t>::try_from(value).ok()
            }
        }
    )*};
}
whole!(i32, i64, u32, u64, usize);

/// The largest magnitude at which every `f64` whole number is exact (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

struct WholeVisitor<T>(PhantomData<T>);

impl<T: Whole> WholeVisitor<T> {
    fn from<E: Error>(&self, value: i128, unexpected: Unexpected<'_>) -> Result<T, E> {
        T::from_i128(value).ok_or_else(|| E::invalid_value(unexpected, self))
    }
}

impl<'de, T: Whole> Visitor<'de> for WholeVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number in the field's range")
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
        self.from(i128::from(v), Unexpected::Signed(v))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
        self.from(i128::from(v), Unexpected::Unsigned(v))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() <= EXACT {
            self.from(v as i128, Unexpected::Float(v))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

/// A required whole number.
///
/// # Errors
/// A fraction, a number out of range, or not a number.
pub fn number<'de, D: Deserializer<'de>, T: Whole>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(WholeVisitor(PhantomData))
}

struct OptionalVisitor<T>(PhantomData<T>);

impl<'de, T: Whole> Visitor<'de> for OptionalVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number in the field's range, or null")
    }

    fn visit_none<E: Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        number(d).map(Some)
    }
}

/// An optional whole number (absent or `null` is `None`).
///
/// # Errors
/// As [`number`].
pub fn optional<'de, D: Deserializer<'de>, T: Whole>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_option(OptionalVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Request {
        #[serde(deserialize_with = "super::number")]
        id: i32,
        #[serde(default, deserialize_with = "super::optional")]
        k: Option<usize>,
    }

    fn parse(json: &str) -> Result<Request, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_in_any_spelling_are_accepted_and_fractions_refused() {
        assert_eq!(
            parse(r#"{"id": 7, "k": 20}"#),
            Ok(Request { id: 7, k: Some(20) })
        );
        assert_eq!(
            parse(r#"{"id": 7.0, "k": 20.0}"#),
            Ok(Request { id: 7, k: Some(20) })
        );
        assert_eq!(parse(r#"{"id": 7e0}"#), Ok(Request { id: 7, k: None }));
        assert_eq!(
            parse(r#"{"id": 7, "k": null}"#),
            Ok(Request { id: 7, k: None })
        );
        for bad in [
            r#"{"id": 7, "k": 20.5}"#,
            r#"{"id": 7, "k": -1}"#,
            r#"{"id": 3000000000}"#,
            r#"{"id": 1e300}"#,
            r#"{"id": "7"}"#,
        ] {
            let error = parse(bad).expect_err(bad);
            assert!(error.contains("whole number"), "{bad}: {error}");
        }
    }
}
