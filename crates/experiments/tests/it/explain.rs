//! Issue 19's runner side through the binary: train-split metrics and every generator's Bayes
//! error in `results.csv`, curvature records (`curvature/<id>.csv`, `stable_lr_at_init`), the
//! new study-file keys refused with their key and range, `experiments curvature`, and the
//! opt-in studies in `experiments/explain/`.

use std::path::Path;

use crate::commands::points_csv;
use crate::common::{
    TINY, assert_same_study_files, csv_cells, run, run_study, stderr, temp_dir,
    tiny_without_original, write,
};

/// `results.csv` as a header and rows of cells.
fn table(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(out.join("results.csv")).expect("results.csv");
    let mut lines = text
        .lines()
        .map(|l| csv_cells(l).into_iter().map(str::to_owned).collect());
    let header: Vec<String> = lines.next().expect("header");
    (header, lines.collect())
}

fn column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|r| r[i].as_str()).collect()
}

#[test]
fn every_row_has_training_part_metrics_and_the_bayes_error() {
    let dir = temp_dir("train-metrics");
    let file = write(&dir, "study.toml", TINY);
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    let (header, rows) = table(&out);
    // The new columns follow every existing one, so existing columns keep their places.
    let tail: Vec<&str> = header[header.len() - 5..]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "train_precision",
            "train_recall",
            "train_f1",
            "train_accuracy",
            "train_roc_auc"
        ]
    );
    assert!(!header.iter().any(|h| h == "stable_lr_at_init"));
    let number = |cell: &str| -> f64 { cell.parse().unwrap_or_else(|_| panic!("{cell:?}")) };
    for name in [
        "train_precision",
        "train_recall",
        "train_f1",
        "train_accuracy",
    ] {
        for cell in column(&header, &rows, name) {
            assert!((0.0..=1.0).contains(&number(cell)), "{name} {cell}");
        }
    }
    // Measured on the training part, not copied from the test part.
    let differs = column(&header, &rows, "train_accuracy")
        .iter()
        .zip(column(&header, &rows, "accuracy"))
        .any(|(train, test)| *train != test);
    assert!(differs, "train and test accuracy are equal in every row");
    // Moons have a Bayes error too, the same for every run of one dataset configuration.
    let bayes = column(&header, &rows, "bayes_error");
    assert!(bayes.iter().all(|b| *b == bayes[0]), "{bayes:?}");
    let rate = number(bayes[0]);
    assert!(rate > 0.0 && rate < 0.01, "moons noise 0.1: {rate}");
    // A run record keeps both splits (what the tables are rebuilt from).
    let record = std::fs::read_to_string(out.join("runs/p00-s1.json")).unwrap();
    assert!(record.contains("\"train_metrics\""), "{record}");
}

/// A study with curvature readings every 100 epochs, where one learning rate diverges and
/// early stopping stops another run before its last epoch.
fn curvature_study() -> String {
    tiny_without_original()
        .replace("seeds = [1, 2]", "seeds = [1]")
        .replace(
            "epochs = 300",
            "epochs = 250\ntolerance = 0.01\npatience = 5",
        )
        .replace(
            "width = [3, 5]",
            "learning_rate = [0.1, 1000.0]\nearly_stopping = [false, true]",
        )
        .replace("gradient_norm_stride = 50", "curvature_stride = 100")
}

