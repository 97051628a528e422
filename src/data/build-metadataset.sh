#!/usr/bin/env bash
# Starts (or resumes: finished pairs are skipped) the full meta-dataset build in the background with one PyTorch
# thread, writing src/main/resources/metadataset/ and logging to /tmp/metadataset-build.log. It runs from a snapshot
# of the compiled classes so that rebuilding the project meanwhile does not change the running code.
#   src/data/build-metadataset.sh [extra MetaDatasetBuilder options]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d data/tasks ] || src/data/materialise.sh
OPT_OUT_TRACKING=true mvn -B -o -q compile dependency:build-classpath -Dmdep.outputFile=target/run.classpath \
  -Dexec.skip=true >&2
snapshot=$(mktemp -d /tmp/metadataset-classes.XXXXXX)
cp -r target/classes/. "$snapshot"
HYPERSTAR_NO_COMPILE=1 HYPERSTAR_CLASSES="$snapshot" nohup src/data/java.sh io.hyperstar.bench.MetaDatasetBuilder \
  --threads 1 "$@" >> /tmp/metadataset-build.log 2>&1 &
echo $! > /tmp/metadataset-build.pid
echo "meta-dataset build running as pid $(cat /tmp/metadataset-build.pid); tail -f /tmp/metadataset-build.log"
