using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML.Transforms;
using Mlp.Samples;

namespace Mlp.KerasDemos;

/// <summary>Which digits to read from the data folder.</summary>
public enum DigitsDataset
{
    /// <summary>mnist_test.csv: the 10,000 MNIST test images, 28 x 28 = 784 pixels 0..255, label first.</summary>
    Mnist,

    /// <summary>optdigits_train.csv: 3,823 UCI digits, 8 x 8 = 64 block counts 0..16, label last.</summary>
    Optdigits,
}

/// <summary>Options of <see cref="MnistDemo"/>; the defaults match the Keras code in README.md.</summary>
public sealed record MnistOptions
{
    /// <summary>The data set. Default MNIST.</summary>
    public DigitsDataset Dataset { get; init; } = DigitsDataset.Mnist;

    /// <summary>Use only the first N rows of the file (0 = all). Default 0.</summary>
    public int Rows { get; init; }

    /// <summary>Fraction of the rows held out for testing. Default 0.2 (8,000 / 2,000 for MNIST).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Hidden layers. Default 512, 512 (Keras' mnist_mlp).</summary>
    public int[] HiddenLayerSizes { get; init; } = [512, 512];

    /// <summary>Dropout rate of the hidden units while training (Keras' Dropout(0.2) after each hidden layer).
    /// Default 0.2.</summary>
    public float DropoutRate { get; init; } = 0.2f;

    /// <summary>Epochs. Default 20.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Minibatch size. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate. Default 0.001.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Seed of the split and the training. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where the model goes (mnist-model.zip or optdigits-model.zip). Default ./out.</summary>
    public string OutputFolder { get; init; } = "out";
}

/// <summary>
/// keras_demo_mnist in ML.NET: handwritten digits from shared/data split into train and test, pixels min–max
/// normalised, a 512-512 ReLU network with dropout 0.2 and a softmax output trained by Adam, then accuracy, log-loss and the confusion
/// table on the test split. Softmax regression (the same trainer with no hidden layer) is the baseline.
/// </summary>
public static class MnistDemo
{
    /// <summary>Runs the demo.</summary>
    public static DemoResult Run(MnistOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(options.OutputFolder);
        var ml = new MLContext(seed: options.Seed);
        var (file, pixels, labelIndex, firstPixel) = options.Dataset switch
        {
            DigitsDataset.Mnist => ("mnist_test.csv", 784, 0, 1),
            DigitsDataset.Optdigits => ("optdigits_train.csv", 64, 64, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Dataset, "Unknown data set."),
        };
        IDataView data = ml.Data.LoadFromTextFile(DataFolder.PathOf(file),
        [
            new TextLoader.Column("Digit", DataKind.Single, labelIndex),
            new TextLoader.Column("Features", DataKind.Single, firstPixel, firstPixel + pixels - 1),
        ], separatorChar: ',', hasHeader: true);
        if (options.Rows > 0)
            data = ml.Data.TakeRows(data, options.Rows);
        var split = ml.Data.TrainTestSplit(data, options.TestFraction, seed: options.Seed);

        // x / 255 in Keras; here a min–max normaliser fitted on the training split. The label becomes a key.
        var featurizer = ml.Transforms.Conversion.MapValueToKey("Label", "Digit", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Fit(split.TrainSet);
        var train = ml.Data.Cache(featurizer.Transform(split.TrainSet));
        var test = featurizer.Transform(split.TestSet);
        long trainRows = train.GetRowCount() ?? train.GetColumn<float>("Digit").LongCount();
        long testRows = test.GetColumn<float>("Digit").LongCount();
        string name = options.Dataset.ToString().ToLowerInvariant();
        log.WriteLine($"# keras_demo_mnist on {file}: {trainRows} training / {testRows} test images, {pixels} pixels");
        log.WriteLine();

        MlpMulticlassTrainer.Options TrainerOptions(int[] hidden, IProgress<MlpEpochReport>? progress = null) => new()
        {
            Progress = progress,
            HiddenLayerSizes = hidden,
            Activation = MlpActivation.Relu,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = options.LearningRate,
            NumberOfEpochs = options.Epochs,
            BatchSize = options.BatchSize,
            DropoutRate = hidden.Length > 0 ? options.DropoutRate : 0,
            Seed = options.Seed,
            ValidationFraction = 0.1f, // Keras: validation_split=0.1 (the test set stays unseen until the evaluation)
        };
        var clock = Stopwatch.StartNew();
        // Keras prints one progress line per epoch during fit; the Progress option does the same here.
        var mlp = ml.MulticlassClassification.Trainers.Mlp(TrainerOptions(options.HiddenLayerSizes, new EpochProgressBar(log, "accuracy"))).Fit(train);
        var mlpTime = clock.Elapsed;
        log.WriteLine();

        clock.Restart();
        var linear = ml.MulticlassClassification.Trainers.Mlp(TrainerOptions([])).Fit(train);
        var linearTime = clock.Elapsed;

        var mlpMetrics = ml.MulticlassClassification.Evaluate(mlp.Transform(test));
        var linearMetrics = ml.MulticlassClassification.Evaluate(linear.Transform(test));
        var models = new List<ModelMetrics>
        {
            new($"MLP {string.Join("-", options.HiddenLayerSizes)} ReLU, dropout {options.DropoutRate.ToString(CultureInfo.InvariantCulture)}, softmax", mlpMetrics.MicroAccuracy, mlpMetrics.LogLoss, mlpTime),
            new("softmax regression (no hidden layer)", linearMetrics.MicroAccuracy, linearMetrics.LogLoss, linearTime),
        };
        SyntheticDemo.Print(log, models, "test log-loss (nats)");
        log.WriteLine("Confusion table of the MLP on the test split (rows: true digit, columns: predicted):");
        log.WriteLine(mlpMetrics.ConfusionMatrix.GetFormattedConfusionTable());

        // The saved pipeline maps raw pixels to a digit: normaliser, MLP, and the key back to the digit value.
        var toDigit = ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel").Fit(mlp.Transform(test));
        var model = featurizer.Append(mlp).Append(toDigit);
        string path = Path.Combine(options.OutputFolder, $"{name}-model.zip");
        ml.Model.Save(model, split.TrainSet.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var before = model.Transform(split.TestSet).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
        var after = loaded.Transform(split.TestSet).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
        bool same = before.Length == after.Length && before.Zip(after).All(p => p.First.SequenceEqual(p.Second));
        var digits = loaded.Transform(split.TestSet).GetColumn<float>("PredictedDigit").Take(10);
        var truth = split.TestSet.GetColumn<float>("Digit").Take(10);
        log.WriteLine($"Saved {path}; reloaded predictions {(same ? "identical" : "DIFFERENT")}.");
        log.WriteLine($"First test digits: {string.Join(" ", truth)}; predicted after reloading: {string.Join(" ", digits)}");
        return new DemoResult(models, mlp.Model.TrainingHistory, path, same);
    }
}
