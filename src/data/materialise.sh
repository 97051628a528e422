#!/usr/bin/env bash
# One command for the task suite: installs the raw sources (idempotent), then writes every task under data/.
#   src/data/materialise.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."
src/data/fetch-sources.sh
src/data/java.sh io.hyperstar.catalog.Materializer --data data "$@"
