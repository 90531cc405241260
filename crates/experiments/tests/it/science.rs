//! Issue 19's reporting end to end: pre-registered hypotheses decided and shown in
//! `summary.md`, `summary.json` and `report.html`; the split comparison; the curvature and
//! divergence figures; statistics named in every header.

use crate::common::{run_into, run_study, stderr, temp_dir, write};

/// Learning rate × feature scale × depth, with curvature recorded, original rows for each
/// depth and one hypothesis per rule.
const SCIENCE: &str = r#"
[study]
name = "science"
question = "q"
finding = "f"
seeds = [1, 2]

[dataset]
generator = "moons"
noise = 0.1
samples = 80
test_fraction = 0.25

[model]
kind = "mlp"
hidden_layers = [4, 4]
learning_rate = 0.1
epochs = 120

[sweep]
learning_rate = [0.1, 1000.0]
scale = [1.0, 10.0]
depth = [1, 2, 3]

[record]
loss_curve_stride = 10
curvature_stride = 40

[[original]]
point = "depth=1"
f1 = 0.9
loss = 0.2

[[original]]
point = "depth=2"
f1 = 0.95
loss = 0.1

[[original]]
point = "depth=3"
f1 = 1.0
loss = 0.01

[[hypothesis]]
name = "H1"
statement = "F1 rises with depth."
prediction = "tau at least 2/3."
rule = "trend"
metric = "test_f1"
along = "depth"
at = { learning_rate = 0.1, scale = 1.0 }
expect = "increasing"

[[hypothesis]]
name = "H2"
statement = "The original's losses are training losses."
prediction = "train is closer."
rule = "closer_split"
metric = "loss"
expect = "train"
at = { learning_rate = 0.1, scale = 1.0 }

[[hypothesis]]
name = "H3"
statement = "A huge learning rate on scaled features diverges."
prediction = "Every seed diverges."
rule = "share"
what = "diverged"
at = { learning_rate = 1000.0, scale = 10.0, depth = 1 }
at_least = 1.0

[[hypothesis]]
name = "H4"
statement = "2/lambda_max predicts divergence."
prediction = "Runs far above it are unstable."
rule = "stability"

[[hypothesis]]
name = "H5"
statement = "Deeper nets meet more saddles."
prediction = "More negative curvature at depth 3."
rule = "negative_curvature"
more_at = { learning_rate = 0.1, scale = 1.0, depth = 3 }
than_at = { learning_rate = 0.1, scale = 1.0, depth = 1 }
"#;

const VERDICTS: [&str; 3] = ["supported", "not supported", "inconclusive"];

#[test]
fn hypotheses_and_the_split_comparison_are_reported() {
    let dir = temp_dir("science");
    let file = write(&dir, "science.toml", SCIENCE);
    let out = dir.join("out");
    let output = run_into(&dir, &file, &out);
    // The runs at learning rate 1000 diverge: exit status 3, everything still written.
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));

    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for heading in [
        "## Which split do the original's numbers match?",
        "## Pre-registered hypotheses",
    ] {
        assert!(summary.contains(heading), "{heading} missing:\n{summary}");
    }
    for name in ["H1", "H2", "H3", "H4", "H5"] {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("### {name}: ")))
            .unwrap_or_else(|| panic!("{name} has no verdict line:\n{summary}"));
        let verdict = line.split(": ").nth(1).unwrap();
        assert!(VERDICTS.contains(&verdict), "{line}");
    }
    // The statistic is named in each header, and both splits are side by side.
    for header in [
        "train F1, mean ± sd",
        "test F1, mean ± sd",
        "train loss, median [Q1, Q3]",
        "test loss, median [Q1, Q3]",
        "predicted stable lr, 2/λ_max at init, median [Q1, Q3]",
        "train precision, mean ± sd",
    ] {
        assert!(summary.contains(header), "{header} missing:\n{summary}");
    }
    // Every seed at lr 1000 on features scaled by 10 diverges at once: H3 holds.
    assert!(summary.contains("### H3: supported"), "{summary}");
    assert!(
        summary.contains("2 of 2 finished seed(s) diverged: share 1"),
        "{summary}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let hypotheses = json["hypotheses"].as_array().unwrap();
    assert_eq!(hypotheses.len(), 5);
    assert_eq!(hypotheses[2]["verdict"], "supported");
    let loss = json["split_comparison"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "loss")
        .unwrap();
    assert_eq!(loss["points"].as_array().unwrap().len(), 12);
    assert!(loss["distance_train"].as_f64().unwrap() >= 0.0);
    let statistic = &json["points"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["quantity"] == "train_loss")
        .unwrap()["statistic"];
    assert_eq!(statistic, "median_iqr");

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for fragment in [
        "id=\"splits\"",
        "id=\"hypotheses\"",
        "id=\"hypothesis-H5\"",
        "Pre-registered hypotheses: <a href=\"#hypotheses\">",
        "Tukey&#39;s fences",
    ] {
        assert!(
            html.contains(fragment),
            "{fragment} missing from report.html"
        );
    }
    for figure in [
        "divergence-grid",
        "sharpness-depth1-scale1",
        "curvature-ratio-depth3-scale10",
    ] {
        let png = out.join("figures").join(format!("{figure}.png"));
        assert!(png.is_file(), "{} missing", png.display());
        assert!(
            html.contains(&format!("figures/{figure}.svg")),
            "{figure} not shown"
        );
    }
}

/// Early stopping ends the seeds at different epochs; the loss curves' median carries each
/// stopped run at its last value, and the caption says so.
#[test]
fn the_loss_curves_say_how_stopped_runs_are_counted() {
    let dir = temp_dir("stopped");
    let study = r#"
[study]
name = "stopped"
question = "q"
finding = "f"
seeds = [1, 2, 3]

[dataset]
generator = "moons"
noise = 0.2
samples = 120
test_fraction = 0.25

[model]
kind = "mlp"
hidden_layers = [8, 8]
learning_rate = 0.1
epochs = 3000
tolerance = 1e-4
patience = 20

[sweep]
early_stopping = [false, true]

[record]
loss_curve_stride = 10
"#;
    let file = write(&dir, "stopped.toml", study);
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let stopped: Vec<&str> = results
        .lines()
        .filter(|l| l.contains(",early_stopped,"))
        .collect();
    assert!(stopped.len() >= 2, "the runs must stop early:\n{results}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("stays in the median at its last value"),
        "the caption of the loss curves"
    );
    assert!(out.join("figures").join("loss_curves.png").is_file());
}
