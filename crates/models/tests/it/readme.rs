//! The README's library example (`examples/readme.rs`) built as a crate of its own, outside the
//! workspace, that depends on `models` by path and on nothing else, offline: it fails if the
//! example needs anything `models` does not re-export, or if its answer is wrong.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::scratch;

/// The example's text, as the README shows it.
const EXAMPLE: &str = include_str!("../../examples/readme.rs");

fn cargo(args: &[&str], crate_dir: &Path, target_dir: &Path) -> std::io::Result<Output> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .arg("--offline")
        .arg("--manifest-path")
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
}

/// Whether a failed build failed because a dependency could not be fetched offline (no
/// registry cache here), rather than because the example does not compile.
fn failed_offline(stderr: &str) -> bool {
    let compile_error = stderr.contains("error[E") || stderr.contains("could not compile");
    let fetch_error = [
        "offline",
        "failed to download",
        "no matching package",
        "failed to get",
    ]
    .iter()
    .any(|words| stderr.contains(words));
    fetch_error && !compile_error
}

#[test]
fn the_readme_example_builds_as_its_own_crate_and_checks_its_answer() {
    let models_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let workspace = models_dir.join("../..");
    let crate_dir = scratch("readme-crate");
    std::fs::create_dir(crate_dir.join("src")).unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"readme-example\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nmodels = {{ path = {:?} }}\n\n\
             # Its own workspace, not a member of any around it.\n[workspace]\n",
            models_dir.display().to_string()
        ),
    )
    .unwrap();
    // The workspace's lock file, so the offline build picks the versions already downloaded.
    std::fs::copy(workspace.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    std::fs::write(crate_dir.join("src/main.rs"), EXAMPLE).unwrap();
    // A target folder of its own (kept between runs, so only the first builds everything),
    // apart from the one the running `cargo test` uses.
    let target_dir = workspace.join("target/readme-example");

    let build = match cargo(&["build", "--quiet"], &crate_dir, &target_dir) {
        Ok(output) => output,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: the_readme_example_builds_as_its_own_crate_and_checks_its_answer: \
                 cannot run cargo: {e}"
            );
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&build.stderr);
    if !build.status.success() && failed_offline(&stderr) {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: the_readme_example_builds_as_its_own_crate_and_checks_its_answer: cargo \
             cannot build offline here: {}",
            stderr.lines().find(|l| l.contains("error")).unwrap_or("")
        );
        return;
    }
    assert!(
        build.status.success(),
        "the README example does not build on `models` alone:\n{stderr}"
    );

    let run = cargo(&["run", "--quiet"], &crate_dir, &target_dir).unwrap();
    assert!(
        run.status.success(),
        "the README example failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "[\"cat\", \"dog\"]\n");
    std::fs::remove_dir_all(&crate_dir).unwrap();
}

/// The README shows this example verbatim (from its `use` line to the end), so what the test
/// above builds is what a reader copies.
#[test]
fn the_readme_shows_the_example_verbatim() {
    let readme = include_str!("../../../../README.md");
    let code = &EXAMPLE[EXAMPLE.find("use models::prelude::*;").expect("a use line")..];
    assert!(
        readme.contains(code.trim_end()),
        "README.md's library example differs from crates/models/examples/readme.rs"
    );
}
