//! A long command's progress, shown wherever it runs: a bar on a terminal; otherwise (a log
//! file, a CI job) a plain line every [`EVERY`] and at every epoch, with the same facts: done,
//! total, rate and time left, plus the loss and validation metric while training. Each update
//! is also a `progress` log event (see [`super::log_progress`]), and, while the demo's
//! background job runs, a status file that the System page reads (`crate::jobs`).

use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The longest a plain log goes without a progress line.
pub(crate) const EVERY: Duration = Duration::from_secs(10);

pub(crate) struct Progress {
    shared: Arc<Shared>,
    bar: ProgressBar,
    /// Stops the thread that prints plain lines and refreshes the job status.
    ticker: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

struct Shared {
    step: &'static str,
    unit: &'static str,
    /// Not on a terminal: the facts go out as lines.
    plain: bool,
    started: Instant,
    state: Mutex<State>,
}

#[derive(Clone, Default)]
struct State {
    done: u64,
    total: u64,
    /// The first position reported and when: a resumed step's rate counts only its own work.
    first: Option<(u64, Instant)>,
    message: String,
    valid_ndcg_at_10: Option<f64>,
}

impl Progress {
    /// A bar when standard error is a terminal, plain lines otherwise or when
    /// `VITRINE_PROGRESS=lines` (the run script's background job, whose output shares the
    /// server's terminal).
    pub(crate) fn new(step: &'static str, unit: &'static str, total: u64) -> Self {
        let lines = std::env::var("VITRINE_PROGRESS").is_ok_and(|v| v == "lines");
        Self::with_terminal(step, unit, total, std::io::stderr().is_terminal() && !lines)
    }

