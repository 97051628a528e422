#!/usr/bin/env bash
# Scheduler load test: the scheduler topology against a pass-through Kafka Streams topology, exactly-once on,
# one local broker, one run (about 2-3 minutes, build included). Writes load-tests/scheduler/results.md and .csv.
# The warm-up defaults to as many experiments as each measured round; the rounds alternate the two topologies.
#
#   load-tests/scheduler/run.sh [--experiments 1000] [--partitions 6] [--max-epochs 9] [--eta 3]
#                               [--warmup-experiments N] [--rounds 3] [--timeout-s 300] [--out load-tests/scheduler]
#
# Needs Java 17 and Maven; no Docker. Maven runs offline; MVN_OFFLINE= (empty) lets it download what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
offline="${MVN_OFFLINE--o}"

# The broker's classpath (target/kafka.classpath), which LocalKafka starts the broker from.
src/local-kafka/kafka.sh classpath
# Main and test classes, and the test classpath; exec.skip keeps the step above out of the build.
mvn -B -q $offline test-compile dependency:build-classpath -Dexec.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/loadtest.classpath
# Its own JVM rather than exec:java, so heap and logging are the harness's, not Maven's (inside Maven, Kafka's
# clients log through Maven's SLF4J, and formatting TRACE messages showed up in a profile). BENCH_JAVA_OPTS adds JVM
# flags, e.g. a flight recording, or -Dhyperstar.bench.streams.<streams key>=<value> to try a Streams setting.
exec java -Xms1g -Xmx2g -XX:+UseG1GC ${BENCH_JAVA_OPTS:-} \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  "-Dhyperstar.bench.command=load-tests/scheduler/run.sh${*:+ $*}" \
  -cp "target/test-classes:target/classes:$(cat target/loadtest.classpath)" \
  io.hyperstar.loadtest.SchedulerBenchmark "$@"
