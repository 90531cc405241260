//! The progress display of a study: a bar on a terminal, a plain line every ten seconds
//! otherwise, and a line for each run that does not end normally.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::run::{RunSignals, RunStatus};

/// Progress display: a bar on a terminal, a plain line every few seconds otherwise.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: AtomicUsize,
    active: Mutex<Vec<(usize, String, usize)>>,
    started: Instant,
    finished: AtomicBool,
}

impl Progress {
    pub(crate) fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} runs, ETA {eta}\n{msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: AtomicUsize::new(0),
            active: Mutex::new(Vec::new()),
            started: Instant::now(),
            finished: AtomicBool::new(false),
        }
    }

    pub(crate) fn start(&self, slot: usize, name: String, epochs: usize) {
        self.active
            .lock()
            .expect("not poisoned")
            .push((slot, name, epochs));
    }

    pub(crate) fn finish(&self, slot: usize, status: &RunStatus) {
        let mut active = self.active.lock().expect("not poisoned");
        if let Some(i) = active.iter().position(|(s, _, _)| *s == slot) {
            let (_, name, _) = active.remove(i);
            if *status != RunStatus::Ok {
                let line = format!("{name}: {}", status.label());
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        }
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done == self.total {
            self.finished.store(true, Ordering::Relaxed);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        }
    }

    /// Counts a run that was never started (interrupted before its turn).
    pub(crate) fn skip(&self, _slot: usize) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done == self.total {
            self.finished.store(true, Ordering::Relaxed);
        }
    }

    pub(crate) fn describe(&self, signals: &[RunSignals]) -> String {
        let active = self.active.lock().expect("not poisoned");
        active
            .iter()
            .map(|(slot, name, epochs)| {
                let epoch = signals[*slot].epoch.load(Ordering::Relaxed);
                format!("  {name}: epoch {epoch}/{epochs}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Refreshes the display until every run is done (called on the scope's own thread).
    pub(crate) fn watch(&self, signals: &[RunSignals]) {
        let mut last_line = Instant::now();
        while !self.finished.load(Ordering::Relaxed) && self.total > 0 {
            std::thread::sleep(Duration::from_millis(200));
            match &self.bar {
                Some(bar) => bar.set_message(self.describe(signals)),
                None if last_line.elapsed() >= Duration::from_secs(10) => {
                    last_line = Instant::now();
                    eprintln!(
                        "[{:.0}s] {}/{} runs done\n{}",
                        self.started.elapsed().as_secs_f64(),
                        self.done.load(Ordering::Relaxed),
                        self.total,
                        self.describe(signals)
                    );
                }
                None => {}
            }
        }
    }

    pub(crate) fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!(
            "{} runs in {:.1} s",
            self.total,
            self.started.elapsed().as_secs_f64()
        );
    }
}
