//! `vitrine prepare`: the demo's background job. The run script starts the server first, on
//! the cold-start feed, and this beside it: encode the first items, train the model, publish
//! its index (the server swaps it in with no restart), then encode the rest of the catalogue
//! and publish again. Each stage's progress goes to the log and to the status file the System
//! page reads (`crate::jobs`); the stages finished are recorded there, so an interrupted job
//! goes on where it stopped (extraction resumes by item, training from its last epoch).

use std::future::Future;

use clap::Args;

use super::extract::ExtractArgs;
use super::index::IndexArgs;
use super::train::TrainArgs;
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct PrepareArgs {
    #[arg(long, default_value = "fashion")]
    pub catalogue: String,
    /// Items encoded before training starts; the rest follow after the first index.
    #[arg(long, default_value_t = 10_000)]
    pub first_items: usize,
    #[arg(long, default_value_t = 2)]
    pub k_core: usize,
    #[arg(long)]
    pub max_epochs: Option<usize>,
    /// Stop after the first index: leave the rest of the catalogue unencoded.
    #[arg(long)]
    pub first_only: bool,
}

pub async fn run(settings: Settings, args: PrepareArgs) -> anyhow::Result<()> {
    let done = crate::jobs::begin(&settings.data.dir);
    let outcome = Box::pin(stages(&settings, &args, &done)).await;
    crate::jobs::end(outcome.as_ref().map(|_| ()).map_err(|e| format!("{e:#}")));
    match &outcome {
        Ok(()) => println!("prepare: done; the feed serves the trained model"),
        Err(e) => eprintln!("prepare: stopped: {e:#}"),
    }
    outcome
}

async fn stages(settings: &Settings, args: &PrepareArgs, done: &[String]) -> anyhow::Result<()> {
    let extract = |up_to: Option<usize>| ExtractArgs {
        catalogue: Some(args.catalogue.clone()),
        limit: None,
        up_to,
        batch_size: None,
        threads: None,
        rebuild: false,
    };
    let index = || IndexArgs {
        catalogue: Some(args.catalogue.clone()),
        model_dir: None,
        if_missing: false,
    };
    let model_dir = settings.data.dir.join("models").join(&args.catalogue);
    let train = TrainArgs {
        catalogue: args.catalogue.clone(),
        k_core: args.k_core,
        out_dir: None,
        resume: super::train::interrupted(&model_dir),
        max_epochs: args.max_epochs,
        max_users: None,
        if_missing: true,
        warm_start: false,
        promote: false,
        every_hours: None,
    };
    let s = || settings.clone();
    // Each stage is a whole command's future: boxed, so this one stays small.
    Box::pin(stage(
        done,
        "extract-first",
        super::extract::run(s(), extract(Some(args.first_items))),
    ))
    .await?;
    Box::pin(stage(done, "train", super::train::run(s(), train))).await?;
    Box::pin(stage(done, "index", super::index::run(s(), index()))).await?;
    if args.first_only {
        return Ok(());
    }
    Box::pin(stage(
        done,
        "extract-all",
        super::extract::run(s(), extract(None)),
    ))
    .await?;
    Box::pin(stage(done, "index-all", super::index::run(s(), index()))).await
}

/// Runs `work` unless a previous run finished `name`, and records it as finished.
async fn stage(
    done: &[String],
    name: &str,
    work: impl Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    if done.iter().any(|d| d == name) {
        println!("prepare: {name} finished on an earlier run; skipped");
        return Ok(());
    }
    println!("prepare: {name}");
    work.await
        .map_err(|e| e.context(format!("the background job's `{name}` stage")))?;
    crate::jobs::complete(name);
    Ok(())
}
