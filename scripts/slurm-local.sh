#!/usr/bin/env bash
# Runs docs/studies.md's Slurm job array end to end on a real one-node Slurm started here.
#
# Starts munged, slurmctld and slurmd from Debian's packages (slurm-wlm, munge; installed when
# absent, as root) with their state, sockets, logs and pid files in one work folder, on free
# ports, with a slurm.conf whose node is this machine as `slurmd -C` sees it. Then:
#   1. runs the study once on this machine (the reference);
#   2. submits the job script exactly as docs/studies.md writes it (read from that file; only
#      the study file, the array size and the paths are replaced), with a TaskProlog that
#      gives even array tasks BINCLASS_ISA=avx2 and odd ones AVX-512 (baseline where the CPU
#      has no AVX-512): nodes with different CPUs;
#   3. kills one array task (scancel) as soon as it has started, checks that the docs' merge
#      command refuses and names that shard, resubmits only that index with --resume;
#   4. merges again and compares the merged results.csv (wall times aside), loss curves,
#      gradient norms and saved models with the reference, byte for byte.
# Every daemon it started is stopped on exit, also on failure or Ctrl-C.
#
# Exit status: 0 passed, 1 failed, 77 skipped (Slurm cannot be started here: not root, or the
# packages are missing with --no-install); the last line says why.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/slurm-local.sh [OPTIONS] [-- EXPERIMENTS_ARGS...]

  --study FILE   study file to run (default: experiments/width.toml)
  --shards N     array size, N >= 2 (default: 4)
  --bin PATH     the experiments binary (default: target/release/experiments; build it with
                 cargo build --release -p experiments)
  --work DIR     keep everything (Slurm's state and logs, shards, merge, reference) in DIR,
                 which must be empty or absent (default: a temporary folder, removed at exit)
  --no-install   skip (exit 77) instead of installing slurm-wlm and munge when absent
  --timeout S    give up on the array after S seconds (default: 600)

EXPERIMENTS_ARGS reach both the reference run and every array task (default: --quick).
EOF
}

say() { printf 'slurm-local: %s\n' "$*"; }
fail() {
    printf 'slurm-local: FAILED: %s\n' "$*" >&2
    exit 1
}
skip() {
    printf 'SKIPPED: slurm-local: %s\n' "$*" >&2
    exit 77
}

repo=$(cd "$(dirname "$0")/.." && pwd)
study=experiments/width.toml
shards=4
bin=target/release/experiments
work=
keep_work=false
install=true
timeout=600
extra=(--quick)
while [ $# -gt 0 ]; do
    case $1 in
    --study) study=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --work) work=$2; keep_work=true; shift 2 ;;
    --no-install) install=false; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option $1" ;;
    esac
done

cd "$repo"
[[ $shards =~ ^[0-9]+$ ]] && [ "$shards" -ge 2 ] || fail "--shards $shards: need a whole number of at least 2 (one task is killed and resubmitted)"
[[ $timeout =~ ^[0-9]+$ ]] || fail "--timeout $timeout: need whole seconds"
[ -f "$study" ] || fail "--study $study: no such file"
[ -x "$bin" ] || fail "--bin $bin: no such program; build it with: cargo build --release -p experiments"
study=$(realpath "$study")
bin=$(realpath "$bin")
name=$(basename "$study" .toml)
# The reference must use the widest instruction set the CPU has, whatever the caller set.
unset BINCLASS_ISA

# --- Can Slurm start here? ------------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "needs root to run munged, slurmctld and slurmd (running as $(id -un))"
missing_programs() {
    local program
    for program in munged mungekey slurmctld slurmd sbatch squeue scancel scontrol; do
        command -v "$program" >/dev/null || printf '%s\n' "$program"
    done | paste -sd ' ' -
}
if [ -n "$(missing_programs)" ]; then
    $install || skip "Slurm is not installed (missing: $(missing_programs)); install it with: apt-get install -y --no-install-recommends slurm-wlm munge"
    say "installing slurm-wlm and munge (missing: $(missing_programs))"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge; } >/dev/null ||
        skip "apt-get install slurm-wlm munge failed"
    [ -z "$(missing_programs)" ] || skip "still missing after installing: $(missing_programs)"
fi

# --- The work folder and the daemons' teardown ------------------------------------------------
if [ -n "$work" ]; then
    mkdir -p "$work"
    [ -z "$(ls -A "$work")" ] || fail "--work $work is not empty"
    work=$(realpath "$work")
