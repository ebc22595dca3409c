//! `Serving`: the current snapshot, the caches, the promotions, and the background task that
//! publishes new index versions into memory. Readers take an `Arc` of the snapshot under a
//! read lock held for a pointer copy; the swap replaces it whole.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use app::error::{ApiError, ErrorCode};
use axum::body::Bytes;
use moka::sync::Cache;
use sea_orm::DatabaseConnection;

use super::promotions::{self, Promotion};
use super::rerank::Entry;
use super::snapshot::{self, Snapshot, SnapshotError};
use super::workers::EncoderSource;
use crate::config::Settings;
use crate::vector::{VectorStore, item_vectors};

/// A user's cached state: the vector the model gave, and what they have already seen.
pub struct UserState {
    /// The model version whose user tower made `vector`.
    pub model_version: String,
    /// `None` for a cold start (unknown, or no history).
    pub vector: Option<Vec<f32>>,
    /// The snapshot rows of `record.seen`.
    pub seen_rows: std::collections::HashSet<u32>,
}

impl UserState {
    /// Its bytes, for the cache's bound (a hash set costs about 8 bytes a `u32` row).
    fn weight(&self, user: &str) -> u32 {
        let bytes = std::mem::size_of::<Self>()
            + user.len()
            + self.model_version.len()
            + self.vector.as_ref().map_or(0, |v| v.len() * 4)
            + self.seen_rows.len() * 8;
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }
}

/// One computed feed, paged by cursor until it expires or the user's events invalidate it.
pub struct RankedFeed {
    pub entries: Vec<Entry>,
    pub fallback: bool,
    pub snapshot_version: u64,
    /// The REST response bodies already sent, by `(offset, size)`: a warm request copies
    /// bytes instead of dressing and serialising the page again. They live and die with
    /// the feed, so invalidation needs nothing more.
    pub pages: Mutex<HashMap<(usize, usize), Bytes>>,
}

impl RankedFeed {
    /// How many distinct pages a feed keeps serialised (clients page the same way).
    pub const PAGE_BODIES: usize = 8;
    /// What the served pages of a feed are taken to cost: most feeds serve one page of about
    /// 5 KB (20 cards of JSON) before they expire. Pages are added after the feed is cached,
    /// so the weight is this estimate, fixed at insertion.
    const PAGE_BYTES_ESTIMATE: usize = 8 << 10;

    /// Its bytes, for the cache's bound.
    fn weight(&self, key: &FeedKey) -> u32 {
        let bytes = std::mem::size_of::<Self>()
            + self.entries.len() * std::mem::size_of::<Entry>()
            + key.user.len()
            + key.model_version.len()
            + key.category.as_ref().map_or(0, String::len)
            + key.text.as_ref().map_or(0, String::len)
            + Self::PAGE_BYTES_ESTIMATE;
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }

