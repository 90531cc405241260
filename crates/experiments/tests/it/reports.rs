//! Figures and reports: every study ends with pictures, `report.html`, and an index when
//! several ran together; merged studies and `train --save` get pictures too.

use std::path::Path;

use crate::common::{
    TINY, run, run_into, run_shards, run_study, stderr, temp_dir, tiny_without_original, write,
};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

fn assert_png(path: &Path) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    assert!(
        bytes.starts_with(PNG_MAGIC),
        "{} is not a PNG",
        path.display()
    );
}

/// Every figure `name` exists as a PNG (checked by its magic bytes) and as an SVG.
fn assert_figures(out: &Path, names: &[&str]) {
    for name in names {
        assert_png(&out.join("figures").join(format!("{name}.png")));
        let svg = std::fs::read_to_string(out.join("figures").join(format!("{name}.svg")))
            .unwrap_or_else(|e| panic!("{name}.svg is missing: {e}"));
        assert!(svg.contains("<svg"), "{name}.svg is not an SVG");
    }
}

/// The value of every `src="…"` and `href="…"` attribute in `html`.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').expect("attribute value is closed");
            found.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    found
}

/// Every link of the page at `page` names a file that exists relative to the page (links
/// within the page, `#…`, and embedded `data:` images are fine), and none goes to the network.
fn assert_links_resolve(page: &Path) -> String {
    let html = std::fs::read_to_string(page)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", page.display()));
    let folder = page.parent().unwrap();
    let targets = links(&html);
    assert!(!targets.is_empty(), "{} links nothing", page.display());
    for target in targets {
        if target.starts_with('#') || target.starts_with("data:image/png;base64,") {
            continue;
        }
        assert!(
            !target.contains("://"),
            "{}: no network link: {target}",
            page.display()
        );
        assert!(
            folder.join(&target).exists(),
            "{} links {target}, which does not exist",
            page.display()
        );
    }
    html
}

