#!/usr/bin/env bash
# Runs one of the project's command-line classes with the flags every JVM here needs (DJL offline, no tracking,
# headless Java2D). Compiles first unless HYPERSTAR_NO_COMPILE=1.
#   src/data/java.sh io.hyperstar.catalog.Materializer [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${HYPERSTAR_NO_COMPILE:-0}" != 1 ] || [ ! -f target/run.classpath ]; then
  OPT_OUT_TRACKING=true mvn -B -o -q compile dependency:build-classpath -Dmdep.outputFile=target/run.classpath \
    -Dexec.skip=true >&2
fi
export OPT_OUT_TRACKING=true
# Logging as the demo and the images run the command-line roles (JUL, one line per message).
exec java -Xmx2g -Djava.awt.headless=true -Dai.djl.offline=true \
  -Dorg.jboss.logging.provider=jdk -Djava.util.logging.config.file=src/main/jul/cli-logging.properties ${JAVA_OPTS:-} \
  -cp "${HYPERSTAR_CLASSES:-target/classes}:$(cat target/run.classpath)" "$@"
