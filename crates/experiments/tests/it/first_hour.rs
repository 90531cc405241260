//! What a new user meets in the first hour: where `--quick` writes, what an interrupted study
//! says, the counts after Ctrl-C, the results table printed at the end; `train`'s flags,
//! defaults and progress; `predict` matching columns by name and keeping them; and the bad
//! input of each, refused with exit 2, the value and the fix.

use std::io::Write as _;
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

/// `train`'s test metrics line: the accuracy.
fn test_accuracy(output: &std::process::Output) -> f64 {
    let text = stdout(output);
    let line = text
        .lines()
        .find(|l| l.starts_with("test:"))
        .unwrap_or_else(|| panic!("no test line:\n{text}\n{}", stderr(output)));
    let after = line.split("accuracy ").nth(1).expect("accuracy");
    after.split_whitespace().next().unwrap().parse().unwrap()
}

/// `train` with no flags but the dataset learns every generator's default dataset: each
/// within a few points of the best possible accuracy (the Bayes error's complement, 0.96 to
/// 0.99 for these), where the earlier defaults (lr 0.01, 1,000 epochs) left spirals at 0.6.
#[test]
fn train_defaults_learn_every_generators_default_dataset() {
    let dir = temp_dir("train-defaults");
    for dataset in ["blobs", "moons", "circles", "xor", "spirals"] {
        let output = run(&dir, &["train", "--dataset", dataset]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let accuracy = test_accuracy(&output);
        assert!(accuracy >= 0.93, "{dataset}: test accuracy {accuracy}");
        assert!(
            stdout(&output).contains("best possible classifier's expected accuracy"),
            "{}",
            stdout(&output)
        );
    }
}

#[test]
fn train_hidden_gives_the_layers_between_the_data_and_the_output() {
    let dir = temp_dir("train-hidden");
    let save = |name: &str, flags: &[&str]| {
        let path = dir.join(name);
        let mut args = vec!["train", "--epochs", "50", "--save", path.to_str().unwrap()];
        args.extend(flags);
        let output = run(&dir, &args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        std::fs::read(path).unwrap()
    };
    let hidden = save("hidden.json", &["--hidden", "8,3"]);
    let layers = save("layers.json", &["--layers", "2,8,3,1"]);
    assert!(hidden == layers, "--hidden 8,3 and --layers 2,8,3,1 differ");
    let both = run(&dir, &["train", "--hidden", "8", "--layers", "2,8,1"]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}

/// A study file whose `[model]` table holds `lines` (with the learning rate and epochs a
/// study file requires, unless `lines` sets them).
fn study_with_model(lines: &str) -> String {
    let mut model = String::from("kind = \"mlp\"\n");
    for (key, default) in [("learning_rate", "0.1"), ("epochs", "300")] {
        if !lines.contains(&format!("{key} =")) {
            model.push_str(&format!("{key} = {default}\n"));
        }
    }
    format!(
        "[study]\nname = \"flags\"\nseeds = [1]\n\n[dataset]\ngenerator = \"moons\"\n\
         samples = 100\n\n[model]\n{model}{lines}\n"
    )
}

/// Every training flag is checked by the rules of a study file's `[model]` key, with the same
/// message after the flag; nothing is written.
#[test]
fn train_flags_are_refused_with_the_study_files_messages() {
    let dir = temp_dir("train-flag-messages");
    let save = dir.join("model.json");
    for (flags, key, lines) in [
        (
            vec!["--lr", "-0.5"],
            "model.learning_rate",
            "learning_rate = -0.5",
        ),
        (vec!["--epochs", "0"], "model.epochs", "epochs = 0"),
        (vec!["--l2", "-1"], "model.l2", "l2 = -1.0"),
        (
            vec!["--batch-size", "0"],
            "model.batch_size",
            "batch_size = 0",
        ),
        (
            vec!["--tolerance", "nan"],
            "model.tolerance",
            "tolerance = nan",
        ),
        (
            vec!["--tolerance", "0.1", "--patience", "0"],
            "model.patience",
            "tolerance = 0.1\npatience = 0",
        ),
        (
            vec!["--threshold", "1.5"],
            "model.threshold",
            "threshold = 1.5",
        ),
        (
            vec!["--hidden", "20,0"],
            "model.hidden_layers",
            "hidden_layers = [20, 0]",
        ),
    ] {
        let mut args = vec!["train", "--save", save.to_str().unwrap()];
        args.extend(&flags);
        let output = run(&dir, &args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {err}");
        assert!(!save.exists(), "{flags:?}: a model was written");
        let file = write(&dir, "study.toml", study_with_model(lines));
        let checked = run(&dir, &["--check", file.to_str().unwrap()]);
        let study_err = stderr(&checked);
        assert_eq!(checked.status.code(), Some(2), "{study_err}");
        let expected = study_err
            .lines()
            .find_map(|l| l.split_once(&format!("{key}: ")).map(|(_, m)| m.to_owned()))
            .unwrap_or_else(|| panic!("{key} not reported:\n{study_err}"));
        let flag = flags[flags.len() - 2];
        assert!(
            err.starts_with(&format!("error: {flag}")) && err.trim_end().ends_with(&expected),
            "{flags:?}: {err} is not {flag} and the study file's message {expected:?}"
        );
    }
    // Patience without tolerance: refused, naming both flags.
    let output = run(&dir, &["train", "--patience", "5"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--patience 5 is set without --tolerance"),
        "{}",
        stderr(&output)
    );
}

/// The training flags reach the saved model's settings, and early stopping stops.
#[test]
fn train_settings_reach_the_saved_model() {
    let dir = temp_dir("train-settings");
    let path = dir.join("model.json");
    let output = run(
        &dir,
        &[
            "train",
            "--hidden",
            "6",
            "--l2",
            "0.001",
            "--batch-size",
            "32",
            "--tolerance",
            "0.01",
            "--patience",
            "3",
            "--threshold",
            "0.4",
            "--epochs",
            "5000",
            "--save",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("early_stopped"),
        "{}",
        stdout(&output)
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let training = &saved["training"];
    assert_eq!(training["l2"], 0.001);
    assert_eq!(training["batch_size"], 32);
    assert_eq!(training["early_stopping"]["tolerance"], 0.01);
    assert_eq!(training["early_stopping"]["patience"], 3);
    assert_eq!(saved["threshold"], 0.4);
}

/// Off a terminal, a long fit prints a progress line every few seconds with the epoch and the
/// current loss (read as it comes, then the fit is stopped).
#[test]
fn train_off_a_terminal_prints_a_progress_line_every_few_seconds() {
    use std::io::BufRead as _;
    let dir = temp_dir("train-progress");
    let mut child = Command::new(env!("CARGO_BIN_EXE_experiments"))
        .args(["train", "--epochs", "100000000", "--hidden", "4"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let first = std::io::BufReader::new(stderr).lines().next();
        let _ = sender.send(first);
    });
    let first = receiver.recv_timeout(Duration::from_secs(60));
    let waited = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    let line = match first {
        Ok(Some(Ok(line))) => line,
        other => panic!("no progress line within {waited:?}: {other:?}"),
    };
    assert!(
        line.contains(" epoch ")
            && line.contains("/100000000, training loss 0.")
            && line.contains("ETA"),
        "{line}"
    );
    assert!(
        waited >= Duration::from_secs(4),
        "the first line came after {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(30),
        "the first line came after {waited:?}"
    );
}

/// Two clusters of pets by weight and height, labelled `cat` and `dog`, with a header; the
/// columns in the order `columns` gives (`w`, `h` and `pet`).
fn pets_csv(columns: [&str; 3]) -> String {
    let mut text = columns.join(",") + "\n";
    for i in 0..40 {
        let dog = i % 2 == 1;
        let t = f64::from(i) * 0.37;
        let w = if dog { 30.0 } else { 4.0 } + 2.0 * t.sin();
        let h = if dog { 60.0 } else { 25.0 } + 3.0 * (1.7 * t).cos();
        let pet = if dog { "dog" } else { "cat" };
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match *c {
                "w" => w.to_string(),
                "h" => h.to_string(),
                _ => pet.to_owned(),
            })
            .collect();
        text.push_str(&(cells.join(",") + "\n"));
    }
    text
}

/// Trains a small model on `pets_csv` in `dir`, saved as `model.json`.
fn train_pets(dir: &std::path::Path) -> std::path::PathBuf {
    let data = write(dir, "pets.csv", pets_csv(["w", "h", "pet"]));
    let model = dir.join("model.json");
    let output = run(
        dir,
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--standardize",
            "--hidden",
            "4",
            "--epochs",
            "300",
            "--save",
            model.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    model
}

/// `predict --model MODEL --data DATA --out OUT` and any `more` flags, in `dir`.
fn predict(
    dir: &std::path::Path,
    model: &std::path::Path,
    data: &std::path::Path,
    out: &str,
    more: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        out,
    ];
    args.extend(more);
    run(dir, &args)
}

/// `train` takes any two label values and the model records them; `predict` matches the
/// columns by their header names in any order, keeps them beside `probability` and
/// `prediction` (the class names), and with `--out -` writes the same CSV to stdout.
#[test]
fn predict_matches_columns_by_name_and_writes_them_beside_the_predictions() {
    let dir = temp_dir("predict-columns");
    let model = train_pets(&dir);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(saved["feature_names"], serde_json::json!(["w", "h"]));
    assert_eq!(saved["class_labels"], serde_json::json!(["cat", "dog"]));

    let ordered = write(&dir, "ordered.csv", pets_csv(["w", "h", "pet"]));
    let swapped = write(&dir, "swapped.csv", pets_csv(["h", "w", "pet"]));
    let output = predict(&dir, &model, &ordered, "ordered.out.csv", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("labelled input: precision 1.0000"),
        "{}",
        stdout(&output)
    );
    let output = predict(&dir, &model, &swapped, "swapped.out.csv", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let (ordered_out, swapped_out) = (read("ordered.out.csv"), read("swapped.out.csv"));
    assert!(
        swapped_out.starts_with("h,w,pet,probability,prediction\n"),
        "{swapped_out}"
    );
    let input_text = std::fs::read_to_string(&swapped).unwrap();
    let input: Vec<&str> = input_text.lines().collect();
    let mut n_rows = 0;
    for ((ordered_line, swapped_line), input_line) in ordered_out
        .lines()
        .zip(swapped_out.lines())
        .zip(&input)
        .skip(1)
    {
        // The input's cells as written, then the same probability either way round.
        let (kept, predicted) = swapped_line.split_at(input_line.len());
        assert_eq!(kept, *input_line);
        assert!(
            ordered_line.ends_with(predicted),
            "{ordered_line} vs {swapped_line}"
        );
        let cells: Vec<&str> = swapped_line.split(',').collect();
        assert!(["cat", "dog"].contains(&cells[4]), "{swapped_line}");
        assert_eq!(cells[4], cells[2], "a separable set is predicted right");
        n_rows += 1;
    }
    assert_eq!(n_rows, 40);

    // `--out -`: the same CSV on stdout, the report on stderr, no file named `-`.
    let output = predict(&dir, &model, &swapped, "-", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), swapped_out);
    assert!(
        stderr(&output).contains("wrote 40 predictions to standard output"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("-").exists());
}

/// Bad input to `predict` and `train`: each exits 2 with a message naming the value and the
/// fix, and writes nothing.
#[test]
fn bad_predict_and_train_input_exits_2_naming_the_value_and_the_fix() {
    let dir = temp_dir("predict-bad-input");
    let model = train_pets(&dir);
    let cases: [(&str, &str, &[&str], &[&str]); 5] = [
        (
            "missing.csv",
            "w,pet\n4,cat\n",
            &[],
            &[
                "missing.csv has no column \"h\"",
                "name the columns as the model's features",
            ],
        ),
        (
            "extra.csv",
            "w,age,h,pet\n4,3,25,cat\n",
            &[],
            &[
                "extra.csv has column \"age\", which is not a feature",
                "remove it",
            ],
        ),
        (
            "unlabelled.csv",
            "w,h,size\n4,25,small\n",
            &[],
            &[
                "label \"small\" is not one of the model's classes (\"cat\" and \"dog\")",
                "leave the label column out",
            ],
        ),
        (
            "positional.csv",
            "4,25,1,cat\n",
            &[],
            &[
                "4 columns and no header",
                "the model takes 2 features (w, h)",
                "give 2 or 3 columns",
            ],
        ),
        (
            "good.csv",
            "w,h\n4,25\n",
            &["--force"],
            &["--out - writes to standard output, which --force cannot replace: leave --force out"],
        ),
    ];
    for (name, text, flags, needles) in cases {
        let data = write(&dir, name, text);
        let out = if flags.is_empty() { "out.csv" } else { "-" };
        let output = predict(&dir, &model, &data, out, flags);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{name}: {needle:?} not in {err}");
        }
        assert!(
            !dir.join("out.csv").exists() && !dir.join("-").exists(),
            "{name}"
        );
        assert_eq!(stdout(&output), "", "{name}");
    }

    // `--out` then a flag: a missing value, not a file named after the flag.
    let good = dir.join("good.csv");
    let output = predict(&dir, &model, &good, "--force", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!dir.join("--force").exists());

    // Three label values: train names all three and the fix.
    let three = write(
        &dir,
        "three.csv",
        "w,h,pet\n4,25,cat\n30,60,dog\n9,20,bird\n",
    );
    let saved = dir.join("three.json");
    let output = run(
        &dir,
        &[
            "train",
            "--data",
            three.to_str().unwrap(),
            "--save",
            saved.to_str().unwrap(),
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "three.csv, line 4: label \"bird\" is a third value after \"cat\" and \"dog\""
        ) && err.contains("keep the rows of two classes"),
        "{err}"
    );
    // A zero width in --hidden: named, with what is allowed.
    let output = run(
        &dir,
        &[
            "train",
            "--hidden",
            "0,3",
            "--save",
            saved.to_str().unwrap(),
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--hidden 0,3") && err.contains("every size ≥ 1"),
        "{err}"
    );
    assert!(!saved.exists());
}
