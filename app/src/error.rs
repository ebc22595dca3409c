//! The error type of every service and server function: a stable machine `code` and a human
//! `message`, the same shape the REST API returns as JSON.

use std::fmt;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Every error's stable, machine-readable code. On the wire it is the snake_case name
/// (`invalid_input`, `not_found`, ...); each has exactly one HTTP status, chosen in one
/// exhaustive match on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed or breaks a rule (400).
    InvalidInput,
    /// No session or key (401).
    Unauthorized,
    /// A caller who may not do this (403).
    Forbidden,
    /// No such thing, or not the caller's (404).
    NotFound,
    /// It exists already, or the state forbids it (409).
    Conflict,
    /// The body is over the server's limit (413).
    PayloadTooLarge,
    /// Not JSON where JSON is expected, or not a picture (415).
    UnsupportedMediaType,
    /// Well-formed, but nothing to compute from yet (422).
    NoData,
    /// Over a rate limit (429).
    TooManyRequests,
    /// The database failed (503); the detail is in the server's log.
    DatabaseUnavailable,
    /// LanceDB failed (503); the detail is in the server's log.
    VectorStoreUnavailable,
    /// Not ready yet: no index, no model, no catalogue (503).
    Unavailable,
    /// A failure of ours (500); the detail is in the server's log under the message's reference.
    Internal,
    /// The browser could not reach the server (server functions, in the browser only).
    Network,
    /// A server function's request or answer could not be encoded (500).
    Transport,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::InvalidInput,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NoData,
        ErrorCode::TooManyRequests,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::VectorStoreUnavailable,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::Network,
        ErrorCode::Transport,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NoData => "no_data",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::VectorStoreUnavailable => "vector_store_unavailable",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Network => "network",
            ErrorCode::Transport => "transport",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} ({code})")]
pub struct ApiError {
    pub code: ErrorCode,
    /// For people; never holds secrets, SQL or another system's error text.
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    /// Transport and encoding failures: the request never reached a service.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match &value {
            ServerFnErrorErr::Request(_) => ErrorCode::Network,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorCode::InvalidInput,
            _ => ErrorCode::Transport,
        };
        Self::new(code, value.to_string())
    }
}
