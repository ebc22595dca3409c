//! The cold-start feed: for an unknown user or one without history, the best content matches
//! for the context's text first, then trending and popular items interleaved.

use std::collections::HashSet;

use super::rerank::Entry;
use super::snapshot::Snapshot;

/// Popular and trending items, interleaved and deduplicated, after the best content matches
/// for the context's text when there is one.
pub(super) fn cold_start(
    snapshot: &Snapshot,
    text: Option<&[f32]>,
    depth: usize,
    keep: &dyn Fn(u32) -> bool,
    search: impl Fn(&[f32], usize, &dyn Fn(u32) -> bool) -> Vec<Entry>,
) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::with_capacity(depth);
    let mut taken = HashSet::new();
    if let Some(text) = text {
        for e in search(text, depth / 2, keep) {
            taken.insert(e.row);
            out.push(e);
        }
    }
    let (mut popular, mut trending) = (snapshot.popular.iter(), snapshot.trending.iter());
    let mut rank = 0usize;
    while out.len() < depth {
        let next = if rank.is_multiple_of(2) {
            trending.next().or_else(|| popular.next())
        } else {
            popular.next().or_else(|| trending.next())
        };
        let Some(&row) = next else { break };
        rank += 1;
        if keep(row) && taken.insert(row) {
            out.push(Entry {
                row,
                score: 1.0 / (out.len() + 1) as f32,
                sponsored: None,
            });
        }
    }
    out
}