else
    work=$(mktemp -d /tmp/slurm-local.XXXXXX)
fi
# munged insists that every user can reach its socket's folder.
chmod 755 "$work"
mkdir -p "$work"/{munge,run,state,spool,logs,results}
chmod 700 "$work/munge"
export SLURM_CONF=$work/slurm.conf
pids_file=$work/run/daemons
job_ids=()

pid_of() { cat "$work/run/$1.pid" 2>/dev/null || true; }
alive() { [ -n "$1" ] && [ -e "/proc/$1" ]; }

# Stops what this script started: the jobs first (slurmd must be up to end them), then slurmd,
# slurmctld and munged by the pids in their own pid files, waiting for each to exit.
cleanup() {
    local status=$? daemon pid i stepd=
    set +e
    trap - EXIT INT TERM
    if [ ${#job_ids[@]} -gt 0 ] && alive "$(pid_of slurmctld)"; then
        scancel "${job_ids[@]}" 2>/dev/null
        for i in $(seq 100); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    # A job step's slurmstepd keeps a socket in the spool folder while it lives.
    for i in $(seq 50); do
        stepd=$(find "$work/spool" -type s 2>/dev/null)
        [ -z "$stepd" ] && break
        sleep 0.2
    done
    [ -z "$stepd" ] || printf 'slurm-local: warning: job steps still running: %s\n' "$stepd" >&2
    for daemon in slurmd slurmctld munged; do
        pid=$(pid_of "$daemon")
        alive "$pid" || continue
        kill -TERM "$pid"
        for i in $(seq 50); do
            alive "$pid" || break
            sleep 0.2
        done
        if alive "$pid"; then
            printf 'slurm-local: %s (pid %s) ignored SIGTERM for 10 s: killing it\n' "$daemon" "$pid" >&2
            kill -KILL "$pid"
            sleep 0.2
        fi
        alive "$pid" && printf 'slurm-local: warning: %s (pid %s) is still running\n' "$daemon" "$pid" >&2
    done
    say "stopped the daemons it started: $(tr '\n' ' ' <"$pids_file" 2>/dev/null)"
    if $keep_work; then
        say "everything is in $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port nothing listens on (checked in /proc/net/tcp and tcp6).
free_port() {
    local port hex
    while :; do
        port=$((20000 + RANDOM % 30000))
        hex=$(printf ':%04X ' "$port")
        grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
    done
    echo "$port"
}

# --- munge ------------------------------------------------------------------------------------
mungekey --create --keyfile="$work/munge/munge.key" >/dev/null
munge_socket=$work/run/munge.socket
munged --socket="$munge_socket" --key-file="$work/munge/munge.key" \
    --pid-file="$work/run/munged.pid" --log-file="$work/logs/munged.log" \
    --seed-file="$work/munge/munged.seed" ||
    fail "munged did not start: $(tail -3 "$work/logs/munged.log" 2>/dev/null)"
echo "munged $(pid_of munged)" >>"$pids_file"

# --- slurm.conf: this machine as one node -----------------------------------------------------
node_line=$(slurmd -C | head -1)
controller_port=$(free_port)
node_port=$(free_port)
while [ "$node_port" = "$controller_port" ]; do node_port=$(free_port); done
host=$(hostname -s)
cat >"$SLURM_CONF" <<EOF
# A one-node cluster on this machine, made by scripts/slurm-local.sh.
ClusterName=binclass-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$controller_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=10
TaskProlog=$work/task-prolog.sh
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

# --- The reference: the study on this machine alone -------------------------------------------
single=$work/single
started=$SECONDS
say "reference: $bin $study --out $single ${extra[*]}"
"$bin" "$study" --out "$single" "${extra[@]}" 2>"$work/logs/single.err" ||
    fail "the one-machine run failed: $(tail -3 "$work/logs/single.err")"
kernels_of() { sed -n 's/^ *"kernels": "\(.*\)",*$/\1/p' "$1/metadata.json"; }
widest=$(kernels_of "$single")
# Even tasks run the AVX2 kernels; odd ones the widest (AVX-512 here), or the portable ones
# where the widest is AVX2: either way the nodes differ.
case $widest in
avx512) odd_isa=avx512 ;;
*) odd_isa=baseline ;;
esac
cat >"$work/task-prolog.sh" <<EOF
#!/bin/sh
# Nodes with different CPUs: even array tasks get the AVX2 kernels, odd ones $odd_isa.
if [ \$(( \${SLURM_ARRAY_TASK_ID:-0} % 2 )) -eq 0 ]; then
    echo "export BINCLASS_ISA=avx2"
else
    echo "export BINCLASS_ISA=$odd_isa"
fi
EOF
chmod 755 "$work/task-prolog.sh"

# --- Start Slurm ------------------------------------------------------------------------------
slurmctld -f "$SLURM_CONF" -c || fail "slurmctld did not start: $(tail -5 "$work/logs/slurmctld.log")"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -5 "$work/logs/slurmd.log")"
for i in $(seq 150); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
[ "$state" = idle ] || fail "the node did not become idle in 30 s (state: ${state:-none}): $(tail -5 "$work/logs/slurmd.log")"
version=$(sinfo -V)
# Both daemons have written their pid files by now.
echo "slurmctld $(pid_of slurmctld)" >>"$pids_file"
echo "slurmd $(pid_of slurmd)" >>"$pids_file"
say "$version and $(munged -V 2>&1 | head -1 | cut -d' ' -f1) up: $node_line"

