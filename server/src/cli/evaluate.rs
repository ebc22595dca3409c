//! `vitrine evaluate`: the offline protocol of DESIGN.md on an imported catalogue, with the
//! baselines and the two-tower (and its ablations) in one run; JSON and Markdown reports.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::progress::Progress;
use crate::config::{Modality, Settings};
use crate::db::Database;
use crate::eval::Split;
use crate::eval::harness::{self, ColdSetup, HarnessOptions, Variant};
use crate::eval::report::{DatasetStats, EvaluationReport};
use crate::eval::source::{self, Positives};
use crate::recsys::device::resolve_device;
use crate::vector::{FeatureTable, VectorStore};

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// `movielens` (ratings >= 3 are positives) or an imported catalogue with clicks
    /// (`fashion`, the synthetic world).
    #[arg(long, default_value = "movielens")]
    pub catalogue: String,
    /// Users and items with fewer positives are dropped, repeatedly.
    #[arg(long, default_value_t = 10)]
    pub k_core: usize,
    /// Run the ablations: id only, text only, image only (where there are pictures), and the
    /// combinations.
    #[arg(long)]
    pub ablation: bool,
    /// Evaluate on a seeded sample of this many users (before the k-core).
    #[arg(long)]
    pub max_users: Option<usize>,
    /// The ground-truth folder of a generated world (`ground_truth.json`, `user_tastes.tsv`):
    /// adds its planted affinity as the ceiling.
    #[arg(long)]
    pub truth_dir: Option<PathBuf>,
    /// Skip the baselines.
    #[arg(long)]
    pub no_baselines: bool,
    /// The cold-start protocol: hold out this share of the items (seeded) with every
    /// interaction they have, train on the rest, and also rank the held-out items for the
    /// users who interacted with them (for example 0.2).
    #[arg(long, value_parser = share)]
    pub cold_items: Option<f64>,
    /// Cap the two-tower's epochs (early stopping usually ends sooner).
    #[arg(long)]
    pub max_epochs: Option<usize>,
    /// Where the reports and the split go; default: `reports/` in the data folder.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

/// A catalogue's protocol data: positives, an optional seeded sample of users, the k-core,
/// and the content features.
pub(super) async fn load_protocol(
    settings: &Settings,
    catalogue: &str,
    k_core: usize,
    max_users: Option<usize>,
) -> anyhow::Result<(source::ProtocolData, Positives)> {
    let db = Database::connect(&settings.database).await?;
    let store = VectorStore::open(&settings.vectors).await?;
    let features = FeatureTable::open_existing(&store).await?;
    let positives = if catalogue == "movielens" {
        Positives::RatingAtLeast(3.0)
    } else {
        Positives::Kind("click")
    };
    let sample = max_users.map(|n| (n, settings.training.seed));
    let data = source::load(
        db.conn(),
        features.as_ref(),
        catalogue,
        positives,
        k_core,
        sample,
    )
    .await?;
    let d = &data.dataset;
    println!(
        "{catalogue}: {} users, {} items, {} interactions after the {k_core}-core ({} items with text, {} with a picture)",
        d.user_count(),
        d.item_count(),
        d.interactions.len(),
        data.with_text,
        data.with_image
    );
    if data.with_text == 0 {
        println!(
            "note: no text features for `{catalogue}`; the two-tower runs on ids only. \
             Run `vitrine extract --catalogue {catalogue}` first for its content tower."
        );
    }
    Ok((data, positives))
}

/// The configured modalities that have data in this catalogue.
pub(super) fn available_modalities(
    settings: &Settings,
    data: &source::ProtocolData,
) -> anyhow::Result<Vec<Modality>> {
    let mut modalities = settings.two_tower.modalities.clone();
    modalities.retain(|m| match m {
        Modality::Text => data.with_text > 0,
        Modality::Image => data.with_image > 0,
        Modality::Id => true,
    });
    anyhow::ensure!(
        !modalities.is_empty(),
        "no modality of two_tower.modalities has data; run `vitrine extract`"
    );
    Ok(modalities)
}