    pub fn new(entries: Vec<Entry>, fallback: bool, snapshot_version: u64) -> Self {
        Self {
            entries,
            fallback,
            snapshot_version,
            pages: Mutex::new(HashMap::new()),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct FeedKey {
    pub user: String,
    /// The model version that ranks it (a user's arm may change when an experiment starts).
    pub model_version: String,
    pub category: Option<String>,
    pub text: Option<String>,
    pub exclude_seen: bool,
}

pub struct Serving {
    pub(super) settings: Arc<Settings>,
    pub(super) db: DatabaseConnection,
    pub(super) store: VectorStore,
    pub(super) current: RwLock<Option<Arc<Snapshot>>>,
    /// The running experiment between model versions and its challenger snapshots.
    pub(super) model_arms: RwLock<super::model_arms::ModelArms>,
    /// Items the catalogue API added, waiting to be filed into the snapshot (`additions`).
    pub(super) pending: Mutex<Vec<i64>>,
    /// Of those, items the snapshot holds whose content changed: filed again, replacing.
    pub(super) replacing: Mutex<std::collections::HashSet<i64>>,
    /// Where the look for other writers' catalogue changes stands (`catch_up`).
    pub(super) catalogue_cursor: Mutex<super::catch_up::CatalogueCursor>,
    /// One change to the snapshot at a time (additions, retirements).
    pub(super) changes: tokio::sync::Mutex<()>,
    /// Why there is no snapshot (shown in 503s and `/readyz`).
    problem: RwLock<String>,
    pub(super) promotions: RwLock<Arc<Vec<Promotion>>>,
    /// The feed before the first index is loaded (`before_index`).
    pub(super) before_index: tokio::sync::Mutex<Option<Arc<super::before_index::CatalogueFeed>>>,
    pub(super) users: Cache<String, Arc<UserState>>,
    pub(super) feeds: Cache<FeedKey, Arc<RankedFeed>>,
    /// Campaigns whose ad events arrived since their daily rollups were built; analytics
    /// drains it. Every campaign is due at start (the attribution window may have changed).
    pub rollups: Arc<crate::analytics::RollupQueue>,
    /// Signs sponsored slots' impression tokens and checks the ones events bring back.
    pub(super) attestor: super::attestation::Attestor,
}

impl Serving {
    pub fn new(
        settings: Arc<Settings>,
        db: DatabaseConnection,
        store: VectorStore,
        attestor: super::attestation::Attestor,
    ) -> Arc<Self> {
        let c = &settings.inference.cache;
        // Bounded in bytes, not entries: memory stays flat whatever the mix of new users.
        let users = Cache::builder()
            .max_capacity(c.user_cache_mib << 20)
            .weigher(|user: &String, state: &Arc<UserState>| state.weight(user))
            .time_to_live(Duration::from_secs(c.user_ttl_secs))
            .build();
        let feeds = Cache::builder()
            .max_capacity(c.feed_cache_mib << 20)
            .weigher(|key: &FeedKey, feed: &Arc<RankedFeed>| feed.weight(key))
            .time_to_live(Duration::from_secs(c.feed_ttl_secs))
            .support_invalidation_closures()
            .build();
        Arc::new(Self {
            settings,
            db,
            store,
            current: RwLock::new(None),
            model_arms: RwLock::new(super::model_arms::ModelArms::default()),
            pending: Mutex::new(Vec::new()),
            replacing: Mutex::new(std::collections::HashSet::new()),
            catalogue_cursor: Mutex::new(super::catch_up::CatalogueCursor::default()),
            changes: tokio::sync::Mutex::new(()),
            problem: RwLock::new(SnapshotError::NoIndex.to_string()),
            promotions: RwLock::new(Arc::new(Vec::new())),
            before_index: tokio::sync::Mutex::new(None),
            users,
            feeds,
            rollups: Arc::new(crate::analytics::RollupQueue::everything_due()),
            attestor,
        })
    }

    /// The snapshot requests should use, or a 503 that says what to do.
    ///
    /// # Errors
    /// `unavailable` before an index is loaded.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        self.current
            .read()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, self.problem()))
    }

    pub fn problem(&self) -> String {
        self.problem.read().map(|p| p.clone()).unwrap_or_default()
    }

    pub fn current_version(&self) -> Option<(u64, String)> {
        let s = self.current.read().ok()?.clone()?;
        Some((s.version, s.index_version.clone()))
    }

    pub(super) fn model_dir(&self) -> std::path::PathBuf {
        self.settings
            .data
            .dir
            .join("models")
            .join(&self.settings.inference.catalogue)
    }

