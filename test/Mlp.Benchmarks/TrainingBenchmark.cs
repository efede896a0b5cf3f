using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Testing;

namespace Mlp.Benchmarks;

/// <summary>
/// Training throughput (samples/s, and GFLOP/s with FLOPs = 6 x weights x samples) of the workloads W1-W3, with
/// steady-state allocated bytes per epoch, optionally side by side with PyTorch and scikit-learn
/// (eng/bench/peers.py) in interleaved runs; the table reports medians and our ratio to the best peer.
/// </summary>
internal static class TrainingBenchmark
{
    /// <summary>A workload of the performance issue: rows x widths, activation, head, optimizer, batch size.</summary>
    internal sealed record Workload(string Name, int Rows, int[] Widths, MlpActivation Activation, LossFunction Loss, MlpOptimizer Optimizer, int BatchSize)
    {
        public NetworkDescription Network => new(Widths[0], Widths[1..^1], Activation, Widths[^1], Loss);

        public long Weights => Enumerable.Range(1, Widths.Length - 1).Sum(i => (long)Widths[i - 1] * Widths[i]);
    }

    internal static readonly Workload[] Workloads =
    [
        new("W1", 60_000, [784, 256, 128, 10], MlpActivation.Relu, LossFunction.SoftmaxCrossEntropy, MlpOptimizer.Adam, 128),
        new("W2", 20_000, [1024, 2048, 2048, 10], MlpActivation.Relu, LossFunction.SoftmaxCrossEntropy, MlpOptimizer.Adam, 256),
        new("W3", 100_000, [2, 16, 16, 1], MlpActivation.Tanh, LossFunction.BinaryCrossEntropy, MlpOptimizer.Sgd, 32),
    ];

