//! `vitrine bench encoders`: a report, not a test. Throughput of both encoders through tch,
//! beside the same models in PyTorch in the same run (the ratio is what to read: this machine
//! is shared and noisy), and the neighbour-class agreement at each image resolution.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use image::{DynamicImage, GrayImage};
use tch::{Device, Kind, Tensor};

use crate::config::{Precision, Settings};
use crate::data::{fashion, idx};
use crate::encoders::{self, ImageEncoder, neighbour_agreement, preprocess};
use crate::recsys::device::{device_name, resolve_device};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Images/s and texts/s through tch and through PyTorch, and quality by resolution.
    Encoders(EncoderBenchArgs),
    /// Two-tower training samples/s through tch and through PyTorch.
    Training(super::bench_training::TrainingBenchArgs),
    /// Top-k latency and recall: in-memory IVF-Flat, exact search, LanceDB's IVF_PQ and flat scan.
    Ann(super::bench_ann::AnnBenchArgs),
}

#[derive(Debug, Args)]
pub struct EncoderBenchArgs {
    #[arg(long, value_delimiter = ',', default_value = "224,160,112,96,64")]
    pub resolutions: Vec<u32>,
    #[arg(long, default_value_t = 32)]
    pub batch: i64,
    /// Tokens per text in the text timing.
    #[arg(long, default_value_t = 64)]
    pub tokens: i64,
    #[arg(long, default_value_t = 4)]
    pub image_batches: usize,
    #[arg(long, default_value_t = 8)]
    pub text_batches: usize,
    /// Fashion-MNIST test pictures for the neighbour-class agreement (0 skips it).
    #[arg(long, default_value_t = 1000)]
    pub items: usize,
    /// libtorch threads on both sides; 0 = one per core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// The Python side of the benchmark.
    #[arg(long, default_value = "scripts/encoders.py")]
    pub script: PathBuf,
    /// Only tch.
    #[arg(long)]
    pub no_python: bool,
}

pub async fn run(settings: Settings, command: BenchCommand) -> anyhow::Result<()> {
    // Both are libtorch work for seconds to minutes: off the async executor.
    match command {
        BenchCommand::Encoders(args) => {
            tokio::task::spawn_blocking(move || encoders_report(&settings, &args)).await?
        }
        BenchCommand::Training(args) => {
            tokio::task::spawn_blocking(move || super::bench_training::report(&settings, &args))
                .await?
        }
        BenchCommand::Ann(args) => super::bench_ann::report(settings, args).await,
    }
}

struct PythonSide {
    images_per_s: f64,
    texts_per_s: f64,
}

fn encoders_report(settings: &Settings, args: &EncoderBenchArgs) -> anyhow::Result<()> {
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        args.threads
    };
    tch::set_num_threads(i32::try_from(threads).unwrap_or(1));
    let device = resolve_device(settings.torch.device)?;
    let kind = encoders::compute_kind(device, settings.extract.precision);
    let (text, mut image) = encoders::load(
        &settings.encoders,
        &settings.data.python,
        device,
        settings.extract.precision,
    )?;
    let pictures = fashion_test_pictures(args.items)?;
    println!(
        "encoder benchmark: {} with {threads} thread(s), {kind:?}, batch {}",
        device_name(device),
        args.batch
    );
    println!(
        "| resolution | tch images/s | PyTorch images/s | tch / PyTorch | 10-NN class agreement ({} Fashion-MNIST) |",
        pictures.1.len()
    );
    println!("|---|---|---|---|---|");
    let mut python_text = None;
    for &resolution in &args.resolutions {
        image.set_resolution(resolution);
        let batch = Tensor::randn(
            [args.batch, 3, i64::from(resolution), i64::from(resolution)],
            (Kind::Float, Device::Cpu),
        );
        let seconds = timed(args.image_batches, || image.encode(&batch).map(drop))?;
        let tch_rate = (args.batch as f64) * (args.image_batches as f64) / seconds;
        let python = (!args.no_python)
            .then(|| python_side(settings, args, resolution, threads, device, kind))
            .transpose()?;
        let agreement = agreement_at(&image, &pictures)?;
        if python_text.is_none() {
            python_text = python.as_ref().map(|p| p.texts_per_s);
        }
        let (py, ratio) = python.map_or(("-".into(), "-".into()), |p| {
            (
                format!("{:.1}", p.images_per_s),
                format!("{:.2}", tch_rate / p.images_per_s),
            )
        });
        println!("| {resolution} | {tch_rate:.1} | {py} | {ratio} | {agreement:.3} |");
    }
    let ids = Tensor::randint_low(
        1000,
        30000,
        [args.batch, args.tokens],
        (Kind::Int64, Device::Cpu),
    );
    let mask = ids.ones_like();
    let seconds = timed(args.text_batches, || {
        drop(text.encode_ids(&ids, &mask));
        Ok(())
    })?;
    let tch_rate = (args.batch as f64) * (args.text_batches as f64) / seconds;
    println!(
        "\n| text ({} tokens) | tch texts/s | PyTorch texts/s | tch / PyTorch |",
        args.tokens
    );
    println!("|---|---|---|---|");
    let (py, ratio) = python_text.map_or(("-".into(), "-".into()), |p| {
        (format!("{p:.1}"), format!("{:.2}", tch_rate / p))
    });
    println!(
        "| {} | {tch_rate:.1} | {py} | {ratio} |",
        text_name(settings)
    );
    Ok(())
}

