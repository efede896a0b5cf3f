#!/usr/bin/env python3
"""scikit-learn's defaults on the splits of `Mlp.Benchmarks quality` (Debian's python3-sklearn).

Usage: quality_sklearn.py FOLDER
FOLDER holds what the benchmark wrote: features.f32 (rows x cols float32, row-major), labels.f32 (rows float32) and
splits.json ({"task": "binary" | "multiclass" | "regression", "rows", "cols",
"splits": [{"seed", "train": [row, ...], "test": [row, ...]}, ...]}).
Fits StandardScaler + MLPClassifier() / MLPRegressor() with every other argument at its default and
random_state = the split's seed, on each split's training rows; prints one JSON object:
{"sklearn": "<version>", "splits": [{"accuracy", "auc"} | {"macro_accuracy"} | {"r2"}, with "seconds" and "cpu_seconds" of fit and score, ...]}.
"""
import json, os, sys, time, warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score, roc_auc_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main(folder):
    with open(os.path.join(folder, "splits.json")) as f:
        spec = json.load(f)
    task, rows, cols = spec["task"], spec["rows"], spec["cols"]
    x = np.fromfile(os.path.join(folder, "features.f32"), dtype="<f4").reshape(rows, cols)
    y = np.fromfile(os.path.join(folder, "labels.f32"), dtype="<f4")
    if task != "regression":
        y = y.astype(np.int64)
    # MLPClassifier stops at max_iter=200 without converging on some splits: that is its default behaviour.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    results = []
    for split in spec["splits"]:
        train, test = np.asarray(split["train"]), np.asarray(split["test"])
        net = MLPRegressor(random_state=split["seed"]) if task == "regression" else MLPClassifier(random_state=split["seed"])
        model = make_pipeline(StandardScaler(), net)
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(x[train], y[train])
        if task == "binary":
            result = {"accuracy": accuracy_score(y[test], model.predict(x[test])),
                      "auc": roc_auc_score(y[test], model.predict_proba(x[test])[:, 1])}
        elif task == "multiclass":
            # Mean recall over the classes: ML.NET's MacroAccuracy.
            result = {"macro_accuracy": balanced_accuracy_score(y[test], model.predict(x[test]))}
        else:
            result = {"r2": r2_score(y[test], model.predict(x[test]))}
        result["seconds"] = time.perf_counter() - start
        result["cpu_seconds"] = time.process_time() - cpu
        result["epochs"] = int(net.n_iter_)
        results.append(result)
    print(json.dumps({"sklearn": sklearn.__version__, "splits": results}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
