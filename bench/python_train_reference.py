#!/usr/bin/python3
"""The Python stack's XGBoost training, timed on the same rows and parameters
as `bench_train --family xgb-feat`, so that the two compare on one host.

    /usr/bin/python3 bench/python_train_reference.py --data out/datasets/seed [--rounds 500] [--threads 2]

Needs Debian's python3-xgboost and python3-numpy (apt-get install
python3-xgboost); not part of the build or the tests. It reads the seed
dataset's train split (SMOTE rows included, no early stopping), builds the
DMatrix and trains `--rounds` rounds of depth 6, 5 classes, with xgb-feat's
defaults (eta 0.2 as bench_train sets it, subsample 0.9, colsample_bytree 0.7,
hist, 256 bins) and the training loss evaluated every round, as heartwave's
training loop does. It prints the same markdown row as bench_train.
"""
import argparse
import os
import platform
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="seed-protocol dataset from `heartwave data build`")
    ap.add_argument("--rounds", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    try:
        import numpy as np
        import xgboost as xgb
    except ImportError as e:
        sys.exit(f"error: {e}: apt-get install python3-xgboost python3-numpy, and run with /usr/bin/python3")
    X = np.load(os.path.join(a.data, "train", "feat.npy"))
    y = np.load(os.path.join(a.data, "train", "y.npy"))
    if X.ndim != 2 or X.dtype != np.float32 or y.shape != (X.shape[0],):
        sys.exit(f"error: {a.data}/train: expected feat.npy float32 n x d and y.npy of n")
    params = {
        "objective": "multi:softprob", "num_class": 5, "eval_metric": "mlogloss", "tree_method": "hist",
        "nthread": a.threads, "seed": 42, "eta": 0.2, "max_depth": 6, "min_child_weight": 1.0,
        "subsample": 0.9, "colsample_bytree": 0.7, "lambda": 1.0, "max_bin": 256, "verbosity": 0,
    }
    marks = []

    class Clock(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            marks.append(time.perf_counter())
            return False

    t0 = time.perf_counter()
    d = xgb.DMatrix(X, label=y, nthread=a.threads)
    xgb.train(params, d, num_boost_round=a.rounds, evals=[(d, "fit")], verbose_eval=False, callbacks=[Clock()])
    total = time.perf_counter() - t0
    per = [marks[0] - t0] + [b - a_ for a_, b in zip(marks, marks[1:])]
    print(f"host: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; python {platform.python_version()}, "
          f"xgboost {xgb.__version__}, numpy {np.__version__}; {X.shape[0]} rows x {X.shape[1]} columns")
    print("| stack | stage | threads | iterations | first (with DMatrix) | median of the others | total |")
    print("|---|---|---|---|---|---|---|")
    print(f"| python xgboost | round | {a.threads} | {len(per)} | {per[0]:.3f} s | "
          f"{statistics.median(per[1:]) if len(per) > 1 else 0:.3f} s | {total:.1f} s |")


if __name__ == "__main__":
    main()
