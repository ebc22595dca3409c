//! `import movielens` on the real MovieLens-100K files from the venv's `recbole` package:
//! the counts, idempotence, all-or-nothing under an abort, and one malformed file per fault.

use std::path::{Path, PathBuf};

use sea_orm::{EntityTrait, PaginatorTrait};
use server::config::DatabaseSettings;
use server::data::{DataError, load, locate, movielens};
use server::db::Database;
use server::db::entities::{catalogue, interaction, item, user};

/// The real files, found through the project's venv exactly as the CLI finds them.
pub fn movielens_dir() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    movielens::files_in_package(
        &locate::package_dir(&python, "recbole").expect("recbole in the venv"),
    )
}

pub async fn fresh_sqlite(dir: &Path) -> Database {
    let url = format!("sqlite://{}/v.sqlite?mode=rwc", dir.display());
    let db = Database::connect(&DatabaseSettings {
        url,
        ..Default::default()
    })
    .await
    .expect("db");
    db.migrate().await.expect("migrate");
    db
}

/// Row counts of (catalogues, users, items, interactions).
pub async fn counts(db: &Database) -> (u64, u64, u64, u64) {
    let c = db.conn();
    (
        catalogue::Entity::find().count(c).await.expect("count"),
        user::Entity::find().count(c).await.expect("count"),
        item::Entity::find().count(c).await.expect("count"),
        interaction::Entity::find().count(c).await.expect("count"),
    )
}

#[tokio::test]
async fn the_real_dataset_imports_with_its_published_counts_and_reimports_cleanly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = fresh_sqlite(tmp.path()).await;
    let data = movielens::read(&movielens_dir()).expect("the packaged files are valid");
    let summary = movielens::load(db.conn(), &data, |_| Ok(()))
        .await
        .expect("load");
    assert_eq!(
        (summary.users, summary.items, summary.interactions),
        (943, 1_682, 100_000)
    );
    assert_eq!(counts(&db).await, (1, 943, 1_682, 100_000));
    // Running it again replaces the catalogue rather than doubling it.
    movielens::load(db.conn(), &data, |_| Ok(()))
        .await
        .expect("second load");
    assert_eq!(counts(&db).await, (1, 943, 1_682, 100_000));
    let toy_story = item::Entity::find()
        .all(db.conn())
        .await
        .expect("items")
        .into_iter()
        .find(|i| i.external_id == "1")
        .expect("item 1");
    assert_eq!(
        (toy_story.title.as_str(), toy_story.year),
        ("Toy Story", Some(1995))
    );
    assert_eq!(toy_story.category, "Animation");
}

#[tokio::test]
async fn an_import_aborted_half_way_leaves_the_database_as_it_was() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = fresh_sqlite(tmp.path()).await;
    let data = movielens::read(&movielens_dir()).expect("valid files");
    // Aborted into an empty database: nothing at all remains.
    let abort_half_way = |p: load::Progress| {
        if p.rows_written * 2 >= p.rows_total {
            Err(DataError::Aborted("test abort".into()))
        } else {
            Ok(())
        }
    };
    let error = movielens::load(db.conn(), &data, abort_half_way)
        .await
        .expect_err("aborted");
    assert!(matches!(error, DataError::Aborted(_)));
    assert_eq!(counts(&db).await, (0, 0, 0, 0));
    // Aborted over a complete import: the earlier import is intact, ids included.
    movielens::load(db.conn(), &data, |_| Ok(()))
        .await
        .expect("load");
    let ids_before: Vec<i64> = user::Entity::find()
        .all(db.conn())
        .await
        .expect("users")
        .iter()
        .map(|u| u.id)
        .collect();
    movielens::load(db.conn(), &data, abort_half_way)
        .await
        .expect_err("aborted");
    assert_eq!(counts(&db).await, (1, 943, 1_682, 100_000));
    let ids_after: Vec<i64> = user::Entity::find()
        .all(db.conn())
        .await
        .expect("users")
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids_before, ids_after);
}

/// Copies the real files, applies `edit` to one of them, and returns the parse error.
fn error_after_editing(file: &str, edit: impl FnOnce(String) -> String) -> String {
    let tmp = tempfile::tempdir().expect("temp dir");
    let source = movielens_dir();
    for name in ["ml-100k.user", "ml-100k.item", "ml-100k.inter"] {
        std::fs::copy(source.join(name), tmp.path().join(name)).expect("copy");
    }
    let edited = edit(std::fs::read_to_string(source.join(file)).expect("read"));
    std::fs::write(tmp.path().join(file), edited).expect("write");
    match movielens::read(tmp.path()) {
        Ok(_) => panic!("{file} was edited to be invalid but parsed"),
        Err(error) => error
            .to_string()
            .replace(&tmp.path().display().to_string(), "DIR"),
    }
}

/// Replaces `field` (0-based) of data line `line` (1-based, header = 1).
fn set_field(text: String, line: usize, field: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut fields: Vec<&str> = lines[line - 1].split('\t').collect();
    fields[field] = value;
    lines[line - 1] = fields.join("\t");
    lines.join("\n") + "\n"
}

#[test]
fn each_kind_of_malformed_file_names_the_file_and_line() {
    let truncated = error_after_editing("ml-100k.inter", |t| {
        t[..t.len() / 2]
            .rsplit_once('\t')
            .expect("tab")
            .0
            .to_owned()
    });
    assert!(
        truncated.starts_with("DIR/ml-100k.inter:")
            && truncated.contains("expected 4 tab-separated fields, found"),
        "{truncated}"
    );

    let columns = error_after_editing("ml-100k.user", |t| {
        t.replacen("age:token", "years:token", 1)
    });
    assert!(
        columns.starts_with("DIR/ml-100k.user:1: missing column(s) [\"age\"]"),
        "{columns}"
    );

    let nan = error_after_editing("ml-100k.inter", |t| set_field(t, 7, 2, "NaN"));
    assert_eq!(
        nan,
        "DIR/ml-100k.inter:7: `rating` is NaN, expected a finite number"
    );

    let empty = error_after_editing("ml-100k.inter", |t| set_field(t, 9, 3, ""));
    assert_eq!(empty, "DIR/ml-100k.inter:9: `timestamp` is empty");

    let not_a_number = error_after_editing("ml-100k.user", |t| set_field(t, 3, 1, "old"));
    assert!(
        not_a_number.starts_with("DIR/ml-100k.user:3: `age` = \"old\" is not a number"),
        "{not_a_number}"
    );

    let duplicate = error_after_editing("ml-100k.item", |t| set_field(t, 4, 0, "1"));
    assert_eq!(duplicate, "DIR/ml-100k.item:4: duplicate item_id 1");

    let unknown = error_after_editing("ml-100k.inter", |t| set_field(t, 2, 0, "99999"));
    assert_eq!(
        unknown,
        "DIR/ml-100k.inter:2: user_id 99999 is not in ml-100k.user"
    );

    let missing = {
        let tmp = tempfile::tempdir().expect("temp dir");
        movielens::read(tmp.path())
            .err()
            .expect("no files")
            .to_string()
    };
    assert!(
        missing.contains("ml-100k.user") && missing.contains("No such file"),
        "{missing}"
    );
}
