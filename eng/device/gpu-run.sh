#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root with .device/ carried (see eng/device/prepare.sh):
# the ILGPU kernel and training parity tests on CUDA and OpenCL, then W1/W2 on CUDA. Exits 1 when a test fails or is
# skipped (a skip means a GPU target did not run), after the benchmarks.
# Output goes to $OUT (or ./out) for docs/benchmarks.md.
set -uo pipefail
out=${OUT:-out}
mkdir -p "$out" /tmp/dn
tar -C /tmp/dn -xJf .device/dotnet.tar.xz
mkdir -p /tmp/apps && tar -C /tmp/apps -xJf .device/apps.tar.xz
export DOTNET_ROOT=/tmp/dn PATH=/tmp/dn:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1
nvidia-smi > "$out/nvidia-smi.txt" 2>&1
ls /usr/local/cuda*/lib64 2>/dev/null | grep -i cublas > "$out/cublas.txt"
# The tests skip a target only where ILGPU sees no device of its kind, so on a GPU machine every skip is a GPU test that
# did not run (no OpenCL runtime installed, say): like a failure, it fails this script. The benchmarks still run.
dotnet /tmp/apps/tests/Mlp.Gpu.Tests.dll --filter "FullyQualifiedName~Ilgpu" > "$out/gpu-tests.log" 2>&1
tests_rc=$?
tail -20 "$out/gpu-tests.log"
skipped=$(sed -n 's/^[[:space:]]*skipped: \([0-9][0-9]*\)[[:space:]]*$/\1/p' "$out/gpu-tests.log" | tail -1)
tests_ok=1
if [ "$tests_rc" -ne 0 ]; then
  echo "FAIL: the GPU tests exited with $tests_rc (see gpu-tests.log)"
  tests_ok=0
fi
if [ -z "$skipped" ]; then
  echo "FAIL: no test summary in gpu-tests.log"
  tests_ok=0
elif [ "$skipped" -ne 0 ]; then
  if nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    echo "FAIL: $skipped GPU test(s) skipped on a machine with a GPU:"
  else
    echo "FAIL: $skipped GPU test(s) skipped: nvidia-smi lists no GPU here, so this run checked nothing on a GPU:"
  fi
  grep -A1 '^skipped ' "$out/gpu-tests.log" | head -40
  tests_ok=0
fi
for w in W1 W2; do
  dotnet /tmp/apps/bench/Mlp.Benchmarks.dll train --workload $w --device Cuda --threads 2 --runs 3 --epochs 2 2>&1 | tee -a "$out/gpu-bench.log"
done
if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  for w in W1 W2; do python3 eng/bench/peers.py $w torch --device cuda --epochs 2 | tee -a "$out/gpu-bench.log"; done
else
  echo "PyTorch with CUDA is not available on this machine: no GPU peer in this run" | tee -a "$out/gpu-bench.log"
fi
if [ "$tests_ok" -ne 1 ]; then
  echo "gpu-run.sh: the GPU tests did not all run and pass (see above)"
  exit 1
fi
