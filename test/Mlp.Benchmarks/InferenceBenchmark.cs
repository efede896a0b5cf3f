using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;

namespace Mlp.Benchmarks;

/// <summary>
/// W4: inference with the W1 network (784-256-128-10, softmax): per-row latency of ML.NET's PredictionEngine (and of
/// the core's NetworkPredictor), and rows/s of model.Transform over 10,000 rows with the Score column read, next to
/// the same network exported to ONNX and scored by ONNX Runtime, optionally next to PyTorch and scikit-learn
/// (eng/bench/peers.py W4).
/// </summary>
internal static class InferenceBenchmark
{
    private const int FeatureCount = 784;
    private const int Rows = 10_000;

    private sealed class Row
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }

    public static int Run(string[] args)
    {
        int threads = int.Parse(BenchmarkUtil.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        bool peers = BenchmarkUtil.Flag(args, "--peers");
        var rows = RandomRows(Rows, seed: 1);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [256, 128], numberOfEpochs: 1, batchSize: 128));
        var model = pipeline.Fit(ml.Data.TakeRows(data, 2000));
        var scoring = model.LastTransformer; // score features directly; MapValueToKey is a training-time step here

        using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(scoring);
        var output = new Prediction();
        double engineLatency = MedianLatency(i => engine.Predict(rows[i % Rows], ref output));

        // The same weights through the core's predictor alone, rebuilt from the model's public accessors.
        var parameters = scoring.Model;
        var description = new NetworkDescription(parameters.NumberOfFeatures, parameters.HiddenLayerSizes, MlpActivation.Relu, 10, LossFunction.SoftmaxCrossEntropy);
        var flat = Enumerable.Range(0, parameters.LayerCount).SelectMany(l => parameters.GetWeights(l).ToArray())
            .Concat(Enumerable.Range(0, parameters.LayerCount).SelectMany(l => parameters.GetBiases(l).ToArray())).ToArray();
        var predictor = new NetworkPredictor(description, flat);
        var scores = new float[10];
        double coreLatency = MedianLatency(i => predictor.Predict(rows[i % Rows].Features, scores));

        double batchRowsPerSecond = 1.0 / BenchmarkUtil.MedianSeconds(() => ReadScores(scoring.Transform(data)), repetitions: 5, batchSeconds: 0.5) * Rows;

        // The same network exported to ONNX and scored by ONNX Runtime on the peers' thread count.
        using var onnx = new OnnxRuntimeScoring(ml, scoring, data, threads);
        var allRows = rows.Select(r => r.Features).ToArray();
        var batchInputs = onnx.Inputs(allRows, Rows);
        var oneRowInputs = Enumerable.Range(0, 16).Select(i => onnx.Inputs([allRows[i]], 1)).ToArray();
        double onnxLatency = MedianLatency(i => onnx.Score(oneRowInputs[i % oneRowInputs.Length]));
        double onnxRowsPerSecond = 1.0 / BenchmarkUtil.MedianSeconds(() => onnx.Score(batchInputs), repetitions: 5, batchSeconds: 0.5) * Rows;
        foreach (var value in batchInputs.Values.Concat(oneRowInputs.SelectMany(i => i.Values)))
            value.Dispose();

        Console.WriteLine($"# W4 inference, W1 network 784-256-128-10, {threads} threads for the peers");
        Console.WriteLine();
        Console.WriteLine("| measure | ours (PredictionEngine / Transform) | ours (NetworkPredictor) | our export in ONNX Runtime | PyTorch | scikit-learn | ours / best peer |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        double? torchLatency = null, sklearnLatency = null, torchRows = null, sklearnRows = null;
        if (peers)
        {
            var torch = TrainingBenchmark.PeerJson("W4", "torch", threads, 1);
            var sklearn = TrainingBenchmark.PeerJson("W4", "sklearn", threads, 1);
            torchLatency = torch?.RootElement.GetProperty("row_latency_us").GetDouble();
            torchRows = torch?.RootElement.GetProperty("rows_per_s").GetDouble();
            sklearnLatency = sklearn?.RootElement.GetProperty("row_latency_us").GetDouble();
            sklearnRows = sklearn?.RootElement.GetProperty("rows_per_s").GetDouble();
        }
        double bestLatency = Math.Min(torchLatency ?? double.PositiveInfinity, sklearnLatency ?? double.PositiveInfinity);
        double bestRows = Math.Max(torchRows ?? 0, sklearnRows ?? 0);
        Console.WriteLine($"| one row, median latency (us) | {engineLatency:F1} | {coreLatency:F1} | {onnxLatency:F1} | {F(torchLatency)} | {F(sklearnLatency)} | " +
            (double.IsFinite(bestLatency) ? $"{engineLatency / bestLatency:F2}x the latency" : "-") + " |");
        Console.WriteLine($"| 10k rows, rows/s | {batchRowsPerSecond:N0} | - | {onnxRowsPerSecond:N0} | {F(torchRows, "N0")} | {F(sklearnRows, "N0")} | " +
            (bestRows > 0 ? $"{batchRowsPerSecond / bestRows:F2}x" : "-") + " |");

        TransformBound.Print(ml, data, rows.Select(r => r.Features).ToArray(), predictor, flat, ReadScores, batchRowsPerSecond, bestRows);
        return 0;
    }

    private static string F(double? value, string format = "F1") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static void ReadScores(IDataView scored)
    {
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> score = default;
        while (cursor.MoveNext())
            getter(ref score);
    }

    /// <summary>Median microseconds of single calls, after a warm-up.</summary>
    private static double MedianLatency(Action<int> call, int calls = 5000)
    {
        for (int i = 0; i < 2000; i++)
            call(i);
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times[calls / 2];
    }

    private static Row[] RandomRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new Row
        {
            Features = Enumerable.Range(0, FeatureCount).Select(_ => (float)random.NextDouble()).ToArray(),
            Label = (uint)random.Next(10),
        }).ToArray();
    }
}
