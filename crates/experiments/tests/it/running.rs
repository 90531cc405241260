//! Studies that run: artifacts, determinism across thread counts, divergence, overwrites.

use std::path::{Path, PathBuf};

use crate::common::{
    TINY, assert_same_study_files, assert_same_study_files_except, results_without_wall_time, run,
    run_shards, run_study, stderr, study_files_without_wall_time, temp_dir, tiny_without_original,
    write,
};

#[test]
fn every_shipped_study_validates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = run(&root, &["--check"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = String::from_utf8_lossy(&output.stdout);
    for name in [
        "logistic",
        "width",
        "depth",
        "activation",
        "learning_rate",
        "early_stopping",
    ] {
        assert!(
            plan.contains(&format!("{name} (")),
            "{name} missing from:\n{plan}"
        );
    }
}

#[test]
fn tiny_study_writes_every_artifact() {
    let dir = temp_dir("tiny");
    let file = write(&dir, "tiny.toml", TINY);
    let out = dir.join("out");
    let output = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for name in [
        "study.toml",
        "metadata.json",
        "results.csv",
        "summary.md",
        "summary.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 1 + 4, "{results}");
    assert!(
        results.lines().skip(1).all(|l| l.contains(",ok,")),
        "{results}"
    );
    for id in ["p00-s1", "p00-s2", "p01-s1", "p01-s2"] {
        let curve = std::fs::read_to_string(out.join("curves").join(format!("{id}.csv"))).unwrap();
        // Epochs 0, 10, …, 300: 31 rows and a header.
        assert_eq!(curve.lines().count(), 32, "{id}");
        assert!(out.join("gradients").join(format!("{id}.csv")).is_file());
    }
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("| width=3 |") && summary.contains("| 0.5 |"),
        "{summary}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["points"].as_array().map(Vec::len), Some(2));
    // The metadata says which kernels timed the runs (the widest this CPU has, unless the
    // environment running the tests caps it).
    let metadata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(
        metadata["kernels"].as_str(),
        Some(core_linalg::kernels::instruction_set())
    );
    // No temporary file is left behind.
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(!name.to_string_lossy().ends_with(".tmp"), "{name:?}");
    }
}

/// Runs `file` into a fresh folder `dir/name` with `--jobs jobs` and asserts it succeeded.
fn run_with_jobs(dir: &Path, file: &Path, name: &str, jobs: &str) -> PathBuf {
    let out = dir.join(name);
    let output = run(
        dir,
        &[
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            jobs,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    out
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let dir = temp_dir("jobs");
    let file = write(&dir, "tiny.toml", TINY);
    let one = run_with_jobs(&dir, &file, "jobs1", "1");
    let two = run_with_jobs(&dir, &file, "jobs2", "2");
    assert_same_study_files(&one, &two);
}

#[test]
fn three_repeated_runs_give_the_same_bytes() {
    let dir = temp_dir("repeat");
    let file = write(&dir, "tiny.toml", TINY);
    let outs: Vec<PathBuf> = (0..3)
        .map(|i| run_with_jobs(&dir, &file, &format!("run{i}"), "2"))
        .collect();
    // The comparison covers every artifact, not an empty folder.
    let files = study_files_without_wall_time(&outs[0]);
    for name in [
        "results.csv",
        "summary.json",
        "summary.md",
        "metadata.json",
        "runs/p00-s1.json",
        "runs/p01-s2.model.json",
        "curves/p01-s2.csv",
        "gradients/p00-s2.csv",
        "figures/loss_curves.png",
        "report.html",
    ] {
        assert!(
            files.contains_key(name),
            "{name} missing: {:?}",
            files.keys()
        );
    }
    assert_eq!(files.keys().filter(|n| n.starts_with("runs/")).count(), 8);
    assert_eq!(files.keys().filter(|n| n.starts_with("curves/")).count(), 4);
    assert_same_study_files(&outs[0], &outs[1]);
    assert_same_study_files(&outs[0], &outs[2]);
}

#[test]
fn every_curve_point_has_its_test_loss() {
    // The test loss is measured only at the curve's points; each must still have one.
    let dir = temp_dir("curve");
    let file = write(&dir, "tiny.toml", TINY);
    let out = run_with_jobs(&dir, &file, "out", "1");
    let curve = std::fs::read_to_string(out.join("curves/p01-s2.csv")).expect("curve");
    let rows: Vec<Vec<&str>> = curve
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let epochs: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    let expected: Vec<String> = (0..=300).step_by(10).map(|e| e.to_string()).collect();
    assert_eq!(epochs, expected);
    for row in &rows {
        assert!(
            row.len() == 3 && row[2].parse::<f64>().is_ok_and(f64::is_finite),
            "{row:?}"
        );
    }
}

#[test]
fn a_diverging_run_is_recorded_and_the_rest_still_written() {
    let dir = temp_dir("diverge");
    let text = tiny_without_original()
        .replace(
            "[sweep]\nwidth = [3, 5]",
            "[sweep]\nlearning_rate = [0.1, 1000.0]",
        )
        .replace("noise = 0.1", "noise = 0.6");
    let file = write(&dir, "diverge.toml", text);
    let out = dir.join("out");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let rows: Vec<&str> = results.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{results}");
    assert!(
        rows.iter()
            .filter(|r| r.contains("learning_rate=0.1,"))
            .all(|r| r.contains(",ok,"))
    );
    for row in rows.iter().filter(|r| r.contains("learning_rate=1000,")) {
        assert!(row.contains(",diverged,") && row.contains("loss "), "{row}");
        assert!(!row.contains("NaN,"), "no NaN in a metric column: {row}");
    }
    assert!(
        out.join("curves/p01-s1.csv").is_file(),
        "the curve up to the divergence is kept"
    );
}

/// Every file under `folder` whose name marks it as temporary.
fn temporary_files(folder: &Path) -> Vec<PathBuf> {
    study_files_without_wall_time(folder)
        .into_keys()
        .filter(|name| name.ends_with(".tmp"))
        .map(PathBuf::from)
        .collect()
}

/// A run file that cannot be written (here a folder sits at its final path; a full disk is
/// the same error path, see the full-disk test of `core_linalg::file`): the run is failed with
/// a reason naming the file, the others finish, the binary exits 1 naming the file, nothing
/// temporary is left, and once the obstacle is gone `--resume` reruns that run alone and ends
/// as an unhindered study.
#[test]
fn a_run_file_that_cannot_be_written_fails_that_run_and_resume_reruns_it() {
    let dir = temp_dir("unwritable");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 20"),
    );
    let whole = dir.join("whole");
    run_study(&dir, &file, &whole);

    let out = dir.join("out");
    let blocked = out.join("curves").join("p00-s1.csv");
    std::fs::create_dir_all(blocked.join("something-of-the-users")).unwrap();
    let args = [file.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let output = run(&dir, &args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("error: cannot write {}", blocked.display())),
        "the error names the file: {err}"
    );
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    for row in results.lines().skip(1) {
        if row.starts_with("p00-s1,") {
            assert!(
                row.contains(",failed,") && row.contains(&blocked.display().to_string()),
                "{row}"
            );
        } else {
            assert!(row.contains(",ok,"), "{row}");
        }
    }
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("runs/p00-s1.json")).unwrap())
            .unwrap();
    assert_eq!(record["status"]["status"], "failed", "{record}");
    assert!(
        record["status"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&blocked.display().to_string())),
        "{record}"
    );
    assert!(record["metrics"].is_null(), "{record}");
    assert!(
        blocked.join("something-of-the-users").is_dir(),
        "what was at the final path is intact"
    );
    assert_eq!(temporary_files(&out), Vec::<PathBuf>::new());

    std::fs::remove_dir_all(&blocked).unwrap();
    let mut resume = args.to_vec();
    resume.push("--resume");
    let resumed = run(&dir, &resume);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert_same_study_files(&out, &whole);
}

