//! MovieLens-100K (GroupLens; Harper & Konstan 2015) from the atomic files that the `recbole`
//! package carries: `ml-100k.user`, `ml-100k.item`, `ml-100k.inter`.
//!
//! `read` parses and validates everything before the server's loader writes anything.

use std::collections::HashSet;
use std::path::Path;

use crate::DataError;
use crate::tsv::TsvFile;

pub const CATALOGUE: &str = "movielens";

pub struct MlUser {
    pub id: String,
    pub age: i32,
    pub gender: String,
    pub occupation: String,
    pub zip: String,
}

pub struct MlItem {
    pub id: String,
    pub title: String,
    /// `None` for the one movie whose year the source gives as "unknown".
    pub year: Option<i32>,
    pub genres: Vec<String>,
}

pub struct MlRating {
    pub user: String,
    pub item: String,
    pub rating: f64,
    pub timestamp: i64,
}

/// The whole dataset, parsed and cross-checked.
pub struct MovieLens {
    pub users: Vec<MlUser>,
    pub items: Vec<MlItem>,
    pub ratings: Vec<MlRating>,
}

/// The folder of the MovieLens-100K files inside the `recbole` package.
pub fn files_in_package(package_dir: &Path) -> std::path::PathBuf {
    package_dir.join("dataset_example").join("ml-100k")
}

/// Parses the three files in `dir` and checks ids and references across them.
///
/// # Errors
/// [`DataError`] naming the file and line of the first problem.
pub fn read(dir: &Path) -> Result<MovieLens, DataError> {
    from_files(
        &TsvFile::read(&dir.join("ml-100k.user"))?,
        &TsvFile::read(&dir.join("ml-100k.item"))?,
        &TsvFile::read(&dir.join("ml-100k.inter"))?,
    )
}

/// Checks the three files, already read, against each other.
///
/// # Errors
/// As [`read`].
pub fn from_files(
    users: &TsvFile,
    items: &TsvFile,
    ratings: &TsvFile,
) -> Result<MovieLens, DataError> {
    let users = read_users(users)?;
    let items = read_items(items)?;
    let user_ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let item_ids: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    let ratings = read_ratings(ratings, &user_ids, &item_ids)?;
    Ok(MovieLens {
        users,
        items,
        ratings,
    })
}

fn read_users(file: &TsvFile) -> Result<Vec<MlUser>, DataError> {
    let cols = file.require(&["user_id", "age", "gender", "occupation", "zip_code"])?;
    let mut seen = HashSet::new();
    let mut users = Vec::new();
    for record in file.records() {
        let r = record?;
        let id = r.text(cols[0], "user_id")?;
        if !seen.insert(id) {
            return Err(r.error(format!("duplicate user_id {id}")));
        }
        let age: i32 = r.number(cols[1], "age")?;
        if !(1..=120).contains(&age) {
            return Err(r.error(format!("`age` = {age} is outside 1..=120")));
        }
        users.push(MlUser {
            id: id.to_owned(),
            age,
            gender: r.text(cols[2], "gender")?.to_owned(),
            occupation: r.text(cols[3], "occupation")?.to_owned(),
            zip: r.text(cols[4], "zip_code")?.to_owned(),
        });
    }
    Ok(users)
}

fn read_items(file: &TsvFile) -> Result<Vec<MlItem>, DataError> {
    let cols = file.require(&["item_id", "movie_title", "release_year", "class"])?;
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for record in file.records() {
        let r = record?;
        let id = r.text(cols[0], "item_id")?;
        if !seen.insert(id) {
            return Err(r.error(format!("duplicate item_id {id}")));
        }
        // The source has two years that are not numbers ("unkonwn", and "V" from a title
        // ending "(1995) (V)"); a year is optional, so they load as missing, with a warning.
        let raw_year = r.text(cols[2], "release_year")?;
        let year = raw_year.parse::<i32>().ok();
        if year.is_none() {
            tracing::warn!(file = %file.path().display(), line = r.line, raw_year, "release year is not a number; loaded as missing");
        }
        if let Some(year) = year.filter(|y| !(1850..=2100).contains(y)) {
            return Err(r.error(format!("`release_year` = {year} is outside 1850..=2100")));
        }
        let genres = r
            .text(cols[3], "class")?
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        items.push(MlItem {
            id: id.to_owned(),
            title: r.text(cols[1], "movie_title")?.to_owned(),
            year,
            genres,
        });
    }
    Ok(items)
}

fn read_ratings(
    file: &TsvFile,
    users: &HashSet<&str>,
    items: &HashSet<&str>,
) -> Result<Vec<MlRating>, DataError> {
    let cols = file.require(&["user_id", "item_id", "rating", "timestamp"])?;
    let mut seen = HashSet::new();
    let mut ratings = Vec::new();
    for record in file.records() {
        let r = record?;
        let user = r.text(cols[0], "user_id")?;
        let item = r.text(cols[1], "item_id")?;
        if !users.contains(user) {
            return Err(r.error(format!("user_id {user} is not in ml-100k.user")));
        }
        if !items.contains(item) {
            return Err(r.error(format!("item_id {item} is not in ml-100k.item")));
        }
        if !seen.insert((user, item)) {
            return Err(r.error(format!("duplicate rating of item {item} by user {user}")));
        }
        let rating = r.finite(cols[2], "rating")?;
        if !(1.0..=5.0).contains(&rating) {
            return Err(r.error(format!("`rating` = {rating} is outside 1..=5")));
        }
        let timestamp = r.finite(cols[3], "timestamp")?;
        if timestamp < 0.0 || timestamp.fract() != 0.0 || timestamp > 4.0e9 {
            return Err(r.error(format!(
                "`timestamp` = {timestamp} is not a Unix time in seconds"
            )));
        }
        // Exact: checked above to be a whole number below 2^32.
        #[allow(clippy::cast_possible_truncation)]
        let timestamp = timestamp as i64;
        ratings.push(MlRating {
            user: user.to_owned(),
            item: item.to_owned(),
            rating,
            timestamp,
        });
    }
    Ok(ratings)
}
