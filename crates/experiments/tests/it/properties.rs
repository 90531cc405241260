//! Property tests: no study file makes the parser or the validator panic. Whatever the bytes,
//! `--check` exits 0 (a valid plan) or 2 with a message starting `error:`; never 101 (a
//! panic), 1 (an internal error) or a signal.
//!
//! Each case runs the binary once (about 5 ms), so the whole contract is tested, exit status
//! and message included (the planner's own unit tests are in the library, `src/plan/`); the
//! 256 cases take 1 to 2 s on two cores. A one-off run of 5,000 cases found only the bug
//! pinned by `a_huge_swept_depth_is_an_error`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use crate::common::{run, stderr, temp_dir, write};

/// Cases built from the shipped study files by a few byte- or line-level mutations.
const MUTATION_CASES: u32 = 192;
/// Cases of arbitrary text: random Unicode, and soups of study-file fragments.
const ARBITRARY_CASES: u32 = 64;

/// The shipped study files (`experiments/*.toml`), read once.
fn shipped_studies() -> &'static [(String, Vec<u8>)] {
    static STUDIES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    STUDIES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("the shipped studies")
            .map(|entry| entry.expect("readable folder").path())
            .filter(|path| path.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no study files in {}", dir.display());
        files
            .into_iter()
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).expect("readable study"))
            })
            .collect()
    })
}

/// What a number in a study file is replaced with: TOML's special floats, out-of-range and
/// overflowing values, wrong types, and some valid numbers that may break a cross-field rule.
const REPLACEMENTS: [&str; 22] = [
    "nan",
    "-nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "-0.0",
    "1e400",
    "-1e400",
    "1e-400",
    "\"x\"",
    "18446744073709551616",
    "9223372036854775807",
    "1e308",
    "0.5",
    "1",
    "3",
    "100001",
    "[]",
    "true",
    "1_000",
    "0x10",
];

/// One edit of a study file's bytes. Positions are [`Index`]es, resolved against the current
/// length when applied, so every mutation applies to any file and shrinks well.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit { at: Index, bit: u8 },
    InsertByte { at: Index, byte: u8 },
    DeleteByte { at: Index },
    SwapLines { a: Index, b: Index },
    DuplicateLine { at: Index },
    DeleteLine { at: Index },
    ReplaceNumber { which: Index, with: &'static str },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        1 => (any::<Index>(), any::<u8>())
            .prop_map(|(at, byte)| Mutation::InsertByte { at, byte }),
        1 => any::<Index>().prop_map(|at| Mutation::DeleteByte { at }),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        1 => any::<Index>().prop_map(|at| Mutation::DuplicateLine { at }),
        1 => any::<Index>().prop_map(|at| Mutation::DeleteLine { at }),
        // Values are where validation lives, so they get the most edits.
        4 => (any::<Index>(), select(REPLACEMENTS.to_vec()))
            .prop_map(|(which, with)| Mutation::ReplaceNumber { which, with }),
    ]
}

