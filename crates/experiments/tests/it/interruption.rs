//! Interrupted studies: Ctrl-C, SIGKILL at several points, resuming, and the folder lock.
//!
//! The interruptions are not timed by guesswork: each waits for a state of the output folder
//! (the study started, so many runs finished) and then signals, and the folder is checked
//! afterwards to prove the signal landed mid-study (fewer run records than runs, no tables).
//! A test whose signal cannot be sent says `SKIPPED` on stderr.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    TINY, assert_same_study_files, finished_runs, run, run_study, stderr, temp_dir, write,
};

/// TINY, longer: 3 widths × 3 seeds of 100,000 epochs, long enough that a run is still going
/// when the folder is seen in a given state.
fn study() -> String {
    TINY.replace("epochs = 300", "epochs = 100000")
        .replace("width = [3, 5]", "width = [3, 5, 8]")
        .replace("seeds = [1, 2]", "seeds = [1, 2, 3]")
}

/// Runs in [`study`].
const RUNS: usize = 9;

/// Sends the signal `name` (such as `-INT`) with the `kill` program; `false` when it cannot
/// be run here.
fn signal(pid: u32, name: &str) -> bool {
    Command::new("kill")
        .args([name, &pid.to_string()])
        .status()
        .is_ok_and(|status| status.success())
}

/// Sends Ctrl-C's SIGINT to the study; when it cannot be sent here, stops the study, says
/// `SKIPPED` for `test` on stderr and returns `false`.
fn interrupt(child: &mut Child, test: &str) -> bool {
    if signal(child.id(), "-INT") {
        return true;
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {test}: the kill program cannot send SIGINT here"
    );
    false
}

/// Starts the study into `out` with two worker threads.
fn start(dir: &Path, file: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_experiments"))
        .args([
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts")
}

/// Waits until the study in `out` has started (its `metadata.json` is written) and at least
/// `runs` of its runs have finished; panics after a minute.
fn wait_until(out: &Path, runs: usize, child: &mut Child) {
    let started = Instant::now();
    while !(out.join("metadata.json").is_file() && finished_runs(out) >= runs) {
        assert!(
            child.try_wait().expect("waits").is_none(),
            "the study ended before {runs} runs were seen finished"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{runs} runs did not finish within a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Asserts the study in `out` was stopped mid-way: it started, fewer than all its runs have
/// records, and no table was written (tables come after the last run).
fn assert_stopped_mid_study(out: &Path, at_least: usize) {
    assert!(out.join("metadata.json").is_file(), "the study had started");
    let finished = finished_runs(out);
    assert!(
        (at_least..RUNS).contains(&finished),
        "{finished} of {RUNS} runs finished: the signal did not land mid-study"
    );
    assert!(
        !out.join("results.csv").exists(),
        "tables are written only after the last run"
    );
}

/// No half-written file at a final path: every record parses, every curve is complete CSV.
/// A SIGKILL may leave a hidden temporary file (`.name.pid.tmp`, never a final name) when
/// `killed`; a finished or resumed study leaves none.
fn assert_no_partial_files(out: &Path, killed: bool) {
    for sub in ["", "runs", "curves"] {
        let Ok(entries) = std::fs::read_dir(out.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                assert!(killed, "temporary file left: {}", path.display());
                assert!(name.starts_with('.'), "temporary files are hidden: {name}");
                continue;
            }
            if name.ends_with(".json") {
                let text = std::fs::read_to_string(&path).unwrap();
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{} is not whole JSON: {e}", path.display()));
            }
            if sub == "curves" {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    text.starts_with("epoch,") && text.ends_with('\n'),
                    "{}",
                    path.display()
                );
            }
        }
    }
}

/// An uninterrupted run of the study, to compare with: its output folder.
fn reference(dir: &Path, file: &Path) -> PathBuf {
    let whole = dir.join("whole");
    run_study(dir, file, &whole);
    whole
}

/// Interrupted early in a long study (each run far longer than the wait), the summary counts
/// the runs that never ran as "not run yet", not as failed.
#[test]
fn an_interrupted_studys_summary_does_not_count_pending_runs_as_failed() {
    let dir = temp_dir("pending-summary");
    let file = write(
        &dir,
        "study.toml",
        study().replace("epochs = 100000", "epochs = 50000000"),
    );
    let out = dir.join("out");
    let mut child = start(&dir, &file, &out);
    wait_until(&out, 0, &mut child);
    if !interrupt(
        &mut child,
        "an_interrupted_studys_summary_does_not_count_pending_runs_as_failed",
    ) {
        return;
    }
    assert_eq!(child.wait().expect("exits").code(), Some(130));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("not run yet"), "{summary}");
    assert!(!summary.contains("| 0 / 0 / 3 |"), "{summary}");
}

#[test]
fn ctrl_c_then_resume_equals_an_uninterrupted_study() {
    let dir = temp_dir("sigint");
    let file = write(&dir, "study.toml", study());
    let out = dir.join("out");
    let mut child = start(&dir, &file, &out);
    wait_until(&out, 1, &mut child);
    if !interrupt(
        &mut child,
        "ctrl_c_then_resume_equals_an_uninterrupted_study",
    ) {
        return;
    }
    let code = child.wait().expect("exits").code();
    assert_eq!(code, Some(130), "an interrupted study exits 130");
    assert_no_partial_files(&out, false);
    let table = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        table.contains(",pending,"),
        "pending runs are recorded:\n{table}"
    );
    let resumed = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--resume",
        ],
    );
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    // Every file (tables, records, models, curves, figures, report) as in one uninterrupted run.
    let whole = reference(&dir, &file);
    assert_same_study_files(&out, &whole);
    // The resumed study gets its pictures and report, and every finished run its model.
    assert!(out.join("report.html").is_file());
    assert!(out.join("figures/boundaries.png").is_file());
    for seed in 1..=3 {
        for point in 0..3 {
            let model = out.join(format!("runs/p{point:02}-s{seed}.model.json"));
            assert!(model.is_file(), "{}", model.display());
        }
    }
}

