//! MovieLens-100K's three TSV files, split from one input at NUL bytes: every field getter
//! of the typed-header TSV reader, and the cross-file checks. Any input is an `Ok` or a
//! `DataError`, never a panic.
#![no_main]

use std::path::Path;

use formats::movielens;
use formats::tsv::TsvFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let mut next = |name: &str| {
        let text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        TsvFile::parse(Path::new(name), text)
    };
    let (Ok(users), Ok(items), Ok(ratings)) = (
        next("ml-100k.user"),
        next("ml-100k.item"),
        next("ml-100k.inter"),
    ) else {
        return;
    };
    if let Ok(data) = movielens::from_files(&users, &items, &ratings) {
        assert!(data.ratings.iter().all(|r| (1.0..=5.0).contains(&r.rating)));
    }
});
