#!/usr/bin/env bash
# Scheduler load test: the scheduler topology against a pass-through Kafka Streams topology, exactly-once on,
# one local broker, one run. Writes load-tests/scheduler/results.md and results.csv.
#
#   load-tests/scheduler/run.sh [--experiments 1000] [--partitions 6] [--max-epochs 9] [--eta 3]
#                               [--warmup-experiments 100] [--timeout-s 300] [--out load-tests/scheduler]
#
# Needs Java 17 and Maven; no Docker. Set MVN_OFFLINE= (empty) to let Maven download what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
offline="${MVN_OFFLINE--o}"

# The broker's classpath (target/kafka.classpath), which LocalKafka starts the broker from.
src/local-kafka/kafka.sh classpath
# Main and test classes; exec.skip keeps the classpath step above out of the build.
mvn -B -q $offline test-compile -Dexec.skip=true
# In Maven's JVM, on the test classpath (the harness uses the test support: LocalKafka, CurveTable).
exec mvn -B -q $offline exec:java \
  -Dexec.mainClass=io.hyperstar.loadtest.SchedulerBenchmark \
  -Dexec.classpathScope=test \
  -Dexec.args="$*" \
  "-Dhyperstar.bench.command=load-tests/scheduler/run.sh${*:+ $*}"
