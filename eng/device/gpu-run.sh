#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root with .device/ carried (see eng/device/prepare.sh):
# the ILGPU kernel and training parity tests on CUDA (no longer skipped there), then W1/W2 on CUDA.
# Output goes to $OUT (or ./out) for docs/benchmarks.md.
set -uo pipefail
out=${OUT:-out}
mkdir -p "$out" /tmp/dn
tar -C /tmp/dn -xJf .device/dotnet.tar.xz
mkdir -p /tmp/apps && tar -C /tmp/apps -xJf .device/apps.tar.xz
export DOTNET_ROOT=/tmp/dn PATH=/tmp/dn:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1
nvidia-smi > "$out/nvidia-smi.txt" 2>&1
ls /usr/local/cuda*/lib64 2>/dev/null | grep -i cublas > "$out/cublas.txt"
dotnet /tmp/apps/tests/Mlp.Gpu.Tests.dll --filter "FullyQualifiedName~Ilgpu" 2>&1 | tee "$out/gpu-tests.log" | tail -20
for w in W1 W2; do
  dotnet /tmp/apps/bench/Mlp.Benchmarks.dll train --workload $w --device Cuda --threads 2 --runs 3 --epochs 2 2>&1 | tee -a "$out/gpu-bench.log"
done
if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  for w in W1 W2; do python3 eng/bench/peers.py $w torch --device cuda --epochs 2 | tee -a "$out/gpu-bench.log"; done
else
  echo "PyTorch with CUDA is not available on this machine: no GPU peer in this run" | tee -a "$out/gpu-bench.log"
fi
