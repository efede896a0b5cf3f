using System.Globalization;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;

namespace Mlp.Benchmarks;

/// <summary>
/// Training throughput of the W1 shape against batch size (hidden 256-128) and against hidden width (two layers of
/// width h, batch 128), for this project and the peers (PyTorch and scikit-learn by default), written as a table and
/// a PNG per sweep.
/// </summary>
internal static class SweepBenchmark
{
    public static int Run(string[] args)
    {
        int rows = int.Parse(BenchmarkUtil.Option(args, "--rows") ?? "60000", CultureInfo.InvariantCulture);
        string[] peers = (BenchmarkUtil.Option(args, "--peer") ?? "torch,sklearn").Split(',', StringSplitOptions.RemoveEmptyEntries);
        string folder = BenchmarkUtil.Option(args, "--out") ?? Path.Combine(BenchmarkUtil.RepoRoot() ?? ".", "docs", "img");
        int[] batches = [32, 64, 128, 256, 512];
        int[] widths = [64, 128, 256, 512, 1024];

        Console.WriteLine($"# Throughput sweep, W1 shape (784 inputs, 10 classes, ReLU, Adam), {rows:N0} rows, 2 threads, peers {string.Join(", ", peers)}");
        Console.WriteLine();
        Console.WriteLine($"| sweep | value | ours samples/s | {string.Join(" | ", peers.Select(PeerName))} | ours / best peer |");
        Console.WriteLine($"|---|---:|---:|{string.Concat(peers.Select(_ => "---:|"))}---:|");
        var batchResults = batches.Select(b => Measure("batch", b, rows, [256, 128], b, peers)).ToArray();
        var widthResults = widths.Select(w => Measure("hidden width", w, rows, [w, w], 128, peers)).ToArray();

        Directory.CreateDirectory(folder);
        // Legends where the curves are not: batch throughput rises to the right, width throughput falls.
        Draw(Path.Combine(folder, "throughput-vs-batch.png"), "Training throughput vs batch size (784-256-128-10)", "batch size (rows per minibatch, log scale)", batches, batchResults, peers, ScottPlot.Alignment.LowerRight);
        Draw(Path.Combine(folder, "throughput-vs-width.png"), "Training throughput vs hidden width h (784-h-h-10, batch 128)", "hidden width h (units per hidden layer, log scale)", widths, widthResults, peers, ScottPlot.Alignment.UpperRight);
        return 0;
    }

    private static string PeerName(string peer) => peer switch
    {
        "torch" => "PyTorch",
        "sklearn" => "scikit-learn",
        _ => peer,
    };

    private static (double Ours, double[] Peers) Measure(string sweep, int value, int rows, int[] hidden, int batch, string[] peers)
    {
        var workload = new TrainingBenchmark.Workload("W1", rows, [784, .. hidden, 10], MlpActivation.Relu, LossFunction.SoftmaxCrossEntropy, MlpOptimizer.Adam, batch);
        var data = TrainingBenchmark.RandomData(workload);
        double ours = TrainingBenchmark.MeasureOurs(workload, data, threads: Environment.ProcessorCount, epochs: 1, MlpDevice.Cpu).SamplesPerSecond;
        string[] overrides = ["--rows", rows.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture), "--hidden", string.Join(",", hidden)];
        double[] theirs = peers.Select(peer =>
            TrainingBenchmark.PeerJson("W1", peer, Environment.ProcessorCount, 1, overrides)?.RootElement.GetProperty("samples_per_s").GetDouble() ?? double.NaN).ToArray();
        double best = theirs.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        Console.WriteLine($"| {sweep} | {value} | {ours:N0} | {string.Join(" | ", theirs.Select(TrainingBenchmark.Format))} | {(double.IsFinite(best) ? $"{ours / best:F2}x" : "-")} |");
        return (ours, theirs);
    }

    private static void Draw(string path, string title, string xLabel, int[] xs, (double Ours, double[] Peers)[] results, string[] peers, ScottPlot.Alignment legend)
    {
        var plot = new ScottPlot.Plot();
        double[] x = xs.Select(v => Math.Log2(v)).ToArray();
        var ours = plot.Add.Scatter(x, results.Select(r => r.Ours / 1000).ToArray());
        ours.LegendText = "Mlp for ML.NET (CPU)";
        for (int p = 0; p < peers.Length; p++)
        {
            var theirs = plot.Add.Scatter(x, results.Select(r => r.Peers[p] / 1000).ToArray());
            theirs.LegendText = $"{PeerName(peers[p])} (CPU)";
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(x, xs.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("thousand samples/s");
        double top = results.SelectMany(r => r.Peers.Append(r.Ours)).Where(double.IsFinite).Max();
        plot.Axes.SetLimitsY(0, top / 1000 * 1.1);
        plot.ShowLegend(legend);
        plot.SavePng(path, 640, 400);
        Console.WriteLine($"plot: {path}");
    }
}
