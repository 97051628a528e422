#!/usr/bin/env python3
"""How noisy the meta-dataset's rankings are: the measurement-noise figures of docs/benchmarks/README.md.

Each (task, configuration) was trained once and measured on two disjoint image splits of the same size class,
validation (the truth of the evaluation) and test (seen by nothing). Ranking a task's configurations on one split or
the other differs only by which images measured them, so the agreement between the two is the most any ranking can
expect to reach against the validation truth. The script prints, for the accuracy at R and for pooled windows of
epochs:
  - AP@10 and configurations-to-best of the test-split ranking against the validation ranking (the evaluation's
    `remeasured` reference);
  - the reliability of r_ij, the AP@10 agreement of two tasks' rankings that L_sim learns and the neighbour readout
    weighs by: Spearman between r_i. measured on the validation rankings and on the test rankings, mean over tasks;
  - on how many tasks the nearest other task (highest r_ij) is the same under both.
With --replicate DIR (the same tasks and configurations trained again from another trainer seed,
`MetaDatasetBuilder --seed`), the same figures between the two training runs on the same validation images: how much
of a ranking is the training run's luck. Only the tasks complete in both folders count.

  python3 src/data/noise.py [--metadataset src/main/resources/metadataset] [--replicate DIR]
"""
import argparse

import numpy as np
from scipy.stats import spearmanr

import curves
from curves import TEST, VALIDATION
from metrics import agreement, ap10, order, to_best

p = argparse.ArgumentParser()
p.add_argument("--metadataset", default="src/main/resources/metadataset")
p.add_argument("--replicate")
args = p.parse_args()

first = curves.read(args.metadataset)
sizes = curves.split_sizes(args.metadataset)
R = max(e for _, e in first)
h = max(len(v) for v in first.values())
tasks = sorted({t for t, e in first if e == R and len(first[(t, e)]) == h})
if args.replicate:
    second = curves.read(args.replicate)
    tasks = [t for t in tasks if len(second.get((t, R), {})) == h]


def compare(label, v, t, best, truth):
    """One table row: rankings by t against rankings by v (r_ij on both sides), t's configurations to v's best."""
    ov, ot = [order(a) for a in v], [order(a) for a in t]
    n = len(tasks)
    ap = np.mean([ap10(ot[i], truth[i]) for i in range(n)])
    configs = np.mean([to_best(ot[i], best[i]) for i in range(n)])
    rv = np.array([[agreement(ov[i], ov[j]) for j in range(n)] for i in range(n)])
    rt = np.array([[agreement(ot[i], ot[j]) for j in range(n)] for i in range(n)])
    rel = np.mean([spearmanr(np.delete(rv[i], i), np.delete(rt[i], i)).correlation for i in range(n)])
    same = sum(np.argmax(np.where(np.arange(n) == i, -1, rv[i])) == np.argmax(np.where(np.arange(n) == i, -1, rt[i]))
               for i in range(n))
    print(f"| {label} | {100 * ap:.1f} | {configs:.1f} | {rel:.2f} | {same} of {n} |")


def accuracies(run, split, epochs):
    return np.array([curves.accuracy(run, sizes, t, epochs, [split], h) for t in tasks])


best = accuracies(first, VALIDATION, [R])
truth_val = [order(a) for a in best]
print(f"{len(tasks)} tasks")
print("| ranked by | AP@10 against the validation ranking at R | configurations to the validation best "
      "| r_ij reliability (Spearman, mean over tasks) | same nearest task |")
print("|---|---:|---:|---:|---:|")
for window in ([R], list(range(R - 2, R + 1)), list(range(R - 4, R + 1))):
    label = f"{window[0]}..{window[-1]}" if len(window) > 1 else str(R)
    compare(f"test split, epochs {label}", accuracies(first, VALIDATION, window), accuracies(first, TEST, window),
            best, truth_val)
if args.replicate:
    compare(f"validation split, the replicate's training run, epoch {R}", best,
            accuracies(second, VALIDATION, [R]), best, truth_val)
