//! The `vitrine` binary: parse the command line and hand over to the library.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    server::cli::Cli::parse().execute()
}
