#!/usr/bin/env python3
"""Space check: does the best configuration differ by task? Reads a curves.csv (meta-dataset format) and reports,
per task, its own best configuration against the single configuration that is best on average (both by validation
top-1 at the last recorded epoch, or at --epoch). Target: on >= 1/3 of tasks the gap is >= 2 points."""
import csv, sys, collections, argparse

ap = argparse.ArgumentParser()
ap.add_argument("curves")
ap.add_argument("--configs", help="configs.csv, to print configuration values")
ap.add_argument("--epoch", type=int, help="epoch to compare at (default: last complete)")
a = ap.parse_args()

rows = list(csv.DictReader(open(a.curves)))
last = a.epoch or max(int(r["epoch"]) for r in rows)
val = collections.defaultdict(dict)
test = collections.defaultdict(dict)
for r in rows:
    if int(r["epoch"]) == last:
        val[r["task_id"]][int(r["config_id"])] = float(r["val_top1"])
        test[r["task_id"]][int(r["config_id"])] = float(r["test_top1"])
names = {}
if a.configs:
    for r in csv.DictReader(open(a.configs)):
        names[int(r["config_id"])] = "/".join(v for k, v in r.items() if k != "config_id")
# Only tasks with every configuration recorded (a build in progress has one partial task).
full = max(len(v) for v in val.values())
tasks = sorted(t for t in val if len(val[t]) == full)
configs = sorted(set.intersection(*(set(val[t]) for t in tasks)))
mean = {c: sum(val[t][c] for t in tasks) / len(tasks) for c in configs}
avg_best = max(configs, key=lambda c: (mean[c], -c))
print(f"epoch {last}, {len(tasks)} tasks x {len(configs)} configs; best on average: {avg_best} "
      f"{names.get(avg_best, '')} (mean val {mean[avg_best]:.3f})")
hits = 0
for t in tasks:
    own = max(configs, key=lambda c: (val[t][c], -c))
    gap = val[t][own] - val[t][avg_best]
    tgap = test[t][own] - test[t][avg_best]
    hits += gap >= 0.02
    print(f"  {t:28s} best {own:3d} {names.get(own, ''):24s} val {val[t][own]:.3f} vs {val[t][avg_best]:.3f} "
          f"gap {100 * gap:5.1f} pts (test gap {100 * tgap:5.1f})")
print(f"tasks whose own best beats the average-best by >= 2 val points: {hits}/{len(tasks)} "
      f"({'OK' if hits * 3 >= len(tasks) else 'below target 1/3'})")
