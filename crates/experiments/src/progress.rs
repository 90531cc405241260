//! Progress on the terminal. A study's ([`Progress`]): a bar on a terminal, a plain line every
//! ten seconds otherwise, a line for each run that does not end normally, and at the end its
//! summary tables laid out in columns ([`terminal_table`]). `train`'s ([`TrainingProgress`]):
//! the epoch, the training loss and the time left, as a bar or a line every few seconds.
//!
//! Progress is measured in work, not runs: each run weighs its estimated cost
//! ([`crate::schedule::run_cost`]), a running run counts by the share of its epochs done,
//! and the time left is the time so far scaled by the work left ([`eta`]). Counting runs
//! would be wrong in both directions, because the longest runs go first.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use models::{EpochProgress, TrainingObserver};

use crate::run::{RunSignals, RunStatus};

/// The bar's length in ticks: its position is the share of the work done.
const BAR_TICKS: u64 = 10_000;

/// Progress display: a bar on a terminal, a plain line every few seconds otherwise.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    /// Each slot's estimated cost, in the order runs were handed to the pool.
    costs: Vec<f64>,
    total_work: f64,
    state: Mutex<State>,
    started: Instant,
    finished: AtomicBool,
}

/// What has happened so far.
#[derive(Debug, Default)]
struct State {
    /// The runs training now: slot, name and epochs planned.
    active: Vec<(usize, String, usize)>,
    /// Runs that ended with a record (ok, diverged or failed).
    ended: usize,
    /// Runs that will not end in this invocation: interrupted, or never started.
    not_run: usize,
    /// The estimated cost of the runs that ended.
    work_done: f64,
}

/// The estimated time left when `fraction` of the work took `elapsed`: the time so far scaled
/// by the work left, `elapsed · (1 − fraction) / fraction`. `None` before any work is done
/// (no rate to go by), zero once all of it is.
pub(crate) fn eta(elapsed: Duration, fraction: f64) -> Option<Duration> {
    if fraction.is_nan() || fraction <= 0.0 {
        return None;
    }
    if fraction >= 1.0 {
        return Some(Duration::ZERO);
    }
    Some(elapsed.mul_f64((1.0 - fraction) / fraction))
}

/// A duration as a person reads it: `42s`, `5m 07s`, `2h 03m`.
pub(crate) fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

/// The status line: runs done, share of the work and time left, e.g.
/// `4/40 runs, 23% of the work, ETA 1m 05s` (`ETA –` while there is no rate to go by).
fn status_line(ended: usize, total: usize, fraction: f64, eta: Option<Duration>) -> String {
    let eta = eta.map_or_else(|| "–".to_owned(), human_duration);
    format!(
        "{ended}/{total} runs, {:.0}% of the work, ETA {eta}",
        fraction * 100.0
    )
}

