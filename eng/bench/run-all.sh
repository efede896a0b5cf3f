#!/usr/bin/env bash
# Runs every benchmark table of docs/benchmarks.md side by side with the peers and writes them to one log.
#   eng/bench/setup.sh        # once: PyTorch, scikit-learn, numpy/OpenBLAS from Debian's packages
#   eng/bench/run-all.sh [LOG]
# Takes about 35 minutes on 2 cores. Run it on an otherwise idle machine: the tables report ratios measured in
# the same run, but a busy neighbour still skews 2-thread numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
log=${1:-benchmarks.log}
dotnet build test/Mlp.Benchmarks -c Release -v q -nologo
bench="dotnet test/Mlp.Benchmarks/bin/Release/net10.0/Mlp.Benchmarks.dll"
{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
  $bench corelatency --samples 3   # the host's vCPU placement: see docs/benchmarks.md
  $bench gemm --peers
  $bench train --workload W1 --peers --runs 5 --epochs 2
  $bench train --workload W2 --peers --runs 5 --epochs 1
  $bench train --workload W3 --peers --runs 5 --epochs 2
  $bench profile --workload W1
  $bench profile --workload W2
  $bench infer --peers
  $bench sweep --peer torch,sklearn --rows 60000
  $bench stream --rows 2000000
  $bench corelatency --samples 3
  # TorchSharp-cpu (libtorch) peer: a separate project, not in Mlp.sln (its first restore fetches libtorch).
  dotnet build eng/bench/TorchSharpPeer -c Release -v q -nologo
  for run in "W1 --threads 1 --epochs 2" "W1 --threads 2 --epochs 2" "W2 --threads 1 --epochs 1" "W2 --threads 2 --epochs 1" \
             "W3 --threads 1 --epochs 2" "W3 --threads 2 --epochs 2" "W4 --threads 2"; do
    echo "TorchSharpPeer $run"
    dotnet eng/bench/TorchSharpPeer/bin/Release/net10.0/TorchSharpPeer.dll $run
  done
} 2>&1 | tee "$log"
