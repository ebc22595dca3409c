//! `vitrine doctor`: what is installed, linked and configured, and whether SQL and LanceDB
//! agree about the served catalogue (it exits non-zero when they do not). Reads; never
//! migrates.

use anyhow::bail;
use clap::Args;

use app::wire::SystemReport;

use crate::agreement::{self, Agreement};
use crate::config::Settings;
use crate::db::Database;
use crate::recsys::device::{TorchInfo, device_name, resolve_device};
use crate::system::SystemReporter;
use crate::vector::VectorStore;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(settings: Settings, args: DoctorArgs) -> anyhow::Result<()> {
    let choice = settings.torch.device;
    let (torch, device) = tokio::task::spawn_blocking(move || {
        let device = resolve_device(choice).map(device_name);
        (TorchInfo::detect(), device)
    })
    .await?;
    let device = device?;
    let db = Database::connect(&settings.database).await?;
    let vectors = VectorStore::open(&settings.vectors).await?;
    let catalogue = &settings.inference.catalogue;
    let model_dir = settings.data.dir.join("models").join(catalogue);
    let agreement = agreement::check(db.conn(), &vectors, catalogue, &model_dir).await?;
    let paths = crate::model_report::ModelPaths::new(catalogue, &settings.data.dir);
    let report = SystemReporter::new(db, vectors, &torch, device, paths)
        .gather()
        .await?;
    if args.json {
        let both = serde_json::json!({"system": report, "agreement": agreement});
        println!("{}", serde_json::to_string_pretty(&both)?);
    } else {
        print!("{}", render(&report));
        print!("{}", render_agreement(&agreement));
    }
    if !agreement.problems.is_empty() {
        bail!(
            "SQL and LanceDB disagree about `{catalogue}`: {} problem(s)",
            agreement.problems.len()
        );
    }
    Ok(())
}

fn render_agreement(a: &Agreement) -> String {
    let model = a.model_digest.as_deref().unwrap_or("none");
    let mut out = format!(
        "catalogue    {}: {} active items; index {}; model {model}\n",
        a.catalogue,
        a.items,
        if a.index_version.is_empty() {
            "none"
        } else {
            &a.index_version
        },
    );
    if a.problems.is_empty() {
        out.push_str(
            "agreement    ok: every item has features and a vector, and the index is the model's\n",
        );
    }
    for problem in &a.problems {
        out.push_str(&format!("problem      {problem}\n"));
    }
    out
}

fn render(report: &SystemReport) -> String {
    let t = &report.torch;
    let d = &report.database;
    let v = &report.vectors;
    let cuda = if t.cuda_available {
        format!(
            "available, {} device(s); cuDNN {}",
            t.cuda_devices,
            yes_no(t.cudnn_available)
        )
    } else {
        "not available (0 devices)".to_owned()
    };
    let tables = if v.tables.is_empty() {
        "(none)".to_owned()
    } else {
        v.tables.join(", ")
    };
    let pending = if d.pending_migrations.is_empty() {
        "none".to_owned()
    } else {
        d.pending_migrations.join(", ")
    };
    format!(
        "vitrine      {}\n\
         libtorch     {}\n\
         library      {}\n\
         CUDA         {cuda}\n\
         device       {}\n\
         database     {} {}\n\
         migrations   {} applied; pending: {pending}\n\
         lancedb      {}\n\
         tables       {tables}\n",
        report.vitrine_version,
        t.libtorch_version,
        t.library_path,
        t.device,
        d.kind,
        d.url,
        d.applied_migrations.len(),
        v.uri,
    )
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "available" } else { "not available" }
}
