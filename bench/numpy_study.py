#!/usr/bin/env python3
"""The width and depth studies' training runs in plain NumPy, beside ours on the same machine.

Issue #5 asks for the whole-study time "with the NumPy figure for the same work beside ours".
This script measures both in one sitting: first our binary runs the study files (`--jobs J`,
into a temporary folder), then NumPy trains the same runs (`--jobs J` processes): for every
sweep point and seed of every study file, the same layers, learning rate, number of training
points and epochs, by the original method (compare.py's `numpy_train`: full-batch gradient
descent, the loss computed every epoch as ours computes it), at NumPy's best (compare.py's
environment: glibc's allocator thresholds raised, one BLAS thread per process).

    python3 bench/numpy_study.py                  # width + depth, 5 seeds, full length (~25 min)
    python3 bench/numpy_study.py --quick          # epochs / 100 on both sides: a smoke run

What is not the same: NumPy trains on one fixed data set of the right size (compare.py's
half moons) from its own random initial weights, not on each run's generated data, and it
skips the test-part evaluations and the files ours writes. A ReLU net's time per epoch does
not depend on the values, and the test passes and files are a small part of ours, so the
comparison is of the same training work; the per-epoch comparison on identical data and
weights is compare.py's.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import compare  # noqa: E402 - the NumPy loop, environment and machine description live there

ROOT = HERE.parent
RESULTS = HERE / "results" / "study-latest.md"
DEFAULT_STUDIES = ["experiments/width.toml", "experiments/depth.toml"]


def fail(message: str) -> None:
    sys.exit(f"numpy_study.py: {message}")


def plan_runs(path: Path, quick: bool):
    """[(study, point, seed, layers, learning rate, epochs, training points)] of one file."""
    try:
        spec = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        fail(f"cannot read {path}: {e}")
    study = spec.get("study", {}).get("name", path.stem)
    dataset, model = spec.get("dataset", {}), spec.get("model", {})
    if model.get("kind", "mlp") != "mlp" or model.get("activation", "relu") != "relu":
        fail(f"{path}: only ReLU MLP studies have a NumPy twin here (compare.py's loop)")
    samples = int(dataset.get("samples", 0))
    test_fraction = float(dataset.get("test_fraction", 0.0))
    # Our split rounds the test part per class (two equal classes here): what is left trains.
    per_class = samples // 2
    n_train = samples - 2 * round(test_fraction * per_class)
    features = 2
    hidden = list(model.get("hidden_layers", []))
    lr = float(model.get("learning_rate", 0.0))
    epochs = int(model.get("epochs", 0))
    if quick:
        epochs = math.ceil(epochs / 100)
    sweep = spec.get("sweep", {})
    if len(sweep) != 1 or next(iter(sweep)) not in ("width", "depth"):
        fail(f"{path}: the [sweep] must have one axis, width or depth (found {sorted(sweep)})")
    axis, values = next(iter(sweep.items()))
    runs = []
    for value in values:
        if axis == "width":
            layers = [features, *([int(value)] * len(hidden)), 1]
        else:
            layers = [features, *([hidden[0]] * int(value)), 1]
        for seed in spec.get("study", {}).get("seeds", [1]):
            runs.append((study, f"{axis}={value}", int(seed), layers, lr, epochs, n_train))
    return runs


def cost(run) -> float:
    """The same rough cost our runner schedules by (longest first)."""
    layers, epochs, n = run[3], run[5], run[6]
    per_sample = sum(i * o + o for i, o in zip(layers, layers[1:]))
    return epochs * (per_sample + 4.0) * n


def numpy_run(run):
    """Trains one run in this worker process; returns (run, CPU seconds, wall seconds, loss)."""
    import numpy as np
    _, _, seed, layers, lr, epochs, n = run
    x, y = compare.make_moons(np, n)
    rng = np.random.RandomState(seed)
    weights, biases = [], []
    for l, (fan_in, fan_out) in enumerate(zip(layers, layers[1:])):
        last = l == len(layers) - 2
        # He for the ReLU layers, Glorot for the output, as ours.
        std = math.sqrt(2.0 / (fan_in + fan_out)) if last else math.sqrt(2.0 / fan_in)
        weights.append(rng.standard_normal((fan_in, fan_out)) * std)
        biases.append(np.zeros(fan_out))
    cpu = time.process_time()
    _, _, wall, curve, _ = compare.numpy_train(np, x, y, weights, biases, lr, epochs, True)
    cpu = time.process_time() - cpu
    return run, cpu, wall, curve[-1]


def run_numpy(runs, jobs: int):
    ordered = sorted(runs, key=cost, reverse=True)
    start = time.perf_counter()
    results = []
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for done, result in enumerate(pool.imap_unordered(numpy_run, ordered), 1):
            run, cpu, wall, loss = result
            compare.note(f"numpy_study.py: NumPy {done}/{len(runs)} {run[0]} {run[1]} "
                         f"seed {run[2]}: {wall:.1f} s (loss {loss:.4g})")
            results.append(result)
    return results, time.perf_counter() - start


def run_ours(studies, jobs: int, quick: bool):
    binary = compare.BINARY
    with tempfile.TemporaryDirectory(prefix="numpy-study-") as tmp:
        cmd = [str(binary), *map(str, studies), "--jobs", str(jobs), "--out", tmp]
        if quick:
            cmd.append("--quick")
        compare.note(f"numpy_study.py: ours: {' '.join(cmd)}")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            fail(f"ours exited {done.returncode}:\n{done.stdout[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024.0


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)"


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Time the studies' training runs in plain NumPy beside ours.")
    parser.add_argument("studies", nargs="*", default=DEFAULT_STUDIES,
                        help="study files (default: experiments/width.toml "
                             "experiments/depth.toml)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="worker threads for ours and processes for NumPy (default 2)")
    parser.add_argument("--quick", action="store_true",
                        help="epochs / 100 (rounded up) on both sides, as ours' --quick")
    parser.add_argument("--no-ours", action="store_true", help="time NumPy only")
    parser.add_argument("--no-build", action="store_true",
                        help="use the existing target/release/experiments")
    parser.add_argument("--no-write", action="store_true",
                        help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, not {args.jobs}")
    studies = [(ROOT / s) if not Path(s).is_absolute() else Path(s) for s in args.studies]
    runs = [run for path in studies for run in plan_runs(path, args.quick)]

    compare.ensure_environment("widest", Path(__file__))
    np = compare.import_numpy()
    command = "python3 bench/numpy_study.py" + "".join(f" {a}" for a in sys.argv[1:])
    started = _dt.datetime.now().astimezone()

    ours = None
    if not args.no_ours:
        if not args.no_build:
            compare.note("numpy_study.py: cargo build --release -p experiments")
            subprocess.run(["cargo", "build", "--release", "-p", "experiments"], cwd=ROOT,
                           check=True)
        if not compare.BINARY.exists():
            fail(f"{compare.BINARY} is missing: run without --no-build")
        ours = run_ours(studies, args.jobs, args.quick)
        compare.note(f"numpy_study.py: ours took {minutes(ours[0])}, CPU {minutes(ours[1])}")

    results, numpy_wall = run_numpy(runs, args.jobs)
    numpy_cpu = sum(r[1] for r in results)

    lines = ["# The studies' training runs: plain NumPy beside ours", ""]
    lines += ["| study | point | runs | epochs each | layers | NumPy seconds per run (median) "
              "| NumPy CPU-seconds, all runs |", "|---|---|---|---|---|---|---|"]
    groups = {}
    for run, cpu, wall, _ in results:
        groups.setdefault((run[0], run[1]), []).append((run, cpu, wall))
    for run in runs:
        key = (run[0], run[1])
        if key not in groups:
            continue
        group = groups.pop(key)
        walls = sorted(w for _, _, w in group)
        layers = group[0][0][3]
        lines.append(f"| {key[0]} | {key[1]} | {len(group)} | {run[5]:,} | {layers} | "
                     f"{walls[len(walls) // 2]:.1f} | {sum(c for _, c, _ in group):.0f} |")
    lines += ["", "| side | wall time | CPU time |", "|---|---|---|"]
    if ours is not None:
        lines.append(f"| ours, `--jobs {args.jobs}` | {minutes(ours[0])} | "
                     f"{minutes(ours[1])} |")
    lines.append(f"| NumPy, {args.jobs} processes | {minutes(numpy_wall)} | "
                 f"{minutes(numpy_cpu)} |")
    if ours is not None:
        lines += ["", f"NumPy / ours: **{numpy_wall / ours[0]:.1f}×** the wall time, "
                      f"{numpy_cpu / ours[1]:.1f}× the CPU time; ours' peak memory "
                      f"{ours[2]:.0f} MB."]
    load = os.getloadavg()
    lines += [
        "",
        f"- Date: {started.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Command: `{command}`" + (" (quick: epochs / 100)" if args.quick else ""),
        f"- Studies: {', '.join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in studies)}; "
        f"{len(runs)} runs",
        f"- Machine: {compare.cpu_model()}; load average at the end "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"- NumPy {np.__version__} on Python {sys.version.split()[0]}; BLAS: "
        f"{compare.blas_info(np)}",
        f"- Ours: `target/release/experiments`, git {compare.git_revision()}; "
        "ran first, then NumPy",
        "- NumPy: compare.py's `numpy_train` with the loss every epoch (as ours), on "
        "compare.py's half moons with the run's number of training points, He-initialised "
        "weights from `RandomState(seed)`; CPU time is each worker's `process_time`",
        "- Environment: " + ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in
                                      (*compare.ENV_SET, *compare.ENV_FORCE)),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_write:
        tmp = RESULTS.with_suffix(".md.tmp")
        tmp.write_text(report)
        os.replace(tmp, RESULTS)
        compare.note(f"numpy_study.py: wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
