"""The ranking metrics of io.hyperstar.metalearn.Metrics, for the analysis scripts next to this file."""


def order(values):
    """Ids by value, highest first, ties by id (Metrics.orderDescending)."""
    return sorted(range(len(values)), key=lambda i: (-values[i], i))


def ap10(pred, truth, k=10):
    """AP@k of a predicted order against a true order; the divisor is k (Metrics.apAtK)."""
    top, hits, s = set(truth[:k]), 0, 0.0
    for i, c in enumerate(pred[:k]):
        if c in top:
            hits += 1
            s += hits / (i + 1)
    return s / k


def agreement(a, b):
    """r_ij of L_sim: AP@10 symmetrised (Metrics.agreement)."""
    return (ap10(a, b) + ap10(b, a)) / 2


def to_best(pred, accuracy):
    """1-based position of the first configuration with the best accuracy (Metrics.configsToBest)."""
    best = max(accuracy)
    return next(i + 1 for i, c in enumerate(pred) if accuracy[c] == best)
