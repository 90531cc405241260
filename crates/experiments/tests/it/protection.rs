//! Nothing a user made is replaced unasked, `--force` never reaches into a folder another
//! process is writing, and no output replaces a device, folder or pipe.

use crate::commands::points_csv;
use crate::common::{TINY, run, run_study, stderr, temp_dir, write};

fn train_args<'a>(csv: &'a str, save: &'a str) -> Vec<&'a str> {
    vec!["train", "--data", csv, "--epochs", "5", "--save", save]
}

#[test]
fn force_is_refused_before_anything_is_removed_while_another_process_holds_the_folder() {
    let dir = temp_dir("force-locked");
    let file = write(&dir, "tiny.toml", TINY);
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    // A live process (this test's own) holds the folder, as a running study would.
    write(&out, ".lock", std::process::id().to_string());
    let output = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force",
            "--quick",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("in use"), "{}", stderr(&output));
    for kept in [
        "study.toml",
        "metadata.json",
        "results.csv",
        "runs",
        "curves",
    ] {
        assert!(out.join(kept).exists(), "{kept} was removed");
    }
    assert!(
        std::fs::read_dir(out.join("curves"))
            .unwrap()
            .next()
            .is_some(),
        "the curves were removed"
    );
}

#[test]
fn a_folder_with_the_users_own_results_file_is_not_written_without_force() {
    let dir = temp_dir("user-results");
    let file = write(&dir, "tiny.toml", TINY);
    for name in ["results.csv", "summary.md", "report.html"] {
        let out = dir.join(format!("out-{name}"));
        std::fs::create_dir_all(&out).unwrap();
        write(&out, name, "mine");
        let output = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quick",
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(stderr(&output).contains(name), "{}", stderr(&output));
        assert_eq!(std::fs::read_to_string(out.join(name)).unwrap(), "mine");
        let output = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quick",
                "--force",
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
    }
}

#[test]
fn train_checks_every_file_it_would_write_before_training() {
    let dir = temp_dir("train-sidecars");
    let csv = points_csv(&dir);
    let csv = csv.to_str().unwrap();
    let model = dir.join("m.json");
    for suffix in [".loss.csv", ".loss.png", ".boundary.png"] {
        let sidecar = dir.join(format!("m{suffix}"));
        write(&dir, &format!("m{suffix}"), "mine");
        let output = run(&dir, &train_args(csv, model.to_str().unwrap()));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{suffix}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
        assert_eq!(std::fs::read_to_string(&sidecar).unwrap(), "mine");
        assert!(!model.exists(), "{suffix}: trained and saved anyway");
        std::fs::remove_file(&sidecar).unwrap();
    }
    // A missing folder is found before training, not after.
    let output = run(&dir, &train_args(csv, "no-such-folder/m.json"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("trained"), "{}", stderr(&output));
}

/// A pipe stands in for a device such as `/dev/null` (replacing a real one would damage the
/// machine the test runs on if the check were missing); a folder is refused the same way.
#[test]
fn outputs_never_replace_a_pipe_or_a_folder_even_with_force() {
    let dir = temp_dir("not-regular");
    let csv = points_csv(&dir);
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let folder = dir.join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let model = dir.join("model.json");
    let output = run(
        &dir,
        &train_args(csv.to_str().unwrap(), model.to_str().unwrap()),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for target in [&fifo, &folder] {
        let mut args = train_args(csv.to_str().unwrap(), target.to_str().unwrap());
        args.push("--force");
        let output = run(&dir, &args);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("not a regular file"),
            "{}",
            stderr(&output)
        );
        let output = run(
            &dir,
            &[
                "predict",
                "--model",
                model.to_str().unwrap(),
                "--data",
                csv.to_str().unwrap(),
                "--out",
                target.to_str().unwrap(),
                "--force",
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("not a regular file"),
            "{}",
            stderr(&output)
        );
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(folder.is_dir());
}

#[test]
fn merge_refuses_an_output_folder_that_is_one_of_its_inputs_or_a_shard_given_twice() {
    let dir = temp_dir("merge-into-input");
    let file = write(&dir, "tiny.toml", TINY);
    let shards: Vec<_> = (0..2).map(|k| dir.join(format!("shard{k}"))).collect();
    for (k, shard) in shards.iter().enumerate() {
        let output = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--out",
                shard.to_str().unwrap(),
                "--shard",
                &format!("{k}/2"),
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let before = std::fs::read_dir(shards[0].join("curves")).unwrap().count();
    let (a, b) = (shards[0].to_str().unwrap(), shards[1].to_str().unwrap());
    let into_itself = format!("{}/../shard0", shards[1].display());
    for args in [
        vec!["merge", a, b, "--out", a, "--force"],
        vec!["merge", a, b, "--out", &into_itself, "--force"],
        vec!["merge", a, b, a, "--out", "merged"],
    ] {
        let output = run(&dir, &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(
        std::fs::read_dir(shards[0].join("curves")).unwrap().count(),
        before
    );
    let output = run(&dir, &["merge", a, b, "--out", "merged"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
