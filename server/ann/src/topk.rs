//! The best `k` hits of a stream, kept in a min-heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::Hit;

/// A min-heap entry on score, so the heap's top is the worst of the best `k`.
#[derive(PartialEq)]
struct Worst(Hit);

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(other.0.id.cmp(&self.0.id))
    }
}

/// Keeps the best `k` hits seen.
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    #[inline]
    pub(crate) fn offer(&mut self, id: i64, score: f32) {
        if self.heap.len() < self.k {
            self.heap.push(Worst(Hit { id, score }));
        } else if self.heap.peek().is_some_and(|w| score > w.0.score) {
            self.heap.pop();
            self.heap.push(Worst(Hit { id, score }));
        }
    }

    /// Best first.
    pub(crate) fn into_sorted(self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self.heap.into_iter().map(|w| w.0).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits
    }
}
