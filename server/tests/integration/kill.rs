//! Killing `import`, `extract`, `train` and `index` with SIGKILL in the middle of their work,
//! then running them again: the real binary on MovieLens-100K, in a temp folder. After each
//! kill, what is stored is the state before the command or a whole step of it, never half a
//! write; the next run resumes (extract, train --resume) or redoes (import, index) cleanly.
//!
//! At the end, `vitrine doctor` finds SQL and LanceDB in agreement, then notes an item added
//! to SQL alone (exit 0: unfinished as designed), then finds an index of another model (exit 1).
//!
//! A command is killed when its own progress log (target `progress`) says it is mid-step, so
//! the kill lands inside the work rather than before or after it.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use sea_orm::{ActiveModelTrait, EntityTrait, NotSet, PaginatorTrait, Set};
use server::config::Settings;
use server::db::Database;
use server::db::entities::{interaction, item, user};
use server::recsys::checkpoint;
use server::recsys::serving::ServingModel;
use server::vector::{FeatureTable, VectorStore, item_vectors};

use crate::support::settings_in;

const USERS: u64 = 943;
const ITEMS: u64 = 1682;
const RATINGS: u64 = 100_000;

struct Workspace {
    dir: tempfile::TempDir,
    settings: Settings,
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Killed at a progress line of `done` of `total`.
    Killed {
        done: usize,
        total: usize,
    },
    Finished,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// `done=12` in a log line.
fn field(line: &str, name: &str) -> Option<usize> {
    let start = line.find(&format!("{name}="))? + name.len() + 1;
    let digits: String = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = settings_in(dir.path());
        Self { dir, settings }
    }

    fn model_dir(&self) -> PathBuf {
        self.dir.path().join("data/models/movielens")
    }

    fn command(&self, args: &[&str]) -> Command {
        let root = repo_root();
        let mut command = Command::new(env!("CARGO_BIN_EXE_vitrine"));
        command
            .args(args)
            .current_dir(&root)
            .env("VITRINE_CONFIG_DIR", root.join("configs"))
            .env("VITRINE__DATABASE__URL", &self.settings.database.url)
            .env("VITRINE__VECTORS__URI", &self.settings.vectors.uri)
            .env("VITRINE__DATA__DIR", self.dir.path().join("data"))
            .env("VITRINE__INFERENCE__CATALOGUE", "movielens")
            .env("RUST_LOG", "warn,progress=debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs to the end; panics with its output on failure. Returns stdout.
    fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("start vitrine");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "vitrine {args:?}: {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Runs until a progress line of `step` satisfies `at`, waits `delay`, then SIGKILLs it.
    fn kill(
        &self,
        args: &[&str],
        step: &str,
        at: impl Fn(usize, usize) -> bool,
        delay: Duration,
    ) -> Ended {
        let mut child = self.command(args).spawn().expect("start vitrine");
        let stderr = child.stderr.take().expect("stderr");
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.expect("stderr line");
            if line.contains("progress") && line.contains(&format!("step=\"{step}\"")) {
                let (Some(done), Some(total)) = (field(&line, "done"), field(&line, "total"))
                else {
                    continue;
                };
                if at(done, total) {
                    std::thread::sleep(delay);
                    // SIGKILL; a process that exited first is reaped with its own status.
                    child.kill().expect("SIGKILL");
                    let status = child.wait().expect("wait");
                    if status.success() {
                        return Ended::Finished;
                    }
                    assert_eq!(status.signal(), Some(9), "vitrine {args:?}: {status}");
                    eprintln!("vitrine {args:?}: killed at {done}/{total} (+{delay:?})");
                    return Ended::Killed { done, total };
                }
            }
            seen.push(line);
        }
        let status = child.wait().expect("wait");
        assert!(
            status.success(),
            "vitrine {args:?}: {status}\n{}",
            seen.join("\n")
        );
        Ended::Finished
    }

    async fn counts(&self) -> (u64, u64, u64) {
        let db = Database::connect(&self.settings.database)
            .await
            .expect("the database opens after a kill");
        let conn = db.conn();
        (
            user::Entity::find().count(conn).await.expect("users"),
            item::Entity::find().count(conn).await.expect("items"),
            interaction::Entity::find()
                .count(conn)
                .await
                .expect("interactions"),
        )
    }

    async fn store(&self) -> VectorStore {
        VectorStore::open(&self.settings.vectors)
            .await
            .expect("LanceDB opens after a kill")
    }

    /// Feature rows: every item at most once.
    async fn feature_rows(&self) -> usize {
        let Some(table) = FeatureTable::open_existing(&self.store().await)
            .await
            .expect("item_features")
        else {
            return 0;
        };
        let ids: Vec<i64> = table
            .read_all()
            .await
            .expect("read")
            .iter()
            .map(|r| r.item_id)
            .collect();
        let distinct: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len(), "an item has two feature rows");
        ids.len()
    }

    /// The latest published index: every item once, one stamp; `None` when never published.
    async fn published_index(&self) -> Option<String> {
        let table = item_vectors::open(&self.store().await)
            .await
            .expect("item_vectors")?;
        let all = item_vectors::read_all(&table).await.expect("read");
        let distinct: HashSet<i64> = all.item_ids.iter().copied().collect();
        assert_eq!(
            (all.item_ids.len(), distinct.len()),
            (ITEMS as usize, ITEMS as usize),
            "a published index holds every item once"
        );
        Some(all.index_version)
    }
}

const NOW: Duration = Duration::ZERO;

