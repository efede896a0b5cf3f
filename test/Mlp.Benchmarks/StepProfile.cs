using Mlp.Testing;
using System.Diagnostics;
using System.Globalization;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;

namespace Mlp.Benchmarks;

/// <summary>
/// Where one training step's time goes (W1 shapes by default): each phase of the workspace timed on its own, median
/// of many repetitions, with 1 and 2 threads, so thread scaling can be explained by measurement.
/// </summary>
internal static class StepProfile
{
    public static int Run(string[] args)
    {
        string name = BenchmarkUtil.Option(args, "--workload") ?? "W1";
        var workload = TrainingBenchmark.Workloads.Single(w => w.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        var net = workload.Network;
        int rows = workload.BatchSize;
        var data = TrainingBenchmark.RandomData(workload with { Rows = Math.Max(rows * 4, 1024) });
        Console.WriteLine($"# Phases of one {workload.Name} step (batch {rows}), median µs per call");
        Console.WriteLine();
        Console.WriteLine("| phase | 1 thread | 2 threads | speed-up |");
        Console.WriteLine("|---|---:|---:|---:|");
        var results = new Dictionary<string, double>[2];
        for (int t = 0; t < 2; t++)
        {
            using var backend = new CpuBackend(threads: t + 1);
            using var workspace = new NetworkWorkspace(backend, net, rows, workload.Optimizer);
            using var source = new DeviceDataset(backend, data);
            backend.Upload(ParameterInitializer.Create(net, 1), workspace.Parameters);
            var step = OptimizerStep.Create(CoreTestOptions.Optimizer with { Kind = workload.Optimizer }, 1, 1e-3f, net.WeightCount);
            source.StartEpoch(new Random(1), shuffle: true);
            results[t] = new Dictionary<string, double>
            {
                ["gather minibatch"] = Micros(() => source.LoadBatch(workspace, 0, rows)),
                ["forward"] = Micros(() => workspace.Forward(rows)),
                ["loss + output gradient"] = Micros(() => workspace.Loss(rows, weighted: false, withGradient: true)),
                ["backward"] = Micros(() => workspace.Backward(rows)),
                ["optimizer step"] = Micros(() => workspace.Step(step)),
            };
            results[t]["whole step"] = Micros(() =>
            {
                source.LoadBatch(workspace, 0, rows);
                workspace.Forward(rows);
                workspace.Loss(rows, weighted: false, withGradient: true);
                workspace.Backward(rows);
                workspace.Step(step);
            });
        }
        foreach (var phase in results[0].Keys)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {phase} | {results[0][phase]:F1} | {results[1][phase]:F1} | {results[0][phase] / results[1][phase]:F2}x |"));

        // The same steps back to back, every kernel call timed (the phases above, split by kernel).
        Console.WriteLine();
        Console.WriteLine($"# Kernels of one {workload.Name} step, µs per step (mean over {KernelSteps} back-to-back steps)");
        Console.WriteLine();
        Console.WriteLine("| kernel | calls | 1 thread | 2 threads | speed-up |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var kernels = new List<(string Label, double Seconds, int Calls)>[2];
        for (int t = 0; t < 2; t++)
        {
            using var backend = new ProfilingBackend(new CpuBackend(threads: t + 1));
            using var workspace = new NetworkWorkspace(backend, net, rows, workload.Optimizer);
            using var source = new DeviceDataset(backend, data);
            backend.Upload(ParameterInitializer.Create(net, 1), workspace.Parameters);
            var step = OptimizerStep.Create(CoreTestOptions.Optimizer with { Kind = workload.Optimizer }, 1, 1e-3f, net.WeightCount);
            source.StartEpoch(new Random(1), shuffle: true);
            for (int pass = 0; pass < 2; pass++) // the first pass warms up
            {
                backend.Reset();
                for (int s = 0; s < KernelSteps; s++)
                {
                    source.LoadBatch(workspace, (s * rows) % (data.RowCount - rows + 1), rows);
                    workspace.Forward(rows);
                    workspace.Loss(rows, weighted: false, withGradient: true);
                    workspace.Backward(rows);
                    workspace.Step(step);
                }
            }
            kernels[t] = backend.Totals.ToList();
        }
        foreach (var (label, seconds, calls) in kernels[0])
        {
            double one = seconds / KernelSteps * 1e6;
            double two = kernels[1].Single(k => k.Label == label).Seconds / KernelSteps * 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {calls / KernelSteps} | {one:F1} | {two:F1} | {one / two:F2}x |"));
        }
        double total1 = kernels[0].Sum(k => k.Seconds) / KernelSteps * 1e6, total2 = kernels[1].Sum(k => k.Seconds) / KernelSteps * 1e6;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| all kernels | | {total1:F1} | {total2:F1} | {total1 / total2:F2}x |"));
        return 0;
    }

    private const int KernelSteps = 300;

    private static double Micros(Action action) => BenchmarkUtil.MedianSeconds(action, repetitions: 9, batchSeconds: 0.1) * 1e6;
}
