#!/usr/bin/env python3
"""A probe (twelfth session), not a method: how much does a task's own early training tell about its ranking at R?

Two hindsight references, both reading the held-out task's own recorded learning curves (the meta-dataset), so
neither is something a recommender could do before a search starts:

1. The task's own ranking after e < R epochs (every one of its 90 configurations trained e epochs), scored against
   its ranking at R: what Hyperband's lower rungs know when they promote.
2. The held-out task described by its own validation accuracies after e epochs (the head-only configurations, a
   linear probe of the frozen backbone in all but name, or all 30 unaugmented configurations), standardised over the
   tasks, in the evaluation's neighbour readout (softmax over T of the z-scored negative distance, mixing the other
   35 tasks' validation z-scores at R). A task description does not get more informative about fine-tuning than
   the task's own fine-tuning results; if these land where the image descriptions did, the readout, not the
   description, is the limit.

3. The task's own configurations trained to R again, from the replicate meta-datasets' other trainer seeds (the
   `replicate` reference of the evaluation is the first of these), alone and averaged: the nearest thing here to
   each configuration's expected accuracy on the task, which is the most a predictor can aim at.

Scored as the evaluation scores (AP@10 and configurations-to-best against validation top-1 at R, one run).

  python3 src/data/own_curves_probe.py     (seconds; numpy)

Result (2026-12-02): (1) after 1, 3, 9 epochs the task's own ranking reaches AP@10 7.8, 14.8, 36.2 (configurations
to the best 21.8, 16.4, 8.6); (2) its own early accuracies as the description reach 33.9-39.2 AP@10 at the temperatures
tried (the best: all 30 unaugmented configurations after 1 epoch, T = 1, read off the held-out tasks), below the
learned embedding's 43.3 and far from the target's 46.3; (3) a second run of the task's 90 configurations reaches 43.5 /
7.3, a third 41.2 / 10.2, their mean 47.4 / 7.4: the AP@10 target (46.3) is about what two more complete trainings
of every configuration on the task itself give, and the configurations target (4.2) beyond even that. See
docs/benchmarks/README.md, "Why it misses".
"""
import csv

import numpy as np

import curves
from metrics import ap10, order, to_best

ROOT = "src/main/resources/metadataset"
R = 27
at_r = curves.by_task(ROOT, (R,), (0,))
tasks = sorted(at_r)
acc = np.array([at_r[t] for t in tasks])
z = (acc - acc.mean(1, keepdims=True)) / acc.std(1, keepdims=True)
configs = list(csv.DictReader(open(ROOT + "/configs.csv")))


def scored(rank_of):
    """Mean AP@10 (%) and configurations-to-best over the held-out tasks, rank_of(q) giving task q's predicted order."""
    ap, tb = [], []
    for q in range(len(tasks)):
        p = rank_of(q)
        ap.append(ap10(p, order(acc[q])))
        tb.append(to_best(p, acc[q]))
    return 100 * np.mean(ap), np.mean(tb)


def others(q):
    return [j for j in range(len(tasks)) if j != q]


def readout(description, temperature):
    """The neighbour readout over a per-task description (rows: tasks), standardised over the tasks."""
    d = (description - description.mean(0)) / (description.std(0) + 1e-9)

    def rank(q):
        o = others(q)
        s = -np.sqrt(((d[o] - d[q]) ** 2).mean(1))
        s = (s - s.mean()) / (s.std() + 1e-9)
        w = np.exp((s - s.max()) / temperature)
        return order((w / w.sum()) @ z[o])
    return rank


print("reference                                         AP@10  to-best")
print("%-48s %5.1f  %6.2f" % (("task-agnostic (mean z of the other 35)",) + scored(lambda q: order(z[others(q)].mean(0)))))
for e in (1, 2, 3, 5, 9):
    at_e = curves.by_task(ROOT, (e,), (0,))
    print("%-48s %5.1f  %6.2f" % (("own ranking after %d epoch(s)" % e,) + scored(lambda q: order(at_e[tasks[q]]))))
SUBSETS = {
    "head-only (10)": lambda c: c["finetune_layers"] == "1" and c["augmentation"] == "none",
    "unaugmented (30)": lambda c: c["augmentation"] == "none",
}
for name, keep in SUBSETS.items():
    ids = [int(c["config_id"]) for c in configs if keep(c)]
    for e in (1, 3):
        at_e = curves.by_task(ROOT, (e,), (0,))
        description = np.array([[at_e[t][c] for c in ids] for t in tasks])
        for temperature in (0.2, 0.5, 1.0):
            label = "readout: own %s, %d ep, T=%.1f" % (name, e, temperature)
            print("%-48s %5.1f  %6.2f" % ((label[:48],) + scored(readout(description, temperature))))

M = "src/main/resources/"
second, third = curves.by_task(M + "metadataset-seed2", (R,), (0,)), curves.by_task(M + "metadataset-seed3", (R,), (0,))
if all(t in second and t in third for t in tasks):
    print("%-48s %5.1f  %6.2f" % (("own configurations, second training run",) + scored(lambda q: order(second[tasks[q]]))))
    print("%-48s %5.1f  %6.2f" % (("own configurations, third training run",) + scored(lambda q: order(third[tasks[q]]))))
    print("%-48s %5.1f  %6.2f" % (("own configurations, mean of those two runs",)
                                  + scored(lambda q: order((np.array(second[tasks[q]]) + np.array(third[tasks[q]])) / 2))))
