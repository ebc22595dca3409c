//! The JSON bodies of `/api/v1`: the first byte picks a request type, the rest is its body.
//! Decoding is an error or a value, and a decoded event batch is validated.
#![no_main]

use app::wire::{
    CampaignReportRequest, CreateExperiment, CreateStudy, EventBatch, PowerRequest,
    RecommendRequest, SimilarRequest,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    match kind % 7 {
        0 => drop(serde_json::from_slice::<RecommendRequest>(body)),
        1 => drop(serde_json::from_slice::<SimilarRequest>(body)),
        2 => {
            if let Ok(batch) = serde_json::from_slice::<EventBatch>(body) {
                let _ = batch.validate();
            }
        }
        3 => drop(serde_json::from_slice::<CampaignReportRequest>(body)),
        4 => drop(serde_json::from_slice::<CreateExperiment>(body)),
        5 => drop(serde_json::from_slice::<PowerRequest>(body)),
        _ => drop(serde_json::from_slice::<CreateStudy>(body)),
    }
});
