//! Bad input to sharding: `--shard` values that name no shard, and `merge` given folders that
//! are not shards of one study, one still being written, or a shard whose task stopped early.
//! Each is refused with exit 2 and a message naming the shard and the fix, and nothing is
//! written; the stopped shard is then finished with `--resume` and merges to the one-machine
//! study.

use std::path::{Path, PathBuf};

use crate::common::{
    TINY, TempDir, assert_same_study_files_except, run, run_shards, run_study, stderr, temp_dir,
    write,
};

/// [`TINY`] at 20 epochs: 4 runs in well under a second.
fn study(dir: &Path) -> PathBuf {
    write(
        dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 20"),
    )
}

/// Runs shard `shard` of the study `file` into `out` with the extra flags `extra`, asserting
/// it succeeded.
fn run_shard(dir: &Path, file: &Path, out: &Path, shard: &str, extra: &[&str]) {
    let mut args = vec![
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--shard",
        shard,
    ];
    args.extend(extra);
    let output = run(dir, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// Runs `merge` on `shards` into `dir/merged`.
fn merge(dir: &Path, shards: &[PathBuf]) -> std::process::Output {
    let out = dir.join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap()]);
    run(dir, &args)
}

/// Runs `merge` on `shards` into `dir/merged`, asserting it is refused (exit 2) with a message
/// containing every one of `expected`, and that it wrote nothing.
fn assert_merge_refused(dir: &Path, shards: &[PathBuf], expected: &[&str]) {
    let out = dir.join("merged");
    let output = merge(dir, shards);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for text in expected {
        assert!(err.contains(text), "expected {text:?} in: {err}");
    }
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

/// Replaces `"key": old` by `"key": new` in a folder's pretty-printed `metadata.json`.
fn edit_metadata(dir: &Path, key: &str, new: &str) {
    let path = dir.join("metadata.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let prefix = format!("\"{key}\": ");
    let edited: Vec<String> = text
        .lines()
        .map(|line| match line.find(&prefix) {
            Some(at) => {
                let comma = if line.ends_with(',') { "," } else { "" };
                format!("{}{prefix}{new}{comma}", &line[..at])
            }
            None => line.to_owned(),
        })
        .collect();
    assert_ne!(
        edited.join("\n"),
        text.trim_end(),
        "{key} in {}",
        path.display()
    );
    std::fs::write(&path, edited.join("\n")).unwrap();
}

#[test]
fn a_shard_that_names_no_shard_is_refused_before_anything_is_written() {
    let dir = temp_dir("shard-values");
    let file = study(&dir);
    let out = dir.join("out");
    for (value, expected) in [
        (
            "4/4",
            "K counts from 0, so it must be below N; the shards of 4 are 0/4 to 3/4",
        ),
        ("5/4", "the shards of 4 are 0/4 to 3/4"),
        ("0/0", "the shard count N must be at least 1"),
        ("x", "\"x\" is not K/N"),
        ("", "\"\" is not K/N"),
        ("a/4", "the shard index K \"a\" is not a whole number"),
        ("1/b", "the shard count N \"b\" is not a whole number"),
        ("-1/4", "the shard index K \"-1\" is not a whole number"),
        ("1.5/4", "the shard index K \"1.5\" is not a whole number"),
        ("1/2/3", "the shard count N \"2/3\" is not a whole number"),
        (
            "/4",
            "has no shard index K (in a job script, is SLURM_ARRAY_TASK_ID set?",
        ),
        ("1/", "has no shard count N"),
        ("99999999999999999999/4", "is too large"),
    ] {
        let output = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--shard",
                value,
            ],
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "--shard {value:?}: {err}");
        assert!(
            err.contains(&format!("invalid value '{value}' for '--shard <K/N>'")),
            "--shard {value:?}: {err}"
        );
        assert!(err.contains(expected), "--shard {value:?}: {err}");
        assert!(!out.exists(), "--shard {value:?} wrote {}", out.display());
    }
}

/// Two shards of [`study`], into `dir/shard0` and `dir/shard1`.
fn two_shards(dir: &TempDir) -> Vec<PathBuf> {
    run_shards(dir, &study(dir), 2)
}

#[test]
fn merge_refuses_shards_of_another_study_file() {
    let dir = temp_dir("merge-other-file");
    let shards = two_shards(&dir);
    let other = write(
        &dir,
        "other.toml",
        TINY.replace("epochs = 300", "epochs = 21"),
    );
    let replaced = dir.join("other-shard1");
    run_shard(&dir, &other, &replaced, "1/2", &[]);
    assert_merge_refused(
        &dir,
        &[shards[0].clone(), replaced],
        &[
            "other-shard1 (shard 1/2) ran a different study file (line 18: \"epochs = 21\" instead of \"epochs = 20\") than",
            "shard0 (shard 0/2): only shards of one study can be merged",
            "rerun its shard with the same build and options",
        ],
    );
}

