#!/usr/bin/env python3
"""A platform's producer, in Python: registers a dataset for a HyperSTAR search and waits for its result.

    python3 src/examples/python/register.py --bootstrap 127.0.0.1:9092 --experiment exp-1 --dataset fashion-tops-4 \\
        --uri /data/tasks/fashion-tops-4 --strategy TASK_AWARE_HYPERBAND --max-epochs 9 --eta 3 --wait 600

The registration goes to hyperstar-dataset-registered keyed by the experiment id (schemas/DatasetRegistered.avsc);
the result comes on hyperstar-experiment-completed under the same key (schemas/ExperimentCompleted.avsc), printed as
one JSON line. Registering the same experiment id again is ignored by the scheduler, so a retried send is safe.
"""
import argparse
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer

import hyperstar_events as events

REGISTERED = events.EventType("DatasetRegistered")
COMPLETED = events.EventType("ExperimentCompleted")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bootstrap", default="127.0.0.1:9092")
    p.add_argument("--experiment", required=True)
    p.add_argument("--dataset", required=True)
    p.add_argument("--uri", required=True, help="where the images are, inside the service's data roots")
    p.add_argument("--format", default="IDX", choices=["IDX", "IMAGE_FOLDER"])
    p.add_argument("--tenant", default="python")
    p.add_argument("--strategy", default="HYPERBAND",
                   choices=["HYPERBAND", "TASK_AWARE_HYPERBAND", "BOHB", "ASHA", "TASK_AWARE_ASHA"])
    p.add_argument("--max-epochs", type=int, default=27)
    p.add_argument("--eta", type=int, default=3)
    p.add_argument("--budget", type=int, default=0, help="most epochs in all (0: Hyperband's own plan)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--exploration", type=float, default=0.0)
    p.add_argument("--parallel", type=int, default=0, help="trials the fleet trains at once")
    p.add_argument("--wait", type=int, default=0, help="seconds to wait for the result (0: do not wait)")
    p.add_argument("--kafka-config", help="librdkafka settings file, for a secured cluster")
    a = p.parse_args()
    kafka = events.kafka_settings(a.bootstrap, a.kafka_config)

    registration = {
        "experimentId": a.experiment, "datasetId": a.dataset, "tenant": a.tenant, "uri": a.uri, "format": a.format,
        "tuning": {"strategy": a.strategy, "maxEpochsPerTrial": a.max_epochs, "eta": a.eta, "totalEpochBudget": a.budget,
                   "seed": a.seed, "explorationShare": a.exploration, "parallelTrials": a.parallel},
        # timestamp-millis: python3-avro takes an aware datetime.
        "registeredAtMs": datetime.datetime.now(datetime.timezone.utc),
    }
    failures = []
    producer = Producer(dict(kafka, **{"enable.idempotence": True}))
    producer.produce(events.TOPICS["DatasetRegistered"], key=a.experiment.encode("utf-8"),
                     value=REGISTERED.encode(registration), on_delivery=lambda err, msg: err and failures.append(err))
    producer.flush(30)
    if failures or len(producer) > 0:
        print("registration of %s not delivered: %s" % (a.experiment, failures or "timed out"), file=sys.stderr)
        sys.exit(1)
    print("registered %s: %s on %s" % (a.experiment, a.strategy, a.dataset), flush=True)
    if a.wait <= 0:
        return

    # A group of its own per run, under the prefix the platform role's ACLs allow (ops/Acls).
    consumer = Consumer(dict(kafka, **{"group.id": "register-dataset-" + uuid.uuid4().hex, "auto.offset.reset": "earliest",
                                       "enable.auto.commit": False, "isolation.level": "read_committed"}))
    consumer.subscribe([events.TOPICS["ExperimentCompleted"]])
    deadline = time.time() + a.wait
    try:
        while time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            if msg.key() == a.experiment.encode("utf-8"):
                print(json.dumps(COMPLETED.decode(msg.value()), sort_keys=True, default=str), flush=True)
                return
    finally:
        consumer.close()
    print("no result for %s within %d s" % (a.experiment, a.wait), file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
