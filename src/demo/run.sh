#!/usr/bin/env bash
# The HyperSTAR demo on this machine, from nothing: builds the service, installs the image sources and
# materialises one real dataset, starts a real local Kafka, the service (scheduler + read API on :8080) and a
# reference worker that really fine-tunes with DJL, registers the dataset with a vanilla Hyperband request,
# waits for the search to end and prints its result. Everything it started is stopped at the end.
#
#   src/demo/run.sh                       real training (default: fashion-tops-4, R = 9, eta = 3; ~5 min)
#
# With a model in src/main/resources/model (the bootstrap model), the recommender runs too and the dataset is
# searched twice with the same epoch budget: vanilla Hyperband and task-aware Hyperband, side by side.
#   DEMO_MODE=replay src/demo/run.sh      replays the meta-dataset's recorded curves instead of training (seconds)
#   DEMO_TASK=mnist-10 DEMO_R=27 src/demo/run.sh
#   DEMO_SECURE=1 src/demo/run.sh         the same on a secured Kafka (TLS, SCRAM credentials, ACLs enforced): each role
#                                         runs as its own user with only its role's ACLs (io.hyperstar.ops.Acls)
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPT_OUT_TRACKING=true
out=target/demo; mkdir -p "$out"
port="${DEMO_KAFKA_PORT:-9092}"
mode="${DEMO_MODE:-train}"
task="${DEMO_TASK:-fashion-tops-4}"
r="${DEMO_R:-9}"
model="${DEMO_MODEL:-src/main/resources/model}"
budget="${DEMO_BUDGET:-0}"
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$port"
cp="target/quarkus-app/app/*:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*"
jvm=(java -Dorg.jboss.logging.provider=jdk -Djava.util.logging.config.file=src/main/jul/cli-logging.properties -Dai.djl.offline=true -Djava.awt.headless=true -cp "$cp")

echo "== building (mvn package)"
mvn -B -q package -DskipTests
if [ "$mode" = train ]; then
  echo "== installing image sources and materialising $task under data/"
  src/data/fetch-sources.sh > /dev/null
  "${jvm[@]}" io.hyperstar.catalog.Materializer --data data --only "$task"
  worker_args=(--mode train --data-roots data --checkpoints "$out/checkpoints")
else
  # The meta-dataset's recorded learning curves: the same search as real training, answered instantly.
  worker_args=(--mode replay --curves "${DEMO_CURVES:-src/main/resources/metadataset/curves.csv}")
fi
echo "== starting Kafka"
secure=()
[ "${DEMO_SECURE:-0}" = 1 ] && secure=(--sasl-ssl --acl)
src/local-kafka/kafka.sh start --port "$port" --controller-port $((port + 1)) --dir "$out/kafka" "${secure[@]}"
# settings ROLE: the client settings file of the role's own user on a secured Kafka (HYPERSTAR_KAFKA_CONFIG); empty,
# which means none, otherwise.
settings() { if [ "${DEMO_SECURE:-0}" = 1 ]; then echo "$out/kafka/client-$1.properties"; fi; }
if [ "${DEMO_SECURE:-0}" = 1 ]; then
  echo "== granting each role its ACLs as admin (io.hyperstar.ops.Acls --apply)"
  for role in service worker recommender platform; do
    HYPERSTAR_KAFKA_CONFIG="$(settings admin)" "${jvm[@]}" io.hyperstar.ops.Acls --role "$role" --principal "User:$role" --apply > "$out/acls-$role.txt"
  done
fi

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  src/local-kafka/kafka.sh stop --dir "$out/kafka" || true
}
trap cleanup EXIT

echo "== starting the service (log: $out/service.log)"
rm -rf "$out/streams-state" "$out/checkpoints"
HYPERSTAR_KAFKA_CONFIG="$(settings service)" java -Dai.djl.offline=true -Dkafka-streams.state.dir="$out/streams-state" -jar target/quarkus-app/quarkus-run.jar > "$out/service.log" 2>&1 &
pids+=($!)
echo "== starting a reference worker: ${worker_args[*]} (log: $out/worker.log)"
HYPERSTAR_KAFKA_CONFIG="$(settings worker)" "${jvm[@]}" io.hyperstar.worker.WorkerMain "${worker_args[@]}" --id demo-worker > "$out/worker.log" 2>&1 &
pids+=($!)
compare=0
if [ -f "$model/model.json" ] && [ "$mode" = train ]; then
  compare=1
  echo "== starting the recommender with the model in $model (log: $out/recommender.log)"
  HYPERSTAR_KAFKA_CONFIG="$(settings recommender)" "${jvm[@]}" -Dai.djl.pytorch.num_threads=1 io.hyperstar.recommend.RecommenderMain --model "$model" --data-roots data \
    --id demo-recommender > "$out/recommender.log" 2>&1 &
  pids+=($!)
fi

for _ in $(seq 1 120); do curl -sf localhost:8080/q/health/ready > /dev/null && break; sleep 0.5; done
id="demo-$(date +%s)"
start=$(date +%s)
if [ "$compare" = 1 ]; then
  [ "$budget" = 0 ] && budget=36
  echo "== registering $id-vanilla and $id-task-aware: $task, R=$r, eta=3, the same budget of $budget epochs each"
  HYPERSTAR_KAFKA_CONFIG="$(settings platform)" "${jvm[@]}" io.hyperstar.client.RegisterDataset --dataset "$task" --uri "$PWD/data/tasks/$task" --max-epochs "$r" \
    --eta 3 --seed 7 --budget "$budget" --experiment "$id-vanilla" --strategy HYPERBAND \
    --experiment "$id-task-aware" --strategy TASK_AWARE_HYPERBAND --wait 1800
  grep -h "ranked\|refused" "$out/recommender.log" | sed 's/^/recommender: /' || true
  id="$id-task-aware"
else
  echo "== registering $id: $task, vanilla Hyperband, R=$r, eta=3 (follow it: curl localhost:8080/experiments/$id)"
  HYPERSTAR_KAFKA_CONFIG="$(settings platform)" "${jvm[@]}" io.hyperstar.client.RegisterDataset --experiment "$id" --dataset "$task" \
    --uri "$PWD/data/tasks/$task" --strategy HYPERBAND --max-epochs "$r" --eta 3 --seed 7 --budget "$budget" --wait 1200
fi
echo "the search took $(( $(date +%s) - start )) s"
echo
echo "The search, rung by rung: curl localhost:8080/experiments/$id  (OpenAPI: /q/openapi, metrics: /q/metrics)"
curl -s "localhost:8080/experiments/$id" > "$out/experiment.json"
head -c 400 "$out/experiment.json"; echo " ... (all of it: $out/experiment.json)"
if [ "$compare" = 1 ]; then
  echo "Its ranking, with what the search measured of each configuration: curl localhost:8080/experiments/$id/ranking"
  curl -s "localhost:8080/experiments/$id/ranking" > "$out/ranking.json"
  head -c 300 "$out/ranking.json"; echo " ... (all of it: $out/ranking.json)"
fi
echo "Dashboard: http://localhost:8080/ (DEMO_STAY=1 keeps the service, worker and Kafka running for it until Ctrl-C)"
if [ "${DEMO_STAY:-0}" = 1 ]; then
  echo "== running; Ctrl-C stops everything"
  wait
fi
