//! Calendar days and instants from the wire, checked.

use chrono::{DateTime, NaiveDate, Utc};

use app::error::{ApiError, ErrorCode};

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

/// A `YYYY-MM-DD` day named `what`.
pub(crate) fn day(text: &str, what: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(format!("{what} `{text}` is not a date like 2026-11-26")))
}

/// An RFC 3339 instant named `what`.
pub(crate) fn instant(text: &str, what: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            invalid(format!(
                "{what} `{text}` is not an RFC 3339 time like 2026-11-26T09:00:00Z"
            ))
        })
}

/// `from..=to`, each defaulting to `bounds`, at most `max_days` long.
pub(crate) fn range(
    from: Option<&str>,
    to: Option<&str>,
    bounds: (NaiveDate, NaiveDate),
    max_days: u32,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let from = from
        .map(|f| day(f, "from"))
        .transpose()?
        .unwrap_or(bounds.0);
    let to = to.map(|t| day(t, "to")).transpose()?.unwrap_or(bounds.1);
    if from > to {
        return Err(invalid(format!("from ({from}) is after to ({to})")));
    }
    let days = (to - from).num_days() + 1;
    if days > i64::from(max_days) {
        return Err(invalid(format!(
            "the range covers {days} days; at most {max_days} fit in one report"
        )));
    }
    Ok((from, to))
}

/// Every day of `from..=to`.
pub(crate) fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}
