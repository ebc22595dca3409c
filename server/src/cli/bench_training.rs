//! `vitrine bench training`: two-tower training samples/s through tch, beside the same model
//! and step in PyTorch (`scripts/train_bench.py`) in the same run, on random data shaped like
//! MovieLens-100K under the protocol.

use std::path::PathBuf;
use std::process::Command;

use clap::Args;

use crate::config::{Modality, Settings, TwoTowerSettings};
use crate::data::rng::SplitMix64;
use crate::eval::Interaction;
use crate::recsys::device::{device_name, resolve_device};
use crate::recsys::inputs::{ItemInputs, ItemSource, UserInputs};
use crate::recsys::train::{self, TrainData};

#[derive(Debug, Args)]
pub struct TrainingBenchArgs {
    #[arg(long, default_value_t = 939)]
    pub users: usize,
    #[arg(long, default_value_t = 1016)]
    pub items: usize,
    /// Training interactions per user (the history length).
    #[arg(long, default_value_t = 70)]
    pub per_user: usize,
    #[arg(long, default_value_t = 30)]
    pub steps: usize,
    /// libtorch threads on both sides; 0 = one per core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[arg(long, default_value = "scripts/train_bench.py")]
    pub script: PathBuf,
}

pub fn report(settings: &Settings, args: &TrainingBenchArgs) -> anyhow::Result<()> {
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        args.threads
    };
    tch::set_num_threads(i32::try_from(threads).unwrap_or(1));
    let device = resolve_device(settings.training.device)?;
    let model = TwoTowerSettings {
        modalities: vec![Modality::Id, Modality::Text],
        ..settings.two_tower.clone()
    };
    let training = &settings.training;
    let mut rng = SplitMix64::new(7);
    let sources: Vec<ItemSource> = (0..args.items)
        .map(|_| ItemSource {
            category: format!("c{}", rng.below(19)),
            text: Some((0..384).map(|_| rng.normal() as f32).collect()),
            image: None,
        })
        .collect();
    let features: Vec<Vec<String>> = (0..args.users)
        .map(|_| (0..3).map(|k| format!("f{k}-{}", rng.below(10))).collect())
        .collect();
    let train_pairs: Vec<Interaction> = (0..args.users * args.per_user)
        .map(|k| Interaction {
            user: (k / args.per_user) as u32,
            item: rng.below(args.items) as u32,
            rating: 1.0,
            timestamp: 0,
        })
        .collect();
    let mut order = train_pairs;
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let items = ItemInputs::build(&sources, 384, 1280);
    let users = UserInputs::build(&features, &order, &items, model.max_history, 7);
    let none = vec![Vec::new(); args.users];
    let data = TrainData {
        users: &users,
        items: &items,
        train: &order,
        seen: &none,
        valid: &none,
    };
    let tch_rate = train::time_steps(&model, training, &data, device, args.steps)?;

    let hidden: Vec<String> = model.hidden.iter().map(i64::to_string).collect();
    let mut command = Command::new(&settings.data.python);
    command.arg(&args.script).args([
        format!("--users={}", args.users),
        format!("--items={}", args.items),
        format!("--interactions={}", args.users * args.per_user),
        format!("--history={}", args.per_user),
        format!("--batch={}", training.batch_size),
        format!("--negatives={}", training.uniform_negatives),
        format!("--steps={}", args.steps),
        format!("--threads={threads}"),
        format!("--hidden={}", hidden.join(",")),
        format!("--dim={}", model.dim),
        format!("--user-id={}", u8::from(model.user_id_embedding)),
        format!("--modality-dropout={}", model.modality_dropout),
        format!("--temperature={}", model.temperature),
        format!("--device={}", if device.is_cuda() { "cuda" } else { "cpu" }),
    ]);
    let py_rate = super::bench::rate_in(
        &super::bench::python_report(command, &args.script)?,
        "samples_per_s",
    )?;
    println!(
        "two-tower training benchmark: {} with {threads} thread(s), batch {}, {} uniform negatives, {} users x {} items, history {}",
        device_name(device),
        training.batch_size,
        training.uniform_negatives,
        args.users,
        args.items,
        args.per_user
    );
    println!("| tch samples/s | PyTorch samples/s | tch / PyTorch |\n|---|---|---|");
    println!(
        "| {tch_rate:.0} | {py_rate:.0} | {:.2} |",
        tch_rate / py_rate
    );
    Ok(())
}
