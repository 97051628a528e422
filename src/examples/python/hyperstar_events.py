"""HyperSTAR's events in Python: Avro single-object encoding, read from and written to Kafka by a platform's own code.

Every HyperSTAR topic carries one Avro record type in single-object encoding: the two bytes C3 01, the 8-byte
CRC-64-AVRO fingerprint of the writer's schema (little-endian), then the Avro binary body. There is no schema
registry: readers know every released version of each schema (schemas/history/) and pick the writer's by its
fingerprint, so events from older producers stay readable.

Needs the Debian packages python3-avro (1.11) and, for the examples, python3-confluent-kafka
(src/examples/python/setup.sh installs both).
"""
import functools
import io
import json
import os
import re
import struct

import avro.io
import avro.schema

SCHEMAS = os.environ.get("HYPERSTAR_SCHEMAS",
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "schemas"))
MAGIC = b"\xc3\x01"
# Enums defined in DatasetRegistered.avsc and referenced by name from other event types (as AvroSerde.parseResource).
SHARED_ENUMS = ("DatasetFormat", "Strategy")


def _crc64_table():
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    return empty, table


_EMPTY, _TABLE = _crc64_table()


# python3-avro 1.11 leaves a primitive with a logical type as {"type":"long"} in the canonical form, where the
# specification (and Java) write "long": without this the fingerprint of DatasetRegistered (registeredAtMs) differs.
_WRAPPED_PRIMITIVE = re.compile(r'\{"type":"(null|boolean|int|long|float|double|bytes|string)"\}')


def fingerprint(schema):
    """CRC-64-AVRO of the schema's Parsing Canonical Form, as Java's SchemaNormalization.parsingFingerprint64."""
    fp = _EMPTY
    for b in _WRAPPED_PRIMITIVE.sub(r'"\1"', schema.canonical_form).encode("utf-8"):
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


@functools.lru_cache(maxsize=None)
def _shared_enums():
    registered = json.load(open(os.path.join(SCHEMAS, "DatasetRegistered.avsc"), encoding="utf-8"))
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "enum" and node.get("name") in SHARED_ENUMS:
                found[node["name"]] = dict(node, namespace="io.hyperstar.events")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(registered)
    return tuple(found[n] for n in SHARED_ENUMS)


def _parse(path, name):
    names = avro.schema.Names()
    if name != "DatasetRegistered":
        for enum in _shared_enums():
            avro.schema.make_avsc_object(enum, names)
    return avro.schema.make_avsc_object(json.load(open(path, encoding="utf-8")), names)


class EventType:
    """One event type: its current schema (what this code writes, and reads into) and every released version."""

    def __init__(self, name):
        self.name = name
        self.schema = _parse(os.path.join(SCHEMAS, name + ".avsc"), name)
        self.writers = {fingerprint(self.schema): self.schema}
        version = 1
        while os.path.exists(os.path.join(SCHEMAS, "history", "%s.v%d.avsc" % (name, version))):
            s = _parse(os.path.join(SCHEMAS, "history", "%s.v%d.avsc" % (name, version)), name)
            self.writers[fingerprint(s)] = s
            version += 1
        self.fingerprint = fingerprint(self.schema)

    def encode(self, record):
        """A dict with this type's fields (enums as their symbol, timestamp-millis as an aware datetime) to the bytes on
        the wire."""
        body = io.BytesIO()
        avro.io.DatumWriter(self.schema).write(record, avro.io.BinaryEncoder(body))
        return MAGIC + struct.pack("<Q", self.fingerprint) + body.getvalue()

    def decode(self, data):
        """The bytes on the wire to a dict of the current schema's fields; ValueError for anything else."""
        if data is None or len(data) < 10 or data[:2] != MAGIC:
            raise ValueError("not Avro single-object encoding")
        writer = self.writers.get(struct.unpack("<Q", data[2:10])[0])
        if writer is None:
            raise ValueError("unknown writer schema for %s (a newer release?)" % self.name)
        reader = avro.io.DatumReader(writer, self.schema)
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(data[10:])))


TOPICS = {
    "DatasetRegistered": "hyperstar-dataset-registered",
    "TrialRequested": "hyperstar-trial-requested",
    "TrialCompleted": "hyperstar-trial-completed",
    "ExperimentCompleted": "hyperstar-experiment-completed",
    "CancelRequested": "hyperstar-cancel-requested",
}


def kafka_settings(bootstrap, config_file=None):
    """librdkafka settings: the cluster's address, then those of a properties file in librdkafka's own names if given
    (a secured cluster: security.protocol, sasl.mechanisms, sasl.username, sasl.password, ssl.ca.location). SCRAM against
    Kafka 4 needs librdkafka 2.6.1 or later; Debian 12's is 2.0.2 (docs/integration.md)."""
    settings = {"bootstrap.servers": bootstrap}
    if config_file:
        for line in open(config_file, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = (part.strip() for part in line.split("=", 1))
                settings[key] = value
    return settings
