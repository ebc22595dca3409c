//! IDX image and label files: the input as a gzip stream (the decompressor's errors), and the
//! input gzip-compressed (the header and size checks on any bytes).
#![no_main]

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use formats::idx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.idx.gz");
    let _ = idx::parse_images(path, data);
    let _ = idx::parse_labels(path, data);
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    if encoder.write_all(data).is_err() {
        return;
    }
    let Ok(compressed) = encoder.finish() else {
        return;
    };
    if let Ok(images) = idx::parse_images(path, &compressed) {
        assert_eq!(
            images.pixels.len(),
            images.count * images.rows * images.cols
        );
        if images.count > 0 {
            let _ = images.image(images.count - 1);
        }
    }
    let _ = idx::parse_labels(path, &compressed);
});