#[test]
fn merge_refuses_shards_run_with_other_seeds_or_quick() {
    let dir = temp_dir("merge-other-options");
    let shards = two_shards(&dir);
    let file = dir.join("tiny.toml");
    for (flag, value, expected) in [
        (
            "--seeds",
            Some("1,2,3"),
            "ran seeds [1, 2, 3] instead of [1, 2]",
        ),
        (
            "--quick",
            None,
            "ran with --quick instead of without --quick",
        ),
    ] {
        let other = dir.join(format!("shard1{flag}"));
        let mut extra = vec![flag];
        extra.extend(value);
        run_shard(&dir, &file, &other, "1/2", &extra);
        assert_merge_refused(
            &dir,
            &[shards[0].clone(), other],
            &[expected, "(shard 1/2)"],
        );
    }
}

/// A shard from another build: its metadata says another version or git revision (edited
/// here, which is all that distinguishes one build's folder from another's). Metadata edited
/// into nonsense is refused too, never a panic.
#[test]
fn merge_refuses_shards_of_another_build_or_with_edited_metadata() {
    let dir = temp_dir("merge-other-version");
    let shards = two_shards(&dir);
    edit_metadata(&shards[1], "version", "\"0.0.1\"");
    assert_merge_refused(
        &dir,
        &shards,
        &[
            "shard1 (shard 1/2) was computed by experiments 0.0.1 instead of",
            "another version may compute other numbers",
            "rerun its shard with the same build",
        ],
    );
    let dir = temp_dir("merge-other-revision");
    let shards = two_shards(&dir);
    edit_metadata(&shards[0], "git_revision", "\"0123abc\"");
    assert_merge_refused(
        &dir,
        &shards,
        &[
            "shard1 (shard 1/2) was computed at git revision",
            "instead of 0123abc (other code may compute other numbers)",
        ],
    );
    for (key, value, expected) in [
        ("shard", "\"1/0\"", "shard \"1/0\" is not K/N with K < N"),
        (
            "seeds",
            "\"1\"",
            "not the metadata of a study run by this version of experiments",
        ),
    ] {
        let dir = temp_dir("merge-edited-metadata");
        let shards = two_shards(&dir);
        edit_metadata(&shards[1], key, value);
        assert_merge_refused(&dir, &shards, &["shard1/metadata.json: ", expected]);
    }
}

/// A `.lock` naming a live process means a task is still writing the folder: refused. One
/// naming a process that has exited (a task killed outright) does not stop a merge of
/// complete shards.
#[test]
fn merge_refuses_a_shard_still_being_written_and_ignores_a_stale_lock() {
    let dir = temp_dir("merge-locked");
    let shards = two_shards(&dir);
    let mut writer = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("sleep runs");
    std::fs::write(shards[1].join(".lock"), writer.id().to_string()).unwrap();
    assert_merge_refused(
        &dir,
        &shards,
        &[
            &format!(
                "shard1 is still being written: its .lock names process {} (sleep), which is running",
                writer.id()
            ),
            "wait for that task to finish",
        ],
    );
    writer.kill().unwrap();
    writer.wait().unwrap();
    let output = merge(&dir, &shards);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// A shard whose task stopped before some runs finished (an interrupted run leaves no record)
/// and a shard never run: merge names each, with what it lacks and the command that finishes
/// it; finishing the stopped one with `--resume` gives the one-machine study.
#[test]
fn merge_names_the_shards_that_lack_runs_and_resume_completes_them() {
    let dir = temp_dir("merge-missing");
    let file = study(&dir);
    let shards = run_shards(&dir, &file, 3);
    // Shard 0/3 holds runs 0 and 3: p00-s1 and p01-s2. Lose one, as a killed task would.
    std::fs::remove_file(shards[0].join("runs/p01-s2.json")).unwrap();
    assert_merge_refused(
        &dir,
        &shards[..2],
        &[
            "2 of 4 runs are missing, so nothing was merged:",
            "shard0 (shard 0/3) lacks 1 of its 2 runs (p01-s2): its task stopped before they finished; \
             run its command again with --resume (a Slurm array task: sbatch --array=0 JOB_SCRIPT --resume)",
            "shard 2/3 (p01-s1): no folder given holds it; add its folder, or run it (--shard 2/3; \
             a Slurm array task: sbatch --array=2 JOB_SCRIPT)",
        ],
    );
    run_shard(&dir, &file, &shards[0], "0/3", &["--resume"]);
    let output = merge(&dir, &shards);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let whole = dir.join("whole");
    run_study(&dir, &file, &whole);
    assert_same_study_files_except(&dir.join("merged"), &whole, &["metadata.json"]);
}
