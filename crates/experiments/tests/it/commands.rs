//! `train`, `predict` and `gradcheck` through the binary.

use std::path::Path;

use models::saved::{SavedModel, from_json};
use models::{Classifier, MlpConfig, NoObserver};
use rand::SeedableRng;

use crate::common::{run, stderr, temp_dir, write};

/// Two noisy clusters as CSV, with a header.
pub(crate) fn points_csv(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("x1,x2,label\n");
    for i in 0..60 {
        let y = i % 2;
        let t = i as f64 * 0.37;
        let x1 = (2.0 * y as f64 - 1.0) + 0.9 * t.sin();
        let x2 = 0.8 * (1.7 * t).cos();
        text.push_str(&format!("{x1},{x2},{y}\n"));
    }
    write(dir, "points.csv", text)
}

/// `experiments predict --model MODEL --data DATA --out OUT`, run in `dir`.
fn predict(dir: &Path, model: &Path, data: &Path, out: &Path) -> std::process::Output {
    let arg = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
    run(
        dir,
        &[
            "predict",
            "--model",
            &arg(model),
            "--data",
            &arg(data),
            "--out",
            &arg(out),
        ],
    )
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The metric values printed on the line starting with `prefix`.
fn metrics_line(text: &str, prefix: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{text}"));
    let start = line.find("precision").expect("metrics");
    let end = line.find("  (").unwrap_or(line.len());
    line[start..end].to_owned()
}

#[test]
fn train_then_predict_reproduces_the_metrics() {
    let dir = temp_dir("train-predict");
    let csv = points_csv(&dir);
    let model = dir.join("model.json");
    let trained = run(
        &dir,
        &[
            "train",
            "--data",
            csv.to_str().unwrap(),
            "--test-fraction",
            "0",
            "--layers",
            "2,8,1",
            "--lr",
            "0.1",
            "--epochs",
            "300",
            "--save",
            model.to_str().unwrap(),
        ],
    );
    assert_eq!(trained.status.code(), Some(0), "{}", stderr(&trained));
    assert!(dir.join("model.loss.csv").is_file());
    let out = dir.join("predictions.csv");
    let predicted = predict(&dir, &model, &csv, &out);
    assert_eq!(predicted.status.code(), Some(0), "{}", stderr(&predicted));
    assert_eq!(
        metrics_line(&stdout(&trained), "train ("),
        metrics_line(&stdout(&predicted), "labelled input")
    );
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 61);
    assert!(rows.starts_with("x1,x2,label,probability,prediction\n"));

    // Without labels, predict writes the same predictions and prints no metrics.
    let features: String = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_owned() + "\n")
        .collect();
    let unlabelled = write(&dir, "features.csv", features);
    let out2 = dir.join("predictions2.csv");
    let output = predict(&dir, &model, &unlabelled, &out2);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let predictions = |path: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let lines = text.lines().skip(1);
        lines
            .map(|l| l.split(',').rev().take(2).collect())
            .collect()
    };
    assert_eq!(predictions(&out), predictions(&out2));
    assert!(!stdout(&output).contains("precision"));

    // Existing outputs are not replaced without --force.
    let again = predict(&dir, &model, &csv, &out);
    assert_eq!(again.status.code(), Some(2));
}

