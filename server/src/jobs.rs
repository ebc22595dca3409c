//! The background job's status file, `jobs/background.json` in the data folder. `vitrine
//! prepare` (the demo's background job) writes it as it goes: each step's progress, the stages
//! finished so far, and how it ended. The System page reads it; the next start reads which
//! stages are done, so an interrupted job goes on where it stopped.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use app::wire::BackgroundJob;

/// The job of this process, once [`begin`] has been called: where to write, and what is done.
struct Job {
    path: PathBuf,
    completed: Vec<String>,
}

static JOB: Mutex<Option<Job>> = Mutex::new(None);

pub fn status_path(data_dir: &Path) -> PathBuf {
    data_dir.join("jobs").join("background.json")
}

/// The last status written under `data_dir`, if any can be read.
pub fn read(data_dir: &Path) -> Option<BackgroundJob> {
    let path = status_path(data_dir);
    let text = std::fs::read(&path).ok()?;
    match serde_json::from_slice(&text) {
        Ok(job) => Some(job),
        Err(error) => {
            tracing::warn!(file = %path.display(), %error, "the background job's status is unreadable");
            None
        }
    }
}

/// Makes this process the background job of `data_dir`. Returns the stages a previous run
/// finished.
pub fn begin(data_dir: &Path) -> Vec<String> {
    let completed = read(data_dir).map(|j| j.completed).unwrap_or_default();
    *lock() = Some(Job {
        path: status_path(data_dir),
        completed: completed.clone(),
    });
    completed
}

/// Writes a step's progress as the job's status; nothing when no job has begun.
pub fn record(status: &BackgroundJob) {
    if let Some(job) = lock().as_ref() {
        job.write(status.clone());
    }
}

/// Marks `stage` finished, so that a later run skips it.
pub fn complete(stage: &str) {
    let mut job = lock();
    let Some(job) = job.as_mut() else { return };
    if !job.completed.iter().any(|s| s == stage) {
        job.completed.push(stage.to_owned());
    }
    job.write(ended(stage, None));
}

/// The job's last status: `done`, or `failed` with the reason.
pub fn end(outcome: Result<(), String>) {
    if let Some(job) = lock().as_ref() {
        job.write(match outcome {
            Ok(()) => ended("done", None),
            Err(reason) => ended("failed", Some(reason)),
        });
    }
}

/// A status with no step in progress: `stage` finished (100%), or stopped with `error`.
fn ended(stage: &str, error: Option<String>) -> BackgroundJob {
    BackgroundJob {
        stage: stage.to_owned(),
        percent: if error.is_none() { 100.0 } else { 0.0 },
        updated_at: chrono::Utc::now().to_rfc3339(),
        error,
        ..BackgroundJob::default()
    }
}

impl Job {
    /// `status` with the stages finished so far, whole or not at all; a status that cannot be
    /// written is logged, never fatal.
    fn write(&self, status: BackgroundJob) {
        let status = BackgroundJob {
            completed: self.completed.clone(),
            ..status
        };
        let written = serde_json::to_vec_pretty(&status)
            .map_err(std::io::Error::other)
            .and_then(|json| crate::fsio::write(&self.path, &json));
        if let Err(error) = written {
            tracing::warn!(file = %self.path.display(), %error, "cannot write the background job's status");
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<Job>> {
    JOB.lock().unwrap_or_else(PoisonError::into_inner)
}
