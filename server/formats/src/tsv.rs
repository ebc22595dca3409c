//! Tab-separated files whose header names and types each column, such as
//! `user_id:token<TAB>rating:float`. Fields are checked as they are read, and every error
//! names the file, the line and the column.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::DataError;

/// A whole file in memory (the MovieLens files are a few MB), split lazily into records.
pub struct TsvFile {
    path: PathBuf,
    text: String,
    columns: Vec<String>,
}

impl TsvFile {
    /// Reads `path` and its header.
    ///
    /// # Errors
    /// [`DataError::Io`] when unreadable or not UTF-8; [`DataError::Invalid`] when empty.
    pub fn read(path: &Path) -> Result<Self, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            file: path.to_owned(),
            source,
        })?;
        Self::parse(path, text)
    }

    /// Parses already-read text; `path` is used in messages.
    ///
    /// # Errors
    /// [`DataError::Invalid`] when there is no header line.
    pub fn parse(path: &Path, text: String) -> Result<Self, DataError> {
        let header = text
            .lines()
            .next()
            .filter(|h| !h.trim().is_empty())
            .ok_or_else(|| {
                DataError::invalid(path, 1, "the file is empty: expected a header line")
            })?;
        let columns = header
            .split('\t')
            .map(|c| c.split(':').next().unwrap_or(c).trim().to_owned())
            .collect();
        Ok(Self {
            path: path.to_owned(),
            text,
            columns,
        })
    }

    /// The positions of `names` in the header, in the order asked.
    ///
    /// # Errors
    /// [`DataError::Invalid`] at line 1 naming the missing columns and the ones present.
    pub fn require(&self, names: &[&str]) -> Result<Vec<usize>, DataError> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.columns.iter().any(|c| c == n))
            .collect();
        if !missing.is_empty() {
            return Err(DataError::invalid(
                &self.path,
                1,
                format!(
                    "missing column(s) {missing:?}; the header has {:?}",
                    self.columns
                ),
            ));
        }
        Ok(names
            .iter()
            .filter_map(|n| self.columns.iter().position(|c| c == n))
            .collect())
    }

    /// The data records, skipping blank lines. Each has exactly as many fields as the header.
    pub fn records(&self) -> impl Iterator<Item = Result<Record<'_>, DataError>> {
        let width = self.columns.len();
        self.text
            .lines()
            .enumerate()
            .skip(1)
            .filter(|(_, line)| !line.trim().is_empty())
            .map(move |(index, line)| {
                let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
                if fields.len() == width {
                    Ok(Record {
                        file: &self.path,
                        line: index + 1,
                        fields,
                    })
                } else {
                    Err(DataError::invalid(
                        &self.path,
                        index + 1,
                        format!(
                            "expected {width} tab-separated fields, found {}",
                            fields.len()
                        ),
                    ))
                }
            })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// One line of a [`TsvFile`].
pub struct Record<'a> {
    file: &'a Path,
    pub line: usize,
    fields: Vec<&'a str>,
}

impl<'a> Record<'a> {
    /// A non-empty, trimmed text field.
    ///
    /// # Errors
    /// [`DataError::Invalid`] when the field is empty.
    pub fn text(&self, column: usize, name: &str) -> Result<&'a str, DataError> {
        let value = self.fields[column].trim();
        if value.is_empty() {
            return Err(self.error(format!("`{name}` is empty")));
        }
        Ok(value)
    }

    /// A number of any `FromStr` type.
    ///
    /// # Errors
    /// [`DataError::Invalid`] when empty or not a number of that type.
    pub fn number<T: FromStr>(&self, column: usize, name: &str) -> Result<T, DataError>
    where
        T::Err: std::fmt::Display,
    {
        let raw = self.text(column, name)?;
        raw.parse()
            .map_err(|e| self.error(format!("`{name}` = {raw:?} is not a number: {e}")))
    }

    /// A finite float: NaN and infinities are refused, not imported.
    ///
    /// # Errors
    /// [`DataError::Invalid`] when empty, not a number, or not finite.
    pub fn finite(&self, column: usize, name: &str) -> Result<f64, DataError> {
        let value: f64 = self.number(column, name)?;
        if !value.is_finite() {
            return Err(self.error(format!("`{name}` is {value}, expected a finite number")));
        }
        Ok(value)
    }

    pub fn error(&self, reason: impl Into<String>) -> DataError {
        DataError::invalid(self.file, self.line, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> TsvFile {
        TsvFile::parse(Path::new("t.inter"), text.to_owned()).expect("header")
    }

    #[test]
    fn typed_headers_map_to_plain_names() {
        let f = file("user_id:token\trating:float\n1\t4.5\n");
        assert_eq!(
            f.require(&["rating", "user_id"]).expect("columns"),
            vec![1, 0]
        );
        let record = f.records().next().expect("one record").expect("valid");
        assert_eq!(record.line, 2);
        assert_eq!(record.finite(1, "rating").expect("float"), 4.5);
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        let f = file("a:token\tb:float\nx\tNaN\ny\n\nz\t\n");
        let records: Vec<_> = f.records().collect();
        let nan = records[0]
            .as_ref()
            .expect("shape ok")
            .finite(1, "b")
            .expect_err("NaN");
        assert_eq!(
            nan.to_string(),
            "t.inter:2: `b` is NaN, expected a finite number"
        );
        let short = records[1].as_ref().err().expect("short line").to_string();
        assert_eq!(short, "t.inter:3: expected 2 tab-separated fields, found 1");
        // The blank line 4 is skipped; line 5 has an empty number.
        let empty = records[2]
            .as_ref()
            .expect("shape ok")
            .finite(1, "b")
            .expect_err("empty");
        assert_eq!(empty.to_string(), "t.inter:5: `b` is empty");
        let missing = f.require(&["a", "c"]).expect_err("no c").to_string();
        assert!(
            missing.starts_with("t.inter:1: missing column(s) [\"c\"]"),
            "{missing}"
        );
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let error = TsvFile::parse(Path::new("e.tsv"), String::new())
            .err()
            .expect("empty");
        assert_eq!(
            error.to_string(),
            "e.tsv:1: the file is empty: expected a header line"
        );
    }
}