/// An output file that cannot be written exits 1 naming it, as a study's does. `/proc/self`
/// stands in for a folder no one can write to (the tests run as root, where permissions do not
/// stop writes).
#[test]
fn an_output_file_that_cannot_be_written_exits_1_naming_it() {
    let dir = temp_dir("unwritable-output");
    let csv = points_csv(&dir);
    let blocked_model = Path::new("/proc/self/model.json");
    let train = |save: &Path| {
        run(
            &dir,
            &[
                "train",
                "--data",
                csv.to_str().unwrap(),
                "--epochs",
                "5",
                "--save",
                save.to_str().unwrap(),
            ],
        )
    };
    let output = train(blocked_model);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/proc/self/model.json"),
        "{}",
        stderr(&output)
    );

    let model = dir.join("model.json");
    let output = train(&model);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = predict(&dir, &model, &csv, Path::new("/proc/self/predictions.csv"));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/proc/self/predictions.csv"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn init_only_then_one_epoch_equals_one_library_step() {
    let dir = temp_dir("init-only");
    let csv = points_csv(&dir);
    let common = [
        "--data",
        csv.to_str().unwrap(),
        "--test-fraction",
        "0",
        "--layers",
        "2,5,4,1",
        "--activation",
        "tanh",
        "--lr",
        "0.05",
        "--seed",
        "11",
    ];
    let init = dir.join("init.json");
    let one = dir.join("one.json");
    let mut args = vec!["train", "--init-only", "--save", init.to_str().unwrap()];
    args.extend(common);
    assert_eq!(run(&dir, &args).status.code(), Some(0));
    let mut args = vec!["train", "--epochs", "1", "--save", one.to_str().unwrap()];
    args.extend(common);
    assert_eq!(run(&dir, &args).status.code(), Some(0));

    let load = |p: &Path| match from_json(&std::fs::read_to_string(p).unwrap())
        .unwrap()
        .model
    {
        SavedModel::Mlp(m) => m,
        SavedModel::Logistic(_) => panic!("an MLP was saved"),
    };
    let data = data::read_csv(&csv).unwrap();
    let config = MlpConfig::new(&[2, 5, 4, 1])
        .with_hidden_activation(models::Activation::Tanh)
        .with_learning_rate(0.05)
        .with_epochs(1);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let (stepped, report) = config
        .fit_from(load(&init), &data, None, &mut rng, &mut NoObserver)
        .unwrap();
    assert_eq!(report.epochs_run, 1);
    let from_binary = load(&one);
    for (a, b) in stepped.layers().iter().zip(from_binary.layers()) {
        let bits = |m: &[f64]| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a.weights.as_slice()), bits(b.weights.as_slice()));
        assert_eq!(bits(a.biases.as_slice()), bits(b.biases.as_slice()));
    }
    assert_ne!(load(&init), from_binary, "one step changed the weights");
    assert_eq!(
        stepped.predict(data.features()).unwrap(),
        from_binary.predict(data.features()).unwrap()
    );
}

#[test]
fn gradcheck_passes_and_fails_by_tolerance() {
    let dir = temp_dir("gradcheck");
    for activation in ["relu", "sigmoid", "tanh", "identity"] {
        let ok = run(
            &dir,
            &[
                "gradcheck",
                "--layers",
                "2,6,6,1",
                "--activation",
                activation,
                "--seed",
                "3",
            ],
        );
        assert_eq!(ok.status.code(), Some(0), "{activation}: {}", stdout(&ok));
        // One layer numbering, stated once: from 0, as the tensor names count.
        assert!(stdout(&ok).contains("layer 0 weights"));
        assert!(stdout(&ok).contains("layer 2 weights"));
        assert!(
            stdout(&ok).contains("numbered from 0: layer 0 takes the input, layer 2 feeds"),
            "{}",
            stdout(&ok)
        );
    }
    let strict = run(
        &dir,
        &["gradcheck", "--layers", "2,6,1", "--tolerance", "1e-30"],
    );
    assert_eq!(strict.status.code(), Some(3), "{}", stdout(&strict));
    assert!(stdout(&strict).contains("FAIL"));
    let bad = run(&dir, &["gradcheck", "--layers", "2,0,1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("layer_sizes"), "{}", stderr(&bad));
}

#[test]
fn bad_model_files_and_mismatched_data_are_usage_errors() {
    let dir = temp_dir("bad-model");
    let csv = points_csv(&dir);
    let out = dir.join("p.csv");
    for (name, text) in [
        ("empty.json", ""),
        ("junk.json", "{\"format\": \"nope\"}"),
        ("cut.json", "{\"format\": \"binclass-model\", \"format_ver"),
    ] {
        let model = write(&dir, name, text);
        let output = predict(&dir, &model, &csv, &out);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            stderr(&output).contains(name),
            "the error names the file: {}",
            stderr(&output)
        );
    }
    let model = dir.join("m.json");
    run(
        &dir,
        &[
            "train",
            "--data",
            csv.to_str().unwrap(),
            "--layers",
            "2,3,1",
            "--epochs",
            "5",
            "--save",
            model.to_str().unwrap(),
        ],
    );
    let wide = write(&dir, "wide.csv", "1,2,3,4,0\n5,6,7,8,1\n");
    let output = predict(&dir, &model, &wide, &out);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the model takes 2 features"),
        "{}",
        stderr(&output)
    );
    let wrong_layers = run(
        &dir,
        &[
            "train",
            "--data",
            csv.to_str().unwrap(),
            "--layers",
            "3,4,1",
        ],
    );
    assert_eq!(wrong_layers.status.code(), Some(2));
    assert!(
        stderr(&wrong_layers).contains("features"),
        "{}",
        stderr(&wrong_layers)
    );
}

