#!/usr/bin/env python3
"""numpy (OpenBLAS) SGEMM peer of `Mlp.Benchmarks gemm`: same cases, same timing method, same table rows.

Usage: gemm_numpy.py [--threads N] [--filter TEXT]
The thread count must be fixed before numpy loads OpenBLAS, so it is set here from --threads.
"""
import argparse
import os
import statistics
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--filter", default=None)
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
# Set for other tools on some machines; they slow down current OpenBLAS builds.
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ.pop("OPENBLAS_L2_SIZE", None)

try:
    import numpy as np
except ImportError:
    sys.exit("numpy is not installed (Debian: apt-get install python3-numpy libopenblas0-pthread)")


def cases():
    """Mirrors GemmBenchmark.Cases(): (shape, op, m, n, k)."""
    yield ("2048^3", "NN", 2048, 2048, 2048)
    for batch, inputs, outputs in [(128, 784, 256), (128, 256, 128), (256, 1024, 2048), (256, 2048, 2048), (32, 16, 16),
                                    (32, 2, 16), (32, 16, 1), (1, 784, 256)]:
        shape = f"{batch}x{inputs}->{outputs}"
        yield (shape, "NT", batch, outputs, inputs)
        yield (shape, "TN", outputs, inputs, batch)
        yield (shape, "NN", batch, inputs, outputs)


def median_seconds(action, repetitions=7, batch_seconds=0.05):
    """Same method as BenchmarkUtil.MedianSeconds: warm up, size batches to ~batch_seconds, median per call."""
    action()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < batch_seconds:
        action()
        calls += 1
    per_batch = max(1, int(calls * batch_seconds / (time.perf_counter() - start)))
    times = []
    for _ in range(repetitions):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            action()
        times.append((time.perf_counter() - t0) / per_batch)
    return statistics.median(times)


def main():
    rng = np.random.default_rng(42)
    print(f"# SGEMM, numpy {np.__version__}, {args.threads} thread(s)")
    print("| shape | op | m | n | k | threads | GFLOP/s |")
    print("|---|---|--:|--:|--:|--:|--:|")
    for shape, op, m, n, k in cases():
        if args.filter and args.filter not in f"{shape}|{op}":
            continue
        # Stored shapes as in CpuGemm: A is k x m when transposed, B is n x k when transposed.
        a = rng.uniform(-1, 1, (k, m) if op[0] == "T" else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if op[1] == "T" else (k, n)).astype(np.float32)
        a_op = a.T if op[0] == "T" else a
        b_op = b.T if op[1] == "T" else b
        c = np.empty((m, n), dtype=np.float32)
        seconds = median_seconds(lambda: np.matmul(a_op, b_op, out=c))
        print(f"| {shape} | {op} | {m} | {n} | {k} | {args.threads} | {2.0 * m * n * k / seconds / 1e9:.1f} |")


main()
