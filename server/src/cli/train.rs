//! `vitrine train`: the two-tower model on a catalogue's training split, early-stopped on its
//! validation split, checkpointed (safetensors plus the resolved configuration) and charted.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::progress::Progress;
use crate::config::{Settings, TwoTowerSettings};
use crate::eval::Split;
use crate::eval::rank::items_by_user;
use crate::recsys::checkpoint;
use crate::recsys::device::{device_name, resolve_device};
use crate::recsys::inputs::{ItemInputs, UserInputs};
use crate::recsys::registry::{DataSnapshot, Registry};
use crate::recsys::train::{self, TrainData};
use crate::recsys::two_tower::Shapes;
use crate::recsys::warm_start;

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[arg(long, default_value = "fashion")]
    pub catalogue: String,
    #[arg(long, default_value_t = 10)]
    pub k_core: usize,
    /// The checkpoint folder; default: `models/<catalogue>` in the data folder.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Go on from the checkpoint in the folder (its best weights; the optimiser restarts).
    #[arg(long)]
    pub resume: bool,
    #[arg(long)]
    pub max_epochs: Option<usize>,
    /// Train on a seeded sample of this many users (before the k-core).
    #[arg(long)]
    pub max_users: Option<usize>,
    /// Do nothing when the folder already holds a checkpoint and its vocabulary (the run
    /// script's first start).
    #[arg(long)]
    pub if_missing: bool,
    /// Start from the serving version's weights, mapped onto today's items and users, instead
    /// of a random draw.
    #[arg(long, conflicts_with = "resume")]
    pub warm_start: bool,
    /// Promote the new version when it passes the gate (never forced).
    #[arg(long)]
    pub promote: bool,
    /// Retrain on a schedule: again this many hours after each run ends, until stopped.
    #[arg(long, value_parser = positive_hours)]
    pub every_hours: Option<f64>,
}

fn positive_hours(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 => Ok(h),
        _ => Err(format!("`{text}` is not a positive number of hours")),
    }
}

