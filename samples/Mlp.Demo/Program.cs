// The main demo: an MLP next to the course's baselines (LinearSvm, LdSvm, RBF kernel map + LinearSvm, FastTree)
// on real data, then save, load in a fresh MLContext and predict.
//   dotnet run --project samples/Mlp.Demo -c Release [-- --epochs N]
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Mlp.Demo;
using Mlp.Samples;

int epochs = args.Length >= 2 && args[0] == "--epochs" ? int.Parse(args[1]) : 10;
var ml = new MLContext(seed: 1);
string data = DataFolder.Find();
Console.WriteLine($"Data: {data}\n");

foreach (var dataset in new[] { Datasets.BreastCancer(ml, data), Datasets.Adult(ml, data) })
{
    var split = ml.Data.TrainTestSplit(dataset.Data, testFraction: 0.2, seed: 1);
    var train = ml.Data.Cache(split.TrainSet);
    Console.WriteLine($"## {dataset.Name}: {dataset.Description}");
    Console.WriteLine($"| model | accuracy | AUC | F1 | training time |");
    Console.WriteLine($"|---|---:|---:|---:|---:|");

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
        Console.WriteLine($"| {name} | {metrics.Accuracy:P1} | {metrics.AreaUnderRocCurve:F3} | {metrics.F1Score:F3} | {clock.Elapsed.TotalSeconds:F2} s |");
        mlpModel ??= model;
    }

    // Save the MLP, load it with a new MLContext (as another process would) and predict a few test rows.
    string path = Path.Combine(Path.GetTempPath(), $"mlp-{dataset.Name.Replace(' ', '-').ToLowerInvariant()}.zip");
    ml.Model.Save(mlpModel!, train.Schema, path);
    var loaded = new MLContext().Model.Load(path, out _);
    var before = mlpModel!.Transform(split.TestSet).GetColumn<float>("Probability").Take(5).ToArray();
    var after = loaded.Transform(split.TestSet).GetColumn<float>("Probability").Take(5).ToArray();
    var labels = loaded.Transform(split.TestSet).GetColumn<bool>("Label").Take(5).ToArray();
    Console.WriteLine($"\nSaved the MLP to {path} ({new FileInfo(path).Length / 1024.0:F1} KiB), reloaded it and predicted:");
    for (int i = 0; i < after.Length; i++)
        Console.WriteLine($"  row {i}: label {labels[i],-5}  P(positive) = {after[i]:F4}  (before saving: {before[i]:F4})");
    Console.WriteLine();
}
