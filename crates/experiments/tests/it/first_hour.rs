//! What a new user meets in a study's first hour: where `--quick` writes, what an interrupted
//! study says, the counts after Ctrl-C, and the results table printed at the end.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TINY, finished_runs, run, run_into, run_study, stderr, temp_dir, write};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn quick_writes_beside_the_full_study_not_over_it() {
    let dir = temp_dir("quick-folder");
    let file = write(&dir, "tiny.toml", TINY);
    let quick = run(&dir, &[file.to_str().unwrap(), "--quick"]);
    assert_eq!(quick.status.code(), Some(0), "{}", stderr(&quick));
    assert!(dir.join("results/quick/tiny/results.csv").is_file());
    assert!(
        !dir.join("results/tiny").exists(),
        "quick took the full study's folder"
    );
    assert!(stderr(&quick).contains("smoke test"), "{}", stderr(&quick));
    // The full study is not refused because a smoke test ran first.
    let full = run(&dir, &[file.to_str().unwrap()]);
    assert_eq!(full.status.code(), Some(0), "{}", stderr(&full));
    assert!(dir.join("results/tiny/results.csv").is_file());
    assert!(!stderr(&full).contains("smoke test"), "{}", stderr(&full));
    // --out still decides when given.
    let out = dir.join("elsewhere");
    let given = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--quick",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(given.status.code(), Some(0), "{}", stderr(&given));
    assert!(out.join("results.csv").is_file());
}

/// A folder whose study has fewer run records than it planned (here a record is removed, as
/// if the study had been stopped before that run) is refused with `--resume` as the way on;
/// `--force`, which would discard the finished runs, is offered only as starting over.
#[test]
fn an_unfinished_study_is_refused_with_resume_as_the_way_on() {
    let dir = temp_dir("unfinished-refused");
    let file = write(&dir, "tiny.toml", TINY);
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    std::fs::remove_file(out.join("runs/p01-s2.json")).unwrap();
    let again = run_into(&dir, &file, &out);
    let err = stderr(&again);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unfinished study (3 of its 4 runs done)") && err.contains("pass --resume"),
        "{err}"
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
    assert!(
        stderr(&resumed).contains("resuming: 3 runs already done are kept, 1 to run"),
        "{}",
        stderr(&resumed)
    );
    // A finished study is still "already holds a study", with --force to replace it.
    let finished = run_into(&dir, &file, &out);
    let err = stderr(&finished);
    assert_eq!(finished.status.code(), Some(2), "{err}");
    assert!(
        err.contains("already holds a study") && !err.contains("--resume"),
        "{err}"
    );
}

/// After Ctrl-C the closing line counts the runs that ended (as many as have records), not the
/// runs planned; the summary table is still printed, and a rerun without `--resume` says to
/// resume.
#[test]
fn ctrl_c_reports_the_true_counts_and_the_rerun_suggests_resume() {
    const TEST: &str = "ctrl_c_reports_the_true_counts_and_the_rerun_suggests_resume";
    let dir = temp_dir("true-counts");
    // 3 widths × 3 seeds, each run long enough to be caught mid-way.
    let study = TINY
        .replace("epochs = 300", "epochs = 100000")
        .replace("width = [3, 5]", "width = [3, 5, 8]")
        .replace("seeds = [1, 2]", "seeds = [1, 2, 3]");
    let file = write(&dir, "study.toml", &study);
    let out = dir.join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_experiments"))
        .args([
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    // Some runs have ended (so the count is not trivially 0) and some have not.
    while finished_runs(&out) < 1 {
        assert!(child.try_wait().unwrap().is_none(), "the study ended early");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no run within a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !sent {
        let _ = child.kill();
        let _ = child.wait();
        let line = format!("SKIPPED: {TEST}: the kill program cannot send SIGINT here\n");
        let _ = std::io::stderr().write_all(line.as_bytes());
        return;
    }
    let output = child.wait_with_output().expect("exits");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    let ended = finished_runs(&out);
    assert!(
        (1..9).contains(&ended),
        "the signal did not land mid-study: {err}"
    );
    assert!(
        err.contains(&format!("{ended} of 9 runs ended in ")),
        "{ended} runs have records:\n{err}"
    );
    assert!(!err.contains("9 runs in "), "{err}");
    assert!(stdout(&output).contains("width=8"), "{}", stdout(&output));

    let again = run_into(&dir, &file, &out);
    let err = stderr(&again);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(err.contains("pass --resume"), "{err}");
}

#[test]
fn a_study_ends_by_printing_its_summary_table() {
    let dir = temp_dir("terminal-summary");
    let file = write(&dir, "tiny.toml", TINY);
    let out = dir.join("out");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("tiny ("), "{text}");
    assert!(lines[1].trim_start().starts_with("point"), "{text}");
    // One line per sweep point, with the F1 of results.csv's runs and the original's beside.
    let row = lines
        .iter()
        .find(|l| l.trim_start().starts_with("width=3 "))
        .unwrap_or_else(|| panic!("no width=3 row:\n{text}"));
    assert!(row.contains(" 0.5 "), "the original F1 is shown: {row}");
    assert!(
        lines.iter().any(|l| l.trim_start().starts_with("width=5 ")),
        "{text}"
    );
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    let f1 = summary
        .lines()
        .find(|l| l.starts_with("| width=3 |"))
        .and_then(|l| l.split(" | ").nth(1))
        .expect("summary.md row")
        .to_owned();
    assert!(
        row.contains(&f1),
        "{row} does not show summary.md's F1 {f1}"
    );
}