/// Trains once, or on a schedule (`--every-hours`); each run may promote its version.
pub async fn run(settings: Settings, args: TrainArgs) -> anyhow::Result<()> {
    loop {
        let outcome = train_once(&settings, &args).await;
        let result = match outcome {
            Ok(Some(candidate)) if args.promote => {
                super::models::promote_through_gate(&settings, &candidate, "train --promote").await
            }
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
        let Some(hours) = args.every_hours else {
            return result;
        };
        // One failed run (a refused candidate, a busy database) does not end the schedule.
        if let Err(e) = result {
            eprintln!("train: this run did not serve a new version: {e:#}");
        }
        println!("train: next run in {hours} h");
        tokio::time::sleep(std::time::Duration::from_secs_f64(hours * 3600.0)).await;
    }
}

/// One run. Returns the version it registered when that version is a candidate (a model was
/// already served), `None` when it serves at once or there was nothing to do.
async fn train_once(settings: &Settings, args: &TrainArgs) -> anyhow::Result<Option<String>> {
    let default_dir = settings.data.dir.join("models").join(&args.catalogue);
    let existing = args.out_dir.as_ref().unwrap_or(&default_dir);
    if args.if_missing && is_published(existing) {
        println!(
            "train: a checkpoint is in {}; nothing to do (run without --if-missing to train again)",
            existing.display()
        );
        return Ok(None);
    }
    // From the start: reading a large catalogue's interactions and features takes a while.
    let epochs = args.max_epochs.unwrap_or(settings.training.max_epochs);
    let bar = Progress::new("train", "epochs", epochs as u64);
    bar.note("reading the interactions and features");
    let snapshot = data_snapshot(settings).await?;
    let (data, _) =
        super::evaluate::load_protocol(settings, &args.catalogue, args.k_core, args.max_users)
            .await?;
    let mut model = TwoTowerSettings {
        modalities: super::evaluate::available_modalities(settings, &data)?,
        ..settings.two_tower.clone()
    };
    let mut training = settings.training.clone();
    if let Some(epochs) = args.max_epochs {
        training.max_epochs = epochs;
    }
    let out_dir = args.out_dir.clone().unwrap_or(default_dir);
    let warm_from = if args.warm_start {
        anyhow::ensure!(
            is_published(&out_dir),
            "--warm-start: no served model in {} to start from",
            out_dir.display()
        );
        // The weights only fit the architecture they were trained in: the serving version's.
        let served = checkpoint::read_meta(&out_dir, None)?.model;
        anyhow::ensure!(
            served
                .modalities
                .iter()
                .all(|m| model.modalities.contains(m)),
            "--warm-start: the serving version reads {:?}, the data has {:?}",
            served.modalities,
            model.modalities
        );
        model = served;
        Some(out_dir.clone())
    } else {
        None
    };
    let device = resolve_device(training.device)?;
    if training.threads > 0 {
        tch::set_num_threads(i32::try_from(training.threads).unwrap_or(1));
    }
    println!(
        "train: {:?} on {} into {}",
        model.modalities,
        device_name(device),
        out_dir.display()
    );
    // Epochs are checkpointed in a staging folder; the served folder changes once, at the end.
    let staging = out_dir.join(STAGING);
    let resume = args.resume;
    if resume {
        prepare_resume(&out_dir, &staging)?;
    } else if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("clearing {}", staging.display()))?;
    }
    let (catalogue, dir) = (args.catalogue.clone(), staging.clone());
    let truth_dir = settings.data.dir.join("ground_truth");
    let vocabulary = crate::recsys::vocab::Vocabulary::of(&args.catalogue, &data);
    let run_vocabulary = vocabulary.clone();
    // Minutes of libtorch work: off the async executor.
    let trained = tokio::task::spawn_blocking(move || {
        let d = &data.dataset;
        let split = Split::by_user_ratio(d, [0.8, 0.1, 0.1], training.seed);
        let (text_dim, image_dim) = crate::eval::harness::feature_dims(&data);
        let items = ItemInputs::build(&data.items, text_dim, image_dim);
        let users = UserInputs::build(
            &data.user_features,
            &split.train,
            &items,
            model.max_history,
            training.seed,
        );
        let seen = items_by_user(d.user_count(), &[&split.train]);
        let valid = items_by_user(d.user_count(), &[&split.valid]);
        let ceiling = planted_ceiling(&data, &truth_dir, &seen, &valid);
        if let Some(from) = &warm_from {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            let w = warm_start::prepare(
                &dir,
                from,
                (&model, &training),
                &Shapes::of(&users, &items),
                &run_vocabulary,
                device,
            )?;
            println!(
                "train: warm start from {}: {} weights copied, {} embedding tables mapped ({} known rows), {} drawn fresh",
                from.display(),
                w.copied,
                w.mapped,
                w.rows_carried,
                w.fresh
            );
        }
        let inputs = TrainData {
            users: &users,
            items: &items,
            train: &split.train,
            seen: &seen,
            valid: &valid,
        };
        bar.note(&format!(
            "training on {} interactions of {} users",
            inputs.train.len(),
            inputs.users.count
        ));
        train::train(
            &model,
            &training,
            &inputs,
            device,
            Some(&dir),
            resume || warm_from.is_some(),
            |r| bar.epoch(r.epoch as u64, r.loss, r.valid_ndcg_at_10),
        )
        .map(|t| {
            bar.finish();
            (t.history, t.best_epoch, t.best_valid, t.samples_per_second, ceiling)
        })
        .map_err(anyhow::Error::from)
    })
    .await??;
    let (history, best_epoch, best_valid, rate, ceiling) = trained;
    if let Some(ceiling) = ceiling {
        // Recorded with the weights, so the System page reads the model against its world.
        let mut meta = checkpoint::read_meta(&staging, None)?;
        meta.planted_ceiling_valid_ndcg_at_10 = Some(ceiling);
        checkpoint::commit(&staging, &meta)?;
        println!(
            "train: the planted ceiling's valid NDCG@10 is {ceiling:.4}; the model reaches {:.0}% of it",
            100.0 * best_valid.ndcg_at_10 / ceiling.max(f64::MIN_POSITIVE)
        );
    }
    // The staged checkpoint holds the best weights; the vocabulary names their rows. The first
    // model is served at once; a later one is registered as a candidate for `models promote`.
    let registry = Registry::new(&out_dir);
    let serving = registry.serving()?;
    let incoming = out_dir
        .join(crate::recsys::registry::VERSIONS)
        .join(".incoming");
    let published = if serving.is_some() {
        &incoming
    } else {
        &out_dir
    };
    std::fs::create_dir_all(published)
        .with_context(|| format!("creating {}", published.display()))?;
    checkpoint::publish(&staging, published, &vocabulary)?;
    let version = registry.register(published, Some(snapshot))?;
    let candidate = serving.is_some().then(|| version.id.clone());
    if serving.is_some() {
        std::fs::remove_dir_all(&incoming).ok();
        println!(
            "train: version {} registered (valid NDCG@10 {:.4}); `vitrine models promote {}` serves it",
            version.id, version.valid_ndcg_at_10, version.id
        );
    } else {
        registry.serve(&version.id, "first model", false)?;
    }
    if let Err(e) = std::fs::remove_dir_all(&staging) {
        tracing::warn!(folder = %staging.display(), error = %e, "cannot remove the staging folder");
    }
    let svg = crate::charts::training_curve(&history, &format!("two-tower on {catalogue}"))?;
    super::evaluate::write(&out_dir.join("training-curve.svg"), &svg)?;
    println!(
        "train: best epoch {best_epoch} of {}, valid NDCG@10 {:.4}, Hit@10 {:.4}; {rate:.0} samples/s; checkpoint and training-curve.svg in {}",
        history.len(),
        best_valid.ndcg_at_10,
        best_valid.hit_at_10,
        out_dir.display()
    );
    Ok(candidate)
}