fn text_name(settings: &Settings) -> &str {
    &settings.encoders.text.name
}

fn timed(
    batches: usize,
    mut run: impl FnMut() -> Result<(), encoders::EncoderError>,
) -> anyhow::Result<f64> {
    run()?; // warm-up
    if tch::Cuda::is_available() {
        tch::Cuda::synchronize(0);
    }
    let started = Instant::now();
    for _ in 0..batches {
        run()?;
    }
    if tch::Cuda::is_available() {
        tch::Cuda::synchronize(0);
    }
    Ok(started.elapsed().as_secs_f64())
}

fn fashion_test_pictures(count: usize) -> anyhow::Result<(Vec<DynamicImage>, Vec<i64>)> {
    if count == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let dir = PathBuf::from(fashion::DEBIAN_IMAGES_DIR);
    let images = idx::read_images(&dir.join("t10k-images-idx3-ubyte.gz"))?;
    let labels = idx::read_labels(&dir.join("t10k-labels-idx1-ubyte.gz"))?;
    let count = count.min(images.count);
    let pictures = (0..count)
        .map(|i| {
            GrayImage::from_raw(
                images.cols as u32,
                images.rows as u32,
                images.image(i).to_vec(),
            )
            .map(DynamicImage::ImageLuma8)
            .context("an IDX picture of the wrong size")
        })
        .collect::<anyhow::Result<_>>()?;
    Ok((
        pictures,
        labels[..count].iter().map(|&l| i64::from(l)).collect(),
    ))
}

fn agreement_at(
    image: &dyn ImageEncoder,
    (pictures, labels): &(Vec<DynamicImage>, Vec<i64>),
) -> anyhow::Result<f64> {
    if pictures.is_empty() {
        return Ok(f64::NAN);
    }
    let size = image.resolution();
    let mut vectors = Vec::new();
    for chunk in pictures.chunks(64) {
        let chw: Vec<f32> = chunk
            .iter()
            .flat_map(|p| preprocess::to_chw(p, size))
            .collect();
        vectors.push(image.encode(&preprocess::stack(&chw, size))?);
    }
    Ok(neighbour_agreement(&Tensor::cat(&vectors, 0), labels, 10))
}

fn python_side(
    settings: &Settings,
    args: &EncoderBenchArgs,
    resolution: u32,
    threads: usize,
    device: Device,
    kind: Kind,
) -> anyhow::Result<PythonSide> {
    let mut command = Command::new(&settings.data.python);
    command.arg(&args.script).arg("bench").args([
        format!("--resolution={resolution}"),
        format!("--batch={}", args.batch),
        format!("--tokens={}", args.tokens),
        format!("--threads={threads}"),
        format!("--image-batches={}", args.image_batches),
        format!("--text-batches={}", args.text_batches),
        format!("--device={}", if device.is_cuda() { "cuda" } else { "cpu" }),
    ]);
    if kind == Kind::BFloat16 || settings.extract.precision == Precision::Bf16 {
        command.arg("--bf16");
    }
    let report = python_report(command, &args.script)?;
    let rate = |key: &str| rate_in(&report, key);
    Ok(PythonSide {
        images_per_s: rate("images_per_s")?,
        texts_per_s: rate("texts_per_s")?,
    })
}

/// Runs a Python benchmark script and reads the JSON object on the last line of its output.
pub(super) fn python_report(
    mut command: Command,
    script: &Path,
) -> anyhow::Result<serde_json::Value> {
    let output = command
        .output()
        .with_context(|| format!("running {}", script.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .with_context(|| format!("parsing `{line}` from {}", script.display()))
}

/// A rate the Python side reported.
pub(super) fn rate_in(report: &serde_json::Value, key: &str) -> anyhow::Result<f64> {
    report
        .get(key)
        .and_then(serde_json::Value::as_f64)
        .with_context(|| format!("the Python report has no `{key}`"))
}