/// A CSV of one class reads fine (it is valid data) but cannot be trained on: usage error 2,
/// with the model's message.
#[test]
fn training_on_a_single_class_csv_is_a_usage_error() {
    let dir = temp_dir("one-class");
    let csv = write(&dir, "one.csv", "x1,x2,label\n1,2,1\n3,4,1\n5,6,1\n7,8,1\n");
    let output = run(
        &dir,
        &[
            "train",
            "--data",
            csv.to_str().unwrap(),
            "--test-fraction",
            "0",
            "--layers",
            "2,3,1",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("training data has only class 1 (4 samples)"),
        "{}",
        stderr(&output)
    );
}

/// `BINCLASS_ISA` only narrows the kernels' instruction set, which changes speed but no number:
/// the saved model and every printed figure are the same under each ceiling. A name that is no
/// instruction set is refused before anything runs, naming the variable, the value and the
/// choices.
#[test]
fn an_instruction_set_ceiling_changes_no_number_and_a_bad_name_exits_2() {
    let dir = temp_dir("isa-ceiling");
    let csv = points_csv(&dir);
    let train = |ceiling: Option<&str>, model: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_experiments"));
        command.current_dir(&dir).args([
            "train",
            "--data",
            csv.to_str().unwrap(),
            "--layers",
            "2,9,9,1",
            "--activation",
            "tanh",
            "--lr",
            "0.1",
            "--epochs",
            "200",
            "--save",
            model,
        ]);
        match ceiling {
            Some(name) => command.env("BINCLASS_ISA", name),
            None => command.env_remove("BINCLASS_ISA"),
        };
        command.output().expect("binary runs")
    };
    // The printed figures without the wall time and the kernels' name.
    let figures = |output: &std::process::Output| -> String {
        let text = stdout(output);
        let loss = text.find("final training loss").expect("loss printed");
        text[loss..]
            .lines()
            .filter(|l| !l.starts_with("saved"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let widest = train(None, "widest.json");
    assert_eq!(widest.status.code(), Some(0), "{}", stderr(&widest));
    // A cap above the widest set this CPU has runs the same kernels as no cap: that comparison
    // would pass without testing anything, so it is reported as skipped. (The cap equal to the
    // widest set runs: it checks that naming it is accepted and changes nothing.)
    let names = ["baseline", "avx2", "avx512"];
    let widest_name = names
        .into_iter()
        .find(|name| stdout(&widest).contains(&format!("on the {name} kernels")))
        .unwrap_or_else(|| panic!("the kernels' name is printed: {}", stdout(&widest)));
    let widest_rank = names.iter().position(|n| *n == widest_name).unwrap();
    for (rank, name) in names.into_iter().enumerate() {
        if rank > widest_rank {
            let line = format!(
                "SKIPPED: an_instruction_set_ceiling_changes_no_number_and_a_bad_name_exits_2: \
                 the {name} cap is not compared: this CPU's widest kernels are {widest_name}, \
                 so it would run the same code as no cap\n"
            );
            std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).unwrap();
            continue;
        }
        let model = format!("{name}.json");
        let capped = train(Some(name), &model);
        assert_eq!(capped.status.code(), Some(0), "{name}: {}", stderr(&capped));
        assert_eq!(figures(&capped), figures(&widest), "{name}");
        assert_eq!(
            std::fs::read(dir.join(&model)).unwrap(),
            std::fs::read(dir.join("widest.json")).unwrap(),
            "{name}: the saved model differs"
        );
        if name == "baseline" {
            assert!(
                stdout(&capped).contains("on the baseline kernels"),
                "{}",
                stdout(&capped)
            );
        }
    }

    let bad = train(Some("avx3"), "bad.json");
    assert_eq!(bad.status.code(), Some(2));
    for needle in [
        "BINCLASS_ISA",
        "\"avx3\"",
        "baseline, avx2, avx512",
        "unset it",
    ] {
        assert!(stderr(&bad).contains(needle), "{needle}: {}", stderr(&bad));
    }
    assert!(!dir.join("bad.json").exists());
}

/// Data of magnitude 1e300 overflows the first layer: a weight becomes infinite or NaN while
/// the ReLU keeps the loss finite. That run is diverged (exit 3), not a result with `null`
/// weights in its saved model.
#[test]
fn a_run_whose_parameters_overflow_is_diverged_not_saved() {
    let dir = temp_dir("overflowing-parameters");
    let model = dir.join("m.json");
    let output = run(
        &dir,
        &[
            "train",
            "--noise",
            "1e300",
            "--epochs",
            "20",
            "--save",
            model.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("diverged"), "{}", stderr(&output));
    assert!(!model.exists());
}

/// A model whose finite weights overflow on some input gives a NaN probability there:
/// `predict` says which row and writes nothing.
#[test]
fn predict_refuses_to_write_a_nan_probability() {
    let dir = temp_dir("nan-prediction");
    let model = write(
        &dir,
        "overflowing.json",
        r#"{"format":"binclass-model","format_version":1,"kind":"mlp","layer_sizes":[2,1,1],
"hidden_activation":"relu","threshold":0.5,
"training":{"learning_rate":0.01,"epochs":1,"l2":0.0,"batch_size":null,"early_stopping":null,
"divergence_factor":100.0,"loss_fraction":0.3,"gradient_norm_stride":0},
"input_standardization":null,
"layers":[{"weights":[[1e308],[0.0]],"biases":[0.0]},{"weights":[[0.0]],"biases":[0.0]}]}"#,
    );
    let data = write(&dir, "rows.csv", "0.5,0\n2,0\n");
    let out = dir.join("predictions.csv");
    let output = predict(&dir, &model, &data, &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("row 2"), "{}", stderr(&output));
    assert!(!out.exists());
}

#[test]
fn gradcheck_refuses_an_absurd_sample_count() {
    let dir = temp_dir("gradcheck-samples");
    let output = run(&dir, &["gradcheck", "--samples", "100000000000"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--samples"), "{}", stderr(&output));
}

/// A flag that does not apply to what `train` was asked to do is refused, not ignored.
#[test]
fn train_refuses_flags_that_do_not_apply() {
    let dir = temp_dir("flags-that-do-not-apply");
    let csv = points_csv(&dir);
    let csv = csv.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--dataset", "blobs", "--noise", "nan"],
            "--noise does not apply",
        ),
        (
            vec!["--dataset", "moons", "--separation", "inf"],
            "--separation does not apply",
        ),
        (vec!["--factor", "0.3"], "--factor does not apply"),
        (
            vec!["--dataset", "circles", "--turns", "2"],
            "--turns does not apply",
        ),
        (
            vec!["--data", csv, "--samples", "100"],
            "--samples describe generated data",
        ),
        (
            vec!["--data", csv, "--noise", "0.1"],
            "--noise describe generated data",
        ),
        (
            vec!["--model", "logistic", "--layers", "2,5,1"],
            "--model logistic",
        ),
        (
            vec!["--model", "logistic", "--activation", "tanh"],
            "--model logistic",
        ),
    ] {
        let mut full = vec!["train", "--epochs", "5"];
        full.extend(args.iter().copied());
        let output = run(&dir, &full);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // What does apply still works, defaults included.
    for args in [
        vec!["--dataset", "blobs", "--separation", "3"],
        vec!["--dataset", "circles", "--noise", "0.05", "--factor", "0.4"],
        vec!["--model", "logistic"],
        vec!["--data", csv, "--layers", "2,4,1"],
    ] {
        let mut full = vec!["train", "--epochs", "5"];
        full.extend(args.iter().copied());
        let output = run(&dir, &full);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}
