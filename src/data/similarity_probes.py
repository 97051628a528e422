#!/usr/bin/env python3
"""Three probes of the neighbour readout's similarity (seventh session), none adopted: figures read off the held-out
tasks, so settings chosen here would be chosen on the test tasks.

1. Learned metric: a diagonal weighting of the frozen backbone's standardised mean features, fitted per fold so that
   the readout predicts each training task from the others (leave-one-out MSE of z-scores, L-BFGS), its scale and
   L2 strength chosen by 5-fold validation on the training tasks only. Truth and targets: the mean of the three runs
   (as docs/benchmarks/mean3-truth). Against the plain cosine readout over the same features.
2. Low-rank training targets: the readout over the training tasks' z-scores projected on their first k principal
   components (denoised), frozen features, mean-of-three-runs truth.
3. Meta-feature distance: the readout's similarity lowered by gamma x the distance between the tasks' standardised
   log(images), log(classes), log(images per class), with the learned embeddings the committed evaluations scored
   (one-run truth: docs/benchmarks and docs/benchmarks/pooled-targets).

  /usr/bin/python3 src/data/similarity_probes.py      (about 2 min; needs numpy and scipy)
"""
import collections
import csv
import glob

import numpy as np
from scipy.optimize import minimize

import curves
from metrics import ap10, order, to_best

ROOT = "src/main/resources/metadataset"
RUNS = [ROOT, ROOT + "-seed2", ROOT + "-seed3"]
R = 27




def zscores(a):
    return (a - a.mean(1, keepdims=True)) / a.std(1, keepdims=True)


def score(tasks, acc, predict):
    truth = [order(a) for a in acc]
    ap, tb = [], []
    for q in range(len(tasks)):
        p = order(predict(q, [j for j in range(len(tasks)) if j != q]))
        ap.append(ap10(p, truth[q]))
        tb.append(to_best(p, acc[q]))
    return "%.1f / %.1f" % (100 * np.mean(ap), np.mean(tb))


def readout(sim, z, temperature=0.2):
    w = np.exp((sim - sim.max()) / temperature)
    return (w / w.sum()) @ z


def cosine(m, v):
    return m @ v / np.sqrt((m * m).sum(1) * (v @ v) + 1e-12)


# Mean-of-three-runs truth (validation + test at R) and targets (pooled over R-2..R), as mean3-truth.
tasks = sorted(curves.by_task(ROOT, (R,), (0, 1)))
acc = np.round(np.array([np.mean([curves.by_task(f, (R,), (0, 1))[t] for f in RUNS], 0) for t in tasks]), 6)
z = zscores(np.array([np.mean([curves.by_task(f, (R - 2, R - 1, R), (0, 1))[t] for f in RUNS], 0) for t in tasks]))
feat = {r["task"]: np.array([float(x) for x in r["vector"].split()])
        for r in csv.DictReader(open("docs/benchmarks/mean3-truth/embeddings/global-means.csv"))}
X = np.array([feat[t] for t in tasks])


def standardised(S):
    mu, sd = X[S].mean(0), X[S].std(0) + 1e-6
    return (X[S] - mu) / sd, lambda v: (v - mu) / sd


def frozen_cosine(q, S, Z=None):
    m, f = standardised(S)
    return readout(cosine(m, f(X[q])), z[S] if Z is None else Z)


print("Probe 1 and 2: frozen mean features, truth and targets the mean of three runs (AP@10 / to-best)")
print("| readout | AP@10 / configurations to the best |\n|---|---:|")
print("| cosine (global-mean+neighbours) |", score(tasks, acc, frozen_cosine), "|")


def loo_loss(a, M, Z, a0, lam):
    D = (M[:, None, :] - M[None, :, :]) ** 2
    e = np.exp(np.clip(a, -30, 30))
    s = -(D @ e)
    np.fill_diagonal(s, -np.inf)
    w = np.exp(s - s.max(1, keepdims=True))
    w /= w.sum(1, keepdims=True)
    P = w @ Z
    G = 2 * (P - Z) / len(Z)
    dS = w * (G @ Z.T - (G * P).sum(1, keepdims=True))
    grad = -e * np.einsum("ij,ijk->k", dS, D) + 2 * lam * (a - a0)
    return ((P - Z) ** 2).sum() / len(Z) + lam * ((a - a0) ** 2).sum(), grad


