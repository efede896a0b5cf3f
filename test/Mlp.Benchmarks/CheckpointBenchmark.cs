using System.Globalization;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;
using Mlp.Testing;

namespace Mlp.Benchmarks;

/// <summary>
/// What checkpoints cost: seconds per epoch of W1 and W2 with and without a checkpoint written after every epoch
/// (interleaved runs, medians; the first epoch of each run is a warm-up and not counted), and the checkpoint's size.
/// </summary>
internal static class CheckpointBenchmark
{
    public static int Run(string[] args)
    {
        string which = BenchmarkUtil.Option(args, "--workload") ?? "all";
        int epochs = int.Parse(BenchmarkUtil.Option(args, "--epochs") ?? "3", CultureInfo.InvariantCulture);
        int runs = int.Parse(BenchmarkUtil.Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        int? threads = BenchmarkUtil.Option(args, "--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null;
        string directory = Path.Combine(Path.GetTempPath(), "mlp-checkpoint-benchmark-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var selected = TrainingBenchmark.Workloads.Where(w => w.Name != "W3" && (which == "all" || w.Name.Equals(which, StringComparison.OrdinalIgnoreCase)));

        Console.WriteLine($"# Checkpoint cost: {epochs} timed epoch(s) after one warm-up epoch, median of {runs} interleaved run(s), CPU, directory {directory}");
        Console.WriteLine();
        Console.WriteLine("| workload | checkpoint size | training thread waits (ms) | whole write (ms) | s/epoch without | s/epoch with | with / without |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var workload in selected)
        {
            var data = TrainingBenchmark.RandomData(workload);
            var without = new List<double>();
            var with = new List<double>();
            long size = 0;
            for (int run = 0; run < runs; run++)
            {
                without.Add(SecondsPerEpoch(workload, data, epochs, threads, checkpoints: null, out _));
                with.Add(SecondsPerEpoch(workload, data, epochs, threads, directory, out size));
            }
            double a = Median(without), b = Median(with);
            var (blocking, whole) = MillisecondsPerCheckpoint(workload, threads, directory);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {workload.Name} | {size / 1e6:F1} MB | {blocking:F1} | {whole:F1} | {a:F3} | {b:F3} | {b / a:F3} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  runs without: {string.Join(", ", without.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}; with: {string.Join(", ", with.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}"));
        }
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        return 0;
    }

    private static double SecondsPerEpoch(TrainingBenchmark.Workload workload, Dataset data, int epochs, int? threads, string? checkpoints, out long size)
    {
        var net = workload.Network;
        var marks = new List<TimeSpan>();
        long lastSize = 0;
        string? file = checkpoints is null ? null : Path.Combine(checkpoints, TrainingCheckpoint.FileName);
        var options = CoreTestOptions.Training with
        {
            Epochs = epochs + 1,
            BatchSize = workload.BatchSize,
            Device = MlpDevice.Cpu,
            NumberOfThreads = threads,
            Optimizer = CoreTestOptions.Optimizer with { Kind = workload.Optimizer, LearningRate = 1e-3f },
            // The record of epoch e arrives before its checkpoint is written; the next record's time includes it.
            EpochCompleted = r =>
            {
                marks.Add(r.Elapsed);
                if (file is not null && File.Exists(file))
                    lastSize = new FileInfo(file).Length;
            },
            Checkpoint = checkpoints is null ? null : new CheckpointSettings(checkpoints, KeepAfterSuccess: false, []),
        };
        NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), data, null, options);
        size = lastSize;
        return (marks[^1] - marks[0]).TotalSeconds / epochs;
    }

    /// <summary>The time of one checkpoint alone, median of 9: what the training thread waits for (copy and serialize
    /// the state), and the whole of it (also hash, write, flush to disk and rename, which overlap the next epoch).</summary>
    private static (double Blocking, double Total) MillisecondsPerCheckpoint(TrainingBenchmark.Workload workload, int? threads, string directory)
    {
        var net = workload.Network;
        using var backend = BackendFactory.Create(MlpDevice.Cpu, threads);
        using var workspace = new NetworkWorkspace(backend, net, workload.BatchSize, workload.Optimizer);
        using var session = new CheckpointSession(new CheckpointSettings(directory, KeepAfterSuccess: false, []), net, null, [], []);
        var blocking = new List<double>();
        var total = new List<double>();
        for (int i = 0; i < 9; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            session.Save(workspace, i + 1, 100 * (i + 1), workload.Rows, finished: false, stopping: null, []);
            blocking.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            session.WaitForWrite();
            total.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        session.Complete();
        return (Median(blocking), Median(total));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
