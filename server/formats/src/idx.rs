//! IDX files (the MNIST family's format), gzip-compressed: big-endian magic and dimensions,
//! then unsigned bytes. Sizes are checked against the header, so a truncated file is an error
//! that says how much is missing.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

use crate::DataError;

/// `count` greyscale images of `rows` x `cols`, row-major, one byte a pixel.
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

impl IdxImages {
    pub fn image(&self, index: usize) -> &[u8] {
        let size = self.rows * self.cols;
        &self.pixels[index * size..(index + 1) * size]
    }
}

/// Reads a gzip-compressed `idx3-ubyte` image file.
///
/// # Errors
/// [`DataError::Format`] for a bad magic number, odd dimensions, a truncated or corrupt file.
pub fn read_images(path: &Path) -> Result<IdxImages, DataError> {
    parse_images(path, &read_file(path)?)
}

/// Parses the bytes of a gzip-compressed `idx3-ubyte` file; `path` is used in messages.
///
/// # Errors
/// As [`read_images`].
pub fn parse_images(path: &Path, compressed: &[u8]) -> Result<IdxImages, DataError> {
    let bytes = gunzip(path, compressed)?;
    let dims = header(path, &bytes, 0x0803, 3)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if rows == 0 || cols == 0 || rows > 4096 || cols > 4096 {
        return Err(format_error(
            path,
            format!("implausible image size {rows}x{cols}"),
        ));
    }
    let pixels = body(path, &bytes, 16, count * rows * cols)?;
    Ok(IdxImages {
        count,
        rows,
        cols,
        pixels,
    })
}

/// Reads a gzip-compressed `idx1-ubyte` label file.
///
/// # Errors
/// [`DataError::Format`] as for [`read_images`].
pub fn read_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    parse_labels(path, &read_file(path)?)
}

/// Parses the bytes of a gzip-compressed `idx1-ubyte` file; `path` is used in messages.
///
/// # Errors
/// As [`read_images`].
pub fn parse_labels(path: &Path, compressed: &[u8]) -> Result<Vec<u8>, DataError> {
    let bytes = gunzip(path, compressed)?;
    let dims = header(path, &bytes, 0x0801, 1)?;
    body(path, &bytes, 8, dims[0])
}

fn read_file(path: &Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|source| DataError::Io {
        file: path.to_owned(),
        source,
    })
}

/// The most an IDX file may inflate to. Fashion-MNIST's largest is 47 MB; the cap turns a
/// hostile "zip bomb" into an error instead of exhausting memory.
pub const MAX_INFLATED_BYTES: u64 = 1 << 30;

fn gunzip(path: &Path, compressed: &[u8]) -> Result<Vec<u8>, DataError> {
    let mut bytes = Vec::new();
    GzDecoder::new(compressed)
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format_error(path, format!("not a complete gzip stream: {e}")))?;
    if bytes.len() as u64 > MAX_INFLATED_BYTES {
        return Err(format_error(
            path,
            format!("inflates to more than {MAX_INFLATED_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

/// Checks the magic number and returns the `ndims` dimensions.
fn header(path: &Path, bytes: &[u8], magic: u32, ndims: usize) -> Result<Vec<usize>, DataError> {
    let header_len = 4 + 4 * ndims;
    if bytes.len() < header_len {
        return Err(format_error(
            path,
            format!("{} bytes is too short for an IDX header", bytes.len()),
        ));
    }
    let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    if word(0) != magic {
        return Err(format_error(
            path,
            format!("magic number {:#010x}, expected {magic:#010x}", word(0)),
        ));
    }
    Ok((0..ndims).map(|d| word(4 + 4 * d) as usize).collect())
}

fn body(path: &Path, bytes: &[u8], offset: usize, expected: usize) -> Result<Vec<u8>, DataError> {
    let found = bytes.len() - offset;
    if found != expected {
        return Err(format_error(
            path,
            format!("the header promises {expected} data bytes but the file holds {found}"),
        ));
    }
    Ok(bytes[offset..].to_vec())
}

fn format_error(path: &Path, reason: String) -> DataError {
    DataError::Format {
        file: PathBuf::from(path),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).expect("compress");
        encoder.finish().expect("finish")
    }

    fn images_file(count: u32, pixels: usize) -> Vec<u8> {
        let mut bytes = vec![0, 0, 8, 3];
        for d in [count, 2, 2] {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend((0..pixels).map(|i| i as u8));
        bytes
    }

    #[test]
    fn images_round_trip_and_truncation_is_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("i.gz");
        std::fs::write(&path, gz(&images_file(2, 8))).expect("write");
        let images = read_images(&path).expect("valid");
        assert_eq!((images.count, images.rows, images.cols), (2, 2, 2));
        assert_eq!(images.image(1), &[4, 5, 6, 7]);

        std::fs::write(&path, gz(&images_file(2, 7))).expect("write");
        let error = read_images(&path).err().expect("truncated").to_string();
        assert!(
            error.ends_with("the header promises 8 data bytes but the file holds 7"),
            "{error}"
        );

        let compressed = gz(&images_file(2, 8));
        std::fs::write(&path, &compressed[..compressed.len() - 6]).expect("write");
        let error = read_images(&path).err().expect("cut gzip").to_string();
        assert!(error.contains("not a complete gzip stream"), "{error}");

        let mut labels_magic = images_file(2, 8);
        labels_magic[3] = 1;
        std::fs::write(&path, gz(&labels_magic)).expect("write");
        let error = read_images(&path)
            .err()
            .expect("labels are not images")
            .to_string();
        assert!(
            error.contains("magic number 0x00000801, expected 0x00000803"),
            "{error}"
        );
    }
}
