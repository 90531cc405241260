//! Helpers: temporary folders, tiny study files and running the binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty folder under the system temp dir, unique to this test process and call.
/// It is deleted when the guard drops, unless the test is failing (then it is kept, and its
/// path is in the failure message of whichever assertion named it, for a look inside).
pub fn temp_dir(tag: &str) -> TempDir {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("experiments-test-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// A folder made by [`temp_dir`]; derefs to its path.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A small, valid study: 2 sweep points × 2 seeds of a tiny MLP on moons.
pub const TINY: &str = r#"
[study]
name = "tiny"
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
epochs = 300

[sweep]
width = [3, 5]

[record]
loss_curve_stride = 10
gradient_norm_stride = 50

[[original]]
point = "width=3"
f1 = 0.5
loss = 0.6
"#;

/// [`TINY`] without its `[[original]]` row (which names the sweep point `width=3`), for studies
/// that change the sweep or expect no reference values.
pub fn tiny_without_original() -> String {
    TINY.replace(
        "[[original]]\npoint = \"width=3\"\nf1 = 0.5\nloss = 0.6\n",
        "",
    )
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// Runs the binary with `args` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_experiments"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `results.csv` without the wall-time column, which is the one number allowed to differ.
pub fn results_without_wall_time(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("results.csv exists");
    let header = csv_cells(text.lines().next().expect("header"));
    let wall = header
        .iter()
        .position(|h| *h == "wall_seconds")
        .expect("wall_seconds column");
    text.lines()
        .map(|line| {
            let mut cells = csv_cells(line);
            cells.remove(wall);
            cells.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A CSV line's cells as written (quotes kept): a quoted cell's commas do not split it (the
/// point label of a sweep over two axes is quoted, `"width=3,noise=0.1"`).
pub fn csv_cells(line: &str) -> Vec<&str> {
    let mut cells = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                cells.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    cells.push(&line[start..]);
    cells
}

/// The run records (`runs/<id>.json`, not models or temporary files) in `out`.
pub fn finished_runs(out: &Path) -> usize {
    std::fs::read_dir(out.join("runs")).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json") && !n.ends_with(".model.json") && !n.starts_with('.'))
            .count()
    })
}

/// Runs the study `file` into the folder `out`, from `dir`.
pub fn run_into(dir: &Path, file: &Path, out: &Path) -> Output {
    run(
        dir,
        &[file.to_str().unwrap(), "--out", out.to_str().unwrap()],
    )
}

/// Runs a study into `out` and asserts it succeeded.
pub fn run_study(dir: &Path, file: &Path, out: &Path) {
    let output = run_into(dir, file, out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// Runs the study `file` as `n` shards (`--shard k/n`) into `dir/shard<k>`, asserting each
/// succeeded; returns the shard folders in order.
pub fn run_shards(dir: &Path, file: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|k| {
            let out = dir.join(format!("shard{k}"));
            let shard = format!("{k}/{n}");
            let args = [
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--shard",
                &shard,
            ];
            let output = run(dir, &args);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            out
        })
        .collect()
}

/// Replaces the value on every line whose JSON key is `key` (pretty-printed, one field a line).
fn mask_json_field(text: &str, key: &str) -> String {
    let prefix = format!("\"{key}\":");
    text.lines()
        .map(|line| match line.trim_start().strip_prefix(&prefix) {
            Some(_) => format!("{}<{key}>", &line[..line.len() - line.trim_start().len()]),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file under a study's output folder, by path relative to it, with the wall-clock
/// fields masked: the `wall_seconds` column of `results.csv`, `wall_seconds` in each run record
/// (`runs/<id>.json`) and `started_at` in `metadata.json`. Every other byte of every file
/// (tables, records, models, curves, gradient norms, figures, report) is kept as it is.
pub fn study_files_without_wall_time(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![out.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let name = path
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).expect("readable file");
            let text = || String::from_utf8(bytes.clone()).expect("UTF-8");
            let kept = if name == "results.csv" {
                results_without_wall_time(&path).into_bytes()
            } else if name == "metadata.json" {
                mask_json_field(&text(), "started_at").into_bytes()
            } else if name.starts_with("runs/") && !name.ends_with(".model.json") {
                mask_json_field(&text(), "wall_seconds").into_bytes()
            } else {
                bytes
            };
            files.insert(name, kept);
        }
    }
    files
}

/// Asserts two study folders hold the same files with the same bytes, wall-clock fields aside
/// (see [`study_files_without_wall_time`]); a failure names the first file that differs.
pub fn assert_same_study_files(a: &Path, b: &Path) {
    assert_same_study_files_except(a, b, &[]);
}

/// [`assert_same_study_files`], leaving out the files named in `skip` (relative paths).
pub fn assert_same_study_files_except(a: &Path, b: &Path, skip: &[&str]) {
    let files = |folder| {
        let mut files = study_files_without_wall_time(folder);
        files.retain(|name, _| !skip.contains(&name.as_str()));
        files
    };
    let (left, right) = (files(a), files(b));
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>(),
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for (name, bytes) in &left {
        assert!(
            *bytes == right[name],
            "{name} differs between {} and {}:\n{}\n---\n{}",
            a.display(),
            b.display(),
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&right[name])
        );
    }
}