/// The byte ranges of the numbers outside comments and strings, with a leading sign.
fn number_spans(text: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split(|&b| b == b'\n') {
        let mut in_string = false;
        let mut i = 0;
        while i < line.len() {
            match line[i] {
                b'#' if !in_string => break,
                b'"' => in_string = !in_string,
                b'0'..=b'9' if !in_string => {
                    let start = if i > 0 && matches!(line[i - 1], b'-' | b'+') {
                        i - 1
                    } else {
                        i
                    };
                    while i < line.len() && b"0123456789.eE+-_".contains(&line[i]) {
                        i += 1;
                    }
                    spans.push((line_start + start, line_start + i));
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        line_start += line.len() + 1;
    }
    spans
}

fn mutate(mut text: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let lines =
        |text: &[u8]| -> Vec<Vec<u8>> { text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect() };
    match mutation {
        Mutation::FlipBit { at, bit } if !text.is_empty() => {
            let i = at.index(text.len());
            text[i] ^= 1 << bit;
        }
        Mutation::InsertByte { at, byte } => {
            let i = at.index(text.len() + 1);
            text.insert(i, *byte);
        }
        Mutation::DeleteByte { at } if !text.is_empty() => {
            text.remove(at.index(text.len()));
        }
        Mutation::SwapLines { a, b } => {
            let mut lines = lines(&text);
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
            text = lines.join(&b'\n');
        }
        Mutation::DuplicateLine { at } => {
            let mut lines = lines(&text);
            let i = at.index(lines.len());
            lines.insert(i, lines[i].clone());
            text = lines.join(&b'\n');
        }
        Mutation::DeleteLine { at } => {
            let mut lines = lines(&text);
            lines.remove(at.index(lines.len()));
            text = lines.join(&b'\n');
        }
        Mutation::ReplaceNumber { which, with } => {
            let spans = number_spans(&text);
            if !spans.is_empty() {
                let (start, end) = spans[which.index(spans.len())];
                text.splice(start..end, with.bytes());
            }
        }
        _ => {}
    }
    text
}

/// Fragments of study files, so that random concatenations sometimes parse and reach the
/// validator.
const FRAGMENTS: [&str; 33] = [
    "[study]\n",
    "[dataset]\n",
    "[model]\n",
    "[sweep]\n",
    "[record]\n",
    "[[original]]\n",
    "name = \"soup\"\n",
    "question = \"q\"\n",
    "seeds = [1, 2]\n",
    "seeds = []\n",
    "generator = \"blobs\"\n",
    "generator = \"spirals\"\n",
    "separation = 2.0\n",
    "noise = 0.1\n",
    "samples = 40\n",
    "test_fraction = 0.25\n",
    "kind = \"mlp\"\n",
    "kind = \"logistic\"\n",
    "hidden_layers = [3]\n",
    "activation = \"tanh\"\n",
    "learning_rate = 0.1\n",
    "epochs = 5\n",
    "width = [2, 3]\n",
    "depth = [1, 0]\n",
    "early_stopping = [true, false]\n",
    "loss_curve_stride = 0\n",
    "point = \"width=2\"\n",
    "f1 = 0.5\n",
    "\n",
    "=",
    "\"",
    "[",
    "]",
];

fn arbitrary_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<String>().prop_map(String::into_bytes),
        vec(select(FRAGMENTS.to_vec()), 0..40).prop_map(|parts| parts.concat().into_bytes()),
    ]
}

/// Runs `--check` on `text` in a fresh folder (removed again, whatever the outcome: a failure
/// message shows the text) and asserts the exit status is 0, or 2 with an `error:` message.
fn assert_checked_cleanly(text: &[u8]) -> Result<(), TestCaseError> {
    let dir = temp_dir("property");
    let file = write(&dir, "study.toml", text);
    let output = run(&dir, &["--check", file.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    let err = stderr(&output);
    let shown = String::from_utf8_lossy(text);
    match output.status.code() {
        Some(0) => prop_assert!(
            String::from_utf8_lossy(&output.stdout).contains("runs ="),
            "exit 0 without a plan for:\n{}",
            shown
        ),
        Some(2) => prop_assert!(
            err.starts_with("error:") && !err.contains("panicked"),
            "exit 2 but stderr is:\n{}\nfor:\n{}",
            err,
            shown
        ),
        other => prop_assert!(
            false,
            "exit status {:?} (101 is a panic, None a signal), stderr:\n{}\nfor:\n{}",
            other,
            err,
            shown
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(MUTATION_CASES))]

    #[test]
    fn mutated_study_files_are_checked_without_panicking(
        file in any::<Index>(),
        mutations in vec(mutation(), 1..=4),
    ) {
        let (_, original) = &shipped_studies()[file.index(shipped_studies().len())];
        let text = mutations.iter().fold(original.clone(), mutate);
        assert_checked_cleanly(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(ARBITRARY_CASES))]

    #[test]
    fn arbitrary_text_is_checked_without_panicking(text in arbitrary_text()) {
        assert_checked_cleanly(&text)?;
    }
}

/// Found by the property above: a huge swept depth used to build its layer list before any
/// bound (a capacity-overflow panic, or a 32 GiB allocation). It is now a `sweep.depth` error.
#[test]
fn a_huge_swept_depth_is_an_error() {
    let dir = temp_dir("depth");
    let (_, depth_study) = shipped_studies()
        .iter()
        .find(|(name, _)| name == "depth.toml")
        .expect("the depth study");
    let text = String::from_utf8(depth_study.clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("depth = ["))
        .expect("a depth axis");
    for depth in ["9223372036854775807", "4294967296"] {
        let mutated = text.replace(line, &format!("depth = [{depth}]"));
        let file = write(&dir, "depth.toml", &mutated);
        let output = run(&dir, &["--check", file.to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{depth}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("sweep.depth"),
            "{}",
            stderr(&output)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The mutation helpers themselves: numbers are found outside comments and strings only, and
/// every shipped study passes the check unmodified (so a failure above is the mutation's).
#[test]
fn number_spans_skip_comments_and_strings() {
    let text = b"# 1 2\nname = \"w=3\"\nepochs = -250000 # 7\nlr = [1e-3, 0.5]\n";
    let numbers: Vec<&str> = number_spans(text)
        .into_iter()
        .map(|(s, e)| std::str::from_utf8(&text[s..e]).unwrap())
        .collect();
    assert_eq!(numbers, ["-250000", "1e-3", "0.5"]);
    let dir = temp_dir("shipped");
    for (name, text) in shipped_studies() {
        let output = run(
            &dir,
            &["--check", &write(&dir, name, text).to_string_lossy()],
        );
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