#[test]
fn a_study_ends_with_figures_models_and_a_report() {
    let dir = temp_dir("report");
    let file = write(&dir, "tiny.toml", TINY);
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    assert_figures(
        &out,
        &[
            "boundaries",
            "f1_vs_width",
            "loss_vs_width",
            "loss_curves",
            "gradients-width3",
            "gradients-width5",
        ],
    );
    for id in ["p00-s1", "p00-s2", "p01-s1", "p01-s2"] {
        let model = std::fs::read_to_string(out.join("runs").join(format!("{id}.model.json")))
            .unwrap_or_else(|e| panic!("{id}.model.json: {e}"));
        assert!(model.contains("\"binclass-model\""), "{id}");
    }
    let html = assert_links_resolve(&out.join("report.html"));
    assert!(html.contains("<td>width=3</td>"), "summary table row");
    assert!(
        html.contains("<td class=\"original\">0.5</td>"),
        "original F1 beside ours"
    );
    assert!(html.contains("<figure id=\"boundaries\">"));
    assert!(html.contains("reproduced: "), "verdict line");
    assert!(html.contains("computed mechanically"), "the rule is stated");
    assert!(html.contains("<figcaption>"));
    // A saved model is loadable by `predict`.
    let points = write(&dir, "points.csv", "0.5,0.25\n-1,0.5\n");
    let predicted = dir.join("predicted.csv");
    let output = run(
        &dir,
        &[
            "predict",
            "--model",
            out.join("runs/p01-s2.model.json").to_str().unwrap(),
            "--data",
            points.to_str().unwrap(),
            "--out",
            predicted.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn text_from_the_study_file_is_escaped() {
    let dir = temp_dir("escape");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 20").replace(
            "question = \"q\"",
            "question = \"<script>alert('x')</script> & more\"",
        ),
    );
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script>"), "raw markup from the study file");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
}

#[test]
fn a_learning_rate_sweep_gets_epochs_to_fraction_and_diverged_runs_no_model() {
    let dir = temp_dir("report-lr");
    let text = tiny_without_original()
        .replace(
            "[sweep]\nwidth = [3, 5]",
            "[sweep]\nlearning_rate = [0.1, 1000.0]",
        )
        .replace("noise = 0.1", "noise = 0.6");
    let file = write(&dir, "lr.toml", text);
    let out = dir.join("out");
    let output = run(
        &dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_figures(
        &out,
        &[
            "epochs_to_fraction",
            "f1_vs_learning_rate",
            "loss_curves",
            "boundaries",
        ],
    );
    assert!(out.join("runs/p00-s1.model.json").is_file());
    assert!(
        !out.join("runs/p01-s1.model.json").exists(),
        "a diverged run has no model"
    );
    assert_links_resolve(&out.join("report.html"));
}

/// Every run diverges and there is no original to compare with: the metric figures have
/// nothing to draw, so they are skipped with the reason on stderr, and the rest is written.
#[test]
fn figures_with_nothing_to_draw_are_skipped_with_the_reason() {
    let dir = temp_dir("report-skip");
    let text = tiny_without_original()
        .replace("learning_rate = 0.1", "learning_rate = 1000.0")
        .replace("noise = 0.1", "noise = 0.6");
    let file = write(&dir, "diverge.toml", text);
    let out = dir.join("out");
    let output = run_into(&dir, &file, &out);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let rows: Vec<&str> = results.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{results}");
    assert!(rows.iter().all(|r| r.contains(",diverged,")), "{results}");
    for name in ["f1_vs_width", "loss_vs_width"] {
        assert!(
            err.contains(&format!("tiny: figure {name} skipped: no swept value")),
            "{err}"
        );
        assert!(!out.join(format!("figures/{name}.png")).exists());
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_figures(&out, &["loss_curves"]);
    assert_links_resolve(&out.join("report.html"));
}

#[test]
fn studies_run_together_get_an_index_linking_each_report() {
    let dir = temp_dir("index");
    let tiny = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 40"),
    );
    // A second study without a sweep: one decision boundary instead of a grid.
    let plain = write(
        &dir,
        "plain.toml",
        TINY.replace("name = \"tiny\"", "name = \"plain\"")
            .replace("epochs = 300", "epochs = 40")
            .replace("[sweep]\nwidth = [3, 5]\n", "")
            .replace("point = \"width=3\"", "point = \"all\""),
    );
    let out = dir.join("results");
    let output = run(
        &dir,
        &[
            tiny.to_str().unwrap(),
            plain.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let index = assert_links_resolve(&out.join("index.html"));
    for name in ["tiny", "plain"] {
        assert!(
            index.contains(&format!("href=\"{name}/report.html\"")),
            "{name} is not linked:\n{index}"
        );
        assert_links_resolve(&out.join(name).join("report.html"));
    }
    assert!(index.contains("reproduced: "), "verdict lines");
    assert_figures(&out.join("plain"), &["boundary", "loss_curves"]);
    assert!(!out.join("plain/figures/boundaries.png").exists());
}

#[test]
fn a_merged_study_gets_models_figures_and_a_report() {
    let dir = temp_dir("report-merge");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 40"),
    );
    let shards = run_shards(&dir, &file, 2);
    let merged = dir.join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|shard| shard.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let output = run(&dir, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for id in ["p00-s1", "p00-s2", "p01-s1", "p01-s2"] {
        assert!(
            merged
                .join("runs")
                .join(format!("{id}.model.json"))
                .is_file(),
            "{id}"
        );
    }
    assert_figures(&merged, &["boundaries", "f1_vs_width", "gradients-width5"]);
    let html = assert_links_resolve(&merged.join("report.html"));
    assert!(html.contains("<td>width=5</td>"));
}

#[test]
fn train_save_draws_the_boundary_and_the_loss_curve() {
    let dir = temp_dir("train-pictures");
    let model = dir.join("model.json");
    let output = run(
        &dir,
        &[
            "train",
            "--dataset",
            "moons",
            "--layers",
            "2,8,1",
            "--lr",
            "0.1",
            "--epochs",
            "200",
            "--save",
            model.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_png(&dir.join("model.boundary.png"));
    assert_png(&dir.join("model.loss.png"));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("model.boundary.png"), "{printed}");
}

/// `--seeds` replaces the file's seeds everywhere a study describes itself: the summary and
/// the report say how many seeds a row averages from the plan, not from the file.
#[test]
fn summaries_count_the_seeds_that_ran() {
    let dir = temp_dir("seeds-override");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 20")
            .replace("seeds = [1, 2]", "seeds = [1, 2, 3, 4, 5]"),
    );
    let out = dir.join("out");
    let output = run(
        &dir,
        &[
            file.to_str().unwrap(),
            "--seeds",
            "1,2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("over 2 seed(s) per row"), "{summary}");
    assert!(!summary.contains("over 5 seed(s)"), "{summary}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("over 2 seed(s) per row"), "{html}");
    assert!(html.contains("4 = 2 point(s) × 2 seed(s)"), "{html}");
}

/// `report.html` holds every figure itself: copied alone to another folder it still shows
/// them all, each as inline SVG or a PNG data URI, while its links to the study's files work
/// within the study's folder.
#[test]
fn the_report_embeds_every_figure() {
    let dir = temp_dir("report-embedded");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 40"),
    );
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    let html = assert_links_resolve(&out.join("report.html"));
    let n_figures = html.matches("<figure id=").count();
    assert!(n_figures >= 6, "{n_figures} figures");
    let embedded = html.matches("<img src=\"data:image/png;base64,").count()
        + html.matches("<svg role=\"img\"").count();
    assert_eq!(embedded, n_figures, "every figure is embedded");
    assert!(
        !html.contains("src=\"figures/"),
        "no image is read from the folder"
    );
    // Each figure is embedded in the smaller of its two forms.
    for name in ["boundaries", "f1_vs_width", "gradients-width3"] {
        let start = html.find(&format!("<figure id=\"{name}\">")).unwrap();
        let figure = &html[start..start + html[start..].find("</figure>").unwrap()];
        let svg = std::fs::read(out.join(format!("figures/{name}.svg"))).unwrap();
        let png = std::fs::read(out.join(format!("figures/{name}.png"))).unwrap();
        let inline = figure.contains("<svg role=");
        assert_eq!(
            inline,
            svg.len() <= png.len().div_ceil(3) * 4 + 22,
            "{name}"
        );
    }
    // Copied alone to another folder, the page needs no file for any image: every `src` is
    // data, and only the links to the study's other files (`href`) point into the folder.
    let elsewhere = dir.join("mailed");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(out.join("report.html"), elsewhere.join("report.html")).unwrap();
    let copied = std::fs::read_to_string(elsewhere.join("report.html")).unwrap();
    let sources: Vec<&str> = copied.split("src=\"").skip(1).collect();
    assert!(!sources.is_empty());
    assert!(
        sources
            .iter()
            .all(|s| s.starts_with("data:image/png;base64,"))
    );
}

/// A quick run is a smoke test: its report and the index say so instead of a verdict.
#[test]
fn quick_runs_are_reported_as_smoke_tests() {
    let dir = temp_dir("report-quick");
    let file = write(&dir, "tiny.toml", TINY);
    let other = write(
        &dir,
        "other.toml",
        TINY.replace("name = \"tiny\"", "name = \"other\""),
    );
    let out = dir.join("results");
    let output = run(
        &dir,
        &[
            file.to_str().unwrap(),
            other.to_str().unwrap(),
            "--quick",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(out.join("tiny/report.html")).unwrap();
    assert!(
        html.contains("<p class=\"verdict none\">smoke test</p>"),
        "{html}"
    );
    assert!(!html.contains("reproduced:"), "a quick run gets no verdict");
    assert!(!html.contains("computed mechanically"), "nor its rule");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(
        index
            .matches("<td class=\"verdict none\">smoke test</td>")
            .count(),
        2
    );
    assert!(!index.contains("reproduced:"), "{index}");
}

/// Without original numbers the verdict is descriptive, and the report says what it compares.
#[test]
fn a_study_without_original_numbers_gets_a_descriptive_verdict() {
    let dir = temp_dir("report-descriptive");
    let file = write(
        &dir,
        "tiny.toml",
        tiny_without_original().replace("epochs = 300", "epochs = 40"),
    );
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(">descriptive: no original numbers</p>"),
        "{html}"
    );
    assert!(html.contains("Descriptive, not computed"), "{html}");
    assert!(
        html.contains("at each of the 2 points of the sweep over neurons per hidden layer, over 2 seed(s) each"),
        "{html}"
    );
    assert!(!html.contains("not assessed"), "{html}");
}

/// The gradient heat maps of one study share one colour scale, stated on the colour bar and
/// in the caption, and number layers from 0 as `gradcheck` and the gradient files do.
#[test]
fn gradient_heat_maps_share_one_scale_and_count_layers_from_zero() {
    let dir = temp_dir("report-gradients");
    let file = write(
        &dir,
        "tiny.toml",
        TINY.replace("epochs = 300", "epochs = 100"),
    );
    let out = dir.join("out");
    run_study(&dir, &file, &out);
    let header = std::fs::read_to_string(out.join("gradients/p00-s1.csv")).unwrap();
    assert!(
        header.starts_with("epoch,layer0,layer1,layer2\n"),
        "{header}"
    );
    for name in ["gradients-width3", "gradients-width5"] {
        let svg = std::fs::read_to_string(out.join(format!("figures/{name}.svg"))).unwrap();
        assert!(
            svg.contains("shared scale"),
            "{name}: the colour bar says so"
        );
        assert!(svg.contains("weight layer (0 takes the input)"), "{name}");
    }
    // Both captions state one range, and it holds every norm of both maps (seed 1's files).
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let phrase = "one colour scale shared by every gradient map of this study (";
    let ranges: Vec<(f64, f64)> = html
        .split(phrase)
        .skip(1)
        .map(|rest| {
            let (range, _) = rest.split_once(')').unwrap();
            let (lo, hi) = range.split_once(" to ").unwrap();
            (lo.parse().unwrap(), hi.parse().unwrap())
        })
        .collect();
    assert_eq!(ranges.len(), 2, "{html}");
    assert_eq!(ranges[0], ranges[1]);
    let (lo, hi) = ranges[0];
    for id in ["p00-s1", "p01-s1"] {
        let text = std::fs::read_to_string(out.join(format!("gradients/{id}.csv"))).unwrap();
        for norm in text.lines().skip(1).flat_map(|l| l.split(',').skip(1)) {
            let norm: f64 = norm.parse().unwrap();
            assert!(lo <= norm && norm <= hi, "{norm} outside {lo}..{hi}");
        }
    }
    assert!(html.contains("layer 0 takes the input, layer 2 feeds the output"));
}
