//! The error type of every server function: a stable machine `code` and a human `message`,
//! the same shape the REST API returns as JSON.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} ({code})")]
pub struct ApiError {
    /// Stable, machine-readable: `not_found`, `invalid_input`, `unavailable`, `internal`, ...
    pub code: String,
    /// For people; never holds secrets.
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    /// Transport and encoding failures: the request never reached a service.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match &value {
            ServerFnErrorErr::Request(_) => "network",
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => "invalid_input",
            _ => "transport",
        };
        Self::new(code, value.to_string())
    }
}