impl Progress {
    /// A display for runs whose estimated costs are `costs`, by slot.
    pub(crate) fn new(costs: Vec<f64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(BAR_TICKS);
            bar.set_style(
                ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {prefix}\n{msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Progress {
            bar,
            total_work: costs.iter().sum(),
            costs,
            state: Mutex::new(State::default()),
            started: Instant::now(),
            finished: AtomicBool::new(false),
        }
    }

    fn total(&self) -> usize {
        self.costs.len()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("not poisoned")
    }

    pub(crate) fn start(&self, slot: usize, name: String, epochs: usize) {
        self.state().active.push((slot, name, epochs));
    }

    /// Counts a run that ended: its work is done, unless it was interrupted.
    pub(crate) fn finish(&self, slot: usize, status: &RunStatus) {
        let mut state = self.state();
        if let Some(i) = state.active.iter().position(|(s, _, _)| *s == slot) {
            let (_, name, _) = state.active.remove(i);
            if *status != RunStatus::Ok {
                let line = format!("{name}: {}", status.label());
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        }
        if *status == RunStatus::Interrupted {
            state.not_run += 1;
        } else {
            state.ended += 1;
            state.work_done += self.costs[slot];
        }
        self.note_if_finished(&state);
    }

    /// Counts a run that was never started (interrupted before its turn).
    pub(crate) fn skip(&self, _slot: usize) {
        let mut state = self.state();
        state.not_run += 1;
        self.note_if_finished(&state);
    }

    fn note_if_finished(&self, state: &State) {
        if state.ended + state.not_run == self.total() {
            self.finished.store(true, Ordering::Relaxed);
        }
    }

    /// The share of the estimated work done: the runs that ended, and each running run by
    /// the share of its epochs done.
    fn fraction(&self, state: &State, signals: &[RunSignals]) -> f64 {
        if self.total_work <= 0.0 {
            return 0.0;
        }
        let running: f64 = state
            .active
            .iter()
            .map(|(slot, _, epochs)| {
                let epoch = signals[*slot].epoch.load(Ordering::Relaxed).min(*epochs);
                self.costs[*slot] * epoch as f64 / (*epochs).max(1) as f64
            })
            .sum();
        ((state.work_done + running) / self.total_work).min(1.0)
    }

    /// The status line and one line per running run.
    fn describe(&self, signals: &[RunSignals]) -> (String, String) {
        let state = self.state();
        let fraction = self.fraction(&state, signals);
        let status = status_line(
            state.ended,
            self.total(),
            fraction,
            eta(self.started.elapsed(), fraction),
        );
        let runs = state
            .active
            .iter()
            .map(|(slot, name, epochs)| {
                let epoch = signals[*slot].epoch.load(Ordering::Relaxed);
                format!("  {name}: epoch {epoch}/{epochs}")
            })
            .collect::<Vec<_>>()
            .join("\n");
        (status, runs)
    }

    /// Refreshes the display until every run is done (called on the scope's own thread).
    pub(crate) fn watch(&self, signals: &[RunSignals]) {
        let mut last_line = Instant::now();
        while !self.finished.load(Ordering::Relaxed) && self.total() > 0 {
            std::thread::sleep(Duration::from_millis(200));
            match &self.bar {
                Some(bar) => {
                    let fraction = self.fraction(&self.state(), signals);
                    let (status, runs) = self.describe(signals);
                    bar.set_position((fraction * BAR_TICKS as f64) as u64);
                    bar.set_prefix(status);
                    bar.set_message(runs);
                }
                None if last_line.elapsed() >= Duration::from_secs(10) => {
                    last_line = Instant::now();
                    let (status, runs) = self.describe(signals);
                    eprintln!(
                        "[{}] {status}\n{runs}",
                        human_duration(self.started.elapsed())
                    );
                }
                None => {}
            }
        }
    }

    /// Clears the bar and says how many runs ended in how long (and how many did not, after
    /// an interruption).
    pub(crate) fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let state = self.state();
        let seconds = self.started.elapsed().as_secs_f64();
        if state.not_run == 0 {
            eprintln!("{} runs in {seconds:.1} s", state.ended);
        } else {
            eprintln!(
                "{} of {} runs ended in {seconds:.1} s; {} did not finish",
                state.ended,
                self.total(),
                state.not_run
            );
        }
    }
}

/// How often `train` prints a progress line when standard error is not a terminal.
const TRAINING_LINE_INTERVAL: Duration = Duration::from_secs(5);
/// How often `train`'s bar is redrawn on a terminal.
const TRAINING_BAR_INTERVAL: Duration = Duration::from_millis(100);

/// `train`'s progress, as a [`TrainingObserver`]: on a terminal a bar with the epoch, the
/// current training loss and the time left; otherwise a line every few seconds (so a fit
/// shorter than that prints none). It never stops training.
#[derive(Debug)]
pub(crate) struct TrainingProgress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_shown: Instant,
}

impl TrainingProgress {
    /// A display for a fit of at most `epochs` epochs.
    pub(crate) fn new(epochs: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(epochs as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} epochs, {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        });
        let now = Instant::now();
        TrainingProgress {
            bar,
            started: now,
            last_shown: now,
        }
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `train`'s loss and time left after `epoch` of `epochs` epochs, `elapsed` in:
/// `training loss 0.123457, ETA 4s`.
fn loss_and_eta(epoch: usize, epochs: usize, loss: f64, elapsed: Duration) -> String {
    let fraction = epoch as f64 / epochs.max(1) as f64;
    let eta = eta(elapsed, fraction).map_or_else(|| "–".to_owned(), human_duration);
    format!("training loss {loss:.6}, ETA {eta}")
}

impl TrainingObserver for TrainingProgress {
    fn on_epoch(&mut self, p: &EpochProgress<'_>) -> ControlFlow<()> {
        let interval = match self.bar {
            Some(_) => TRAINING_BAR_INTERVAL,
            None => TRAINING_LINE_INTERVAL,
        };
        let now = Instant::now();
        if now.duration_since(self.last_shown) >= interval {
            self.last_shown = now;
            let elapsed = now.duration_since(self.started);
            let status = loss_and_eta(p.epoch, p.epochs_total, p.train_loss, elapsed);
            match &self.bar {
                Some(bar) => {
                    bar.set_position(p.epoch as u64);
                    bar.set_message(status);
                }
                None => eprintln!(
                    "[{}] epoch {}/{}, {status}",
                    human_duration(elapsed),
                    p.epoch,
                    p.epochs_total
                ),
            }
        }
        ControlFlow::Continue(())
    }
}

/// A table laid out in aligned columns for the terminal: the heading, a rule, one line per
/// row. A column with no value in any row (every cell `–` or empty, such as the original's
/// numbers in a study without them) is left out; the files keep every column.
pub(crate) fn terminal_table(header: &[String], rows: &[Vec<String>]) -> String {
    let has_value = |c: usize| {
        rows.iter().any(|row| {
            row.get(c)
                .is_some_and(|cell| !cell.is_empty() && cell != "–")
        })
    };
    let columns: Vec<usize> = (0..header.len())
        .filter(|&c| c == 0 || has_value(c))
        .collect();
    let cell = |row: &[String], c: usize| row.get(c).map_or("", String::as_str).to_owned();
    let widths: Vec<usize> = columns
        .iter()
        .map(|&c| {
            rows.iter()
                .map(|row| cell(row, c).chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &[String]| {
        let cells: Vec<String> = columns
            .iter()
            .zip(&widths)
            .map(|(&c, &w)| {
                let text = cell(row, c);
                let pad = w - text.chars().count();
                format!("{text}{}", " ".repeat(pad))
            })
            .collect();
        format!("  {}\n", cells.join("  ").trim_end())
    };
    let mut text = line(header);
    let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
    text.push_str(&format!("  {}\n", rule.join("  ")));
    for row in rows {
        text.push_str(&line(row));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_table_aligns_its_columns_and_leaves_out_empty_ones() {
        let strings = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let header = strings(&["point", "F1", "original F1", "loss"]);
        let rows = vec![
            strings(&["width=3", "0.61 ± 0.02", "–", "0.5"]),
            strings(&["width=50", "0.94", "–", "0.01"]),
        ];
        let text = terminal_table(&header, &rows);
        assert_eq!(
            text,
            "  point     F1           loss\n\
             \x20 ────────  ───────────  ────\n\
             \x20 width=3   0.61 ± 0.02  0.5\n\
             \x20 width=50  0.94         0.01\n"
        );
    }

    #[test]
    fn training_progress_shows_the_loss_and_the_time_left() {
        let status = loss_and_eta(2000, 10_000, 0.123_456_7, Duration::from_secs(1));
        assert_eq!(status, "training loss 0.123457, ETA 4s");
        let status = loss_and_eta(0, 10_000, 0.69, Duration::from_millis(2));
        assert_eq!(status, "training loss 0.690000, ETA –");
    }

    #[test]
    fn no_eta_before_any_work_is_done() {
        let elapsed = Duration::from_secs(5);
        assert_eq!(eta(elapsed, 0.0), None);
        assert_eq!(eta(elapsed, f64::NAN), None);
        assert_eq!(eta(Duration::ZERO, 0.0), None);
    }

    #[test]
    fn eta_scales_the_time_so_far_by_the_work_left() {
        // A tenth of the work in 9 s: 81 s to go, whatever the number of runs.
        assert_eq!(
            eta(Duration::from_secs(9), 0.1),
            Some(Duration::from_secs(81))
        );
        assert_eq!(
            eta(Duration::from_secs(30), 0.5),
            Some(Duration::from_secs(30))
        );
        assert_eq!(eta(Duration::from_secs(30), 1.0), Some(Duration::ZERO));
    }

    #[test]
    fn the_status_line_shows_no_eta_at_the_start() {
        let line = status_line(0, 40, 0.0, eta(Duration::from_secs(3), 0.0));
        assert_eq!(line, "0/40 runs, 0% of the work, ETA –");
        let line = status_line(4, 40, 0.25, eta(Duration::from_secs(30), 0.25));
        assert_eq!(line, "4/40 runs, 25% of the work, ETA 1m 30s");
    }

    #[test]
    fn durations_read_as_seconds_minutes_or_hours() {
        assert_eq!(human_duration(Duration::from_millis(41_900)), "41s");
        assert_eq!(human_duration(Duration::from_secs(307)), "5m 07s");
        assert_eq!(human_duration(Duration::from_secs(7_380)), "2h 03m");
    }

    /// Work, not runs: with one long run finished out of ten (nine short ones left), the
    /// display is most of the way, and the ETA is short.
    #[test]
    fn progress_counts_work_not_runs() {
        let mut costs = vec![1.0; 10];
        costs[0] = 91.0;
        let progress = Progress::new(costs);
        let signals: Vec<RunSignals> = (0..10).map(|_| RunSignals::default()).collect();
        progress.start(0, "long".into(), 100);
        progress.finish(0, &RunStatus::Ok);
        progress.start(1, "short".into(), 100);
        signals[1].epoch.store(50, Ordering::Relaxed);
        let fraction = progress.fraction(&progress.state(), &signals);
        assert!((fraction - 0.915).abs() < 1e-12, "{fraction}");
        // An interrupted run adds no work and counts as not finished.
        progress.finish(1, &RunStatus::Interrupted);
        let state = progress.state();
        assert_eq!((state.ended, state.not_run), (1, 1));
        assert!((progress.fraction(&state, &signals) - 0.91).abs() < 1e-12);
    }
}