    public static int Run(string[] args)
    {
        string which = BenchmarkUtil.Option(args, "--workload") ?? "all";
        int[] threadCounts = BenchmarkUtil.Option(args, "--threads") is { } t ? [int.Parse(t, CultureInfo.InvariantCulture)] : [1, 2];
        int epochs = int.Parse(BenchmarkUtil.Option(args, "--epochs") ?? "2", CultureInfo.InvariantCulture);
        int runs = int.Parse(BenchmarkUtil.Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var device = Enum.Parse<MlpDevice>(BenchmarkUtil.Option(args, "--device") ?? "Cpu", ignoreCase: true);
        bool peers = BenchmarkUtil.Flag(args, "--peers");
        var selected = Workloads.Where(w => which == "all" || w.Name.Equals(which, StringComparison.OrdinalIgnoreCase)).ToArray();

        Console.WriteLine($"# Training throughput: {epochs} timed epoch(s) after one warm-up epoch, median of {runs} interleaved run(s), device {device}");
        Console.WriteLine();
        Console.WriteLine("| workload | threads | ours samples/s | ours GFLOP/s | alloc/epoch | PyTorch | scikit-learn | ours / best peer |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var notes = new List<string>();
        foreach (var workload in selected)
        {
            var data = RandomData(workload);
            foreach (int threads in threadCounts)
            {
                var ours = new List<double>();
                var latencies = new List<string>();
                var torch = new List<double>();
                var sklearn = new List<double>();
                long allocated = 0;
                for (int run = 0; run < runs; run++)
                {
                    double latency = threads > 1 ? CoreLatency.MeasureNanoseconds() : 0;
                    (double rate, allocated) = MeasureOurs(workload, data, threads, epochs, device);
                    ours.Add(rate);
                    if (threads > 1)
                        latencies.Add(string.Create(CultureInfo.InvariantCulture, $"{rate:N0} ({latency:F0} ns)"));
                    if (peers)
                    {
                        torch.Add(Peer(workload.Name, "torch", threads, epochs) ?? double.NaN);
                        sklearn.Add(Peer(workload.Name, "sklearn", threads, epochs) ?? double.NaN);
                    }
                }
                double our = Median(ours), best = Math.Max(Median(torch), Median(sklearn));
                Console.WriteLine($"| {workload.Name} | {threads} | {our:N0} | {our * 6 * workload.Weights / 1e9:F1} | {allocated:N0} B | " +
                    $"{Format(Median(torch))} | {Format(Median(sklearn))} | {(peers && best > 0 ? $"{our / best:F2}x" : "-")} |");
                if (latencies.Count > 0)
                    notes.Add($"{workload.Name}, {threads} threads, each run's samples/s (core-to-core round trip just before it): {string.Join(", ", latencies)}");
            }
        }
        if (notes.Count > 0)
            Console.WriteLine();
        foreach (string note in notes)
            Console.WriteLine(note);
        return 0;
    }

    /// <summary>Samples/s over the timed epochs, and bytes allocated during the last epoch (steady state).</summary>
    internal static (double SamplesPerSecond, long AllocatedBytesPerEpoch) MeasureOurs(Workload workload, Dataset data, int threads, int epochs, MlpDevice device)
    {
        var net = workload.Network;
        var initial = ParameterInitializer.Create(net, 1);
        var marks = new List<(TimeSpan Elapsed, long Allocated)>();
        var options = CoreTestOptions.Training with
        {
            Epochs = epochs + 1,
            BatchSize = workload.BatchSize,
            Device = device,
            NumberOfThreads = threads,
            Optimizer = CoreTestOptions.Optimizer with { Kind = workload.Optimizer, LearningRate = workload.Optimizer == MlpOptimizer.Sgd ? 0.01f : 1e-3f },
            EpochCompleted = r => marks.Add((r.Elapsed, GC.GetTotalAllocatedBytes(precise: true))),
        };
        NetworkTrainer.Train(net, initial, data, null, options);
        double seconds = (marks[^1].Elapsed - marks[0].Elapsed).TotalSeconds; // the first epoch is the warm-up
        long allocated = marks.Count >= 2 ? marks[^1].Allocated - marks[^2].Allocated : 0;
        return (workload.Rows * (double)epochs / seconds, allocated);
    }

    internal static Dataset RandomData(Workload workload)
    {
        var random = new Random(1);
        int d = workload.Widths[0], k = workload.Widths[^1];
        var x = new float[workload.Rows * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() * 2 - 1);
        var y = new float[workload.Rows];
        for (int i = 0; i < y.Length; i++)
            y[i] = workload.Loss == LossFunction.SoftmaxCrossEntropy ? random.Next(k) : random.Next(2);
        return new Dataset(x, workload.Rows, d, y);
    }

    /// <summary>Runs eng/bench/peers.py and returns its samples/s, or null (with a note) when the peer is unavailable.</summary>
    internal static double? Peer(string workload, string framework, int threads, int epochs, string field = "samples_per_s")
    {
        var json = PeerJson(workload, framework, threads, epochs);
        return json is { } doc && doc.RootElement.TryGetProperty(field, out var value) ? value.GetDouble() : null;
    }

    internal static JsonDocument? PeerJson(string workload, string framework, int threads, int epochs, string[]? extra = null)
    {
        string? root = BenchmarkUtil.RepoRoot();
        if (root is null)
            return null;
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { Path.Combine(root, "eng", "bench", "peers.py"), workload, framework, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--epochs", epochs.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in extra ?? [])
            start.ArgumentList.Add(argument);
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment.Remove("OPENBLAS_CORETYPE");   // set on some hosts for old OpenBLAS builds; they slow current numpy
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"peer {framework} {workload} failed: {error.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            return JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"peer {framework} unavailable ({e.Message}); run eng/bench/setup.sh");
            return null;
        }
    }

    internal static double Median(List<double> values)
    {
        var finite = values.Where(double.IsFinite).Order().ToArray();
        return finite.Length == 0 ? double.NaN : finite[finite.Length / 2];
    }

    internal static string Format(double value) => double.IsFinite(value) ? value.ToString("N0", CultureInfo.InvariantCulture) : "-";
}
