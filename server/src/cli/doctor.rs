//! `vitrine doctor`: what is installed, linked and configured, and what state the data is in,
//! with the one command that moves each finding on. It reads any state, from no database at
//! all to a served demo, and never migrates, creates or prints a raw SQL error.
//!
//! Exit codes: 0 when everything is ready or unfinished as designed (notes), 1 when something
//! is broken (problems), 2 when there is no state to read (no database, an empty one, a store
//! that cannot be opened).

use std::io::Write;
use std::path::Path;

use clap::Args;

use app::wire::SystemReport;

use crate::agreement::{self, Agreement};
use crate::config::Settings;
use crate::db::{Database, sqlite_file};
use crate::recsys::device::{TorchInfo, device_name, resolve_device};
use crate::system::SystemReporter;
use crate::vector::VectorStore;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// State that cannot be read at all: what was found, and the command that creates it.
struct Unreadable {
    found: String,
    next: &'static str,
}

const SET_UP: &str = "`scripts/run.sh` sets up and serves the demo; or `vitrine migrate`, then `vitrine import <dataset>`";

pub async fn run(settings: Settings, args: DoctorArgs) -> anyhow::Result<()> {
    let choice = settings.torch.device;
    let (torch, device) = tokio::task::spawn_blocking(move || {
        let device = resolve_device(choice).map(device_name);
        (TorchInfo::detect(), device)
    })
    .await?;
    let code = match diagnose(&settings, &torch, device, args.json).await {
        Ok(code) => code,
        Err(unreadable) => {
            if args.json {
                let out = serde_json::json!({"state": "unreadable", "found": unreadable.found, "next": unreadable.next});
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!(
                    "state        {}\nnext         {}",
                    unreadable.found, unreadable.next
                );
            }
            2
        }
    };
    std::io::stdout().flush()?;
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}

/// Prints the report; returns the exit code (0 or 1), or what made the state unreadable.
async fn diagnose(
    settings: &Settings,
    torch: &TorchInfo,
    device: Result<String, crate::recsys::device::DeviceError>,
    json: bool,
) -> Result<i32, Unreadable> {
    let db = open_database(settings).await?;
    let state = db.migration_state().await.map_err(|e| {
        tracing::debug!(error = %e, "reading the migrations failed");
        Unreadable {
            found: format!("the database at {} cannot be read", db.redacted_url()),
            next: "check `database.url` (or DATABASE_URL) and that the database is running",
        }
    })?;
    if state.applied.is_empty() {
        return Err(Unreadable {
            found: format!(
                "the database at {} is empty: no tables yet",
                db.redacted_url()
            ),
            next: SET_UP,
        });
    }
    let mut notes = Vec::new();
    if !state.pending.is_empty() {
        notes.push(format!(
            "{} migration(s) pending: the server applies them at start; `vitrine migrate` applies them now",
            state.pending.len()
        ));
    }
    let device = match device {
        Ok(device) => device,
        Err(error) => {
            println!("device       {error}");
            return Ok(1);
        }
    };
    let catalogue = &settings.inference.catalogue;
    if !imported(&db, catalogue).await? {
        for note in &notes {
            println!("note         {note}");
        }
        println!(
            "problem      the catalogue `{catalogue}` is not imported, so there is nothing to serve: `vitrine import {catalogue}` (the demo: `scripts/run.sh`)"
        );
        return Ok(1);
    }
    let uri = &settings.vectors.uri;
    if !uri.contains("://") && !Path::new(uri).exists() {
        notes.push(format!(
            "no LanceDB folder at {uri} yet: `vitrine extract` creates it with the items' content features"
        ));
        for note in &notes {
            println!("note         {note}");
        }
        return Ok(0);
    }
    let vectors = VectorStore::open(&settings.vectors).await.map_err(|e| {
        tracing::debug!(error = %e, "opening LanceDB failed");
        Unreadable {
            found: format!("the LanceDB store at {uri} cannot be opened"),
            next: "check `vectors.uri`; `vitrine extract` creates a local one",
        }
    })?;
    let model_dir = settings.data.dir.join("models").join(catalogue);
    let mut agreement = agreement::check(db.conn(), &vectors, catalogue, &model_dir)
        .await
        .map_err(|e| {
            tracing::debug!(error = %e, "the agreement check failed");
            Unreadable {
                found: format!("the catalogue `{catalogue}` cannot be read from SQL and LanceDB"),
                next: "`vitrine migrate` brings the schema up to date; then run the doctor again",
            }
        })?;
    notes.append(&mut agreement.notes);
    agreement.notes = notes;
    let paths = crate::model_report::ModelPaths::new(catalogue, &settings.data.dir);
    let report = SystemReporter::new(db, vectors, torch, device, paths)
        .gather()
        .await
        .map_err(|e| {
            tracing::debug!(error = %e, "the system report failed");
            Unreadable {
                found: "the database or LanceDB stopped answering".into(),
                next: "run the doctor again",
            }
        })?;
    if json {
        let both = serde_json::json!({"system": report, "agreement": agreement});
        println!(
            "{}",
            serde_json::to_string_pretty(&both).unwrap_or_default()
        );
    } else {
        print!("{}", render(&report));
        print!("{}", render_agreement(&agreement));
    }
    Ok(if agreement.problems.is_empty() { 0 } else { 1 })
}

/// Whether SQL has the served catalogue.
async fn imported(db: &Database, name: &str) -> Result<bool, Unreadable> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    crate::db::entities::catalogue::Entity::find()
        .filter(crate::db::entities::catalogue::Column::Name.eq(name))
        .one(db.conn())
        .await
        .map(|found| found.is_some())
        .map_err(|e| {
            tracing::debug!(error = %e, "reading the catalogues failed");
            Unreadable {
                found: "the database's tables cannot be read".into(),
                next: "`vitrine migrate` brings the schema up to date; then run the doctor again",
            }
        })
}

/// Opens the configured database without creating one: a missing SQLite file is reported.
async fn open_database(settings: &Settings) -> Result<Database, Unreadable> {
    if let Some(file) = sqlite_file(&settings.database.url)
        && !Path::new(file).exists()
    {
        return Err(Unreadable {
            found: format!("no database at {file}: nothing is set up yet"),
            next: SET_UP,
        });
    }
    Database::connect(&settings.database).await.map_err(|e| {
        tracing::debug!(error = %e, "connecting to the database failed");
        Unreadable {
            found: format!(
                "the database at {} cannot be opened",
                crate::config::redact_url(&settings.database.url)
            ),
            next: "check `database.url` (or DATABASE_URL) and that the database is running",
        }
    })
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
    match (a.problems.is_empty(), a.notes.is_empty()) {
        (true, true) => out.push_str(
            "agreement    ok: every item has features and a vector, and the index is the model's\n",
        ),
        (true, false) => out.push_str(
            "agreement    ok as designed: nothing is broken; the notes below are work still to do\n",
        ),
        _ => {}
    }
    for note in &a.notes {
        out.push_str(&format!("note         {note}\n"));
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