# --- The job script, as docs/studies.md writes it ---------------------------------------------
docs=docs/studies.md
section() { sed -n '/^## Spreading a study over machines/,/^## /p' "$docs"; }
section | awk '/^```/ { inside = !inside; if (!inside && found) exit; next }
    inside && /^#!\/bin\/bash/ { found = 1 } inside && found' >"$work/docs-job.sh"
merge_line=$(section | grep -m1 '^target/release/experiments merge ' || true)
[ -s "$work/docs-job.sh" ] || fail "$docs has no #!/bin/bash job script under 'Spreading a study over machines'"
[ -n "$merge_line" ] || fail "$docs has no 'target/release/experiments merge' line under 'Spreading a study over machines'"
# The parameters: study file, array size, paths. Each must appear, or the docs changed and
# this script must be updated rather than run something else.
for pattern in 'experiments/width.toml' '--array=0-7' '/8"' 'target/release/experiments' 'results/width-shard-'; do
    grep -qF -- "$pattern" "$work/docs-job.sh" || fail "$docs's job script no longer contains '$pattern': update scripts/slurm-local.sh"
done
results=$work/results
escape() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }
substitute() {
    sed -e "s|experiments/width.toml|$(escape "$study")|g" \
        -e "s|--array=0-7|--array=0-$((shards - 1))|" \
        -e "s|/8\"|/$shards\"|" \
        -e "s|target/release/experiments|$(escape "$bin")|g" \
        -e "s|results/width|$(escape "$results/$name")|g"
}
substitute <"$work/docs-job.sh" >"$work/job.sh"
merge_command=$(printf '%s\n' "$merge_line" | substitute)
say "job script = $docs's, with these parameters replaced:"
{ diff "$work/docs-job.sh" "$work/job.sh" || true; } | sed -n 's/^> /    /p'

# Waits for job $1 (an array or one task) to leave the queue.
wait_for() {
    local deadline=$((SECONDS + timeout))
    while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; do
        [ $SECONDS -lt $deadline ] || fail "job $1 still queued or running after ${timeout}s"
        sleep 0.2
    done
}
# The state of every task of job $1: "index state exit-code" lines.
task_states() {
    scontrol -o show job "$1" |
        sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\1 \2 \3/p' | sort -n
}
# Submits, and records the job for the teardown (in this shell, not a subshell); sets $job.
submit() {
    job=$(sbatch --parsable --output="$work/logs/%A_%a.out" "$@") || fail "sbatch $* failed"
    job_ids+=("$job")
}

# --- The array, with one task killed ----------------------------------------------------------
victim=1
victim_dir=$results/$name-shard-$victim
array_started=$SECONDS
submit "$work/job.sh" "${extra[@]}"
array=$job
say "submitted array job $array (tasks 0-$((shards - 1))); will kill task $victim once it starts"
deadline=$((SECONDS + timeout))
# A study writes metadata.json after installing its SIGTERM handler and before its first run.
polls=0
until [ -f "$victim_dir/metadata.json" ]; do
    [ $SECONDS -lt $deadline ] || fail "task $victim did not start in ${timeout}s"
    polls=$((polls + 1))
    if [ $((polls % 100)) = 0 ] && [ -z "$(squeue -h -j "${array}_$victim" -o %i 2>/dev/null)" ]; then
        fail "task $victim ended without starting the study: $(cat "$work/logs/${array}_$victim.out" 2>/dev/null)"
    fi
    sleep 0.01
