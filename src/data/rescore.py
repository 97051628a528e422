#!/usr/bin/env python3
"""Scores an evaluation's committed rankings (its runs/*.csv keep every ranked order) against another truth, without
training anything: the truth as each pair's accuracy at R on the validation and test images (weighted by size),
averaged over the training runs given. Why: a ranking learned from one training run per pair is what a deployment
has; whether it finds what is best for the new task is measured best against several runs of that task.

Prints, per method, mean AP@10 and configurations-to-best against each truth, and our best variant's relative gain
over the best baseline (the issue's baselines, as in io.hyperstar.bench.Evaluation). References that read the
held-out task's own runs (remeasured, replicate) are left out: their runs are part of these truths. Metrics as in
io.hyperstar.metalearn.Metrics.

  python3 src/data/rescore.py --runs docs/benchmarks/pooled-targets/runs \
      --truth src/main/resources/metadataset,src/main/resources/metadataset-seed2
"""
import argparse
import collections
import csv
import glob

import numpy as np

import curves
from metrics import ap10, order, to_best

BASELINES = ["random", "task-agnostic", "meta-features+rf", "nearest-task", "global-mean"]
OURS = "BM+Sim+neighbours"
OWN_RUNS = {"remeasured", "replicate"}

p = argparse.ArgumentParser()
p.add_argument("--runs", default="docs/benchmarks/pooled-targets/runs")
p.add_argument("--truth", default="src/main/resources/metadataset,src/main/resources/metadataset-seed2",
               help="meta-dataset folders (training runs) whose mean is the truth; the first alone is scored too")
args = p.parse_args()


def at_r(folder):
    """Per task complete at R: accuracy per configuration, validation and test pooled by size."""
    return curves.by_task(folder, (curves.last_epoch(folder),), (curves.VALIDATION, curves.TEST))


runs = [at_r(f) for f in args.truth.split(",")]
tasks = [t for t in runs[0] if all(t in r for r in runs)]
truths = {"first run": {t: runs[0][t] for t in tasks}}
if len(runs) > 1:
    truths[f"mean of {len(runs)} runs"] = {t: np.mean([r[t] for r in runs], 0) for t in tasks}

rows = [r for f in sorted(glob.glob(args.runs + "/shard-*.csv")) for r in csv.DictReader(open(f))
        if r["method"] not in OWN_RUNS and r["task"] in tasks and r["order"]]
methods = list(dict.fromkeys(r["method"] for r in rows))
# Each row scored once per truth: (method, truth) -> task -> [(AP@10, configurations to the best) per seed].
scored = collections.defaultdict(lambda: collections.defaultdict(list))
for name, truth in truths.items():
    for r in rows:
        pred = [int(x) for x in r["order"].split()]
        acc = list(np.round(truth[r["task"]], 6))
        scored[(r["method"], name)][r["task"]].append((ap10(pred, order(acc)), to_best(pred, acc)))
print(f"{len(tasks)} tasks; rankings from {args.runs}; truth: accuracy at R on validation + test images")
print("| method | " + " | ".join(f"{name}: AP@10 / to-best" for name in truths) + " |")
print("|---|" + "---:|" * len(truths))
scores = {}
for m in methods:
    cells = []
    for name in truths:
        both = [x for per_seed in scored[(m, name)].values() for x in per_seed]
        scores[(m, name)] = (100 * np.mean([a for a, _ in both]), np.mean([b for _, b in both]))
        cells.append("%.1f / %.1f" % scores[(m, name)])
    print(f"| {m} | " + " | ".join(cells) + " |")


def per_task_ap(m, name):
    """Each task's AP@10 for method m, averaged over seeds first (as Evaluation's bootstrap does)."""
    return np.array([np.mean([a for a, _ in scored[(m, name)][t]]) for t in tasks])


for name in truths:
    base = [b for b in BASELINES if (b, name) in scores]
    if (OURS, name) in scores and base:
        best = max(base, key=lambda b: scores[(b, name)][0])
        fewest = min(base, key=lambda b: scores[(b, name)][1])
        print(f"{name}: {OURS} {scores[(OURS, name)][0]:.1f} against {best} {scores[(best, name)][0]:.1f}: "
              f"{100 * (scores[(OURS, name)][0] / scores[(best, name)][0] - 1):+.1f}%; configurations to the best "
              f"{scores[(OURS, name)][1]:.1f} against {fewest} {scores[(fewest, name)][1]:.1f} "
              f"(ratio {scores[(OURS, name)][1] / scores[(fewest, name)][1]:.2f})")
        # The 36 tasks resampled with replacement, paired: how sure the relative gain is.
        ours, theirs = per_task_ap(OURS, name), per_task_ap(best, name)
        rng = np.random.default_rng(1)
        idx = rng.integers(0, len(tasks), (10000, len(tasks)))
        gain = ours[idx].mean(1) / theirs[idx].mean(1) - 1
        low, high = 100 * np.percentile(gain, 2.5), 100 * np.percentile(gain, 97.5)
        print(f"  paired bootstrap over tasks (10,000 resamples): 95% interval [{low:+.1f}%, {high:+.1f}%]; "
              f"at +25% or more: {100 * np.mean(gain >= 0.25):.1f}%")