#[test]
fn curvature_is_read_every_stride_and_the_same_on_any_thread_count() {
    let dir = temp_dir("curvature");
    let file = write(&dir, "study.toml", curvature_study());
    let one = dir.join("one");
    let two = dir.join("two");
    for (out, jobs) in [(&one, "1"), (&two, "2")] {
        let output = run(
            &dir,
            &[
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--jobs",
                jobs,
            ],
        );
        // The learning rate of 1000 diverges: exit 3.
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    }
    assert_same_study_files(&one, &two);

    let (header, rows) = table(&one);
    let ids = column(&header, &rows, "run");
    let statuses = column(&header, &rows, "status");
    let stops = column(&header, &rows, "stop_reason");
    let epochs_run = column(&header, &rows, "epochs_run");
    let stable_at_init = column(&header, &rows, "stable_lr_at_init");
    let mut saw = (false, false, false);
    for i in 0..rows.len() {
        let text = std::fs::read_to_string(one.join(format!("curvature/{}.csv", ids[i])))
            .unwrap_or_else(|e| panic!("curvature of {}: {e}", ids[i]));
        let readings = experiments::output::parse_curvature_csv(&text).unwrap();
        assert!(text.starts_with("epoch,lambda_max,lambda_min,stable_lr,iterations,stop_reason\n"));
        let first = &readings[0];
        assert_eq!(first.epoch, 0);
        let lambda_max = first.lambda_max.expect("a reading at initialisation");
        assert!(first.lambda_min.unwrap() <= lambda_max && lambda_max > 0.0);
        assert_eq!(first.stable_lr, Some(2.0 / lambda_max));
        assert_eq!(stable_at_init[i], (2.0 / lambda_max).to_string());
        let epochs: Vec<usize> = readings.iter().map(|r| r.epoch).collect();
        match (statuses[i], stops[i]) {
            ("diverged", _) => {
                saw.0 = true;
                let last = readings.last().unwrap();
                assert_eq!(last.stop_reason.label(), "diverged", "{text}");
                assert_eq!((last.lambda_max, last.iterations), (None, 0));
            }
            ("ok", "completed") => {
                saw.1 = true;
                assert_eq!(epochs, [0, 100, 200, 250], "{text}");
            }
            ("ok", "early_stopped") => {
                saw.2 = true;
                // The early-stopped epoch is read too, though the observer never saw it.
                let last: usize = epochs_run[i].parse().unwrap();
                assert!(last < 250);
                assert_eq!(*epochs.last().unwrap(), last, "{text}");
                assert!(epochs[..epochs.len() - 1].iter().all(|e| e % 100 == 0));
            }
            other => panic!("unexpected run {other:?}"),
        }
        for r in &readings {
            if r.lambda_max.is_some() {
                assert!(r.iterations >= 1 && r.iterations <= 100, "{text}");
            }
        }
    }
    assert_eq!(
        saw,
        (true, true, true),
        "a diverged, a completed and an early-stopped run"
    );

    // Without curvature_stride nothing is read: no folder, no column.
    let off = dir.join("off");
    let plain = write(
        &dir,
        "plain.toml",
        curvature_study().replace("curvature_stride = 100", ""),
    );
    let output = run(
        &dir,
        &[plain.to_str().unwrap(), "--out", off.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(!off.join("curvature").exists());
    let (header, _) = table(&off);
    assert!(!header.iter().any(|h| h == "stable_lr_at_init"));
}

/// Runs `text` as a study and asserts it is refused (exit 2, nothing run) with every needle.
fn assert_refused(text: &str, needles: &[&str]) {
    let dir = temp_dir("refused");
    let file = write(&dir, "study.toml", text);
    let out = dir.join("out");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}\n{err}");
    assert!(!out.join("results.csv").exists(), "nothing may run");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
}

#[test]
fn new_keys_with_bad_values_are_refused_naming_the_key_and_the_range() {
    let dataset_scale =
        |v: &str| TINY.replace("samples = 80", &format!("samples = 80\nscale = {v}"));
    for (value, shown) in [
        ("0.0", "0.0"),
        ("-2.0", "-2.0"),
        ("nan", "NaN"),
        ("inf", "inf"),
        ("1e300", "1e300"),
    ] {
        assert_refused(
            &dataset_scale(value),
            &[
                "study.toml:12:9: dataset.scale",
                &format!("scale = {shown} is invalid"),
                "1e-6 to 1e6",
            ],
        );
    }
    let swept = |line: &str| tiny_without_original().replace("width = [3, 5]", line);
    assert_refused(
        &swept("scale = [1.0, 1e7]"),
        &[
            "sweep.scale",
            "scale = 10000000.0 is invalid",
            "1e-6 to 1e6",
        ],
    );
    assert_refused(
        &swept("epochs = [0, 100]"),
        &["sweep.epochs", "epochs = 0", "expected"],
    );
    assert_refused(&swept("standardize = []"), &["sweep.standardize", "empty"]);
    assert_refused(
        &swept("epochs = [-1]"),
        &["epochs", "invalid value: integer `-1`"],
    );
    assert_refused(
        &TINY.replace("gradient_norm_stride = 50", "curvature_stride = 301"),
        &[
            "record.curvature_stride",
            "301 is larger than model.epochs (300): expected 0 (off) to 300",
        ],
    );
    assert_refused(
        &TINY.replace("gradient_norm_stride = 50", "curvature_stride = -3"),
        &["curvature_stride", "-3"],
    );
    // Every problem of a file at once: a bad scale, a bad stride and two bad hypotheses.
    let many = dataset_scale("0.0").replace("gradient_norm_stride = 50", "curvature_stride = 500")
        + r#"
[[hypothesis]]
name = "H1"
statement = "s"
prediction = "p"
rule = "trend"
metric = "test_f1"
along = "noise"
expect = "increasing"

[[hypothesis]]
name = "H2"
statement = "s"
prediction = "p"
rule = "share"
what = "diverged"
at = { width = 4 }
at_most = 0.0
"#;
    assert_refused(
        &many,
        &[
            "dataset.scale",
            "record.curvature_stride",
            "hypothesis.along: \"noise\" is not swept in this study: expected one of the swept axes, width",
            "hypothesis.at: width = 4 is not a swept value: expected one of 3 | 5",
        ],
    );
}

/// `experiments curvature` on a model saved by `train`, with the same digits for the same seed,
/// and its bad inputs refused with exit 2 naming the file.
#[test]
fn the_curvature_command_reads_a_saved_model() {
    let dir = temp_dir("curvature-command");
    let csv = points_csv(&dir);
    let model = dir.join("model.json");
    let trained = run(
        &dir,
        &[
            "train",
            "--data",
            csv.to_str().unwrap(),
            "--epochs",
            "50",
            "--layers",
            "2,6,1",
            "--save",
            model.to_str().unwrap(),
        ],
    );
    assert_eq!(trained.status.code(), Some(0), "{}", stderr(&trained));
    let curvature = |data: &Path, extra: &[&str]| {
        let mut args = vec![
            "curvature",
            "--model",
            model.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ];
        args.extend(extra);
        run(&dir, &args)
    };
    let first = curvature(&csv, &[]);
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let value = |name: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"));
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    let (lambda_max, lambda_min) = (value("lambda_max"), value("lambda_min"));
    assert!(lambda_min <= lambda_max && lambda_max > 0.0, "{text}");
    assert_eq!(
        value("predicted largest stable learning rate"),
        2.0 / lambda_max
    );
    assert!(text.contains("Hessian-vector products"), "{text}");
    assert_eq!(
        curvature(&csv, &[]).stdout,
        first.stdout,
        "same seed, same digits"
    );
    let other = curvature(&csv, &["--seed", "9"]);
    let other = String::from_utf8_lossy(&other.stdout).into_owned();
    assert!(other.contains("lambda_max"), "{other}");

    let refused = |output: std::process::Output, needle: &str| {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(needle),
            "{needle:?}: {}",
            stderr(&output)
        );
    };
    let unlabelled = write(&dir, "unlabelled.csv", "0.5,1.0\n-0.5,2.0\n");
    refused(curvature(&unlabelled, &[]), "without a label");
    let wide = write(&dir, "wide.csv", "0.5,1.0,3.0,0\n-0.5,2.0,1.0,1\n");
    refused(curvature(&wide, &[]), "expects 2");
    refused(curvature(&dir.join("missing.csv"), &[]), "missing.csv");
    let missing_model = run(
        &dir,
        &[
            "curvature",
            "--model",
            "nope.json",
            "--data",
            csv.to_str().unwrap(),
        ],
    );
    refused(missing_model, "cannot read model nope.json");
    // Weights so large the Hessian's quantities overflow: no curvature, a clear error.
    let huge = write(
        &dir,
        "huge.json",
        r#"{"format":"binclass-model","format_version":1,"kind":"mlp","layer_sizes":[2,1,1],
"hidden_activation":"relu","threshold":0.5,"training":null,"input_standardization":null,
"layers":[{"weights":[[1e308],[1e308]],"biases":[0.0]},{"weights":[[1e308]],"biases":[0.0]}]}"#,
    );
    let output = run(
        &dir,
        &[
            "curvature",
            "--model",
            huge.to_str().unwrap(),
            "--data",
            csv.to_str().unwrap(),
        ],
    );
    refused(output, "huge.json: the curvature cannot be measured");
}

