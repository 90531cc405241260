//! Bad study files and bad usage: exit status 2, nothing run, a message naming the problem.

use std::path::Path;

use crate::common::{
    TINY, run, run_into, run_study, stderr, temp_dir, tiny_without_original, write,
};

/// Runs the binary on a study file with `text` and returns (exit code, stderr).
fn check_text(text: impl AsRef<[u8]>) -> (Option<i32>, String) {
    let dir = temp_dir("bad");
    let file = write(&dir, "study.toml", text);
    let output = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
    );
    assert!(
        !dir.join("out").join("results.csv").exists(),
        "nothing may run"
    );
    (output.status.code(), stderr(&output))
}

fn assert_rejected(text: &str, needles: &[&str]) {
    let (code, err) = check_text(text);
    assert_eq!(code, Some(2), "exit status for:\n{text}\n{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
}

#[test]
fn missing_directory_and_non_utf8_files() {
    let dir = temp_dir("files");
    let missing = run(&dir, &["no-such-study.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no-such-study.toml: file: cannot read the study file"),
        "{}",
        stderr(&missing)
    );

    let folder = run(&dir, &[dir.to_str().unwrap()]);
    assert_eq!(folder.status.code(), Some(2));
    assert!(stderr(&folder).contains("directory"), "{}", stderr(&folder));

    let (code, err) = check_text(b"[study]\nname = \"a\xff\"\n".as_slice());
    assert_eq!(code, Some(2));
    assert!(err.contains("UTF-8"), "{err}");

    let (code, err) = check_text(vec![b'#'; 2 << 20]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bytes"), "{err}");
}

#[test]
fn empty_file_and_syntax_errors_have_line_and_column() {
    assert_rejected("", &["empty"]);
    assert_rejected("   \n\n", &["empty"]);
    let (code, err) = check_text(TINY.replace("epochs = 300", "epochs = = 300"));
    assert_eq!(code, Some(2));
    assert!(err.contains("study.toml:18:"), "line and column: {err}");
    assert!(
        err.contains("epochs = = 300"),
        "the source line is shown: {err}"
    );
    assert_rejected(
        &TINY.replace("epochs = 300", "epochs = 300\nepochs = 400"),
        &["duplicate"],
    );
}

#[test]
fn unknown_keys_list_the_accepted_ones() {
    assert_rejected(
        &TINY.replace("learning_rate = 0.1", "lerning_rate = 0.1"),
        &[
            "unknown field `lerning_rate`",
            "expected one of",
            "`learning_rate`",
            "`hidden_layers`",
        ],
    );
    assert_rejected(
        &TINY.replace("[record]", "[recrod]"),
        &["unknown field `recrod`", "expected one of", "`record`"],
    );
}

/// A file that exists but cannot be read. Permissions do not stop root, so when a mode-000
/// file is still readable (the tests run as root) `/proc/self/mem` stands in: its metadata
/// reads fine and reading it fails with EIO.
#[test]
fn an_unreadable_study_file_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("unreadable");
    let locked = write(&dir, "locked.toml", TINY);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let path = if std::fs::read(&locked).is_ok() {
        eprintln!("mode 000 does not stop this user (root?): using /proc/self/mem instead");
        std::path::PathBuf::from("/proc/self/mem")
    } else {
        locked
    };
    let output = run(&dir, &[path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "{}: file: cannot read the study file",
            path.display()
        )),
        "{}",
        stderr(&output)
    );
}

