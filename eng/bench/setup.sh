#!/usr/bin/env bash
# Installs the benchmark peers from Debian's packages: PyTorch, scikit-learn, numpy with OpenBLAS (pthreads).
# Needed only for `dotnet run --project test/Mlp.Benchmarks -c Release -- ... --peers`; tests never need it.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-sklearn python3-numpy python3-threadpoolctl libopenblas0-pthread
/usr/bin/python3 -c "import torch, sklearn, numpy; print('torch', torch.__version__, 'sklearn', sklearn.__version__, 'numpy', numpy.__version__)"