/// The opt-in studies plan as designed, and run to the end with `--quick` (one seed).
#[test]
fn the_explain_studies_plan_and_run_quick() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments/explain");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .expect("experiments/explain")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    files.sort();
    let dir = temp_dir("explain");
    let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
    args.push("--check");
    let check = run(&dir, &args);
    let plan = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    for line in [
        "depth_overlap (",
        "180 runs = 36 point(s) × 5 seed(s)",
        "lr_scale (",
        "saddles (",
        "10 runs = 2 point(s) × 5 seed(s)",
        "width_overlap (",
        "60 runs = 12 point(s) × 5 seed(s)",
    ] {
        assert!(plan.contains(line), "{line:?} not in:\n{plan}");
    }
    args.pop();
    let out = dir.join("out");
    // One seed keeps the test to seconds; `just explain --quick` runs all five.
    args.extend([
        "--quick",
        "--seeds",
        "1",
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    let output = run(&dir, &args);
    // lr_scale diverges by design at large rates on unscaled features: exit 3, not 1 or 2.
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    for study in ["depth_overlap", "width_overlap", "lr_scale", "saddles"] {
        assert!(out.join(study).join("results.csv").exists(), "{study}");
    }
    assert!(out.join("saddles/curvature/p01-s1.csv").exists());
    assert!(out.join("lr_scale/curvature/p35-s1.csv").exists());
}