/// Run names are `p<point>-s<seed>` in a folder named after the study: a repeated seed, a
/// repeated swept value or two files with one study name would give two runs one name.
#[test]
fn duplicate_run_names_are_refused() {
    assert_rejected(
        &TINY.replace("seeds = [1, 2]", "seeds = [1, 2, 1]"),
        &["study.toml:6:9: study.seeds", "seed 1 appears twice"],
    );
    let dir = temp_dir("same-name");
    let a = write(&dir, "a.toml", TINY);
    let b = write(&dir, "b.toml", TINY.replace("epochs = 300", "epochs = 30"));
    let output = run(
        &dir,
        &[
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("two study files are both named \"tiny\""),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("out").exists(), "nothing ran");
}

/// Each model setting out of range is named by its key and line, with the value and what is
/// allowed (the message of `models`' own validation).
#[test]
fn model_settings_are_checked_with_their_key_and_line() {
    let with = |line: &str| TINY.replace("epochs = 300", &format!("epochs = 300\n{line}"));
    for (line, needles) in [
        (
            "l2 = -1.0",
            ["study.toml:19:6: model.l2", "l2 = -1", "expected"],
        ),
        (
            "l2 = nan",
            ["study.toml:19:6: model.l2", "l2 = NaN", "expected"],
        ),
        (
            "tolerance = -0.001",
            ["study.toml:19:13: model.tolerance", "-0.001", "expected"],
        ),
        (
            "tolerance = nan",
            ["study.toml:19:13: model.tolerance", "NaN", "expected"],
        ),
        (
            "tolerance = 1e-3\npatience = 0",
            ["study.toml:20:12: model.patience", "patience = 0", "≥ 1"],
        ),
        (
            "patience = 5",
            ["model.patience", "without model.tolerance", "set tolerance"],
        ),
        (
            "threshold = 1.5",
            ["study.toml:19:13: model.threshold", "1.5", "[0, 1]"],
        ),
        (
            "threshold = -0.1",
            ["study.toml:19:13: model.threshold", "-0.1", "[0, 1]"],
        ),
        (
            "batch_size = 0",
            [
                "study.toml:19:14: model.batch_size",
                "batch_size = 0",
                "≥ 1",
            ],
        ),
    ] {
        assert_rejected(&with(line), &needles);
    }
}

#[test]
fn layer_lists_empty_zero_or_absurd_are_refused() {
    let no_sweep = tiny_without_original().replace("[sweep]\nwidth = [3, 5]\n", "");
    let layers = |list: &str| no_sweep.replace("hidden_layers = [4, 4]", list);
    assert_rejected(
        &layers("hidden_layers = []"),
        &[
            "study.toml:16:17: model.hidden_layers",
            "is empty",
            "kind = \"logistic\"",
        ],
    );
    assert_rejected(
        &layers("hidden_layers = [4, 0]"),
        &["model.hidden_layers", "[2, 4, 0, 1]", "entry 2 is 0"],
    );
    assert_rejected(
        &layers("hidden_layers = [100000, 100000]"),
        &["model.hidden_layers", "parameters", "10000500001"],
    );
    assert_rejected(
        &TINY.replace("width = [3, 5]", "depth = [0, 2]"),
        &["sweep.depth", "0 hidden layers", "expected 1 to 1000"],
    );
}

#[test]
fn wrong_types_and_out_of_range_integers() {
    assert_rejected(
        &TINY.replace("epochs = 300", "epochs = \"100\""),
        &["epochs", "string"],
    );
    assert_rejected(
        &TINY.replace("epochs = 300", "epochs = 10.0"),
        &["epochs", "float"],
    );
    assert_rejected(
        &TINY.replace("epochs = 300", "epochs = -5"),
        &["epochs", "-5"],
    );
    assert_rejected(
        &TINY.replace("epochs = 300", "epochs = 99999999999999999999999"),
        &["epochs", "99999999999999999999999", "expected usize"],
    );
    assert_rejected(
        &TINY.replace("epochs = 300", "epochs = 0"),
        &["model.epochs", "0"],
    );
}

#[test]
fn unknown_enum_values_list_the_choices() {
    assert_rejected(
        &TINY.replace("kind = \"mlp\"", "kind = \"mlp\"\nactivation = \"relu6\""),
        &["model.activation", "relu6", "sigmoid", "tanh"],
    );
    assert_rejected(
        &TINY.replace("generator = \"moons\"", "generator = \"banana\""),
        &["dataset.generator", "banana", "spirals"],
    );
    assert_rejected(
        &TINY.replace("kind = \"mlp\"", "kind = \"svm\""),
        &["model.kind", "svm", "logistic"],
    );
}

#[test]
fn non_finite_and_out_of_range_values() {
    for lr in ["nan", "inf", "-inf", "0.0", "-0.5"] {
        assert_rejected(
            &TINY.replace("learning_rate = 0.1", &format!("learning_rate = {lr}")),
            &["model.learning_rate", "study.toml:"],
        );
    }
    assert_rejected(
        &TINY.replace("noise = 0.1", "noise = -1.0"),
        &["noise", "-1"],
    );
    assert_rejected(
        &TINY.replace("noise = 0.1", "noise = nan"),
        &["noise", "NaN"],
    );
    assert_rejected(
        &TINY.replace("test_fraction = 0.25", "test_fraction = 1.0"),
        &["test_fraction"],
    );
    // In range, but round(0.1 × 8 / 2) = 0 test rows per class.
    assert_rejected(
        &TINY
            .replace("samples = 80", "samples = 8")
            .replace("test_fraction = 0.25", "test_fraction = 0.1"),
        &[
            "dataset.test_fraction",
            "0.1 of 8 samples",
            "without one of the classes",
        ],
    );
    assert_rejected(
        &TINY.replace("samples = 80", "samples = 0"),
        &["dataset.samples"],
    );
    assert_rejected(
        &TINY.replace("width = [3, 5]", "width = [3, 0]"),
        &["sweep.width", "0"],
    );
}

#[test]
fn sweeps_empty_duplicate_or_absurd() {
    assert_rejected(
        &TINY.replace("width = [3, 5]", "width = []"),
        &["sweep.width", "empty"],
    );
    assert_rejected(
        &TINY.replace("width = [3, 5]", "width = [3, 3]"),
        &["sweep.width", "twice"],
    );
    let huge = TINY.replace(
        "width = [3, 5]",
        &format!(
            "width = [{}]\nlearning_rate = [{}]",
            (1..=200)
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            (1..=100)
                .map(|i| format!("0.{i:03}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    assert_rejected(&huge, &["40000 runs", "at most"]);
    assert_rejected(
        &TINY.replace("seeds = [1, 2]", "seeds = []"),
        &["study.seeds", "empty"],
    );
}

#[test]
fn names_that_would_escape_the_output_folder() {
    for name in [
        "a/b",
        "..",
        "../up",
        "x\\u0000y",
        "a b",
        "a\\u202Eb",
        "v1.2",
    ] {
        assert_rejected(
            &TINY.replace("name = \"tiny\"", &format!("name = \"{name}\"")),
            &["study.name", "folder name"],
        );
    }
}

#[test]
fn a_seed_repeated_on_the_command_line_is_blamed_on_the_command_line() {
    let dir = temp_dir("seeds-flag");
    let file = write(&dir, "study.toml", TINY);
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--seeds", "1,1,2", "--check"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("--seeds") && err.contains("seed 1 appears twice"),
        "{err}"
    );
    assert!(!err.contains("study.seeds"), "{err}");
}

#[test]
fn unicode_letters_make_a_valid_name() {
    let dir = temp_dir("unicode-name");
    let file = write(
        &dir,
        "study.toml",
        TINY.replace("name = \"tiny\"", "name = \"étude_δ-2\""),
    );
    let output = run(&dir, &[file.to_str().unwrap(), "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// `--quick` shortens a valid epoch count; it does not turn an invalid one into a valid one.
#[test]
fn quick_validates_the_epochs_as_written() {
    for epochs in ["0", "200000000"] {
        let dir = temp_dir("quick-epochs");
        let file = write(
            &dir,
            "study.toml",
            TINY.replace("epochs = 300", &format!("epochs = {epochs}")),
        );
        let output = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--quick",
                "--out",
                dir.join("out").to_str().unwrap(),
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{epochs}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("model.epochs"),
            "{}",
            stderr(&output)
        );
        assert!(stderr(&output).contains(epochs), "{}", stderr(&output));
    }
}

#[test]
fn the_originals_numbers_are_checked() {
    for (row, needle) in [
        ("f1 = nan", "original.f1"),
        ("f1 = 7.0", "original.f1"),
        ("precision = inf", "original.precision"),
        ("recall = -0.1", "original.recall"),
        ("loss = -1.0", "original.loss"),
    ] {
        // In place of the row's own key when it has one (a key given twice is a syntax error).
        let replaced = if row.starts_with("loss") {
            "loss = 0.6\n"
        } else {
            "f1 = 0.5\n"
        };
        let text = TINY.replace(replaced, &format!("{row}\n"));
        assert_rejected(&text, &[needle, "out of range"]);
    }
    let twice = format!("{TINY}\n[[original]]\npoint = \"width=3\"\nf1 = 0.6\n");
    assert_rejected(&twice, &["original.point", "two [[original]] rows"]);
}

#[test]
fn a_zero_curve_stride_is_reported_once_under_its_own_key() {
    let (code, err) = check_text(TINY.replace("loss_curve_stride = 10", "loss_curve_stride = 0"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("record.loss_curve_stride"), "{err}");
    assert!(!err.contains("eval_stride"), "{err}");
}

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let text = TINY
        .replace("learning_rate = 0.1", "learning_rate = -1.0")
        .replace("noise = 0.1", "noise = -2.0");
    assert_rejected(&text, &["model.learning_rate", "dataset.noise"]);
    // Keys that cannot be read (unknown, wrong type) are reported together, with the values
    // that can be read and are wrong.
    let text = TINY
        .replace(
            "learning_rate = 0.1",
            "lerning_rate = 0.1\nlearning_rate = 0.1\ncolour = 1",
        )
        .replace("noise = 0.1", "noise = -2.0")
        .replace("epochs = 300", "epochs = 0");
    assert_rejected(
        &text,
        &[
            "`lerning_rate`",
            "`colour`",
            "dataset.noise",
            "model.epochs",
        ],
    );
    // Invalid training settings do not hide a bad layer width.
    let text = tiny_without_original()
        .replace("learning_rate = 0.1", "learning_rate = -1.0")
        .replace("noise = 0.1", "noise = nan")
        .replace("width = [3, 5]", "width = [0]");
    assert_rejected(
        &text,
        &["model.learning_rate", "dataset.noise", "sweep.width"],
    );
}

#[test]
fn every_file_is_validated_before_any_runs() {
    let dir = temp_dir("two");
    let good = write(&dir, "good.toml", TINY);
    let bad = write(
        &dir,
        "bad.toml",
        TINY.replace("name = \"tiny\"", "name = \"bad\"")
            .replace("epochs = 300", "epochs = 0"),
    );
    let output = run(
        &dir,
        &[
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        !Path::new(&dir.join("out/tiny/results.csv")).exists(),
        "the good file did not run either"
    );
}

#[test]
fn bad_usage() {
    let dir = temp_dir("usage");
    let file = write(&dir, "tiny.toml", TINY);
    for args in [
        vec!["--jobs", "0"],
        vec!["--jobs", "100000"],
        vec!["--shard", "3/2"],
        vec!["--shard", "x"],
        vec!["--bogus"],
    ] {
        let mut full = vec![file.to_str().unwrap()];
        full.extend(args.iter().copied());
        let output = run(&dir, &full);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let outfile = write(&dir, "a-file", "x");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", outfile.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is a file"), "{}", stderr(&output));
}

/// A missing output folder (and its parents) is created; one that cannot be written is refused
/// before any run starts. Permissions do not stop root, so when a mode-555 folder is still
/// writable (the tests run as root) `/proc/self` stands in: a folder in which no one can create
/// anything.
#[test]
fn a_missing_output_folder_is_created_and_an_unwritable_one_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("out-folder");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 5"),
    );
    let nested = dir.join("a/b/c");
    run_study(&dir, &file, &nested);
    assert!(nested.join("results.csv").is_file());

    let read_only = dir.join("read-only");
    std::fs::create_dir(&read_only).unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = if std::fs::write(read_only.join("probe"), "x").is_ok() {
        eprintln!("mode 555 does not stop this user (root?): using /proc/self instead");
        std::path::PathBuf::from("/proc/self")
    } else {
        read_only
    };
    let output = run_into(&dir, &file, &out);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "error: cannot create output folder {}",
            out.display()
        )),
        "{err}"
    );
    assert!(!err.contains(" runs in "), "no run started: {err}");
}