/// SIGKILL (which no handler sees) as the study starts, after a few runs and near the end:
/// each time the folder shows the kill landed mid-study, and `--resume` then ends with the
/// files of an uninterrupted study.
#[test]
fn sigkill_at_several_points_then_resume_equals_an_uninterrupted_study() {
    let dir = temp_dir("sigkill");
    let file = write(&dir, "study.toml", study());
    let whole = reference(&dir, &file);
    for (i, finished) in [0, 2, 5].into_iter().enumerate() {
        let out = dir.join(format!("out{i}"));
        let mut child = start(&dir, &file, &out);
        wait_until(&out, finished, &mut child);
        child.kill().expect("SIGKILL is sent");
        child.wait().expect("exits");
        assert_stopped_mid_study(&out, finished);
        assert_no_partial_files(&out, true);
        let resumed = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--resume",
            ],
        );
        assert_eq!(
            resumed.status.code(),
            Some(0),
            "killed after {finished} runs: {}",
            stderr(&resumed)
        );
        assert_same_study_files(&out, &whole);
        assert_no_partial_files(&out, false);
    }
}

#[test]
fn resuming_a_changed_study_is_refused() {
    let dir = temp_dir("changed");
    let file = write(
        &dir,
        "study.toml",
        TINY.replace("epochs = 300", "epochs = 20"),
    );
    let out = dir.join("out");
    assert_eq!(
        run(
            &dir,
            &[file.to_str().unwrap(), "--out", out.to_str().unwrap()]
        )
        .status
        .code(),
        Some(0)
    );
    write(
        &dir,
        "study.toml",
        TINY.replace("epochs = 300", "epochs = 30"),
    );
    let output = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--resume",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("changed") && err.contains("epochs = 20") && err.contains("epochs = 30"),
        "{err}"
    );
    // `--check` says the same before anything would run.
    let checked = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--resume",
            "--check",
        ],
    );
    assert_eq!(checked.status.code(), Some(2), "{}", stderr(&checked));
    assert!(stderr(&checked).contains("changed"), "{}", stderr(&checked));
    let nothing = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            dir.join("empty").to_str().unwrap(),
            "--resume",
        ],
    );
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        stderr(&nothing).contains("no study to resume"),
        "{}",
        stderr(&nothing)
    );
}

#[test]
fn a_second_process_on_the_same_folder_is_refused() {
    let dir = temp_dir("lock");
    let file = write(
        &dir,
        "study.toml",
        TINY.replace("epochs = 300", "epochs = 20"),
    );
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A live holder: this test process.
    write(&out, ".lock", std::process::id().to_string());
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("in use by another"),
        "{}",
        stderr(&output)
    );
    // A stale lock from a process that no longer exists is taken over.
    write(&out, ".lock", "4000000000");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!out.join(".lock").exists(), "the lock is released");
}