#[tokio::test]
async fn killed_steps_leave_whole_state_run_again_and_doctor_agrees() {
    let ws = Workspace::new();

    // import: one transaction. Killed mid-load, nothing is there; run again, all of it is.
    let import = ["import", "movielens"];
    let ended = ws.kill(&import, "import", |done, total| done < total / 2, NOW);
    assert!(matches!(ended, Ended::Killed { .. }), "{ended:?}");
    assert_eq!(
        ws.counts().await,
        (0, 0, 0),
        "a killed first import leaves nothing"
    );
    ws.run(&import);
    assert_eq!(ws.counts().await, (USERS, ITEMS, RATINGS));
    // Replacing the catalogue, killed: the old one is intact.
    let ended = ws.kill(&import, "import", |done, total| done > total / 2, NOW);
    assert!(matches!(ended, Ended::Killed { .. }), "{ended:?}");
    assert_eq!(ws.counts().await, (USERS, ITEMS, RATINGS));

    // extract: a LanceDB commit per page. Killed after some pages, those pages are whole;
    // the next run does the rest and nothing twice.
    let extract = ["extract", "--catalogue", "movielens"];
    let ended = ws.kill(
        &extract,
        "extract",
        |done, total| done > 0 && done < total,
        NOW,
    );
    let Ended::Killed { done, .. } = ended else {
        panic!("extract finished before the kill");
    };
    let kept = ws.feature_rows().await;
    assert!(
        kept >= done && kept < ITEMS as usize,
        "{kept} rows after a kill at {done}"
    );
    let stdout = ws.run(&extract);
    assert_eq!(ws.feature_rows().await, ITEMS as usize, "{stdout}");

    // train: epochs are checkpointed in staging; the served folder changes once, at the end.
    let train = ["train", "--catalogue", "movielens", "--max-epochs", "3"];
    let ended = ws.kill(&train, "train", |epoch, _| epoch == 1, NOW);
    assert!(matches!(ended, Ended::Killed { .. }), "{ended:?}");
    assert!(
        ServingModel::load(&ws.model_dir()).is_err(),
        "a killed first training publishes nothing"
    );
    let staged = ws.model_dir().join("training");
    let resumed = if checkpoint::read_meta(&staged, None).is_ok() {
        ws.run(&[&train[..], &["--resume"]].concat())
    } else {
        ws.run(&train)
    };
    let model = ServingModel::load(&ws.model_dir()).expect("published after the rerun");
    let digest = model.weights_digest().to_owned();
    assert!(!staged.exists(), "staging is cleared: {resumed}");
    // Retraining, killed in the middle: the published model is untouched and loads.
    let ended = ws.kill(
        &train,
        "train",
        |epoch, _| epoch == 2,
        Duration::from_millis(20),
    );
    assert!(matches!(ended, Ended::Killed { .. }), "{ended:?}");
    let after = ServingModel::load(&ws.model_dir()).expect("still loads");
    assert_eq!(after.weights_digest(), digest);

    // index: the table is overwritten in one commit. Killed as the vectors are written (at
    // several moments around the commit), the latest version is the old index or the new one.
    let index = ["index", "--catalogue", "movielens"];
    let ended = ws.kill(&index, "index", |done, total| done == total, NOW);
    assert!(matches!(ended, Ended::Killed { .. }), "{ended:?}");
    // Nothing, or (had the commit won the race) a whole index.
    let _maybe = ws.published_index().await;
    ws.run(&index);
    let first = ws.published_index().await.expect("published");
    for delay in [0, 25, 100, 400] {
        let ended = ws.kill(
            &index,
            "index",
            |done, total| done == total,
            Duration::from_millis(delay),
        );
        let now = ws.published_index().await.expect("still published");
        assert!(
            matches!(ended, Ended::Killed { .. }) || now != first,
            "{ended:?}"
        );
    }
    ws.run(&index);
    assert!(ws.published_index().await.is_some());

    // doctor: after all that, SQL and LanceDB agree; an item added behind their back is found.
    let doctor = ["doctor"];
    let report = ws.run(&doctor);
    assert!(report.contains("agreement    ok"), "{report}");
    let db = Database::connect(&ws.settings.database).await.expect("db");
    let any = item::Entity::find()
        .one(db.conn())
        .await
        .expect("q")
        .expect("an item");
    let added = item::ActiveModel {
        id: NotSet,
        external_id: Set("added-by-hand".into()),
        ..any.into()
    }
    .insert(db.conn())
    .await
    .expect("insert");
    // Not yet encoded nor indexed: unfinished as designed (the server files new items in), so
    // notes with the commands that finish the work, and exit 0.
    let out = ws.command(&doctor).output().expect("doctor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("agreement    ok as designed"), "{stdout}");
    for expected in [
        format!(
            "note         1 active items have no content features yet: `vitrine extract` encodes them, resuming where it stopped (e.g. item [{}])",
            added.id
        ),
        format!(
            "note         1 active items are not in the published index yet: the server files new items in; `vitrine index` publishes them all (e.g. item [{}])",
            added.id
        ),
    ] {
        assert!(stdout.contains(&expected), "{expected}\n{stdout}");
    }
    // A deliberate disagreement: the index of another model than the one in the model folder.
    let other = ws.dir.path().join("other-model");
    let other = other.to_str().expect("a UTF-8 path");
    ws.run(&[
        "train",
        "--catalogue",
        "movielens",
        "--max-epochs",
        "1",
        "--out-dir",
        other,
    ]);
    ws.run(&["index", "--catalogue", "movielens", "--model-dir", other]);
    let out = ws.command(&doctor).output().expect("doctor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("problem      the index") && stdout.contains("was built by other weights"),
        "{stdout}"
    );
    assert!(!stdout.to_lowercase().contains("sql error") && !stdout.contains("Query Error"));
}