#[test]
fn an_earlier_study_is_not_overwritten_without_force() {
    let dir = temp_dir("force");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 5"),
    );
    let out = dir.join("out");
    let args = [file.to_str().unwrap(), "--out", out.to_str().unwrap()];
    assert_eq!(run(&dir, &args).status.code(), Some(0));
    let mine = write(&out, "notes.txt", "my notes");
    let again = run(&dir, &args);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(run(&dir, &forced).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(mine).unwrap(),
        "my notes",
        "user files survive --force"
    );
}

#[test]
fn shards_cover_every_run_once() {
    let dir = temp_dir("shard");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 20"),
    );
    let shards = run_shards(&dir, &file, 3);
    let mut rows = Vec::new();
    for out in &shards {
        let text = results_without_wall_time(&out.join("results.csv"));
        rows.extend(text.lines().skip(1).map(str::to_owned));
    }
    let whole = dir.join("whole");
    run(
        &dir,
        &[file.to_str().unwrap(), "--out", whole.to_str().unwrap()],
    );
    let mut expected: Vec<String> = results_without_wall_time(&whole.join("results.csv"))
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect();
    rows.sort();
    expected.sort();
    assert_eq!(rows, expected);

    // Merging the shards gives the single machine's tables (wall times aside).
    let merged = dir.join("merged");
    let shard = |k: usize| shards[k].to_str().unwrap();
    let output = run(
        &dir,
        &[
            "merge",
            shard(0),
            shard(1),
            shard(2),
            "--out",
            merged.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Every file but metadata.json, which says where and when the shards were merged.
    assert_same_study_files_except(&merged, &whole, &["metadata.json"]);
    // A missing shard is refused, naming what is missing.
    let partial = dir.join("partial");
    let output = run(
        &dir,
        &[
            "merge",
            shard(0),
            shard(1),
            "--out",
            partial.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing"), "{}", stderr(&output));
}
