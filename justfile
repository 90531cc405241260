# Every recipe is one visible cargo line, so everything works without `just` too.

# List the recipes.
default:
    @just --list

# The full study: every TOML in experiments/ at full length (results/ is not committed).
study:
    cargo run --release -p experiments

# A smoke test of every study, epochs divided by 100, into results/quick/ (replaced each time).
quick:
    cargo run --release -p experiments -- --quick --force

# The width sweep (2 hidden layers of 3/6/20/50 neurons, 250,000 epochs, 5 seeds).
width:
    cargo run --release -p experiments -- experiments/width.toml

# The depth sweep (2/3/6/10 hidden layers of 20 neurons, 160,000 epochs, 5 seeds).
depth:
    cargo run --release -p experiments -- experiments/depth.toml

# Logistic regression on slightly overlapping blobs.
logistic:
    cargo run --release -p experiments -- experiments/logistic.toml

# Sigmoid vs tanh vs ReLU in deep nets, with per-layer gradient norms.
activation:
    cargo run --release -p experiments -- experiments/activation.toml

# Learning rates from 0.001 to 3: speed to 30% of the first loss, and divergence.
lr:
    cargo run --release -p experiments -- experiments/learning_rate.toml

# Early stopping on and off, with the oscillation measure.
early-stopping:
    cargo run --release -p experiments -- experiments/early_stopping.toml

# The opt-in studies that test explanations of the original's findings (issue 19): depth and
# width × overlap, learning rate × feature scale with curvature, saddles. Longer than the
# default study; `just explain --quick` is a smoke run.
explain *ARGS:
    cargo run --release -p experiments -- experiments/explain/*.toml {{ARGS}}

# Validate every study file and print the planned runs.
check:
    cargo run --release -p experiments -- --check

# The test suite (the same command CI runs).
test:
    cargo test --workspace

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings

# The docs' Slurm job array on a one-node Slurm started here, checked against one machine (root).
slurm *ARGS:
    cargo build --release -p experiments && bash scripts/slurm-local.sh {{ARGS}}

# Criterion benchmarks: each kernel alone, one epoch and a 1,000-epoch fit per workload.
bench:
    cargo bench -p core-linalg -p models

# Side-by-side speed against a plain NumPy loop on the same data and weights (bench/README.md).
bench-compare *ARGS:
    python3 bench/compare.py {{ARGS}}

# The width and depth studies' runs in plain NumPy beside ours, on this machine (~25 min).
bench-study *ARGS:
    python3 bench/numpy_study.py {{ARGS}}