pub async fn run(settings: Settings, args: EvaluateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let (data, positives) =
        load_protocol(&settings, &args.catalogue, args.k_core, args.max_users).await?;
    let seed = settings.training.seed;
    let (data, cold) = match args.cold_items {
        Some(share) => {
            let (warm, cold) = crate::eval::cold::hold_out(&data, share, seed);
            let pairs: usize = cold.relevant.iter().map(Vec::len).sum();
            println!(
                "cold start: {} items held out with {pairs} interactions; {} warm items, {} interactions",
                cold.item_ids.len(),
                warm.dataset.item_count(),
                warm.dataset.interactions.len()
            );
            (warm, Some(cold))
        }
        None => (data, None),
    };
    let d = &data.dataset;
    let modalities = available_modalities(&settings, &data)?;
    let variants = if args.ablation {
        ablations(&data)
    } else {
        vec![Variant::named(modalities)]
    };

    let split = Split::by_user_ratio(d, [0.8, 0.1, 0.1], seed);
    let out_dir = args
        .out_dir
        .unwrap_or_else(|| settings.data.dir.join("reports"));
    let split_files = split
        .export(d, &out_dir.join("split"), &args.catalogue)
        .context("exporting the split")?;
    let mut training = settings.training.clone();
    if let Some(epochs) = args.max_epochs {
        training.max_epochs = epochs;
    }
    let device = resolve_device(training.device)?;
    let oracle = match &args.truth_dir {
        Some(dir) => Some(crate::eval::oracle::planted(&data, dir)?),
        None => None,
    };
    let cold = match cold {
        Some(items) => Some(ColdSetup {
            oracle_columns: oracle
                .as_ref()
                .map(|o| o.columns_for(&items.item_ids))
                .transpose()?,
            items,
        }),
        None => None,
    };
    let options = HarnessOptions {
        popular: !args.no_baselines,
        bpr: (!args.no_baselines).then(|| settings.baselines.bpr.clone()),
        two_tower: settings.two_tower.clone(),
        training: training.clone(),
        variants,
        device,
        oracle,
        cold,
    };
    if training.threads > 0 {
        tch::set_num_threads(i32::try_from(training.threads).unwrap_or(1));
    }
    // Training is seconds to minutes of libtorch work: off the async executor.
    let (data, split, output) = tokio::task::spawn_blocking(move || {
        let models = 2 * usize::from(options.popular)
            + usize::from(options.oracle.is_some())
            + usize::from(options.bpr.is_some())
            + options.variants.len();
        let bar = Progress::new("evaluate", "models", models as u64);
        let mut done = 0;
        let output = harness::run(&data, &split, &options, |line| {
            bar.note(line);
            if line.ends_with(" done") || line.contains(" done (") {
                done += 1;
                bar.set_position(done);
            }
        });
        bar.finish();
        (data, split, output)
    })
    .await?;
    let output = output?;

    let d = &data.dataset;
    let report = EvaluationReport {
        catalogue: args.catalogue.clone(),
        created_at: chrono::Utc::now().to_rfc3339(),
        seed,
        positives: match positives {
            Positives::RatingAtLeast(min) => format!("ratings >= {min}"),
            Positives::Kind(kind) => format!("{kind} interactions"),
        },
        k_core: args.k_core,
        split: [0.8, 0.1, 0.1],
        ranking: "full ranking; validation excludes training items, test excludes training and validation items",
        dataset: DatasetStats {
            users: d.user_count(),
            items: d.item_count(),
            interactions: d.interactions.len(),
            train: split.train.len(),
            valid: split.valid.len(),
            test: split.test.len(),
            items_with_text: data.with_text,
            items_with_image: data.with_image,
        },
        config: serde_json::json!({
            "two_tower": settings.two_tower,
            "training": training,
            "bpr": settings.baselines.bpr,
        }),
        split_files: split_files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        models: output.results,
        seconds: started.elapsed().as_secs_f64(),
    };
    let stem = out_dir.join(format!("evaluation-{}", args.catalogue));
    write(
        &stem.with_extension("json"),
        &serde_json::to_string_pretty(&report)?,
    )?;
    let markdown = report.to_markdown();
    write(&stem.with_extension("md"), &markdown)?;
    for (name, history) in &output.curves {
        let svg = crate::charts::training_curve(history, &format!("{name} on {}", args.catalogue))?;
        let file = name.replace([' ', '(', ')', '+'], "-").replace("--", "-");
        write(
            &out_dir.join(format!(
                "curve-{}-{}.svg",
                args.catalogue,
                file.trim_matches('-')
            )),
            &svg,
        )?;
    }
    println!("\n{markdown}\nreports: {}.{{json,md}}", stem.display());
    Ok(())
}

/// Id only, each content modality alone, content together, and everything; none with the
/// category embedding, so that id only knows nothing about an item but its id.
fn ablations(data: &source::ProtocolData) -> Vec<Variant> {
    use Modality::{Id, Image, Text};
    let mut sets = vec![vec![Id]];
    if data.with_text > 0 {
        sets.push(vec![Text]);
    }
    if data.with_image > 0 {
        sets.push(vec![Image]);
        sets.push(vec![Text, Image]);
    }
    if data.with_text > 0 {
        let mut all = vec![Id, Text];
        if data.with_image > 0 {
            all.push(Image);
        }
        sets.push(all);
    }
    sets.into_iter().map(Variant::ablated).collect()
}

fn share(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not a share strictly between 0 and 1"))
    }
}

/// Writes a report or chart whole or not at all ([`crate::fsio`]).
pub(super) fn write(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    crate::fsio::write(path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}
