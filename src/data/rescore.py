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
    sizes = {r["task_id"]: (float(r["val"]), float(r["test"])) for r in csv.DictReader(open(folder + "/tasks.csv"))}
    epochs = {}
    rows = list(csv.DictReader(open(folder + "/curves.csv")))
    r_max = max(int(r["epoch"]) for r in rows)
    acc = collections.defaultdict(dict)
    for r in rows:
        if int(r["epoch"]) == r_max:
            nv, nt = sizes[r["task_id"]]
            acc[r["task_id"]][int(r["config_id"])] = (float(r["val_top1"]) * nv + float(r["test_top1"]) * nt) / (nv + nt)
    h = max(len(a) for a in acc.values())
    return {t: np.array([a[c] for c in range(h)]) for t, a in acc.items() if len(a) == h}


runs = [at_r(f) for f in args.truth.split(",")]
tasks = [t for t in runs[0] if all(t in r for r in runs)]
truths = {f"first run": {t: runs[0][t] for t in tasks}}
if len(runs) > 1:
    truths[f"mean of {len(runs)} runs"] = {t: np.mean([r[t] for r in runs], 0) for t in tasks}

rows = [r for f in sorted(glob.glob(args.runs + "/shard-*.csv")) for r in csv.DictReader(open(f))
        if r["method"] not in OWN_RUNS and r["task"] in tasks and r["order"]]
methods = list(dict.fromkeys(r["method"] for r in rows))
print(f"{len(tasks)} tasks; rankings from {args.runs}; truth: accuracy at R on validation + test images")
print("| method | " + " | ".join(f"{name}: AP@10 / to-best" for name in truths) + " |")
print("|---|" + "---:|" * len(truths))
scores = {}
for m in methods:
    cells = []
    for name, truth in truths.items():
        ap, tb = [], []
        for r in rows:
            if r["method"] == m:
                pred = [int(x) for x in r["order"].split()]
                acc = list(np.round(truth[r["task"]], 6))
                ap.append(ap10(pred, order(acc)))
                tb.append(to_best(pred, acc))
        scores[(m, name)] = (100 * np.mean(ap), np.mean(tb))
        cells.append("%.1f / %.1f" % scores[(m, name)])
    print(f"| {m} | " + " | ".join(cells) + " |")

def per_task_ap(m, truth):
    """Each task's AP@10 for method m, averaged over seeds first (as Evaluation's bootstrap does)."""
    ap = collections.defaultdict(list)
    for r in rows:
        if r["method"] == m:
            ap[r["task"]].append(ap10([int(x) for x in r["order"].split()], order(list(np.round(truth[r["task"]], 6)))))
    return np.array([np.mean(ap[t]) for t in tasks])


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
        ours, theirs = per_task_ap(OURS, truths[name]), per_task_ap(best, truths[name])
        rng = np.random.default_rng(1)
        idx = rng.integers(0, len(tasks), (10000, len(tasks)))
        gain = ours[idx].mean(1) / theirs[idx].mean(1) - 1
        print(f"  paired bootstrap over tasks (10,000 resamples): 95% interval [{100 * np.percentile(gain, 2.5):+.1f}%, "
              f"{100 * np.percentile(gain, 97.5):+.1f}%]; at +25% or more: {100 * np.mean(gain >= 0.25):.1f}%")
