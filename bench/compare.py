#!/usr/bin/env python3
"""Side-by-side speed of our Rust training loop and a plain NumPy loop doing the same work.

Both sides train the same nets (ReLU hidden layers, sigmoid output, mean binary cross-entropy
on logits) with full-batch gradient descent on the same 480 points, from the same initial
weights, for the same number of epochs, on one thread. The script checks that both reach the
same loss (to 1e-9 relative) and prints microseconds per epoch, the speed-up, our GFLOP/s and
the fraction of the machine's measured single-thread matrix-product peak.

    python3 bench/compare.py                       # 2000 epochs, 5 rounds (a few minutes)
    python3 bench/compare.py --epochs 200 --rounds 1   # a quick end-to-end check

See bench/README.md for the method and how to read the table.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import importlib
import json
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BINARY = ROOT / "target" / "release" / "experiments"
RESULTS = HERE / "results" / "latest.md"
N_SAMPLES = 480
REL_TOLERANCE = 1e-9

# (name, layer sizes, model kind, learning rate)
WORKLOADS = [
    ("LR", [2, 1], "logistic", 0.1),
    ("W3", [2, 3, 3, 1], "mlp", 0.01),
    ("W6", [2, 6, 6, 1], "mlp", 0.01),
    ("W20", [2, 20, 20, 1], "mlp", 0.01),
    ("W50", [2, 50, 50, 1], "mlp", 0.01),
    ("D2", [2, 20, 20, 1], "mlp", 0.01),
    ("D3", [2, 20, 20, 20, 1], "mlp", 0.01),
    ("D6", [2] + [20] * 6 + [1], "mlp", 0.01),
    ("D10", [2] + [20] * 10 + [1], "mlp", 0.01),
]

# --- Environment: NumPy at its best, on one thread --------------------------------------------
#
# glibc gives freed memory back to the system once the top of the heap exceeds a threshold;
# NumPy's per-epoch temporaries (~0.5 MB for W20 and larger) then come back as page faults,
# which more than doubles its time. Raising the thresholds keeps them in the process. These
# must be set before the process starts (glibc reads them once), hence the re-exec below.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on some machines for old OpenBLAS builds and
# slow a current NumPy, so they are removed for this process only.
MALLOC_PAD = "536870912"
ENV_SET = {
    "MALLOC_TOP_PAD_": MALLOC_PAD,
    "MALLOC_TRIM_THRESHOLD_": MALLOC_PAD,
}
ENV_FORCE = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
}
ENV_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# --isa avx2: both sides held to AVX2 + FMA on an AVX-512 machine, to time the path an AVX2-only
# machine takes. Ours reads BINCLASS_ISA; OpenBLAS takes its Haswell (AVX2) kernels; NumPy's
# own loops leave out their AVX-512 builds (names from NumPy 1.x and 2.x; unknown ones are
# ignored).
ENV_AVX2 = {
    "BINCLASS_ISA": "avx2",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX "
                                "AVX512_CNL AVX512_ICL AVX512_SPR X86_V4",
}
REEXEC_MARK = "BENCH_COMPARE_REEXEC"


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_environment(isa: str, script: Path = Path(__file__)) -> None:
    """Re-executes `script` (this one unless another bench script imports this function) with
    the benchmark environment if it is not already set."""
    env = dict(os.environ)
    changed = []
    for key, value in ENV_SET.items():
        if key not in env:
            env[key] = value
            changed.append(f"{key}={value}")
    force = {**ENV_FORCE, **(ENV_AVX2 if isa == "avx2" else {})}
    for key, value in force.items():
        if env.get(key) != value:
            env[key] = value
            changed.append(f"{key}={value}")
    unset = [k for k in (*ENV_UNSET, *ENV_AVX2) if k not in force]
    for key in unset:
        if key in env:
            removed = env.pop(key)
            changed.append(f"unset {key} (was {removed})")
    if not changed:
        return
    name = script.name
    if env.get(REEXEC_MARK):
        sys.exit(f"{name}: could not set up the environment ({', '.join(changed)})")
    env[REEXEC_MARK] = "1"
    note(f"{name}: re-running with {', '.join(changed)}")
    os.execve(sys.executable, [sys.executable, str(script.resolve()), *sys.argv[1:]], env)


def import_numpy():
    try:
        return importlib.import_module("numpy")
    except ImportError:
        note("compare.py: numpy is not installed; installing it with "
             f"`{Path(sys.executable).name} -m pip install --quiet numpy`")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "numpy"], check=True)
        importlib.invalidate_caches()
        return importlib.import_module("numpy")


# --- Data -------------------------------------------------------------------------------------


def make_moons(np, n: int):
    """Two interleaved half circles with Gaussian noise 0.2, shuffled; RandomState(0)."""
    rng = np.random.RandomState(0)
    half = n // 2
    t_outer = np.linspace(0.0, np.pi, half)
    t_inner = np.linspace(0.0, np.pi, n - half)
    x = np.concatenate([
        np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1),
        np.stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1),
    ])
    y = np.concatenate([np.zeros(half), np.ones(n - half)])
    x = x + rng.normal(scale=0.2, size=x.shape)
    order = rng.permutation(n)
    return np.ascontiguousarray(x[order]), np.ascontiguousarray(y[order])


def write_csv(path: Path, x, y) -> None:
    # repr(float) is the shortest string that reads back as the same double.
    lines = ["x1,x2,label"]
    for (a, b), label in zip(x.tolist(), y.tolist()):
        lines.append(f"{a!r},{b!r},{int(label)}")
    path.write_text("\n".join(lines) + "\n")


def read_back_check(np, path: Path, x, y) -> None:
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    xr = np.array([[float(a), float(b)] for a, b, _ in rows])
    yr = np.array([float(c) for _, _, c in rows])
    if not (np.array_equal(xr, x) and np.array_equal(yr, y)):
        sys.exit("compare.py: the CSV does not read back bit-identically")


# --- The NumPy implementation -----------------------------------------------------------------


def load_params(np, path: Path):
    model = json.loads(path.read_text())
    weights = [np.array(layer["weights"], dtype=np.float64) for layer in model["layers"]]
    biases = [np.array(layer["biases"], dtype=np.float64) for layer in model["layers"]]
    return weights, biases


def numpy_train(np, x, y, weights, biases, lr: float, epochs: int, loss_curve: bool = False):
    """Full-batch gradient descent, the original NumPy method, from copies of the parameters.

    Forward Z_l = A_{l-1} @ W_l + b_l with ReLU on hidden layers and an identity output logit
    z; loss mean(softplus(z) - y z); backward dz = (sigmoid(z) - y) / n, dW = A^T dZ,
    db = sum(dZ), dA = dZ W^T, dZ = dA * (A > 0); every parameter is updated after all
    gradients are computed. Returns (W, b, seconds, loss curve or None, minor page faults).
    """
    W = [w.copy() for w in weights]
    b = [v.copy() for v in biases]
    n = x.shape[0]
    yc = y.reshape(n, 1)
    inv_n = 1.0 / n
    last = len(W) - 1
    curve = [] if loss_curve else None
    gc_was_enabled = gc.isenabled()
    gc.disable()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    for _ in range(epochs):
        # Forward: keep every layer's activation for the backward pass.
        acts = [x]
        a = x
        for l in range(last):
            a = a @ W[l] + b[l]
            np.maximum(a, 0.0, out=a)
            acts.append(a)
        z = a @ W[last] + b[last]
        if curve is not None:
            curve.append(float(np.mean(np.logaddexp(0.0, z) - yc * z)))
        # Backward.
        dz = 1.0 / (1.0 + np.exp(-z))
        dz -= yc
        dz *= inv_n
        dW = [None] * len(W)
        db = [None] * len(W)
        for l in range(last, -1, -1):
            a_prev = acts[l]
            dW[l] = a_prev.T @ dz
            db[l] = dz.sum(axis=0)
            if l > 0:
                dz = dz @ W[l].T
                dz *= a_prev > 0.0
        # Update.
        for l in range(len(W)):
            W[l] -= lr * dW[l]
            b[l] -= lr * db[l]
    seconds = time.perf_counter() - start
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    if gc_was_enabled:
        gc.enable()
    return W, b, seconds, curve, faults


def numpy_loss(np, x, y, W, b) -> float:
    """The training objective at the given parameters (one forward pass)."""
    a = x
    for l in range(len(W) - 1):
        a = np.maximum(a @ W[l] + b[l], 0.0)
    z = (a @ W[-1] + b[-1])[:, 0]
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


# --- Our binary -------------------------------------------------------------------------------

TRAINED = re.compile(r"trained (\d+) epochs \([^)]*\) in [0-9.]+ s \(([0-9.]+) µs/epoch "
                     r"on the (\w+) kernels")
FINAL = re.compile(r"final training loss \S+ \(([^)]+)\)")


KERNELS = set()  # the instruction sets ours reported running on


def ours_command(workload, csv: Path, epochs: int, extra=()):
    _, layers, kind, lr = workload
    cmd = [str(BINARY), "train", "--data", str(csv), "--test-fraction", "0", "--model", kind]
    if kind == "mlp":
        cmd += ["--layers", ",".join(map(str, layers)), "--activation", "relu"]
    cmd += ["--lr", repr(lr), "--epochs", str(epochs), "--seed", "1", *extra]
    return cmd


def run_ours(cmd, pin):
    full = (["taskset", "-c", str(pin)] if pin is not None and shutil.which("taskset") else []) + cmd
    done = subprocess.run(full, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"compare.py: `{shlex.join(full)}` exited {done.returncode}:\n"
                 f"{done.stdout}{done.stderr}")
    return done.stdout


def parse_ours(stdout: str, epochs: int):
    """(seconds of training, final loss) from `experiments train` output; checks that it ran
    on the instruction set this comparison is about."""
    trained, final = TRAINED.search(stdout), FINAL.search(stdout)
    if not trained or not final:
        sys.exit("compare.py: could not find the 'trained N epochs … in S s (U µs/epoch' and "
                 f"'final training loss X (EXACT)' parts in the output of ours:\n{stdout}")
    if int(trained.group(1)) != epochs:
        sys.exit(f"compare.py: ours ran {trained.group(1)} epochs instead of {epochs}:\n{stdout}")
    KERNELS.add(trained.group(3))
    wanted = os.environ.get("BINCLASS_ISA")
    if wanted and trained.group(3) != wanted:
        sys.exit(f"compare.py: ours ran on the {trained.group(3)} kernels, not {wanted} "
                 "(does this CPU have it?)")
    # The µs/epoch figure has more digits than the seconds figure: total = it × epochs.
    return float(trained.group(2)) * epochs * 1e-6, float(final.group(1))


# --- Machine ----------------------------------------------------------------------------------


def cpu_model() -> str:
    info = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or "unknown"
    flags = info.get("flags", "").split()
    simd = [f for f in ("avx2", "fma", "avx512f") if f in flags]
    return (f"{info.get('model name', 'unknown')} (family {info.get('cpu family', '?')}, "
            f"model {info.get('model', '?')}; {', '.join(simd) or 'no AVX2'}), "
            f"{os.cpu_count()} logical CPUs")


def blas_info(np) -> str:
    try:
        from threadpoolctl import threadpool_info  # type: ignore
        parts = []
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                parts.append(f"{pool.get('internal_api')} {pool.get('version')}, kernel "
                             f"{pool.get('architecture')}, {pool.get('num_threads')} thread(s) "
                             "(threadpoolctl)")
        if parts:
            return "; ".join(parts)
    except Exception:  # noqa: BLE001 - optional dependency, any failure falls through
        pass
    text = ""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        text = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001 - older numpy has no mode="dicts"
        text = "unknown BLAS"
    return text + openblas_runtime()


def openblas_runtime() -> str:
    """The OpenBLAS kernel actually chosen at run time, read like threadpoolctl does."""
    import ctypes
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return ""
    libs = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    for lib in sorted(libs):
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                core = getattr(handle, f"{prefix}_get_corename{suffix}", None)
                threads = getattr(handle, f"{prefix}_get_num_threads{suffix}", None)
                if core is None:
                    continue
                core.restype = ctypes.c_char_p
                n = threads() if threads is not None else "?"
                return f", kernel {core().decode()}, {n} thread(s)"
    return ""


def numpy_simd(np) -> str:
    """The SIMD builds NumPy's own loops dispatch to on this machine."""
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, \
            __cpu_features__  # type: ignore
    except ImportError:
        try:
            from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, \
                __cpu_features__  # type: ignore
        except ImportError:
            return "unknown"
    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return f"baseline {' '.join(__cpu_baseline__)}, dispatched {' '.join(found) or 'none'}"


