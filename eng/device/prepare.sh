#!/usr/bin/env bash
# Prepares a GPU run (issue 4): publishes the core tests and the benchmarks framework-dependent for linux-x64 and packs
# them, with this machine's .NET runtime, into .device/ (the GPU machine has no .NET; a run carries at most 64 MiB;
# see ../shared/device/README.md). Then, on the device machine: bash eng/device/gpu-run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash ../shared/device/pack-runtime.sh
stage=$(mktemp -d)
dotnet publish test/Mlp.Gpu.Tests -c Release -r linux-x64 --self-contained false -o "$stage/tests" -v q -nologo
dotnet publish test/Mlp.Benchmarks -c Release -r linux-x64 --self-contained false -o "$stage/bench" -v q -nologo
# The MSTest meta-package brings code-coverage tooling (about 30 MB) that running the tests does not need.
rm -rf "$stage/tests/Microsoft.CodeCoverage" "$stage"/tests/libInstrumentationEngine.so
XZ_OPT=-T2 tar -C "$stage" -cJf .device/apps.tar.xz tests bench
rm -rf "$stage" .device/tests .device/bench
du -sh .device/*
