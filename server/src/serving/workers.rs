//! The model's worker threads. A `tch::Tensor` is `Send` but not `Sync`, and a forward pass
//! blocks, so requests never run the model on the async executor: each worker thread owns its
//! own copy of the model (one intra-op thread each) and takes jobs from a shared queue; the
//! caller awaits a oneshot reply. The encoders for text and picture queries are loaded by a
//! worker the first time it needs them. Dropping the pool closes the queue and the threads end.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::config::EncoderSettings;
use crate::encoders::{self, BertTextEncoder, ImageEncoder, TextEncoder, TorchScriptImageEncoder};
use crate::recsys::checkpoint::CheckpointError;
use crate::recsys::serving::{ItemFeatures, ServingModel, UserQuery};
use crate::vector::IndexedItem;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("{0}")]
    Query(#[from] crate::recsys::serving::QueryError),
    #[error("the upload is not a picture we can read: {0}")]
    Picture(String),
    #[error("the encoders cannot be loaded: {0}")]
    Encoders(String),
    #[error("encoding failed: {0}")]
    Encode(String),
    #[error("the model workers have stopped")]
    Stopped,
}

enum Job {
    User(UserQuery, oneshot::Sender<Result<Vec<f32>, WorkerError>>),
    Text(
        String,
        Option<String>,
        oneshot::Sender<Result<Vec<f32>, WorkerError>>,
    ),
    Picture(
        Vec<u8>,
        Option<String>,
        oneshot::Sender<Result<Vec<f32>, WorkerError>>,
    ),
    Index(Vec<StoredFeatures>, oneshot::Sender<Vec<IndexedItem>>),
}

/// An item's stored content features, for the content tower.
pub struct StoredFeatures {
    pub item_id: i64,
    pub category: String,
    pub text: Option<Vec<f32>>,
    pub image: Option<Vec<f32>>,
}

/// Where the encoders are, for the workers that need them.
#[derive(Clone)]
pub struct EncoderSource {
    pub settings: EncoderSettings,
    pub python: PathBuf,
}

pub struct ModelPool {
    queue: Mutex<mpsc::Sender<Job>>,
    weights_digest: String,
}

struct Worker {
    model: ServingModel,
    source: EncoderSource,
    encoders: Option<(BertTextEncoder, TorchScriptImageEncoder)>,
}

impl Worker {
    fn encoders(&mut self) -> Result<&(BertTextEncoder, TorchScriptImageEncoder), WorkerError> {
        if self.encoders.is_none() {
            let loaded = encoders::load(
                &self.source.settings,
                &self.source.python,
                tch::Device::Cpu,
                crate::config::Precision::F32,
            )
            .map_err(|e| WorkerError::Encoders(e.to_string()))?;
            self.encoders = Some(loaded);
        }
        self.encoders.as_ref().ok_or(WorkerError::Stopped)
    }

    fn text(&mut self, text: &str, category: Option<&str>) -> Result<Vec<f32>, WorkerError> {
        let (encoder, _) = self.encoders()?;
        let rows = encoder
            .encode(&[text])
            .map_err(|e| WorkerError::Encode(e.to_string()))?;
        let features: Vec<f32> = Vec::<f32>::try_from(rows.view([-1]))
            .map_err(|e| WorkerError::Encode(e.to_string()))?;
        Ok(self.model.query_vector(Some(&features), None, category)?)
    }

    fn picture(&mut self, bytes: &[u8], category: Option<&str>) -> Result<Vec<f32>, WorkerError> {
        let picture =
            encoders::preprocess::decode(bytes).map_err(|e| WorkerError::Picture(e.to_string()))?;
        let (_, encoder) = self.encoders()?;
        let batch = encoders::preprocess::to_tensor(&picture, encoder.resolution());
        let rows = encoder
            .encode(&batch)
            .map_err(|e| WorkerError::Encode(e.to_string()))?;
        let features: Vec<f32> = Vec::<f32>::try_from(rows.view([-1]))
            .map_err(|e| WorkerError::Encode(e.to_string()))?;
        Ok(self.model.query_vector(None, Some(&features), category)?)
    }
}