/// The planted model's validation NDCG@10 on this split, when `truth_dir` holds the ground
/// truth of the world these users live in (none otherwise, with a note when it does not fit).
fn planted_ceiling(
    data: &crate::eval::source::ProtocolData,
    truth_dir: &Path,
    seen: &[Vec<u32>],
    valid: &[Vec<u32>],
) -> Option<f64> {
    if !truth_dir.join("ground_truth.json").exists() {
        return None;
    }
    match crate::eval::oracle::planted(data, truth_dir) {
        Ok(oracle) => Some(
            crate::eval::rank::evaluate(
                |block| oracle.score(block),
                data.dataset.item_count(),
                seen,
                valid,
            )
            .ndcg_at_10,
        ),
        Err(e) => {
            println!("train: no planted ceiling for this catalogue ({e})");
            None
        }
    }
}

/// What the run reads: the SQL watermark and the LanceDB features version.
async fn data_snapshot(settings: &Settings) -> anyhow::Result<DataSnapshot> {
    use crate::db::entities::interaction;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let db = crate::db::Database::connect(&settings.database).await?;
    let watermark: Option<i64> = interaction::Entity::find()
        .select_only()
        .column(interaction::Column::Id)
        .order_by_desc(interaction::Column::Id)
        .into_tuple()
        .one(db.conn())
        .await?;
    let store = crate::vector::VectorStore::open(&settings.vectors).await?;
    let features_version = match crate::vector::FeatureTable::open_existing(&store).await? {
        Some(table) => Some(table.version().await?),
        None => None,
    };
    Ok(DataSnapshot {
        interactions_watermark: watermark.unwrap_or(0),
        features_version,
    })
}

/// The staging folder inside a model folder: the run in progress, checkpointed each epoch.
const STAGING: &str = "training";

/// Whether `dir` holds a published model: a checkpoint whose weights and vocabulary load.
fn is_published(dir: &Path) -> bool {
    checkpoint::read_meta(dir, None)
        .and_then(|meta| crate::recsys::vocab::Vocabulary::load(dir, &meta))
        .is_ok()
}

/// Whether a run into `out_dir` was interrupted after at least one epoch (`--resume` goes on).
pub(super) fn interrupted(out_dir: &Path) -> bool {
    checkpoint::read_meta(&out_dir.join(STAGING), None).is_ok()
}

/// `--resume` goes on from the staged run a kill interrupted, or else from the published
/// model (copied into staging first, so that the served folder stays as it is until the end).
fn prepare_resume(out_dir: &Path, staging: &Path) -> anyhow::Result<()> {
    if checkpoint::read_meta(staging, None).is_ok() {
        println!(
            "train: resuming the interrupted run in {}",
            staging.display()
        );
        return Ok(());
    }
    let mut meta = checkpoint::read_meta(out_dir, None)
        .with_context(|| format!("--resume: no checkpoint in {}", out_dir.display()))?;
    std::fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;
    let weights = &meta.weights_file;
    std::fs::copy(out_dir.join(weights), staging.join(weights))
        .with_context(|| format!("copying {weights} into {}", staging.display()))?;
    meta.vocabulary_file = None;
    crate::fsio::write(
        &staging.join(checkpoint::META),
        &serde_json::to_vec_pretty(&meta)?,
    )
    .with_context(|| format!("writing {}", staging.display()))?;
    Ok(())
}
