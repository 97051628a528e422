"""A meta-dataset folder's learning curves, for the analysis scripts next to this file (docs/metadataset.md)."""
import collections
import csv
import functools

import numpy as np

VALIDATION, TEST = 0, 1


def read(folder):
    """(task, epoch) -> {configuration: (validation top-1, test top-1)} from curves.csv."""
    curves = collections.defaultdict(dict)
    for r in csv.DictReader(open(folder + "/curves.csv")):
        curves[(r["task_id"], int(r["epoch"]))][int(r["config_id"])] = (float(r["val_top1"]), float(r["test_top1"]))
    return curves


def split_sizes(folder):
    """task -> (validation images, test images) from tasks.csv."""
    return {r["task_id"]: (float(r["val"]), float(r["test"])) for r in csv.DictReader(open(folder + "/tasks.csv"))}


def accuracy(curves, sizes, task, epochs, splits, h):
    """Per configuration, the mean over epochs of the accuracy on the given splits, pooled by split size (as
    io.hyperstar.metalearn.MetaDataset.load pools); one split is read as recorded."""
    w = sizes[task]
    return np.array([np.mean([sum(curves[(task, e)][c][s] * w[s] for s in splits) / sum(w[s] for s in splits)
                              if len(splits) > 1 else curves[(task, e)][c][splits[0]] for e in epochs])
                     for c in range(h)])


@functools.lru_cache(maxsize=None)
def _cached(folder):
    return read(folder), split_sizes(folder)


def last_epoch(folder):
    """R: the last epoch the folder's curves reach."""
    return max(e for _, e in _cached(folder)[0])


@functools.lru_cache(maxsize=None)
def by_task(folder, epochs, splits):
    """task -> accuracy per configuration (as accuracy() measures it), for the tasks with every configuration at the
    last of the epochs; epochs and splits are tuples, and each folder is read once per process."""
    c, sizes = _cached(folder)
    h = max(len(a) for a in c.values())
    return {t: accuracy(c, sizes, t, list(epochs), list(splits), h)
            for t, e in c if e == epochs[-1] and len(c[(t, e)]) == h}
