//! Helpers: temporary folders, tiny study files and running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty folder under the system temp dir, unique to this test process and call.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("experiments-test-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
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
    let header: Vec<&str> = text.lines().next().expect("header").split(',').collect();
    let wall = header
        .iter()
        .position(|h| *h == "wall_seconds")
        .expect("wall_seconds column");
    text.lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells.remove(wall);
            cells.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
