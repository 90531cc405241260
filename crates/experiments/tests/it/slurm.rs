//! The Slurm job array of docs/studies.md, run end to end on a real one-node Slurm started on
//! this machine by `scripts/slurm-local.sh`: heterogeneous instruction sets, a killed task,
//! its resubmission, the merge. The script checks the result byte for byte itself; this test
//! checks it again, independently, from the folders the script leaves behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{assert_same_study_files_except, temp_dir};

/// The shard the script kills and resubmits (odd: one of the AVX-512 tasks).
const KILLED: usize = 1;
const SHARDS: usize = 4;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes the one `SKIPPED:` line CI lists, in a single write so that it is not interleaved.
fn report_skipped(test: &str, reason: &str) {
    let line = format!("SKIPPED: {test}: {reason}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// The `"kernels"` value of a study folder's `metadata.json`.
fn kernels(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("metadata.json")).expect("metadata.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("metadata.json is JSON");
    json["kernels"].as_str().expect("kernels").to_owned()
}

#[test]
fn the_docs_job_array_on_a_local_slurm_gives_the_one_machine_study() {
    let test = "slurm::the_docs_job_array_on_a_local_slurm_gives_the_one_machine_study";
    let dir = temp_dir("slurm");
    let work = dir.join("work");
    let shards = SHARDS.to_string();
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/slurm-local.sh"))
        .args(["--bin", env!("CARGO_BIN_EXE_experiments"), "--no-install"])
        .args(["--shards", &shards, "--timeout", "240"])
        .arg("--work")
        .arg(&work)
        .args(["--", "--quick"])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(77) {
        let reason = stderr
            .lines()
            .find_map(|line| line.strip_prefix("SKIPPED: slurm-local: "))
            .unwrap_or("scripts/slurm-local.sh exited 77 without a reason");
        report_skipped(test, reason);
        return;
    }
    assert_eq!(
        output.status.code(),
        Some(0),
        "scripts/slurm-local.sh failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("PASS: merged == one machine"), "{stdout}");

    // Merged from the shards = one machine, every file (tables, records, curves, gradient
    // norms, models, figures, report) but metadata.json, which says where it was merged from.
    let results = work.join("results");
    assert_same_study_files_except(
        &results.join("width"),
        &work.join("single"),
        &["metadata.json"],
    );

    // The shards really ran on different instruction sets: AVX2 on even tasks, the widest
    // (AVX-512 where the CPU has it, else the portable kernels) on odd ones.
    let widest = kernels(&work.join("single"));
    let odd = if widest == "avx512" {
        "avx512"
    } else {
        "baseline"
    };
    for k in 0..SHARDS {
        let expected = if k % 2 == 0 { "avx2" } else { odd };
        let shard = results.join(format!("width-shard-{k}"));
        assert_eq!(kernels(&shard), expected, "{}", shard.display());
    }

    // The merge with the killed task refused, naming its shard and the fix.
    let refused = std::fs::read_to_string(work.join("merge-missing.txt")).expect("merge message");
    let killed = format!("width-shard-{KILLED} (shard {KILLED}/{SHARDS}) lacks ");
    assert!(refused.contains(&killed), "{refused}");
    assert!(
        refused.contains(&format!("sbatch --array={KILLED} JOB_SCRIPT --resume")),
        "{refused}"
    );

    // Nothing the script started is still running.
    let daemons = std::fs::read_to_string(work.join("run/daemons")).expect("daemon list");
    let mut names = Vec::new();
    for line in daemons.lines() {
        let (name, pid) = line.split_once(' ').expect("`name pid` lines");
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "{name} (pid {pid}) is still running"
        );
        names.push(name);
    }
    names.sort_unstable();
    assert_eq!(names, ["munged", "slurmctld", "slurmd"], "{daemons}");
}
