//! Failures whose detail is for the log, not the caller: a database error's text, a task that
//! panicked, the vector store's complaint. Each is logged at error level with what was being
//! done, the detail and a fresh reference; the caller gets the code, a plain sentence and the
//! reference to quote, and never the detail.

use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};

use app::error::{ApiError, ErrorCode};

/// A short reference, unique within the process and unlikely to repeat across restarts: the
/// start time and a counter, mixed (SplitMix64's finaliser) so that references do not read as
/// a sequence.
pub fn reference() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let mut z = start.wrapping_add(
        NEXT.fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    format!("{:012x}", (z ^ (z >> 31)) >> 16)
}

/// `code` with `sentence` for the caller; `what` was being done and `detail` went wrong, for
/// the log.
pub fn hidden(code: ErrorCode, sentence: &str, what: &str, detail: &dyn Display) -> ApiError {
    let reference = reference();
    tracing::error!(%reference, code = %code, what, %detail, "request failed");
    ApiError::new(code, format!("{sentence} (reference {reference})"))
}

/// A failure of ours while doing `what`: 500.
pub fn internal(what: &str, detail: impl Display) -> ApiError {
    hidden(
        ErrorCode::Internal,
        "the request could not be completed",
        what,
        &detail,
    )
}

/// The database failed while doing `what`: 503.
pub fn database(what: &str, detail: impl Display) -> ApiError {
    hidden(
        ErrorCode::DatabaseUnavailable,
        "the database is unavailable",
        what,
        &detail,
    )
}

/// LanceDB failed while doing `what`: 503.
pub fn vector_store(what: &str, detail: impl Display) -> ApiError {
    hidden(
        ErrorCode::VectorStoreUnavailable,
        "the vector store is unavailable",
        what,
        &detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caller_reads_a_reference_never_the_detail() {
        let e = database(
            "reading a report",
            "no such table: events (code 1) SELECT secret",
        );
        assert_eq!(e.code, ErrorCode::DatabaseUnavailable);
        assert!(!e.message.contains("no such table") && !e.message.contains("SELECT"));
        assert!(
            e.message
                .starts_with("the database is unavailable (reference "),
            "{}",
            e.message
        );
        let (a, b) = (reference(), reference());
        assert_ne!(a, b);
        assert_eq!(a.len(), 12);
    }
}
