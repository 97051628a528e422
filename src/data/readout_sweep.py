#!/usr/bin/env python3
"""Mean AP@10 and configurations-to-best of the neighbour readout under other settings, on the very embeddings the
evaluation scored (docs/benchmarks/embeddings/): the softmax temperature T and what is mixed (z-scores, as shipped;
top-10 membership; exp(-rank/5); exp(-rank/2)), for the learned embedding (BM+Sim+neighbours), the frozen backbone's
standardised mean features (global-mean+neighbours) and the true AP@10 agreement (oracle-similarity, hindsight).

A probe, not a method: it asks whether the readout, rather than the similarity it reads, is what limits the ranking.
Settings chosen on this table would be chosen on the test tasks, so none is adopted from it. Metrics as in
io.hyperstar.metalearn.Metrics (truth: validation top-1 at R, ties by configuration id).

  python3 src/data/readout_sweep.py [--eval docs/benchmarks] [--metadataset src/main/resources/metadataset]
"""
import argparse
import collections
import csv
import glob

import numpy as np

from metrics import agreement, ap10, order, to_best

p = argparse.ArgumentParser()
p.add_argument("--eval", default="docs/benchmarks")
p.add_argument("--metadataset", default="src/main/resources/metadataset")
args = p.parse_args()

last = {}
for r in csv.DictReader(open(args.metadataset + "/curves.csv")):
    key = (r["task_id"], int(r["config_id"]))
    if key not in last or int(r["epoch"]) > last[key][0]:
        last[key] = (int(r["epoch"]), float(r["val_top1"]))
tasks = sorted({t for t, _ in last})
h = 1 + max(c for _, c in last)
acc = np.array([[last[(t, c)][1] for c in range(h)] for t in tasks])
index = {t: i for i, t in enumerate(tasks)}


truth = [order(a) for a in acc]
rank = np.zeros_like(acc)
for i, t in enumerate(truth):
    rank[i, t] = np.arange(h)
z = (acc - acc.mean(1, keepdims=True)) / acc.std(1, keepdims=True)
targets = {"z (shipped)": z, "top-10": (rank < 10).astype(float), "exp(-rank/5)": np.exp(-rank / 5),
           "exp(-rank/2)": np.exp(-rank / 2)}


def vectors(path, method):
    out = collections.defaultdict(dict)
    for f in glob.glob(path):
        for r in csv.DictReader(open(f)):
            if r["method"] == method:
                out[(r["task"], int(r["seed"]))][r["embedded"]] = np.array([float(x) for x in r["vector"].split()])
    return out


def cosines(v, others):
    m = np.array(others)
    return m @ v / np.sqrt((m * m).sum(1) * (v @ v) + 1e-12)


# Similarity of each held-out task (and seed) to every other task, per source.
sims = {}
learned = vectors(args.eval + "/embeddings/shard-*.csv", "BM+Sim+neighbours")
sims["learned embedding"] = {k: cosines(e[k[0]], [e[t] for t in tasks if t != k[0]]) for k, e in learned.items()}
means = {t: e[t] for (t, _), e in vectors(args.eval + "/embeddings/global-means.csv", "global-mean").items()}
frozen = {}
for t in tasks:
    f = np.array([means[u] for u in tasks if u != t])
    mu, sd = f.mean(0), f.std(0) + 1e-6
    frozen[(t, 0)] = cosines((means[t] - mu) / sd, list((f - mu) / sd))
sims["frozen mean features"] = frozen


sims["true agreement (hindsight)"] = {(t, 0): np.array([agreement(truth[index[u]], truth[index[t]])
                                                       for u in tasks if u != t]) for t in tasks}

temperatures = [0.05, 0.1, 0.2, 0.5]
print("| similarity | mixed | " + " | ".join(f"T = {x}" for x in temperatures) + " |")
print("|---|---|" + "---:|" * len(temperatures))
for name, s in sims.items():
    for tname, y in targets.items():
        cells = []
        for temperature in temperatures:
            ap, tb = [], []
            for (t, _), c in s.items():
                i = index[t]
                others = [index[u] for u in tasks if u != t]
                w = np.exp((c - c.max()) / temperature)
                pred = order((w / w.sum()) @ y[others])
                ap.append(ap10(pred, truth[i]))
                tb.append(to_best(pred, acc[i]))
            cells.append(f"{100 * np.mean(ap):.1f} / {np.mean(tb):.1f}")
        print(f"| {name} | {tname} | " + " | ".join(cells) + " |")
