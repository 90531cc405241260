//! Interrupted studies: Ctrl-C, SIGKILL at several points, resuming, and the folder lock.
//!
//! Where an interruption lands depends on timing; every assertion here holds wherever it
//! lands (including after the study finished), so the tests cannot flake.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{TINY, assert_same_study_files, run, run_study, stderr, temp_dir, write};

/// TINY, longer: 3 widths × 3 seeds of 3,000 epochs.
fn study() -> String {
    TINY.replace("epochs = 300", "epochs = 3000")
        .replace("width = [3, 5]", "width = [3, 5, 8]")
        .replace("seeds = [1, 2]", "seeds = [1, 2, 3]")
}

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill").args([name, &pid.to_string()]).status();
}

/// Starts the study, sends `sig` after `after`, waits; returns the exit code.
fn interrupted_run(dir: &Path, file: &Path, out: &Path, sig: &str, after: Duration) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_experiments"))
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
        .expect("starts");
    std::thread::sleep(after);
    signal(child.id(), sig);
    child.wait().expect("exits").code()
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
        study().replace("epochs = 3000", "epochs = 50000000"),
    );
    let out = dir.join("out");
    let code = interrupted_run(&dir, &file, &out, "-INT", Duration::from_millis(500));
    assert_eq!(code, Some(130));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("not run yet"), "{summary}");
    assert!(!summary.contains("| 0 / 0 / 3 |"), "{summary}");
}

#[test]
fn ctrl_c_then_resume_equals_an_uninterrupted_study() {
    let dir = temp_dir("sigint");
    let file = write(&dir, "study.toml", study());
    let whole = reference(&dir, &file);
    let out = dir.join("out");
    let code = interrupted_run(&dir, &file, &out, "-INT", Duration::from_millis(150));
    assert!(matches!(code, Some(130) | Some(0)), "exit {code:?}");
    assert_no_partial_files(&out, false);
    if code == Some(130) {
        let table = std::fs::read_to_string(out.join("results.csv")).unwrap();
        assert!(
            table.contains(",pending,"),
            "pending runs are recorded:\n{table}"
        );
    }
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

#[test]
fn sigkill_at_several_points_then_resume_equals_an_uninterrupted_study() {
    let dir = temp_dir("sigkill");
    let file = write(&dir, "study.toml", study());
    let whole = reference(&dir, &file);
    for (i, millis) in [30u64, 200, 600].into_iter().enumerate() {
        let out = dir.join(format!("out{i}"));
        interrupted_run(&dir, &file, &out, "-KILL", Duration::from_millis(millis));
        assert_no_partial_files(&out, true);
        if !out.join("metadata.json").exists() {
            continue; // Killed before the study started: nothing to resume.
        }
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
            "kill at {millis} ms: {}",
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
