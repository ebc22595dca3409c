//! Structured logs (tracing) and the process-wide Prometheus recorder.

use std::io::IsTerminal;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the tracing subscriber. `RUST_LOG` overrides `log.filter`. Safe to call twice.
pub fn init_tracing(settings: &LogSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    // Logs go to stderr: stdout carries a command's own output (a new key, a report).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal; plain text for files, journals and pipes.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    // An error means a subscriber is already installed (a second server in one test process).
    let _already_installed = match settings.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// The process-wide Prometheus recorder, installed on first use. Several servers in one
/// process (the integration tests) share it.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; ours then records nothing
            // but still renders, which keeps `/metrics` answering.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
