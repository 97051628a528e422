#!/usr/bin/env bash
# The leave-one-task-out evaluation (issue 4's protocol) on the committed meta-dataset, one shard per core, then the
# report (docs/benchmarks/ap10.csv, ap10.md, fig5a.csv) and Figure 5a as a picture. Resumable: rerun the same command
# after a stop and the scored (method, task, seed) rows in docs/benchmarks/runs/ are kept. Needs the task suite in
# data/ (src/data/materialise.sh). Extra options go to io.hyperstar.bench.Evaluation, e.g. --seeds 5.
#   src/data/evaluate.sh [--epochs 30] [--seeds 3] ...
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d data/tasks ] || src/data/materialise.sh
shards="${EVAL_SHARDS:-$(nproc)}"
out="${EVAL_OUT:-docs/benchmarks}"
# The settings that fit every method, fold and seed of the 36-task suite in about 2 CPU hours here
# (docs/benchmarks/README.md says why; the 24-task suite's run in docs/benchmarks/suite-24/ used --epochs 60).
# The replicate meta-dataset (another trainer seed) feeds the `replicate` reference for the tasks it holds complete.
args=(--out "$out" --seeds 3 --epochs 30 --top-conv frozen --sets-per-step 10
  --replicates src/main/resources/metadataset-seed2 "$@")
OPT_OUT_TRACKING=true mvn -B -o -q compile dependency:build-classpath -Dmdep.outputFile=target/run.classpath \
  -Dexec.skip=true >&2
export HYPERSTAR_NO_COMPILE=1
export JAVA_OPTS="-Xmx3g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
pids=()
for ((k = 0; k < shards; k++)); do
  src/data/java.sh io.hyperstar.bench.Evaluation "${args[@]}" --shard "$k/$shards" > "/tmp/evaluation-$k.log" 2>&1 &
  pids+=($!)
done
echo "evaluation running in $shards shard(s); progress: tail -f /tmp/evaluation-*.log"
for p in "${pids[@]}"; do wait "$p"; done
echo "all shards done after $((SECONDS / 60)) min $((SECONDS % 60)) s of wall time"
src/data/java.sh io.hyperstar.bench.Evaluation "${args[@]}" --report-only
src/data/java.sh io.hyperstar.bench.Figure5a --in "$out/fig5a.csv" --out "$out/fig5a.png"
