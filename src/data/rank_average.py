#!/usr/bin/env python3
"""Mean AP@10 of a rank average (Borda) of two methods' scored orders, from an evaluation's runs/ folder.

A probe, not a method: it asks whether two rankings that are each the better one on different tasks help each other,
without training anything (the runs keep every scored order). AP@10 as in io.hyperstar.metalearn.Metrics, the truth
from the meta-dataset's validation top-1 at R (ties by configuration id).

  python3 src/data/rank_average.py BM+Sim+neighbours global-mean+neighbours [--runs docs/benchmarks/runs]
"""
import argparse
import collections
import csv
import glob

from metrics import ap10, order

p = argparse.ArgumentParser()
p.add_argument("a")
p.add_argument("b")
p.add_argument("--runs", default="docs/benchmarks/runs")
p.add_argument("--metadataset", default="src/main/resources/metadataset")
args = p.parse_args()

orders = {}
for f in glob.glob(args.runs + "/shard-*.csv"):
    for r in csv.DictReader(open(f)):
        orders[(r["method"], r["task"], r["seed"])] = [int(x) for x in r["order"].split()]
# Validation top-1 at R, the last recorded epoch of each curve (the ranking metric), read in one pass.
last = {}
for r in csv.DictReader(open(args.metadataset + "/curves.csv")):
    key = (r["task_id"], int(r["config_id"]))
    if key not in last or int(r["epoch"]) > last[key][0]:
        last[key] = (int(r["epoch"]), float(r["val_top1"]))
acc = collections.defaultdict(dict)
for (task, config), (_, top1) in last.items():
    acc[task][config] = top1


def borda(*os):
    pos = collections.Counter()
    for o in os:
        for i, c in enumerate(o):
            pos[c] += i
    return sorted(pos, key=lambda c: (pos[c], c))


keys = sorted(k[1:] for k in orders if k[0] == args.a and (args.b,) + k[1:] in orders)
truth = {t: order([a[c] for c in range(len(a))]) for t, a in acc.items()}
for name, f in [(args.a, lambda t, s: orders[(args.a, t, s)]), (args.b, lambda t, s: orders[(args.b, t, s)]),
                ("rank average", lambda t, s: borda(orders[(args.a, t, s)], orders[(args.b, t, s)]))]:
    v = [ap10(f(t, s), truth[t]) for t, s in keys]
    print(f"{name:28s} mean AP@10 {100 * sum(v) / len(v):5.1f}  over {len(v)} (task, seed) rows")