done
# Freeze it so it cannot finish before the cancel lands; scancel sends SIGCONT then SIGTERM.
victim_pid=$(cat "$victim_dir/.lock" 2>/dev/null || true)
alive "$victim_pid" && kill -STOP "$victim_pid"
scancel "${array}_$victim" || say "scancel ${array}_$victim failed (the task states below say why)"
wait_for "$array"
say "array done; task states (index state exit):"
task_states "$array" | sed 's/^/    /'
states=$(task_states "$array")
for k in $(seq 0 $((shards - 1))); do
    expected=COMPLETED
    [ "$k" = "$victim" ] && expected=CANCELLED
    grep -q "^$k $expected " <<<"$states" || fail "task $k is not $expected: $(cat "$work/logs/${array}_$k.out" 2>/dev/null)"
done

say "merge with task $victim killed: $merge_command"
if eval "$merge_command" 2>"$work/merge-missing.txt"; then
    fail "merge accepted the shards although task $victim was killed"
else
    code=$?
fi
sed 's/^/    /' "$work/merge-missing.txt"
[ "$code" = 2 ] || fail "merge exited $code, not 2"
grep -qF "$name-shard-$victim (shard $victim/$shards)" "$work/merge-missing.txt" ||
    fail "merge's message does not name shard $victim/$shards"
grep -qF -- "--resume" "$work/merge-missing.txt" || fail "merge's message does not say to use --resume"
[ ! -e "$results/$name" ] || fail "the refused merge wrote $results/$name"

# --- Resubmit only the killed index -----------------------------------------------------------
submit --array="$victim" "$work/job.sh" "${extra[@]}" --resume
again=$job
say "resubmitted task $victim with --resume as job $again"
wait_for "$again"
task_states "$again" | grep -q "^$victim COMPLETED 0:0" ||
    fail "the resubmitted task did not complete: $(task_states "$again"): $(cat "$work/logs/${again}_$victim.out")"
say "merge: $merge_command"
eval "$merge_command" 2>"$work/logs/merge.err" || fail "merge failed: $(cat "$work/logs/merge.err")"
array_seconds=$((SECONDS - array_started))

# --- Heterogeneous nodes: what each shard really ran -------------------------------------------
for k in $(seq 0 $((shards - 1))); do
    expected=$odd_isa
    [ $((k % 2)) = 0 ] && expected=avx2
    got=$(kernels_of "$results/$name-shard-$k")
    [ "$got" = "$expected" ] || fail "shard $k ran the $got kernels, not $expected"
done
say "shards ran the kernels: even avx2, odd $odd_isa (reference: $widest)"

# --- Byte for byte ----------------------------------------------------------------------------
merged=$results/$name
without_wall_time() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_seconds") wall = i }
        { line = ""; for (i = 1; i <= NF; i++) if (i != wall) line = line (line == "" ? "" : ",") $i; print line }' "$1"
}
head -1 "$single/results.csv" | grep -q wall_seconds || fail "results.csv has no wall_seconds column"
cmp -s <(without_wall_time "$single/results.csv") <(without_wall_time "$merged/results.csv") ||
    fail "results.csv differs (wall times aside): $(diff <(without_wall_time "$single/results.csv") <(without_wall_time "$merged/results.csv") | head -5)"
listing() { (cd "$1" && find curves gradients runs -type f -name '*.csv' -o -type f -name '*.model.json' 2>/dev/null | sort); }
[ "$(listing "$single")" = "$(listing "$merged")" ] ||
    fail "the merged study holds other curves or models than the reference: $(diff <(listing "$single") <(listing "$merged") | head -5)"
while read -r file; do
    cmp -s "$single/$file" "$merged/$file" || fail "$file differs between $single and $merged"
done < <(listing "$single")
count() { listing "$single" | grep -c "$1" || true; }
n_curves=$(count '^curves/') n_gradients=$(count '^gradients/') n_models=$(count '\.model\.json$')
[ "$n_curves" -gt 0 ] && [ "$n_models" -gt 0 ] || fail "the reference has no curves or models to compare"
total_seconds=$((SECONDS - started))
say "PASS: merged == one machine, byte for byte: results.csv (wall times aside), $n_curves loss curves, $n_gradients gradient-norm files, $n_models models"
say "$version; array, kill, resubmission and merges ${array_seconds}s; all ${total_seconds}s"
