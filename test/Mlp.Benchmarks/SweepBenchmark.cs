using System.Globalization;
using Mlp.Gpu;

namespace Mlp.Benchmarks;

/// <summary>
/// Training throughput of the W1 shape against batch size (hidden 256-128) and against hidden width (two layers of
/// width h, batch 128), for this project and a peer (PyTorch by default), written as a table and a PNG.
/// </summary>
internal static class SweepBenchmark
{
    public static int Run(string[] args)
    {
        int rows = int.Parse(BenchmarkUtil.Option(args, "--rows") ?? "60000", CultureInfo.InvariantCulture);
        string peer = BenchmarkUtil.Option(args, "--peer") ?? "torch";
        string folder = BenchmarkUtil.Option(args, "--out") ?? Path.Combine(BenchmarkUtil.RepoRoot() ?? ".", "docs", "img");
        int[] batches = [32, 64, 128, 256, 512];
        int[] widths = [64, 128, 256, 512, 1024];

        Console.WriteLine($"# Throughput sweep, W1 shape (784 inputs, 10 classes, ReLU, Adam), {rows:N0} rows, 2 threads, peer {peer}");
        Console.WriteLine();
        Console.WriteLine("| sweep | value | ours samples/s | peer samples/s | ours / peer |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var batchResults = batches.Select(b => Measure("batch", b, rows, [256, 128], b, peer)).ToArray();
        var widthResults = widths.Select(w => Measure("hidden width", w, rows, [w, w], 128, peer)).ToArray();

        Directory.CreateDirectory(folder);
        Draw(Path.Combine(folder, "throughput-vs-batch.png"), "Training throughput vs batch size (784-256-128-10)", batches, batchResults, peer);
        Draw(Path.Combine(folder, "throughput-vs-width.png"), "Training throughput vs hidden width h (784-h-h-10, batch 128)", widths, widthResults, peer);
        return 0;
    }

    private static (double Ours, double Peer) Measure(string sweep, int value, int rows, int[] hidden, int batch, string peer)
    {
        var workload = new TrainingBenchmark.Workload("W1", rows, [784, .. hidden, 10], Activation.Relu, LossFunction.SoftmaxCrossEntropy, OptimizerKind.Adam, batch);
        var data = TrainingBenchmark.RandomData(workload);
        double ours = TrainingBenchmark.MeasureOurs(workload, data, threads: Environment.ProcessorCount, epochs: 1, DeviceKind.Cpu).SamplesPerSecond;
        var json = TrainingBenchmark.PeerJson("W1", peer, Environment.ProcessorCount, 1,
            ["--rows", rows.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture), "--hidden", string.Join(",", hidden)]);
        double theirs = json?.RootElement.GetProperty("samples_per_s").GetDouble() ?? double.NaN;
        Console.WriteLine($"| {sweep} | {value} | {ours:N0} | {TrainingBenchmark.Format(theirs)} | {(double.IsFinite(theirs) ? $"{ours / theirs:F2}x" : "-")} |");
        return (ours, theirs);
    }

    private static void Draw(string path, string title, int[] xs, (double Ours, double Peer)[] results, string peer)
    {
        var plot = new ScottPlot.Plot();
        double[] x = xs.Select(v => Math.Log2(v)).ToArray();
        var ours = plot.Add.Scatter(x, results.Select(r => r.Ours / 1000).ToArray());
        ours.LegendText = "Mlp for ML.NET (CPU)";
        var theirs = plot.Add.Scatter(x, results.Select(r => r.Peer / 1000).ToArray());
        theirs.LegendText = peer == "torch" ? "PyTorch (CPU)" : "scikit-learn";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(x, xs.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title);
        plot.YLabel("thousand samples/s");
        plot.Axes.SetLimitsY(0, Math.Max(results.Max(r => r.Ours), results.Where(r => double.IsFinite(r.Peer)).Select(r => r.Peer).DefaultIfEmpty(0).Max()) / 1000 * 1.1);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 640, 400);
        Console.WriteLine($"plot: {path}");
    }
}
