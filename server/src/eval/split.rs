//! The per-user ratio split (RecBole's `RO` ordering with `split: {RS: [0.8, 0.1, 0.1]}`):
//! shuffle each user's interactions with a seeded generator, then give `floor(0.1 n)` to
//! validation and to test, and the rest to training. Exported as RecBole atomic files, so that
//! outside tools can be run on exactly the same split.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Dataset, Interaction};
use crate::data::rng::SplitMix64;

#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Split {
    pub train: Vec<Interaction>,
    pub valid: Vec<Interaction>,
    pub test: Vec<Interaction>,
}

impl Split {
    /// Splits each user's interactions `ratios` (train, valid, test) at random, with `seed`.
    pub fn by_user_ratio(data: &Dataset, ratios: [f64; 3], seed: u64) -> Self {
        let mut by_user: Vec<Vec<Interaction>> = vec![Vec::new(); data.user_count()];
        for interaction in &data.interactions {
            by_user[interaction.user as usize].push(*interaction);
        }
        let mut rng = SplitMix64::new(seed);
        let mut split = Self::default();
        for mut group in by_user {
            for i in (1..group.len()).rev() {
                group.swap(i, rng.below(i + 1));
            }
            let [train, valid, _] = counts(group.len(), ratios);
            let mut rest = group.split_off(train);
            let test = rest.split_off(valid);
            split.train.extend(group);
            split.valid.extend(rest);
            split.test.extend(test);
        }
        split
    }

    /// Writes `<name>.train.inter`, `.valid.inter` and `.test.inter` into `dir`, each whole or
    /// not at all ([`crate::fsio`]).
    ///
    /// # Errors
    /// [`SplitError::Write`] naming the file.
    pub fn export(
        &self,
        data: &Dataset,
        dir: &Path,
        name: &str,
    ) -> Result<Vec<PathBuf>, SplitError> {
        let mut written = Vec::new();
        for (part, rows) in [
            ("train", &self.train),
            ("valid", &self.valid),
            ("test", &self.test),
        ] {
            let path = dir.join(format!("{name}.{part}.inter"));
            crate::fsio::write_with(&path, |out| {
                writeln!(
                    out,
                    "user_id:token\titem_id:token\trating:float\ttimestamp:float"
                )?;
                for r in rows {
                    let (user, item) = (&data.users[r.user as usize], &data.items[r.item as usize]);
                    writeln!(out, "{user}\t{item}\t{}\t{}", r.rating, r.timestamp)?;
                }
                Ok(())
            })
            .map_err(|source| SplitError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
        Ok(written)
    }
}

/// RecBole's `_calcu_split_ids`: every part but the first gets `floor(ratio * n)`, the first the
/// rest; a part whose share is below one item (but above zero) still gets one, taken from the
/// first part, while the first part keeps more than one.
fn counts(n: usize, ratios: [f64; 3]) -> [usize; 3] {
    let total: f64 = ratios.iter().sum();
    let share = |r: f64| r / total * n as f64;
    let mut cnt = [
        0,
        share(ratios[1]).floor() as usize,
        share(ratios[2]).floor() as usize,
    ];
    cnt[0] = n.saturating_sub(cnt[1] + cnt[2]);
    for i in [2, 1] {
        if cnt[0] <= 1 {
            break;
        }
        let s = share(ratios[i]);
        if s > 0.0 && s < 1.0 {
            cnt[i] += 1;
            cnt[0] -= 1;
        }
    }
    cnt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_recbole() {
        assert_eq!(counts(10, [0.8, 0.1, 0.1]), [8, 1, 1]);
        assert_eq!(counts(19, [0.8, 0.1, 0.1]), [17, 1, 1]);
        assert_eq!(counts(25, [0.8, 0.1, 0.1]), [21, 2, 2]);
        // Below one item's share, valid and test still get one while train keeps more.
        assert_eq!(counts(5, [0.8, 0.1, 0.1]), [3, 1, 1]);
        assert_eq!(counts(2, [0.8, 0.1, 0.1]), [1, 0, 1]);
    }

    fn toy() -> Dataset {
        let interactions = (0..2u32)
            .flat_map(|user| {
                (0..20u32).map(move |item| Interaction {
                    user,
                    item,
                    rating: 4.0,
                    timestamp: i64::from(item),
                })
            })
            .collect();
        Dataset {
            users: vec!["a".into(), "b".into()],
            items: (0..20).map(|i| format!("m{i}")).collect(),
            interactions,
        }
    }

    #[test]
    fn the_split_is_seeded_disjoint_and_complete() {
        let data = toy();
        let one = Split::by_user_ratio(&data, [0.8, 0.1, 0.1], 2020);
        let again = Split::by_user_ratio(&data, [0.8, 0.1, 0.1], 2020);
        let other = Split::by_user_ratio(&data, [0.8, 0.1, 0.1], 7);
        assert_eq!(
            (one.train.len(), one.valid.len(), one.test.len()),
            (32, 4, 4)
        );
        assert_eq!(one.test, again.test);
        assert_ne!(one.test, other.test);
        let mut all: Vec<(u32, u32)> = one
            .train
            .iter()
            .chain(&one.valid)
            .chain(&one.test)
            .map(|i| (i.user, i.item))
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 40, "every interaction lands in exactly one part");
    }

    #[test]
    fn the_export_is_three_atomic_files() {
        let data = toy();
        let split = Split::by_user_ratio(&data, [0.8, 0.1, 0.1], 1);
        let dir = tempfile::tempdir().expect("temp");
        let files = split.export(&data, dir.path(), "ml-100k").expect("export");
        let test = std::fs::read_to_string(&files[2]).expect("read");
        let mut lines = test.lines();
        assert_eq!(
            lines.next(),
            Some("user_id:token\titem_id:token\trating:float\ttimestamp:float")
        );
        assert_eq!(lines.count(), 4);
        assert!(files[0].ends_with("ml-100k.train.inter"));
        let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 3, "no partial files remain");
    }
}
