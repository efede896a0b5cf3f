using System.Globalization;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;

namespace Mlp.Benchmarks;

/// <summary>
/// What bounds W4's <c>model.Transform</c> rows/s: the same 10,000 rows scored (1) through ML.NET's row cursor with a
/// linear 784 → 10 model, so almost all of the time is ML.NET's per-row machinery; (2) by <see cref="NetworkPredictor"/>
/// alone, one matrix-vector product per row per layer, on 1 and 2 threads: the most a row-at-a-time mapper can reach;
/// (3) by the training forward pass over blocks of rows (<see cref="NetworkWorkspace.Forward"/>, one GEMM per layer per
/// block) on 1 and 2 threads: the most any scorer of ours could reach had ML.NET handed it blocks of rows. (3) leaves
/// out the softmax over the 10 outputs, so it is an upper bound.
/// </summary>
internal static class TransformBound
{
    private const int BlockRows = 1000;

    /// <summary>Measures and prints the table for <paramref name="predictor"/>'s network with the same weights as the flat
    /// <paramref name="parameters"/>; <paramref name="bestPeerRows"/> (rows/s, 0 if unknown) adds ratios.</summary>
    public static void Print(MLContext ml, IDataView data, float[][] rows, NetworkPredictor predictor, float[] parameters,
        Action<IDataView> readScores, double transformRows, double bestPeerRows)
    {
        int count = rows.Length;
        var network = predictor.Network;
        double flopsPerRow = 2.0 * network.Layers.Sum(l => (double)l.InputCount * l.OutputCount);
        var results = new List<(string Path, int Threads, double FlopsPerRow, double RowsPerSecond)>
        {
            ("`Transform` + Score, W1 network (the W4 measure)", 2, flopsPerRow, transformRows),
        };

        // (1) ML.NET's per-row cost: the same cursor, the same 784-float rows, a model with 1/30 of the arithmetic.
        var linear = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [], numberOfEpochs: 1, batchSize: 128))
            .Fit(ml.Data.TakeRows(data, 2000)).LastTransformer;
        results.Add(("`Transform` + Score, linear 784→10 model (ML.NET's per-row work)", 2, 2.0 * network.InputCount * network.OutputCount, count / BenchmarkUtil.MedianSeconds(() => readScores(linear.Transform(data)), repetitions: 5, batchSeconds: 0.5)));

        // (2) One GEMV per row per layer, the work ML.NET's IValueMapper does, without ML.NET.
        foreach (int threads in new[] { 1, 2 })
        {
            double seconds = BenchmarkUtil.MedianSeconds(() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                Span<float> scores = stackalloc float[network.OutputCount];
                for (int i = part; i < count; i += threads)
                    predictor.Predict(rows[i], scores);
            }), repetitions: 5, batchSeconds: 0.5);
            results.Add(($"`NetworkPredictor`, one row at a time, {threads} thread{(threads > 1 ? "s" : "")} (the most a per-row mapper reaches)", threads, flopsPerRow, count / seconds));
        }

        // (3) One GEMM per layer per block of rows: the training forward pass, evaluation mode.
        var features = new float[count * network.InputCount];
        for (int i = 0; i < count; i++)
            rows[i].CopyTo(features, i * network.InputCount);
        var dataset = new Dataset(features, count, network.InputCount, new float[count]);
        foreach (int threads in new[] { 1, 2 })
        {
            using var backend = new CpuBackend(threads);
            using var workspace = new NetworkWorkspace(backend, network, BlockRows, MlpOptimizer.Sgd);
            using var source = new DeviceDataset(backend, dataset);
            backend.Upload(parameters, workspace.Parameters);
            source.StartEpoch(new Random(1), shuffle: false);
            double seconds = BenchmarkUtil.MedianSeconds(() =>
            {
                for (int start = 0; start < count; start += BlockRows)
                {
                    int block = Math.Min(BlockRows, count - start);
                    source.LoadBatch(workspace, start, block);
                    workspace.Forward(block);
                }
            }, repetitions: 5, batchSeconds: 0.5);
            results.Add(($"forward pass over blocks of {BlockRows} rows, {threads} thread{(threads > 1 ? "s" : "")} (the most a block scorer reaches)", threads, flopsPerRow, count / seconds));
        }

        Console.WriteLine();
        Console.WriteLine($"# What bounds Transform: the same {count:N0} rows, {flopsPerRow / 1e3:F1} kFLOP per row");
        Console.WriteLine();
        Console.WriteLine("| path | rows/s | µs per row per core | GFLOP/s | / best peer |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (path, threads, flops, rowsPerSecond) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path} | {rowsPerSecond:N0} | {threads * 1e6 / rowsPerSecond:F2} | {rowsPerSecond * flops / 1e9:F1} | {(bestPeerRows > 0 ? $"{rowsPerSecond / bestPeerRows:F2}x" : "-")} |"));
        }
        if (bestPeerRows > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\nThe target, 1.5x the best peer = {1.5 * bestPeerRows:N0} rows/s, is {1.5 * bestPeerRows * flopsPerRow / 1e9:F1} GFLOP/s of this network's products."));
    }
}
