//! ARCHITECTURE.md's "Adding an activation" checklist names every source file that holds
//! per-activation code the compiler cannot point at; this keeps the list honest.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The checklist section of ARCHITECTURE.md, up to the next `## ` heading.
fn checklist() -> String {
    let text = std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).unwrap();
    let start = text
        .find("## Adding an activation")
        .expect("ARCHITECTURE.md has an \"Adding an activation\" section");
    let rest = &text[start + 3..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_owned()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // Test folders iterate `Activation::ALL`; they need no entry.
            if path.file_name().is_some_and(|n| n != "tests") {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            found.push(path);
        }
    }
}

/// Whether the code (before any unit-test module; comments and doc examples aside) names an activation's own behaviour: a
/// saturating variant, or a branch on ReLU. Uses of `Identity` as the output layer's
/// activation and `Relu` as a default are not per-activation code.
fn names_an_activation_rule(code: &str) -> bool {
    let code = &code[..code.find("#[cfg(test)]").unwrap_or(code.len())];
    let patterns = [
        "Activation::Sigmoid",
        "Activation::Tanh",
        "Activation::Relu =>",
        "== Activation::Relu",
    ];
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| patterns.iter().any(|pattern| line.contains(pattern)))
}

#[test]
fn every_file_with_per_activation_code_is_on_the_checklist() {
    let checklist = checklist();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let mut missing = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(workspace())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let relative = relative.trim_start_matches("./").to_owned();
        if names_an_activation_rule(&std::fs::read_to_string(file).unwrap())
            && !checklist.contains(&format!("`{relative}`"))
        {
            missing.push(relative);
        }
    }
    assert!(
        missing.is_empty(),
        "per-activation code in {missing:?}, which ARCHITECTURE.md's \"Adding an activation\" does not list"
    );
    // The scan found the files it must: an empty scan would pass vacuously.
    assert!(files.len() > 20, "only {} source files found", files.len());
}

#[test]
fn every_file_on_the_checklist_exists() {
    let checklist = checklist();
    let named: Vec<&str> = checklist
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("crates/"))
        .collect();
    assert!(named.len() >= 7, "{named:?}");
    for path in named {
        assert!(
            workspace().join(path).exists(),
            "the checklist names {path}, which does not exist"
        );
    }
}