    fn with_terminal(step: &'static str, unit: &'static str, total: u64, terminal: bool) -> Self {
        let shared = Arc::new(Shared {
            step,
            unit,
            plain: !terminal,
            started: Instant::now(),
            state: Mutex::new(State {
                total,
                ..State::default()
            }),
        });
        let bar = if terminal {
            let bar = ProgressBar::new(total);
            let template =
                format!("{{prefix:>10}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{eta}}) {{msg}}");
            if let Ok(style) = ProgressStyle::with_template(&template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(step);
            bar
        } else {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
        };
        // Prints the plain line, and refreshes the background job's status in both modes.
        let (stop, stopped) = mpsc::channel::<()>();
        let reporter = shared.clone();
        let handle = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                reporter.report();
            }
        });
        Self {
            shared,
            bar,
            ticker: Some((stop, handle)),
        }
    }

    pub(crate) fn set_length(&self, total: u64) {
        self.bar.set_length(total);
        self.shared.update(|s| s.total = total);
    }

    pub(crate) fn set_position(&self, done: u64) {
        self.bar.set_position(done);
        let mut total = 0;
        self.shared.update(|s| {
            s.done = done;
            if s.first.is_none() {
                s.first = Some((done, Instant::now()));
            }
            total = s.total;
        });
        super::log_progress(
            self.shared.step,
            usize::try_from(done).unwrap_or(usize::MAX),
            usize::try_from(total).unwrap_or(usize::MAX),
        );
    }

    /// A finished epoch: its position, loss and validation NDCG@10. A plain log prints it at
    /// once.
    pub(crate) fn epoch(&self, done: u64, loss: f64, valid_ndcg_at_10: f64) {
        let message = format!("loss {loss:.4} · valid NDCG@10 {valid_ndcg_at_10:.4}");
        self.bar.set_message(message.clone());
        self.shared.update(|s| {
            s.message = message;
            s.valid_ndcg_at_10 = Some(valid_ndcg_at_10);
        });
        self.set_position(done);
        self.shared.report();
    }

    /// A line of news (a model finished, an epoch's metrics): printed now, and repeated in the
    /// periodic lines until the next.
    pub(crate) fn note(&self, line: &str) {
        if self.shared.plain {
            println!("{}: {line}", self.shared.step);
        } else {
            self.bar.println(format!("  {line}"));
        }
        self.bar.set_message(line.to_owned());
        self.shared.update(|s| s.message = line.to_owned());
    }

    /// Stops the bar or the printer, with a last line in a plain log.
    pub(crate) fn finish(mut self) {
        self.stop();
        self.bar.finish();
        self.shared.report_final();
    }

    fn stop(&mut self) {
        if let Some((stop, handle)) = self.ticker.take() {
            drop(stop);
            let _ = handle.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn snapshot(&self) -> State {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Items per second since the first position, and seconds left at that rate.
    fn rate(&self, state: &State) -> (Option<f64>, Option<f64>) {
        let Some((first, at)) = state.first else {
            return (None, None);
        };
        let seconds = at.elapsed().as_secs_f64();
        let done = state.done.saturating_sub(first) as f64;
        if seconds < 0.5 || done <= 0.0 {
            return (None, None);
        }
        let rate = done / seconds;
        let left = state.total.saturating_sub(state.done) as f64 / rate;
        (Some(rate), Some(left))
    }

    /// This step as the background job's status; `ended` when it has just finished.
    fn status(&self, ended: bool) -> app::wire::BackgroundJob {
        let state = self.snapshot();
        let (_, left) = self.rate(&state);
        app::wire::BackgroundJob {
            stage: self.step.to_owned(),
            done: state.done,
            total: state.total,
            unit: self.unit.to_owned(),
            percent: percent(state.done, state.total),
            seconds_left: if ended { Some(0.0) } else { left },
            detail: state.message,
            valid_ndcg_at_10: state.valid_ndcg_at_10,
            updated_at: chrono::Utc::now().to_rfc3339(),
            ..app::wire::BackgroundJob::default()
        }
    }

    fn report(&self) {
        if self.plain {
            println!("{}", self.line(&self.snapshot()));
        }
        crate::jobs::record(&self.status(false));
    }

    fn report_final(&self) {
        if self.plain {
            let state = self.snapshot();
            println!(
                "{} in {}",
                self.line(&state),
                duration(self.started.elapsed().as_secs_f64())
            );
        }
        crate::jobs::record(&self.status(true));
    }

    /// `train: 3/8 epochs (37%) · 0.02 epochs/s · 4m10s left · loss 0.43 · valid NDCG@10 0.12`
    fn line(&self, state: &State) -> String {
        let mut line = format!(
            "{}: {}/{} {} ({:.0}%)",
            self.step,
            state.done,
            state.total,
            self.unit,
            percent(state.done, state.total)
        );
        let (rate, left) = self.rate(state);
        if let (Some(rate), Some(left)) = (rate, left) {
            // Slow steps (epochs, models) read better as time per unit.
            let pace = if rate < 0.2 {
                format!(
                    "{} per {}",
                    duration(1.0 / rate),
                    self.unit.trim_end_matches('s')
                )
            } else {
                format!("{} {}/s", rounded(rate), self.unit)
            };
            line.push_str(&format!(" · {pace} · {} left", duration(left)));
        }
        if !state.message.is_empty() {
            line.push_str(" · ");
            line.push_str(&state.message);
        }
        line
    }
}

fn percent(done: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * done.min(total) as f64 / total as f64
    }
}

fn rounded(rate: f64) -> String {
    if rate >= 10.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.2}")
    }
}

/// `4m10s`, `1h02m`, `12s`.
pub(crate) fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_says_done_total_rate_and_time_left() {
        let progress = Progress::with_terminal("extract", "items", 1000, false);
        progress.shared.update(|s| {
            s.done = 400;
            s.first = Some((100, Instant::now() - Duration::from_secs(10)));
        });
        let line = progress.shared.line(&progress.shared.snapshot());
        // 300 items in 10 s: 30 items/s, 600 left: 20 s.
        assert!(
            line.starts_with("extract: 400/1000 items (40%) · 30 items/s · 20s left"),
            "{line}"
        );
        progress.finish();
    }

    #[test]
    fn an_epoch_carries_its_loss_and_validation_metric() {
        let progress = Progress::with_terminal("train", "epochs", 8, false);
        progress.epoch(3, 0.4321, 0.1234);
        let status = progress.shared.status(false);
        assert_eq!((status.done, status.total), (3, 8));
        assert_eq!(status.valid_ndcg_at_10, Some(0.1234));
        assert_eq!(status.detail, "loss 0.4321 · valid NDCG@10 0.1234");
        assert!((status.percent - 37.5).abs() < 1e-12);
        progress.finish();
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(12.4), "12s");
        assert_eq!(duration(250.0), "4m10s");
        assert_eq!(duration(3720.0), "1h02m");
    }
}