def distance_readout(a, M, Z, v):
    s = -((M - v) ** 2) @ np.exp(np.clip(a, -30, 30))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ Z


def learned_metric(q, S):
    scales = np.log(np.array([0.001, 0.003, 0.01, 0.03, 0.1]) / X.shape[1] * 10)
    parts = np.array_split(np.random.default_rng(q).permutation(S), 5)
    best = None
    for a0 in scales:
        for lam in (None, 1e-3, 1e-2, 1e-1, 1.0):
            vals = []
            for F in parts:
                fit = [j for j in S if j not in F]
                M, f = standardised(fit)
                a = np.full(X.shape[1], a0) if lam is None else minimize(
                    loo_loss, np.full(X.shape[1], a0), args=(M, z[fit], a0, lam), jac=True, method="L-BFGS-B",
                    options={"maxiter": 200}).x
                vals += [ap10(order(distance_readout(a, M, z[fit], f(X[j]))), order(z[j])) for j in F]
            if best is None or np.mean(vals) > best[0]:
                best = (np.mean(vals), a0, lam)
    _, a0, lam = best
    M, f = standardised(S)
    a = np.full(X.shape[1], a0) if lam is None else minimize(
        loo_loss, np.full(X.shape[1], a0), args=(M, z[S], a0, lam), jac=True, method="L-BFGS-B",
        options={"maxiter": 200}).x
    return distance_readout(a, M, z[S], f(X[q]))


print("| learned diagonal metric (nested selection) |", score(tasks, acc, learned_metric), "|")


def low_rank(k):
    def predict(q, S):
        Z = z[S]
        mean = Z.mean(0)
        U, s, Vt = np.linalg.svd(Z - mean, full_matrices=False)
        return frozen_cosine(q, S, mean + (U[:, :k] * s[:k]) @ Vt[:k])
    return predict


for k in (3, 8, 20):
    print(f"| cosine, targets of rank {k} |", score(tasks, acc, low_rank(k)), "|")

print("\nProbe 3: learned embeddings (BM+Sim+neighbours) with a meta-feature distance, one-run truth")
meta = {r["task_id"]: (float(r["train"]), float(r["classes"])) for r in csv.DictReader(open(ROOT + "/tasks.csv"))}
mf = np.array([[np.log(meta[t][0]), np.log(meta[t][1]), np.log(meta[t][0] / meta[t][1])] for t in tasks])
validation = np.round(np.array([curves.by_task(ROOT, (R,), (0,))[t] for t in tasks]), 6)
index = {t: i for i, t in enumerate(tasks)}
print("| evaluation | " + " | ".join(f"gamma = {g}" for g in (0, 0.05, 0.1, 0.2, 0.4)) + " |\n|---|" + "---:|" * 5)
for folder, targets in (("docs/benchmarks", validation),
                        ("docs/benchmarks/pooled-targets",
                         np.array([curves.by_task(ROOT, (R - 2, R - 1, R), (0, 1))[t] for t in tasks]))):
    zt = zscores(targets)
    emb = collections.defaultdict(dict)
    for fn in glob.glob(folder + "/embeddings/shard-*.csv"):
        for r in csv.DictReader(open(fn)):
            if r["method"] == "BM+Sim+neighbours":
                emb[(r["task"], int(r["seed"]))][r["embedded"]] = np.array([float(x) for x in r["vector"].split()])
    cells = []
    for g in (0, 0.05, 0.1, 0.2, 0.4):
        ap = []
        for (t, _), e in emb.items():
            q = index[t]
            S = [j for j in range(len(tasks)) if j != q]
            d = np.sqrt((((mf[S] - mf[q]) / (mf[S].std(0) + 1e-6)) ** 2).sum(1))
            sim = cosine(np.array([e[tasks[j]] for j in S]), e[t]) - g * d
            ap.append(ap10(order(readout(sim, zt[S])), order(validation[q])))
        cells.append("%.1f" % (100 * np.mean(ap)))
    print(f"| {folder} | " + " | ".join(cells) + " |")