def measure_peak(np, size: int, repeats: int) -> float:
    """Best single-thread f64 GFLOP/s of a size×size @ size×size product."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size))
    b = rng.standard_normal((size, size))
    out = np.empty((size, size))
    np.matmul(a, b, out=out)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best / 1e9


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "crates",
                                "Cargo.toml", "Cargo.lock"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" (crates/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tool_version(cmd) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "unknown"


# --- Main -------------------------------------------------------------------------------------


def rel_diff(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0.0 else abs(a - b) / scale


def flops_per_epoch(layers) -> int:
    return 6 * N_SAMPLES * sum(i * o for i, o in zip(layers, layers[1:]))


def fmt_us(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"


def fmt_rounds(values) -> str:
    return " / ".join(fmt_us(v) for v in values)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Time our training loop against a plain NumPy loop doing the same work.")
    parser.add_argument("--epochs", type=int, default=2000,
                        help="E: each side trains E and 2E epochs; per epoch = (t(2E) − t(E)) / E "
                             "(default 2000)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds; medians are reported (default 5)")
    parser.add_argument("--only", default="",
                        help="comma-separated workload names, e.g. W20,D10 (default: all)")
    parser.add_argument("--cpu", default="0",
                        help="pin both sides to this CPU, or 'none' (default 0)")
    parser.add_argument("--peak-size", type=int, default=2000,
                        help="matrix size for the peak measurement (default 2000)")
    parser.add_argument("--no-build", action="store_true",
                        help="use the existing target/release/experiments")
    parser.add_argument("--isa", choices=("widest", "avx2"), default="widest",
                        help="avx2: hold both sides to AVX2 + FMA (our kernels, OpenBLAS and "
                             "NumPy's loops), to time on an AVX-512 machine the path an "
                             "AVX2-only one takes (default: each side's widest)")
    parser.add_argument("--no-write", action="store_true",
                        help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    if args.epochs < 2 or args.rounds < 1:
        parser.error("--epochs must be at least 2 and --rounds at least 1")
    workloads = WORKLOADS
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = sorted(set(wanted) - {w[0] for w in WORKLOADS})
        if unknown:
            parser.error(f"unknown workload(s) {unknown}: choose from "
                         f"{', '.join(w[0] for w in WORKLOADS)}")
        workloads = [w for w in WORKLOADS if w[0] in wanted]
    pin = None if args.cpu.lower() == "none" else int(args.cpu)

    ensure_environment(args.isa)
    np = import_numpy()
    command = "python3 bench/compare.py" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    started = _dt.datetime.now().astimezone()

    if not args.no_build:
        note("compare.py: cargo build --release -p experiments")
        subprocess.run(["cargo", "build", "--release", "-p", "experiments"], cwd=ROOT, check=True)
    if not BINARY.exists():
        sys.exit(f"compare.py: {BINARY} is missing: run without --no-build")

    if pin is not None:
        os.sched_setaffinity(0, {pin})  # NumPy runs here; ours inherits it and uses taskset too

    E = args.epochs
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        tmp = Path(tmp)
        x, y = make_moons(np, N_SAMPLES)
        csv = tmp / "points.csv"
        write_csv(csv, x, y)
        read_back_check(np, csv, x, y)

        # Same initial weights, and one gradient step checked parameter by parameter.
        setup = {}
        for w in workloads:
            name = w[0]
            init = tmp / f"{name}-init.json"
            run_ours(ours_command(w, csv, 1, ["--init-only", "--save", str(init)]), pin)
            W0, b0 = load_params(np, init)
            sizes = [W0[0].shape[0]] + [m.shape[1] for m in W0]
            if sizes != w[1]:
                sys.exit(f"compare.py: {name}: init.json has layer sizes {sizes}, not {w[1]}")
            step = tmp / f"{name}-step1.json"
            out = run_ours(ours_command(w, csv, 1, ["--save", str(step)]), pin)
            _, ours_loss1 = parse_ours(out, 1)
            curve = (tmp / f"{name}-step1.loss.csv").read_text().splitlines()[1:]
            ours_loss0 = float(curve[0].split(",")[1])
            W1o, b1o = load_params(np, step)
            W1n, b1n, _, _, _ = numpy_train(np, x, y, W0, b0, w[3], 1)
            max_param = max(float(np.max(np.abs(p - q)))
                            for p, q in zip(W1o + b1o, W1n + b1n))
            max_scale = max(float(np.max(np.abs(p))) for p in W1n + b1n)
            setup[name] = dict(
                W0=W0, b0=b0,
                loss0=(numpy_loss(np, x, y, W0, b0), ours_loss0),
                loss1=(numpy_loss(np, x, y, W1n, b1n), ours_loss1),
                step_param=max_param / max_scale if max_scale else max_param,
            )
            note(f"  {name}: initial loss rel. diff "
                 f"{rel_diff(*setup[name]['loss0']):.1e}, after 1 step "
                 f"{rel_diff(*setup[name]['loss1']):.1e}, parameters after 1 step max "
                 f"|Δ|/max|θ| {setup[name]['step_param']:.1e}")

        timings = {w[0]: {"numpy": [], "numpy_no_loss": [], "ours": [], "faults": []}
                   for w in workloads}
        finals = {}
        for r in range(args.rounds):
            for w in workloads:
                name, _, _, lr = w
                s = setup[name]
                # Ours: E and 2E epochs, each a fresh process from the same seed.
                t_e, ours_e = parse_ours(run_ours(ours_command(w, csv, E), pin), E)
                t_2e, ours_2e = parse_ours(run_ours(ours_command(w, csv, 2 * E), pin), 2 * E)
                timings[name]["ours"].append((t_2e - t_e) / E * 1e6)
                # NumPy: the same, in this process; first with the loss every epoch, as ours
                # computes it (the same work), then without it (the bare update loop).
                Wn, bn, n_e, _, f_e = numpy_train(np, x, y, s["W0"], s["b0"], lr, E, True)
                W2n, b2n, n_2e, _, f_2e = numpy_train(np, x, y, s["W0"], s["b0"], lr, 2 * E,
                                                      True)
                timings[name]["numpy"].append((n_2e - n_e) / E * 1e6)
                timings[name]["faults"].append(f_2e / (2 * E))
                Wq, bq, q_e, _, _ = numpy_train(np, x, y, s["W0"], s["b0"], lr, E)
                W2q, b2q, q_2e, _, _ = numpy_train(np, x, y, s["W0"], s["b0"], lr, 2 * E)
                timings[name]["numpy_no_loss"].append((q_2e - q_e) / E * 1e6)
                if not all(np.array_equal(p, q) for p, q in zip(W2n + b2n, W2q + b2q)):
                    sys.exit(f"compare.py: {name}: NumPy's parameters depend on whether it "
                             "computes the loss; the two loops should differ only in that")
                if r == 0:
                    finals[name] = dict(
                        e=(numpy_loss(np, x, y, Wn, bn), ours_e),
                        e2=(numpy_loss(np, x, y, W2n, b2n), ours_2e),
                    )
                note(f"  round {r + 1}/{args.rounds} {name}: ours "
                     f"{timings[name]['ours'][-1]:.1f} µs/epoch, NumPy "
                     f"{timings[name]['numpy'][-1]:.1f} µs/epoch "
                     f"({timings[name]['numpy_no_loss'][-1]:.1f} without the loss)")

    note(f"compare.py: measuring the single-thread f64 matrix-product peak "
         f"({args.peak_size}×{args.peak_size})")
    peak = measure_peak(np, args.peak_size, 5)

    header = ("| workload | layers | NumPy µs/epoch | ours µs/epoch | speed-up | "
              "NumPy without the loss, µs/epoch | speed-up against it | our GFLOP/s | "
              "% of peak | final loss NumPy | final loss ours | agree (1e-9) |")
    lines = [header, "|" + "---|" * 12]
    details = ["| workload | initial loss | after 1 epoch | parameters after 1 step "
               f"(max abs diff / max abs) | after E={E} | after 2E={2 * E} | NumPy page faults "
               "per epoch | NumPy µs/epoch per round | ours µs/epoch per round |",
               "|" + "---|" * 9]
    all_agree = True
    for w in workloads:
        name, layers = w[0], w[1]
        t_numpy = statistics.median(timings[name]["numpy"])
        t_bare = statistics.median(timings[name]["numpy_no_loss"])
        t_ours = statistics.median(timings[name]["ours"])
        valid = t_ours > 0 and t_numpy > 0 and t_bare > 0
        gflops = flops_per_epoch(layers) / (t_ours * 1e-6) / 1e9 if valid else 0.0
        loss_numpy, loss_ours = finals[name]["e"]
        checks = [setup[name]["loss0"], setup[name]["loss1"], finals[name]["e"],
                  finals[name]["e2"]]
        agree = all(rel_diff(a, b) <= REL_TOLERANCE for a, b in checks)
        all_agree &= agree
        speedup = t_numpy / t_ours if valid else 0.0
        speedup_bare = t_bare / t_ours if valid else 0.0
        noisy = not valid
        shown_layers = (f"[2, {layers[1]}×{len(layers) - 2}, 1]" if len(layers) > 4
                        else str(layers))
        lines.append(
            f"| {name} | {shown_layers} | {fmt_us(t_numpy)} | {fmt_us(t_ours)} | "
            + ("n/a (noise) | " if noisy else f"{speedup:.1f}× | ")
            + f"{fmt_us(t_bare)} | "
            + ("n/a | n/a | n/a | " if noisy else
               f"{speedup_bare:.1f}× | {gflops:.2f} | {100 * gflops / peak:.1f} % | ")
            + f"{loss_numpy!r} | "
            f"{loss_ours!r} | {'yes' if agree else 'FAIL'} "
            f"({rel_diff(loss_numpy, loss_ours):.1e}) |")
        details.append(
            f"| {name} | {rel_diff(*checks[0]):.1e} | {rel_diff(*checks[1]):.1e} | "
            f"{setup[name]['step_param']:.1e} | {rel_diff(*checks[2]):.1e} | "
            f"{rel_diff(*checks[3]):.1e} | "
            f"{statistics.median(timings[name]['faults']):.2f} | "
            f"{fmt_rounds(timings[name]['numpy'])} | {fmt_rounds(timings[name]['ours'])} |")

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) \
        if Path("/proc/loadavg").exists() else "unknown"
    env_shown = ", ".join(f"{k}={os.environ.get(k)}" for k in (*ENV_SET, *ENV_FORCE))
    if args.isa == "avx2":
        env_shown += ", " + ", ".join(f"{k}={os.environ.get(k)}" for k in ENV_AVX2)
        env_unset = "OPENBLAS_L2_SIZE unset"
    else:
        env_unset = f"{', '.join(ENV_UNSET)}, BINCLASS_ISA, NPY_DISABLE_CPU_FEATURES unset"
    report = "\n".join([
        f"# NumPy vs ours: full-batch gradient descent, {N_SAMPLES} points, f64, one thread",
        "",
        *lines,
        "",
        f"Median of {args.rounds} interleaved round(s); per epoch = (t({2 * E}) − t({E})) / {E} "
        f"on both sides. FLOPs per epoch = 6 · {N_SAMPLES} · Σ fan_in · fan_out. Measured peak "
        f"({args.peak_size}×{args.peak_size} f64 matrix product, NumPy, one thread, best of "
        f"5): **{peak:.1f} GFLOP/s**. Final loss: the training objective after E = {E} epochs, "
        "at the final parameters. A time that is not positive (n/a) means the machine was too "
        "busy for the E / 2E difference: use more rounds or epochs.",
        "",
        "Same computation: relative difference of the loss, NumPy vs ours, at four points, "
        f"and of the parameters after one step (`agree` needs the four loss differences ≤ "
        f"{REL_TOLERANCE:g}); NumPy's minor page faults per epoch in its 2E run (about 0 when "
        "the allocator settings keep its temporaries in the process); every round's "
        "per-epoch time, to show the noise:",
        "",
        *details,
        "",
        f"- Date: {started.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Command: `{command}`",
        f"- Machine: {cpu_model()}; load average at the end {load}",
        f"- NumPy {np.__version__} on Python {platform.python_version()}; BLAS: {blas_info(np)}; "
        f"NumPy's own loops: {numpy_simd(np)}",
        f"- Ours: `experiments train` built by `cargo build --release -p experiments` "
        f"({tool_version(['rustc', '--version'])}), git {git_revision()}; kernels: "
        f"{', '.join(sorted(KERNELS))}",
        f"- Pinned to CPU {pin}" if pin is not None else "- Not pinned to a CPU",
        "- NumPy µs/epoch: its loop with the loss computed every epoch, as ours computes it "
        "(for the loss curve, the divergence check and the 30 % epoch), so both sides do the "
        "same work. 'Without the loss': the same loop with the loss left out (its parameters "
        "are checked to come out identical).",
        f"- Environment: {env_shown}; {env_unset}",
        "",
    ])
    print(report)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report)
        note(f"compare.py: wrote {RESULTS.relative_to(ROOT)}")
    if not all_agree:
        note("compare.py: FAIL: the final losses differ by more than 1e-9 relative "
             "(see the 'Same computation' table)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
