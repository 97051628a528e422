#!/usr/bin/env python3
"""Probe (issue 4, not adopted): does averaging our ranking with a baseline's help? Each (task, seed)'s committed
orders (runs/*.csv) are combined by Borda count (the mean of their rank positions, equal weights fixed in advance)
and scored like rescore.py: AP@10 and configurations-to-best against the accuracy at R on validation + test images,
averaged over the given training runs. No training; seconds.

  python3 src/data/ensemble_probe.py --runs docs/benchmarks/runs --truth src/main/resources/metadataset
  python3 src/data/ensemble_probe.py --runs docs/benchmarks/pooled-targets/runs \
      --truth src/main/resources/metadataset,src/main/resources/metadataset-seed2,src/main/resources/metadataset-seed3
"""
import argparse
import collections
import csv
import glob

import numpy as np

import curves
from metrics import ap10, order, to_best

OURS = "BM+Sim+neighbours"
COMBINATIONS = {
    "ours": [OURS],
    "meta-features+rf": ["meta-features+rf"],
    "task-agnostic": ["task-agnostic"],
    "ours + meta-features+rf": [OURS, "meta-features+rf"],
    "ours + task-agnostic": [OURS, "task-agnostic"],
    "ours + meta-features+rf + task-agnostic": [OURS, "meta-features+rf", "task-agnostic"],
    "meta-features+rf + task-agnostic": ["meta-features+rf", "task-agnostic"],
}

p = argparse.ArgumentParser()
p.add_argument("--runs", default="docs/benchmarks/runs")
p.add_argument("--truth", default="src/main/resources/metadataset")
args = p.parse_args()

runs = [curves.by_task(f, (curves.last_epoch(f),), (curves.VALIDATION, curves.TEST)) for f in args.truth.split(",")]
tasks = [t for t in runs[0] if all(t in r for r in runs)]
truth = {t: np.mean([r[t] for r in runs], 0) for t in tasks}
orders = collections.defaultdict(dict)
for f in sorted(glob.glob(args.runs + "/shard-*.csv")):
    for r in csv.DictReader(open(f)):
        if r["task"] in truth and r["order"]:
            orders[(r["task"], r["seed"])][r["method"]] = [int(x) for x in r["order"].split()]


def borda(ranked):
    position = np.zeros(len(ranked[0]))
    for o in ranked:
        position[o] += np.arange(len(o))
    return list(np.argsort(position, kind="stable"))


print(f"{len(tasks)} tasks; orders from {args.runs}; truth: mean of {len(runs)} run(s), validation + test at R")
print("| combination (Borda, equal weights) | AP@10 | configurations to the best | task x seed |")
print("|---|---:|---:|---:|")
for name, methods in COMBINATIONS.items():
    scores = []
    for (task, _), by_method in sorted(orders.items()):
        if all(m in by_method for m in methods):
            pred = borda([by_method[m] for m in methods])
            acc = list(np.round(truth[task], 6))
            scores.append((ap10(pred, order(acc)), to_best(pred, acc)))
    a = np.array(scores)
    print(f"| {name} | {100 * a[:, 0].mean():.1f} | {a[:, 1].mean():.2f} | {len(a)} |")
