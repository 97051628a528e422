#!/usr/bin/env python3
"""A probe, not a method: would a portfolio ordering of the neighbour readout cut configurations-to-best?

Each next configuration is the one that adds most to sum_j w_j * max(best so far on j, q_j(c)) over the training
tasks j, with w_j the readout's softmax(cos / T) weights from the committed pooled-target embeddings and q_j one of:
accuracy as a share of j's best (frac), top-1 membership, exp(-rank/3) within the top 3, exp(-rank/2); ties, and
everything once each neighbour's best is in, by the readout's own score. Warm-start portfolios are built this way to
cover several kinds of task early; the cost is the top 10's agreement with the truth. Scored against the first run's
validation accuracy at R (the evaluation's truth) and against the mean of both runs' validation + test accuracy at R
(docs/benchmarks/mean-truth/). Settings read off this table would be read off the test tasks: none is adopted.

  python3 src/data/portfolio_probe.py
"""
import collections
import csv
import glob

import numpy as np

import curves
from curves import TEST, VALIDATION
from metrics import ap10, order, to_best

M = "src/main/resources/"
first, second = curves.read(M + "metadataset"), curves.read(M + "metadataset-seed2")
sizes = curves.split_sizes(M + "metadataset")
R, H = 27, 90
tasks = sorted({t for t, e in first if e == R})
index = {t: i for i, t in enumerate(tasks)}


def acc(c, t, epochs, splits):
    return curves.accuracy(c, sizes, t, epochs, splits, H)


both = [VALIDATION, TEST]
# What the pooled-target evaluation's readout learned from: the first run, both splits, epochs R-2..R.
train = np.array([acc(first, t, [R - 2, R - 1, R], both) for t in tasks])
truths = {"first run, validation at R": np.array([acc(first, t, [R], [VALIDATION]) for t in tasks]),
          "mean of 2 runs, validation + test at R": np.array([(acc(first, t, [R], both) + acc(second, t, [R], both))
                                                               / 2 for t in tasks])}
z = (train - train.mean(1, keepdims=True)) / train.std(1, keepdims=True)
rank = np.zeros_like(train)
for i in range(len(tasks)):
    rank[i, order(list(train[i]))] = np.arange(H)
gains = {"frac": train / train.max(1, keepdims=True), "top-1": (rank < 1).astype(float),
         "exp(-rank/3), top 3": np.exp(-rank / 3) * (rank < 3), "exp(-rank/2)": np.exp(-rank / 2)}
embeddings = collections.defaultdict(dict)
for f in glob.glob("docs/benchmarks/pooled-targets/embeddings/shard-*.csv"):
    for r in csv.DictReader(open(f)):
        if r["method"] == "BM+Sim+neighbours":
            embeddings[(r["task"], int(r["seed"]))][r["embedded"]] = np.array([float(x) for x in r["vector"].split()])


def portfolio(w, q, base):
    covered, chosen, left = q.min(1), [], set(range(H))
    for _ in range(H):
        best, value = None, None
        for c in sorted(left, key=lambda c: -base[c]):
            v = w @ np.maximum(covered, q[:, c])
            if value is None or v > value + 1e-12:
                best, value = c, v
        chosen.append(best)
        left.remove(best)
        covered = np.maximum(covered, q[:, best])
    return chosen


print("| T | truth | ordering | AP@10 | configurations to the best (mean / median) |")
print("|---:|---|---|---:|---:|")
for temperature in [0.1, 0.2, 0.5]:
    res = collections.defaultdict(lambda: ([], []))
    for (t, seed), e in sorted(embeddings.items()):
        i, others = index[t], [index[u] for u in tasks if u != t]
        m = np.array([e[u] for u in tasks if u != t])
        cos = m @ e[t] / np.sqrt((m * m).sum(1) * (e[t] @ e[t]) + 1e-12)
        w = np.exp((cos - cos.max()) / temperature)
        w /= w.sum()
        base = w @ z[others]
        orders = {"readout (as shipped at T = 0.2)": order(list(base))}
        orders.update({"portfolio, " + k: portfolio(w, q[others], base) for k, q in gains.items()})
        for name, truth in truths.items():
            for k, pred in orders.items():
                res[(name, k)][0].append(ap10(pred, order(list(truth[i]))))
                res[(name, k)][1].append(to_best(pred, list(truth[i])))
    for (name, k), (ap, tb) in res.items():
        print(f"| {temperature} | {name} | {k} | {100 * np.mean(ap):.1f} | {np.mean(tb):.1f} / {np.median(tb):.1f} |")
