using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Mlp.Demo;
using Mlp.Samples;

namespace Mlp.Onnx;

/// <summary>What the demo found on one data set.</summary>
/// <param name="Dataset">The data set's name.</param>
/// <param name="OnnxPath">The exported model.</param>
/// <param name="Rows">Test rows scored by both.</param>
/// <param name="MaxProbabilityDifference">Largest |P_onnx − P_mlnet| over the test rows.</param>
/// <param name="LabelMismatches">Test rows whose PredictedLabel differs between the two.</param>
/// <param name="OnnxRowsPerSecond">ONNX Runtime's rows/s on the test rows in one call.</param>
/// <param name="MlNetRowsPerSecond">ML.NET's <c>Transform</c> rows/s on the same rows, Probability read.</param>
public sealed record OnnxDemoResult(string Dataset, string OnnxPath, int Rows, double MaxProbabilityDifference, int LabelMismatches,
    double OnnxRowsPerSecond, double MlNetRowsPerSecond);

/// <summary>
/// Trains the main demo's MLP pipeline (its featurization, then the MLP 64-32 ReLU with Adam), exports the whole
/// pipeline to ONNX with <c>ConvertToOnnx</c>, scores the raw test rows with ONNX Runtime and compares every
/// probability and label with ML.NET's.
/// </summary>
public static class OnnxDemo
{
    public static IReadOnlyList<OnnxDemoResult> Run(int epochs, string outputFolder, TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        string data = DataFolder.Find();
        var results = new List<OnnxDemoResult>();

        foreach (var dataset in new[] { Datasets.BreastCancer(ml, data), Datasets.Adult(ml, data) })
        {
            var split = ml.Data.TrainTestSplit(dataset.Data, testFraction: 0.2, seed: 1);
            var train = ml.Data.Cache(split.TrainSet);
            var model = dataset.Featurize
                .Append(ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [64, 32], numberOfEpochs: epochs, batchSize: 32, learningRate: 1e-3f))
                .Fit(train);

            // 1. Export the whole pipeline: the featurization's transforms and the MLP become one ONNX graph whose
            //    inputs are the raw columns. Keep only the three outputs an application reads.
            string path = Path.Combine(outputFolder, $"mlp-{dataset.Name.Replace(' ', '-').ToLowerInvariant()}.onnx");
            using (var file = File.Create(path))
                ml.Model.ConvertToOnnx(model, train, file, "PredictedLabel", "Score", "Probability");

            // 2. Score the raw test rows with ONNX Runtime, all in one call.
            var test = ml.Data.Cache(split.TestSet);
            int rows = CountRows(test);
            // Warnings off: ML.NET's one-hot export declares an extra [rows x 1 x n] shape that ONNX Runtime corrects
            // to [rows x n] at load, with a warning per one-hot column.
            using var sessionOptions = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(path, sessionOptions);
            var inputs = OnnxInputs.FromDataView(session, test, rows);
            float[] onnxProbability = [];
            bool[] onnxLabel = [];
            using var runOptions = new RunOptions();
            void ScoreWithOnnxRuntime()
            {
                using var outputs = session.Run(runOptions, inputs, ["Probability.output", "PredictedLabel.output"]);
                onnxProbability = outputs[0].GetTensorDataAsSpan<float>().ToArray();
                onnxLabel = outputs[1].GetTensorDataAsSpan<bool>().ToArray();
            }
            ScoreWithOnnxRuntime(); // the first call also plans the graph's memory: time the second
            double onnxSeconds = Time(ScoreWithOnnxRuntime);
            foreach (var input in inputs.Values)
                input.Dispose();

            // 3. The same rows through ML.NET.
            var scored = model.Transform(test);
            float[] probability = [];
            void ScoreWithMlNet() => probability = scored.GetColumn<float>("Probability").ToArray();
            ScoreWithMlNet();
            double mlNetSeconds = Time(ScoreWithMlNet);
            var label = scored.GetColumn<bool>("PredictedLabel").ToArray();
            var truth = scored.GetColumn<bool>("Label").ToArray();

            double maxDifference = probability.Zip(onnxProbability, (a, b) => Math.Abs((double)a - b)).Max();
            int mismatches = label.Zip(onnxLabel, (a, b) => a != b).Count(different => different);
            var result = new OnnxDemoResult(dataset.Name, path, rows, maxDifference, mismatches, rows / onnxSeconds, rows / mlNetSeconds);
            results.Add(result);

            output.WriteLine($"## {dataset.Name}: exported to {path} ({new FileInfo(path).Length / 1024.0:F1} KiB)");
            output.WriteLine($"ONNX inputs: {string.Join(", ", session.InputMetadata.Select(i => $"{i.Key} ({i.Value.ElementDataType})"))}");
            output.WriteLine($"ONNX outputs: {string.Join(", ", session.OutputNames)}");
            output.WriteLine($"{rows} test rows: largest |P(ONNX Runtime) - P(ML.NET)| = {maxDifference:E2}, predicted labels that differ: {mismatches}");
            output.WriteLine($"ONNX Runtime scored them in {onnxSeconds * 1000:F1} ms ({result.OnnxRowsPerSecond:N0} rows/s), " +
                $"ML.NET's Transform in {mlNetSeconds * 1000:F1} ms ({result.MlNetRowsPerSecond:N0} rows/s; second calls, one each: a rough figure)");
            output.WriteLine("| row | label | P(positive), ONNX Runtime | P(positive), ML.NET |");
            output.WriteLine("|---:|---|---:|---:|");
            for (int i = 0; i < Math.Min(5, rows); i++)
                output.WriteLine($"| {i} | {truth[i]} | {onnxProbability[i]:F6} | {probability[i]:F6} |");
            output.WriteLine();
        }
        return results;
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static int CountRows(IDataView data)
    {
        using var cursor = data.GetRowCursor([]);
        int rows = 0;
        while (cursor.MoveNext())
            rows++;
        return rows;
    }
}
