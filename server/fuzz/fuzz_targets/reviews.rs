//! The reviews Parquet file: any bytes are reviews or a `DataError`.
#![no_main]

use std::path::Path;

use bytes::Bytes;
use formats::reviews;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(found) = reviews::parse(Path::new("fuzz.parquet"), Bytes::copy_from_slice(data)) {
        assert!(
            found
                .iter()
                .all(|r| !r.class_name.is_empty() && !r.text.is_empty())
        );
    }
});
