#!/usr/bin/env python3
"""A trainer for a platform's own fleet, in Python: answers HyperSTAR's trial requests exactly once.

    python3 src/examples/python/trainer.py --bootstrap 127.0.0.1:9092 --curves src/main/resources/metadataset/curves.csv

The contract (schemas/TrialRequested.avsc, schemas/TrialCompleted.avsc):
- read hyperstar-trial-requested in one consumer group for the whole fleet, committed records only;
- train the request's configuration (`config`, each hyperparameter's value as a string) on its dataset until `epochs`
  epochs in total; when `resumeFromTrialId` is set, start from that trial's checkpoint, which has `resumeFromEpochs`
  epochs already (the same configuration at the previous rung), so the trial costs `epochs - resumeFromEpochs`;
- answer on hyperstar-trial-completed, keyed by the experiment id: the same `trialId`, SUCCEEDED with `top1` (the
  validation top-1 after `epochs`) and `curve` (one top-1 per epoch trained in this trial), or FAILED with an `error`;
- answer each request once: here the answer and the request's offset commit in one Kafka transaction, so a trainer
  killed mid-trial has committed neither and another trainer of the group gets the request. A trainer that cannot do
  that may answer twice: the scheduler ignores the second answer.

`train()` below replays recorded learning curves (the meta-dataset's curves.csv) so this example runs anywhere;
replace it with your training code.
"""
import argparse
import csv
import socket
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

import hyperstar_events as events

REQUESTED = events.EventType("TrialRequested")
COMPLETED = events.EventType("TrialCompleted")


class ReplayTraining:
    """Recorded top-1 per (dataset, configuration, epoch): what a real training would have reached."""

    def __init__(self, path):
        self.top1 = {}
        self.seconds = {}
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = (row["task_id"], int(row["config_id"]), int(row["epoch"]))
                self.top1[key] = float(row["val_top1"])
                self.seconds[key] = float(row.get("seconds") or 0)

    def train(self, request):
        """Returns (top-1 per epoch trained, seconds); raises for what cannot be trained, which becomes FAILED."""
        first, last = request["resumeFromEpochs"] + 1, request["epochs"]
        keys = [(request["datasetId"], request["configId"], e) for e in range(first, last + 1)]
        missing = [k for k in keys if k not in self.top1]
        if missing or first > last:
            raise ValueError("no recorded curve for %s configuration %d epochs %d..%d"
                             % (request["datasetId"], request["configId"], first, last))
        return [self.top1[k] for k in keys], sum(self.seconds[k] for k in keys)


def answer(request, training, worker):
    try:
        curve, seconds = training.train(request)
        return {"trialId": request["trialId"], "experimentId": request["experimentId"], "status": "SUCCEEDED",
                "top1": curve[-1], "curve": curve, "epochsTrained": len(curve), "durationMs": int(round(seconds * 1000)),
                "error": None, "worker": worker}
    except Exception as e:  # the scheduler retries a FAILED trial, then counts it failed
        return {"trialId": request["trialId"], "experimentId": request["experimentId"], "status": "FAILED",
                "top1": 0.0, "curve": [], "epochsTrained": 0, "durationMs": 0, "error": str(e), "worker": worker}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bootstrap", default="127.0.0.1:9092")
    p.add_argument("--curves", required=True, help="recorded curves to replay (the meta-dataset's curves.csv)")
    p.add_argument("--id", default="python-" + socket.gethostname(), help="this trainer's name, unique in the fleet")
    p.add_argument("--group", default="python-trainers", help="the fleet's consumer group")
    p.add_argument("--kafka-config", help="librdkafka settings file, for a secured cluster")
    p.add_argument("--max-trials", type=int, default=0, help="stop after this many answers (0: run until stopped)")
    a = p.parse_args()
    training = ReplayTraining(a.curves)
    kafka = events.kafka_settings(a.bootstrap, a.kafka_config)
    consumer = Consumer(dict(kafka, **{"group.id": a.group, "enable.auto.commit": False, "auto.offset.reset": "earliest",
                                       "isolation.level": "read_committed"}))
    # The transactional id names this trainer: a restarted trainer with the same --id fences its earlier self.
    producer = Producer(dict(kafka, **{"transactional.id": "python-trainer-" + a.id}))
    producer.init_transactions()
    consumer.subscribe([events.TOPICS["TrialRequested"]])
    print("trainer %s consuming %s" % (a.id, events.TOPICS["TrialRequested"]), flush=True)
    answered = 0
    try:
        while a.max_trials == 0 or answered < a.max_trials:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            try:
                request = REQUESTED.decode(msg.value())
            except ValueError as e:
                # Not a trial request this code can read: skip it, committed below, rather than stop the fleet.
                print("skipping %s-%d@%d: %s" % (msg.topic(), msg.partition(), msg.offset(), e), file=sys.stderr, flush=True)
                out = None
            else:
                out = answer(request, training, a.id)
            producer.begin_transaction()
            if out is not None:
                producer.produce(events.TOPICS["TrialCompleted"], key=msg.key(), value=COMPLETED.encode(out))
            producer.send_offsets_to_transaction(
                [TopicPartition(msg.topic(), msg.partition(), msg.offset() + 1)], consumer.consumer_group_metadata())
            producer.commit_transaction()
            if out is not None:
                answered += 1
                print("trial %s: %s top-1 %.4f after %d epochs" % (out["trialId"], out["status"], out["top1"],
                                                                   request["epochs"]), flush=True)
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