    /// Loads the latest published version if it is not the one in memory, and swaps it in.
    /// Returns whether it swapped.
    ///
    /// # Errors
    /// [`SnapshotError`]; the snapshot in memory, if any, stays.
    pub async fn refresh_snapshot(&self) -> Result<bool, SnapshotError> {
        let table = item_vectors::open(&self.store)
            .await?
            .ok_or(SnapshotError::NoIndex)?;
        let (version, stamp) = item_vectors::latest_version(&table).await?;
        if let Some((loaded, loaded_stamp)) = self.current_version()
            && (loaded == version || loaded_stamp == stamp)
        {
            return Ok(false);
        }
        let encoders = EncoderSource {
            settings: self.settings.encoders.clone(),
            python: self.settings.data.python.clone(),
        };
        let fresh = snapshot::load(
            &self.db,
            &self.store,
            &self.settings.inference,
            &self.model_dir(),
            encoders,
        )
        .await?;
        tracing::info!(
            version = fresh.version,
            index = %fresh.index_version,
            items = fresh.len(),
            lists = fresh.ann.lists(),
            probes = fresh.probes,
            "serving a new index version"
        );
        {
            let _one_at_a_time = self.changes.lock().await;
            if let Ok(mut current) = self.current.write() {
                *current = Some(Arc::new(fresh));
            }
        }
        self.drop_catalogue_feed().await;
        // Vectors of the old model mean nothing in the new space.
        self.users.invalidate_all();
        self.feeds.invalidate_all();
        if let Err(error) = self.enqueue_missing().await {
            tracing::warn!(%error, "cannot compare the index with the catalogue");
        }
        Ok(true)
    }

    async fn refresh_promotions(&self) {
        match promotions::active(&self.db, chrono::Utc::now()).await {
            Ok(list) => {
                if let Ok(mut p) = self.promotions.write() {
                    *p = Arc::new(list);
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read promotions; keeping the last list"),
        }
    }

    /// Loads what is there now, then keeps polling for new versions and promotions until the
    /// runtime stops.
    pub async fn start(self: &Arc<Self>) {
        self.poll_once().await;
        self.refresh_promotions().await;
        let this = Arc::downgrade(self);
        let inference = &self.settings.inference;
        let (poll, promos) = (
            Duration::from_secs(inference.snapshot.poll_secs.max(1)),
            Duration::from_secs(inference.feed.promotions_refresh_secs.max(1)),
        );
        let additions_every = Duration::from_secs_f64(inference.additions.delay_secs);
        tokio::spawn(async move {
            // Both were just done; the first ticks come one period from now.
            let now = tokio::time::Instant::now();
            let mut versions = tokio::time::interval_at(now + poll, poll);
            let mut budgets = tokio::time::interval_at(now + promos, promos);
            let mut additions = tokio::time::interval(additions_every);
            additions.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = additions.tick() => {
                        let Some(serving) = this.upgrade() else { return };
                        match serving.drain_additions().await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(items = n, "new items filed into the served snapshot"),
                            Err(error) => tracing::warn!(code = %error.code, message = %error.message, "new items wait for the next index"),
                        }
                    }
                    _ = versions.tick() => {
                        let Some(serving) = this.upgrade() else { return };
                        serving.poll_once().await;
                    }
                    _ = budgets.tick() => {
                        let Some(serving) = this.upgrade() else { return };
                        serving.refresh_promotions().await;
                    }
                }
            }
        });
    }

    async fn poll_once(&self) {
        match self.refresh_snapshot().await {
            Ok(_) => {
                self.catch_up_catalogue().await;
                self.refresh_model_arms().await;
            }
            Err(error) => {
                if self.current_version().is_none() {
                    tracing::warn!(%error, "no index to serve yet");
                } else {
                    tracing::error!(%error, "a new index version could not be loaded; serving the previous one");
                }
                if let Ok(mut p) = self.problem.write() {
                    *p = error.to_string();
                }
            }
        }
    }

    /// Forgets what is cached about `user`, after their new events.
    pub fn invalidate_user(&self, user: &str) {
        self.users.invalidate(user);
        let user = user.to_owned();
        // Closures are registered, and applied lazily by the cache; never fails with support on.
        let _ = self.feeds.invalidate_entries_if(move |k, _| k.user == user);
    }
}
