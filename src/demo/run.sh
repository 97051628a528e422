#!/usr/bin/env bash
# The HyperSTAR demo on this machine, from nothing: builds the service, starts a real local Kafka, the
# service (scheduler + read API on :8080) and a reference worker, registers a dataset with a vanilla
# Hyperband request, waits for the result and prints it. Everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPT_OUT_TRACKING=true
out=target/demo; mkdir -p "$out"
port="${DEMO_KAFKA_PORT:-9092}"
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$port"

echo "== building (mvn package)"
mvn -B -q package -DskipTests
echo "== starting Kafka"
src/local-kafka/kafka.sh start --port "$port" --controller-port $((port + 1)) --dir "$out/kafka"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  src/local-kafka/kafka.sh stop --dir "$out/kafka" || true
}
trap cleanup EXIT

echo "== starting the service (log: $out/service.log)"
rm -rf "$out/streams-state"
java -Dai.djl.offline=true -Dkafka-streams.state.dir="$out/streams-state" -jar target/quarkus-app/quarkus-run.jar > "$out/service.log" 2>&1 &
pids+=($!)
cp="target/quarkus-app/app/*:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*"
jvm=(java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dai.djl.offline=true -cp "$cp")
curves="${DEMO_CURVES:-src/test/resources/curves/synthetic-curves.csv}"
echo "== starting a reference worker in replay mode on $curves (log: $out/worker.log)"
"${jvm[@]}" io.hyperstar.worker.WorkerMain --mode replay --curves "$curves" --id demo-worker > "$out/worker.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do curl -sf localhost:8080/q/health/ready > /dev/null && break; sleep 0.5; done
id="demo-$(date +%s)"
echo "== registering $id"
"${jvm[@]}" io.hyperstar.client.RegisterDataset --experiment "$id" --dataset "${DEMO_DATASET:-ds-1}" \
  --uri "${DEMO_URI:-/data/ds-1}" --strategy HYPERBAND --max-epochs 27 --eta 3 --seed 7 --wait 300
echo
echo "The search, rung by rung: curl localhost:8080/experiments/$id  (OpenAPI: /q/openapi, metrics: /q/metrics)"
curl -s "localhost:8080/experiments/$id" | head -c 600; echo " ..."