fn run(mut worker: Worker, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    // One intra-op thread: a single user is a tiny forward pass, and the other cores serve
    // other requests.
    tch::set_num_threads(1);
    loop {
        let job = match jobs.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        match job {
            Job::User(query, reply) => {
                let _ = reply.send(worker.model.user_vector(&query).map_err(Into::into));
            }
            Job::Text(text, category, reply) => {
                let _ = reply.send(worker.text(&text, category.as_deref()));
            }
            Job::Picture(bytes, category, reply) => {
                let _ = reply.send(worker.picture(&bytes, category.as_deref()));
            }
            Job::Index(items, reply) => {
                let inputs: Vec<ItemFeatures<'_>> = items
                    .iter()
                    .map(|i| ItemFeatures {
                        item_id: i.item_id,
                        category: &i.category,
                        text: i.text.as_deref(),
                        image: i.image.as_deref(),
                    })
                    .collect();
                let _ = reply.send(worker.model.index_items(&inputs));
            }
        }
    }
}

impl ModelPool {
    /// Loads the checkpoint in `dir` once per worker and starts `threads` workers.
    ///
    /// # Errors
    /// [`CheckpointError`] when the checkpoint cannot be loaded.
    pub fn start(
        dir: &std::path::Path,
        threads: usize,
        source: EncoderSource,
    ) -> Result<Self, CheckpointError> {
        let (send, receive) = mpsc::channel();
        let receive = Arc::new(Mutex::new(receive));
        let mut digest = String::new();
        for n in 0..threads.max(1) {
            let model = ServingModel::load(dir)?;
            digest = model.weights_digest().to_owned();
            let worker = Worker {
                model,
                source: source.clone(),
                encoders: None,
            };
            let jobs = receive.clone();
            std::thread::Builder::new()
                .name(format!("model-{n}"))
                .spawn(move || run(worker, jobs))
                .map_err(|e| CheckpointError::Read {
                    path: dir.to_path_buf(),
                    reason: format!("cannot start a model thread: {e}"),
                })?;
        }
        Ok(Self {
            queue: Mutex::new(send),
            weights_digest: digest,
        })
    }

    pub fn weights_digest(&self) -> &str {
        &self.weights_digest
    }

    async fn ask(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<Vec<f32>, WorkerError>>) -> Job,
    ) -> Result<Vec<f32>, WorkerError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .lock()
            .map_err(|_| WorkerError::Stopped)?
            .send(job(reply))
            .map_err(|_| WorkerError::Stopped)?;
        answer.await.map_err(|_| WorkerError::Stopped)?
    }

    pub async fn user_vector(&self, query: UserQuery) -> Result<Vec<f32>, WorkerError> {
        self.ask(|reply| Job::User(query, reply)).await
    }

    /// A text query's vector, in `category` when the query names one.
    pub async fn text_vector(
        &self,
        text: String,
        category: Option<String>,
    ) -> Result<Vec<f32>, WorkerError> {
        self.ask(|reply| Job::Text(text, category, reply)).await
    }

    /// A picture query's vector, in `category` when the query names one.
    pub async fn picture_vector(
        &self,
        bytes: Vec<u8>,
        category: Option<String>,
    ) -> Result<Vec<f32>, WorkerError> {
        self.ask(|reply| Job::Picture(bytes, category, reply)).await
    }

    /// The content tower over items the index does not hold yet (an unseen item's id
    /// embedding falls back to the shared bucket; its text and picture carry it).
    pub async fn index_items(
        &self,
        items: Vec<StoredFeatures>,
    ) -> Result<Vec<IndexedItem>, WorkerError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .lock()
            .map_err(|_| WorkerError::Stopped)?
            .send(Job::Index(items, reply))
            .map_err(|_| WorkerError::Stopped)?;
        answer.await.map_err(|_| WorkerError::Stopped)
    }
}
