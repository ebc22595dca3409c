//! An in-memory IVF-Flat index over unit vectors, scored by inner product: spherical k-means
//! splits the vectors into lists, a query scans the lists of its `probes` nearest centroids.
//! Each list's vectors are stored contiguously, so a scan reads memory in order. Exact search
//! over the same vectors is the reference that recall is measured against.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::data::rng::SplitMix64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnnError {
    #[error("{vectors} values are not a whole number of {dim}-d vectors for {ids} ids")]
    Shape {
        ids: usize,
        vectors: usize,
        dim: usize,
    },
    #[error("vector of id {0} is not finite")]
    NotFinite(i64),
    #[error("nothing to index")]
    Empty,
}

/// One result: an id and its inner product with the query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
}

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
struct TopK {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    fn offer(&mut self, id: i64, score: f32) {
        if self.heap.len() < self.k {
            self.heap.push(Worst(Hit { id, score }));
        } else if self.heap.peek().is_some_and(|w| score > w.0.score) {
            self.heap.pop();
            self.heap.push(Worst(Hit { id, score }));
        }
    }

    /// Best first.
    fn into_sorted(self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self.heap.into_iter().map(|w| w.0).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn check(ids: &[i64], vectors: &[f32], dim: usize) -> Result<(), AnnError> {
    if dim == 0 || vectors.len() != ids.len() * dim {
        return Err(AnnError::Shape {
            ids: ids.len(),
            vectors: vectors.len(),
            dim,
        });
    }
    if let Some((row, _)) = vectors
        .chunks_exact(dim)
        .enumerate()
        .find(|(_, v)| v.iter().any(|x| !x.is_finite()))
    {
        return Err(AnnError::NotFinite(ids[row]));
    }
    Ok(())
}

/// The best `k` of all vectors for `query`, skipping ids that `keep` rejects.
///
/// # Errors
/// [`AnnError`] for inconsistent shapes or non-finite values.
pub fn exact_search(
    ids: &[i64],
    vectors: &[f32],
    dim: usize,
    query: &[f32],
    k: usize,
    mut keep: impl FnMut(i64) -> bool,
) -> Result<Vec<Hit>, AnnError> {
    check(ids, vectors, dim)?;
    let mut top = TopK::new(k);
    for (id, v) in ids.iter().zip(vectors.chunks_exact(dim)) {
        if keep(*id) {
            top.offer(*id, dot(query, v));
        }
    }
    Ok(top.into_sorted())
}

#[derive(Clone, Debug)]
pub struct IvfParams {
    /// Number of lists; about the square root of the vector count works well.
    pub lists: usize,
    /// Vectors sampled to train the centroids.
    pub train_sample: usize,
    pub iterations: usize,
    pub seed: u64,
}

pub struct IvfIndex {
    dim: usize,
    centroids: Vec<f32>,
    /// List `l` holds rows `offsets[l]..offsets[l + 1]` of `ids` and `vectors`.
    offsets: Vec<usize>,
    ids: Vec<i64>,
    vectors: Vec<f32>,
}

impl IvfIndex {
    /// Trains the centroids on a seeded sample and files every vector under its nearest.
    ///
    /// # Errors
    /// [`AnnError`] for inconsistent shapes, non-finite values or no vectors.
    pub fn build(
        ids: &[i64],
        vectors: &[f32],
        dim: usize,
        params: &IvfParams,
    ) -> Result<Self, AnnError> {
        check(ids, vectors, dim)?;
        if ids.is_empty() {
            return Err(AnnError::Empty);
        }
        let lists = params.lists.clamp(1, ids.len());
        let mut rng = SplitMix64::new(params.seed);
        let mut sample: Vec<usize> = (0..ids.len()).collect();
        for i in (1..sample.len()).rev() {
            sample.swap(i, rng.below(i + 1));
        }
        sample.truncate(params.train_sample.max(lists));
        let row = |i: usize| &vectors[i * dim..(i + 1) * dim];
        let mut centroids: Vec<f32> = sample[..lists]
            .iter()
            .flat_map(|&i| row(i).iter().copied())
            .collect();
        for _ in 0..params.iterations {
            let mut sums = vec![0f32; lists * dim];
            let mut counts = vec![0usize; lists];
            for &i in &sample {
                let c = nearest(&centroids, dim, row(i));
                counts[c] += 1;
                sums[c * dim..(c + 1) * dim]
                    .iter_mut()
                    .zip(row(i))
                    .for_each(|(s, x)| *s += x);
            }
            for c in 0..lists {
                let target = &mut centroids[c * dim..(c + 1) * dim];
                if counts[c] == 0 {
                    // An empty list restarts from a random sample vector.
                    target.copy_from_slice(row(sample[rng.below(sample.len())]));
                    continue;
                }
                let sum = &sums[c * dim..(c + 1) * dim];
                let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
                target.iter_mut().zip(sum).for_each(|(t, s)| *t = s / norm);
            }
        }
        let assignment: Vec<usize> = (0..ids.len())
            .map(|i| nearest(&centroids, dim, row(i)))
            .collect();
        let mut offsets = vec![0usize; lists + 1];
        for &c in &assignment {
            offsets[c + 1] += 1;
        }
        for c in 0..lists {
            offsets[c + 1] += offsets[c];
        }
        let mut cursor = offsets.clone();
        let mut sorted_ids = vec![0i64; ids.len()];
        let mut sorted = vec![0f32; vectors.len()];
        for (i, &c) in assignment.iter().enumerate() {
            let at = cursor[c];
            cursor[c] += 1;
            sorted_ids[at] = ids[i];
            sorted[at * dim..(at + 1) * dim].copy_from_slice(row(i));
        }
        Ok(Self {
            dim,
            centroids,
            offsets,
            ids: sorted_ids,
            vectors: sorted,
        })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn lists(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The best `k` hits among the lists of the `probes` centroids nearest to `query`.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        probes: usize,
        mut keep: impl FnMut(i64) -> bool,
    ) -> Vec<Hit> {
        let dim = self.dim;
        let mut nearest_lists = TopK::new(probes.clamp(1, self.lists()));
        for (c, centroid) in self.centroids.chunks_exact(dim).enumerate() {
            nearest_lists.offer(c as i64, dot(query, centroid));
        }
        let mut top = TopK::new(k);
        for list in nearest_lists.into_sorted() {
            let l = list.id as usize;
            let rows = self.offsets[l]..self.offsets[l + 1];
            for (id, v) in self.ids[rows.clone()]
                .iter()
                .zip(self.vectors[rows.start * dim..rows.end * dim].chunks_exact(dim))
            {
                if keep(*id) {
                    top.offer(*id, dot(query, v));
                }
            }
        }
        top.into_sorted()
    }
}

fn nearest(centroids: &[f32], dim: usize, v: &[f32]) -> usize {
    centroids
        .chunks_exact(dim)
        .map(|c| dot(c, v))
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0, |(c, _)| c)
}

#[cfg(test)]
mod tests;
