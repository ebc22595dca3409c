//! The demo's line under the feed: the tastes `vitrine generate` planted for one of its users,
//! read from the ground truth beside the data (`ground_truth/user_tastes.tsv`), so that a
//! person can hold a synthetic user's feed against what the world says they like.

use std::io::BufRead;
use std::path::Path;

use app::wire::PlantedTastes;

/// The planted tastes of `user_id`, or none when there is no ground truth or no such user.
/// Reads the file line by line until the user's row: call it off the async executor.
///
/// # Errors
/// A message naming the file when it exists but cannot be read.
pub fn find(path: &Path, user_id: &str) -> Result<Option<PlantedTastes>, String> {
    if user_id.is_empty() || user_id.contains('\t') {
        return Ok(None);
    }
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    for line in std::io::BufReader::new(file).lines().skip(1) {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        let Some((user, tastes)) = line.split_once('\t') else {
            continue;
        };
        if user != user_id {
            continue;
        }
        let mut planted = PlantedTastes {
            user_id: user_id.to_owned(),
            likes: Vec::new(),
            dislikes: Vec::new(),
        };
        for (label, weight) in tastes.split('|').filter_map(|t| t.rsplit_once(':')) {
            let weight: f64 = weight.parse().unwrap_or(0.0);
            let list = if weight < 0.0 {
                &mut planted.dislikes
            } else {
                &mut planted.likes
            };
            list.push(label.to_owned());
        }
        return Ok(Some(planted));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_row_splits_into_likes_and_dislikes_and_others_have_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("user_tastes.tsv");
        std::fs::write(
            &path,
            "user_id:token\ttastes:token\n\
             gen-0000000\tclass=Ankle boot:+2|pattern=patterned:+1.5|tone=critical:-1.5\n\
             gen-0000001\tclass=Bag:+2\n",
        )
        .expect("write");
        let found = find(&path, "gen-0000000").expect("readable");
        assert_eq!(
            found,
            Some(PlantedTastes {
                user_id: "gen-0000000".into(),
                likes: vec!["class=Ankle boot".into(), "pattern=patterned".into()],
                dislikes: vec!["tone=critical".into()],
            })
        );
        assert_eq!(find(&path, "new-visitor"), Ok(None));
        assert_eq!(find(&path, "gen-0000001\tx"), Ok(None));
        assert_eq!(
            find(&dir.path().join("absent.tsv"), "gen-0000000"),
            Ok(None)
        );
    }
}
