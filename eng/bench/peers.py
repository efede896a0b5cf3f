#!/usr/bin/env python3
"""Peer timings for test/Mlp.Benchmarks: the same workloads in PyTorch and scikit-learn (Debian's packages).

Usage: peers.py WORKLOAD FRAMEWORK [--threads N] [--epochs E]
  WORKLOAD  W1 | W2 | W3 | W4
  FRAMEWORK torch | sklearn
Prints one JSON object: {"workload", "framework", "samples_per_s" | "row_latency_us", "rows_per_s", ...}.
Data are seeded random numbers of the workload's shape: throughput does not depend on their values.
Run with OMP_WAIT_POLICY=PASSIVE (the benchmark sets it) or PyTorch's threads spin against each other on 2 cores.
"""
import argparse, json, sys, time
import numpy as np

WORKLOADS = {
    # name: (rows, layer widths, activation, loss, optimizer, batch)
    "W1": (60000, [784, 256, 128, 10], "relu", "softmax", "adam", 128),
    "W2": (20000, [1024, 2048, 2048, 10], "relu", "softmax", "adam", 256),
    "W3": (100000, [2, 16, 16, 1], "tanh", "bce", "sgd", 32),
}


def data(rows, widths, loss, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, widths[0]), dtype=np.float32)
    y = rng.integers(0, widths[-1] if loss == "softmax" else 2, rows)
    return x, y


def torch_train(name, threads, epochs, device="cpu"):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    rows, widths, act, loss, opt, batch = WORKLOADS[name]
    x, y = data(rows, widths, loss)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU() if act == "relu" else torch.nn.Tanh())
    model = torch.nn.Sequential(*layers).to(device)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3) if opt == "adam" else torch.optim.SGD(model.parameters(), 0.01)
    criterion = torch.nn.CrossEntropyLoss() if loss == "softmax" else torch.nn.BCEWithLogitsLoss()
    xt = torch.from_numpy(x).to(device)
    yt = (torch.from_numpy(y).long() if loss == "softmax" else torch.from_numpy(y).float().unsqueeze(1)).to(device)

    def epoch():
        perm = torch.randperm(rows, device=device)
        for s in range(0, rows, batch):
            idx = perm[s:s + batch]
            optimizer.zero_grad(set_to_none=True)
            out = criterion(model(xt[idx]), yt[idx])
            out.backward()
            optimizer.step()

    def sync():
        if device != "cpu":
            torch.cuda.synchronize()

    epoch()  # warm-up
    sync()
    t = time.perf_counter()
    for _ in range(epochs):
        epoch()
    sync()
    return rows * epochs / (time.perf_counter() - t)


def sklearn_train(name, threads, epochs):
    from threadpoolctl import threadpool_limits
    from sklearn.neural_network import MLPClassifier
    import warnings
    warnings.filterwarnings("ignore")
    rows, widths, act, loss, opt, batch = WORKLOADS[name]
    x, y = data(rows, widths, loss)
    kwargs = dict(hidden_layer_sizes=tuple(widths[1:-1]), activation=act, solver=opt, batch_size=batch,
                  learning_rate_init=1e-3 if opt == "adam" else 0.01, tol=0.0, n_iter_no_change=10**9,
                  shuffle=True, random_state=1)
    if opt == "sgd":
        kwargs.update(momentum=0.0, nesterovs_momentum=False)
    with threadpool_limits(threads):
        MLPClassifier(max_iter=1, **kwargs).fit(x, y)  # warm-up
        t = time.perf_counter()
        MLPClassifier(max_iter=epochs, **kwargs).fit(x, y)
        return rows * epochs / (time.perf_counter() - t)


def median_seconds(call, runs=5):
    """Median seconds of `runs` timed calls after one warm-up call (as Mlp.Benchmarks and TorchSharpPeer time theirs)."""
    call()
    times = []
    for _ in range(runs):
        t = time.perf_counter(); call(); times.append(time.perf_counter() - t)
    return float(np.median(times))


def torch_infer(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10), torch.nn.Softmax(dim=1)).eval()
    x = torch.from_numpy(data(10000, [784, 256, 128, 10], "softmax")[0])
    with torch.inference_mode():
        for i in range(200):
            model(x[i:i + 1])
        lat = []
        for i in range(2000):
            t = time.perf_counter(); model(x[i:i + 1]).numpy(); lat.append(time.perf_counter() - t)
        batch = median_seconds(lambda: model(x).numpy())
    return float(np.median(lat)) * 1e6, 10000 / batch


def sklearn_infer(threads):
    from threadpoolctl import threadpool_limits
    from sklearn.neural_network import MLPClassifier
    import warnings
    warnings.filterwarnings("ignore")
    x, y = data(2000, [784, 256, 128, 10], "softmax")
    model = MLPClassifier(hidden_layer_sizes=(256, 128), max_iter=1).fit(x, y)
    xs = data(10000, [784, 256, 128, 10], "softmax")[0]
    with threadpool_limits(threads):
        lat = []
        for i in range(2000):
            t = time.perf_counter(); model.predict_proba(xs[i:i + 1]); lat.append(time.perf_counter() - t)
        batch = median_seconds(lambda: model.predict_proba(xs))
    return float(np.median(lat)) * 1e6, 10000 / batch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["W1", "W2", "W3", "W4"])
    p.add_argument("framework", choices=["torch", "sklearn"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--device", default="cpu", help="torch device for training workloads, e.g. cuda")
    p.add_argument("--rows", type=int, help="override the workload's row count")
    p.add_argument("--batch", type=int, help="override the workload's batch size")
    p.add_argument("--hidden", type=str, help="override the hidden widths, e.g. 512,512")
    a = p.parse_args()
    if a.workload in WORKLOADS and (a.rows or a.batch or a.hidden):
        rows, widths, act, loss, opt, batch = WORKLOADS[a.workload]
        if a.hidden:
            widths = [widths[0]] + [int(h) for h in a.hidden.split(",")] + [widths[-1]]
        WORKLOADS[a.workload] = (a.rows or rows, widths, act, loss, opt, a.batch or batch)
    result = {"workload": a.workload, "framework": a.framework, "threads": a.threads}
    if a.workload == "W4":
        latency, rows = (torch_infer if a.framework == "torch" else sklearn_infer)(a.threads)
        result.update(row_latency_us=latency, rows_per_s=rows)
    else:
        if a.framework == "torch":
            result["samples_per_s"] = torch_train(a.workload, a.threads, a.epochs, a.device)
            result["device"] = a.device
        else:
            result["samples_per_s"] = sklearn_train(a.workload, a.threads, a.epochs)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
