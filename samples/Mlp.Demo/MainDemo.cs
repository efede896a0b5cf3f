using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Mlp.Samples;

namespace Mlp.Demo;

/// <summary>One row of the comparison table.</summary>
public sealed record DemoResult(string Dataset, string Model, double Accuracy, double Auc, double F1, TimeSpan TrainingTime);

/// <summary>Trains the MLP and the baselines on each data set, prints the table, saves/loads/predicts with the MLP.</summary>
public static class MainDemo
{
    /// <summary>Runs the demo; returns the table rows and checks that the reloaded MLP predicts exactly as before saving.</summary>
    public static IReadOnlyList<DemoResult> Run(int epochs, TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        string data = DataFolder.Find();
        output.WriteLine($"Data: {data}\n");
        var results = new List<DemoResult>();

        foreach (var dataset in new[] { Datasets.BreastCancer(ml, data), Datasets.Adult(ml, data) })
        {
            var split = ml.Data.TrainTestSplit(dataset.Data, testFraction: 0.2, seed: 1);
            var train = ml.Data.Cache(split.TrainSet);
            output.WriteLine($"## {dataset.Name}: {dataset.Description}");
            output.WriteLine("| model | accuracy | AUC | F1 | training time |");
            output.WriteLine("|---|---:|---:|---:|---:|");

            var candidates = new (string Name, IEstimator<ITransformer> Trainer, bool Calibrated)[]
            {
                ("Mlp 64-32 ReLU, Adam", ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [64, 32], numberOfEpochs: epochs, batchSize: 32, learningRate: 1e-3f), true),
                ("LinearSvm", ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 20), false),
                ("LdSvm (local deep SVM)", ml.BinaryClassification.Trainers.LdSvm(numberOfIterations: 2000), false),
                ("RBF kernel map + LinearSvm", ml.Transforms.ApproximatedKernelMap("Features", rank: 512, generator: new GaussianKernel(gamma: 0.5f))
                    .Append(ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 20)), false),
                ("FastTree", ml.BinaryClassification.Trainers.FastTree(), true),
            };

            ITransformer? mlpModel = null;
            foreach (var (name, trainer, calibrated) in candidates)
            {
                var clock = Stopwatch.StartNew();
                var model = dataset.Featurize.Append(trainer).Fit(train);
                clock.Stop();
                var scored = model.Transform(split.TestSet);
                var metrics = calibrated
                    ? ml.BinaryClassification.Evaluate(scored)
                    : ml.BinaryClassification.EvaluateNonCalibrated(scored);
                results.Add(new DemoResult(dataset.Name, name, metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.F1Score, clock.Elapsed));
                output.WriteLine($"| {name} | {metrics.Accuracy:P1} | {metrics.AreaUnderRocCurve:F3} | {metrics.F1Score:F3} | {clock.Elapsed.TotalSeconds:F2} s |");
                mlpModel ??= model;
            }

            // Save the MLP, load it with a new MLContext (as another process would) and predict a few test rows.
            string path = Path.Combine(Path.GetTempPath(), $"mlp-{dataset.Name.Replace(' ', '-').ToLowerInvariant()}.zip");
            ml.Model.Save(mlpModel!, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var before = mlpModel!.Transform(split.TestSet).GetColumn<float>("Probability").Take(5).ToArray();
            var after = loaded.Transform(split.TestSet).GetColumn<float>("Probability").Take(5).ToArray();
            var labels = loaded.Transform(split.TestSet).GetColumn<bool>("Label").Take(5).ToArray();
            output.WriteLine($"\nSaved the MLP to {path} ({new FileInfo(path).Length / 1024.0:F1} KiB), reloaded it and predicted:");
            for (int i = 0; i < after.Length; i++)
                output.WriteLine($"  row {i}: label {labels[i],-5}  P(positive) = {after[i]:F4}  (before saving: {before[i]:F4})");
            output.WriteLine();
            if (!before.SequenceEqual(after))
                throw new InvalidOperationException("The reloaded model predicts differently from the saved one.");
        }
        return results;
    }
}
