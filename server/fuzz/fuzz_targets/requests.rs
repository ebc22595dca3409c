//! The JSON bodies of every door: `/api/v1` (its wire types) and `/api/fn` (each server
//! function's arguments, as the browser posts them). The first byte picks a request type, the
//! rest is its body. Decoding is an error or a value, and a decoded event batch is validated.
#![no_main]

use app::api::analytics::{
    ComputePower, FetchCampaignList, FetchCampaignReport, FetchExperimentResults,
    FetchStudyResults, SubmitExperiment, SubmitStudy,
};
use app::api::feed::{FetchFeed, FetchPlantedTastes, FetchSimilar, LogFeedEvents};
use app::wire::{
    CampaignReportRequest, CreateExperiment, CreateStudy, EventBatch, PowerRequest,
    RecommendRequest, SimilarRequest,
};
use libfuzzer_sys::fuzz_target;

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) {
    drop(serde_json::from_slice::<T>(body));
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    match kind % 18 {
        // `/api/v1`
        0 => decode::<RecommendRequest>(body),
        1 => decode::<SimilarRequest>(body),
        2 => {
            if let Ok(batch) = serde_json::from_slice::<EventBatch>(body) {
                let _ = batch.validate();
            }
        }
        3 => decode::<CampaignReportRequest>(body),
        4 => decode::<CreateExperiment>(body),
        5 => decode::<PowerRequest>(body),
        6 => decode::<CreateStudy>(body),
        // `/api/fn`: the feed's functions, then the dashboard's
        7 => decode::<FetchFeed>(body),
        8 => decode::<FetchSimilar>(body),
        9 => {
            if let Ok(args) = serde_json::from_slice::<LogFeedEvents>(body) {
                let _ = args.batch.validate();
            }
        }
        10 => decode::<FetchPlantedTastes>(body),
        11 => decode::<FetchCampaignList>(body),
        12 => decode::<FetchCampaignReport>(body),
        13 => decode::<SubmitExperiment>(body),
        14 => decode::<FetchExperimentResults>(body),
        15 => decode::<ComputePower>(body),
        16 => decode::<SubmitStudy>(body),
        _ => decode::<FetchStudyResults>(body),
    }
});
