#!/usr/bin/env bash
# Installs what the Python examples need, from Debian: python3-avro (1.11) and python3-confluent-kafka (librdkafka).
# Idempotent: does nothing when both import already.
set -euo pipefail
if /usr/bin/python3 -c "import avro.schema, confluent_kafka" 2>/dev/null; then exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-avro python3-confluent-kafka >&2
/usr/bin/python3 -c "import avro.schema, confluent_kafka; print('python examples: avro and confluent-kafka', confluent_kafka.version()[0], 'librdkafka', confluent_kafka.libversion()[0])"
