using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.KerasDemos;

/// <summary>Options of <see cref="SyntheticDemo"/>; the defaults match the Keras code in README.md.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Training rows. Default 5000.</summary>
    public int TrainRows { get; init; } = 5000;

    /// <summary>Test rows (also the validation data of the history). Default 1000.</summary>
    public int TestRows { get; init; } = 1000;

    /// <summary>Features per row. Default 20.</summary>
    public int Features { get; init; } = 20;

    /// <summary>Hidden layers. Default 64, 64.</summary>
    public int[] HiddenLayerSizes { get; init; } = [64, 64];

    /// <summary>Epochs. Default 30.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Minibatch size. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate. Default 0.001.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Seed of the data and the training. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where the model goes (synthetic-model.zip). Default ./out.</summary>
    public string OutputFolder { get; init; } = "out";
}

/// <summary>One synthetic row: a float vector <c>Features</c> and a bool <c>Label</c>.</summary>
public sealed class SyntheticRow
{
    /// <summary>The class.</summary>
    public bool Label { get; set; }

    /// <summary>The features, uniform in [0, 1].</summary>
    public float[] Features { get; set; } = [];
}

/// <summary>
/// keras_demo_synthetic in ML.NET: x uniform in [0, 1]²⁰, label = ‖x − ½‖² &lt; 20/12 (inside a hypersphere through
/// the middle of the cube, about half the rows). No hyperplane separates a ball from its outside, so logistic
/// regression stays near chance while a 64-64 ReLU network learns the boundary.
/// </summary>
public static class SyntheticDemo
{
    /// <summary>Generates <paramref name="rows"/> rows.</summary>
    public static List<SyntheticRow> Generate(int rows, int features, int seed)
    {
        var random = new Random(seed);
        double radiusSquared = features / 12.0; // E‖x − ½‖² for x uniform in the cube
        var data = new List<SyntheticRow>(rows);
        for (int r = 0; r < rows; r++)
        {
            var x = new float[features];
            double distance = 0;
            for (int i = 0; i < features; i++)
            {
                x[i] = (float)random.NextDouble();
                distance += (x[i] - 0.5) * (x[i] - 0.5);
            }
            data.Add(new SyntheticRow { Features = x, Label = distance < radiusSquared });
        }
        return data;
    }

    /// <summary>Trains the MLP and a linear baseline, prints the metrics, saves the MLP and checks the reloaded model.</summary>
    public static DemoResult Run(SyntheticOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(options.OutputFolder);
        var ml = new MLContext(seed: options.Seed);
        var schema = SchemaDefinition.Create(typeof(SyntheticRow));
        schema[nameof(SyntheticRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, options.Features);
        var train = ml.Data.LoadFromEnumerable(Generate(options.TrainRows, options.Features, options.Seed), schema);
        var test = ml.Data.LoadFromEnumerable(Generate(options.TestRows, options.Features, options.Seed + 1), schema);
        log.WriteLine($"# keras_demo_synthetic: {options.TrainRows} training / {options.TestRows} test rows, {options.Features} features in [0, 1]");
        log.WriteLine();

        // Keras: Dense(64, relu) → Dense(64, relu) → Dense(1, sigmoid); Adam(1e-3); binary_crossentropy.
        MlpBinaryTrainer.Options TrainerOptions(int[] hidden) => new()
        {
            HiddenLayerSizes = hidden,
            Activation = MlpActivation.Relu,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = options.LearningRate,
            NumberOfEpochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            ValidationFraction = 0.1f, // Keras: validation_split=0.1 (the test set stays unseen until the evaluation)
        };
        var clock = Stopwatch.StartNew();
        var mlp = ml.BinaryClassification.Trainers.Mlp(TrainerOptions(options.HiddenLayerSizes)).Fit(train);
        var mlpTime = clock.Elapsed;
        var history = mlp.Model.SubModel.TrainingHistory;
        foreach (var record in history.Where(r => r.Epoch == 1 || r.Epoch % 5 == 0 || r.Epoch == history.Count))
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {record.Epoch,3}: loss {record.TrainingLoss:F4}, accuracy {record.TrainingMetric:P1}, val_loss {record.ValidationLoss:F4}, val_accuracy {record.ValidationMetric:P1}"));
        log.WriteLine();

        // The same trainer with no hidden layer is logistic regression: the linear baseline.
        clock.Restart();
        var linear = ml.BinaryClassification.Trainers.Mlp(TrainerOptions([])).Fit(train);
        var linearTime = clock.Elapsed;

        var models = new List<ModelMetrics>
        {
            Evaluate(ml, $"MLP {string.Join("-", options.HiddenLayerSizes)} ReLU", mlp, test, mlpTime),
            Evaluate(ml, "logistic regression (no hidden layer)", linear, test, linearTime),
        };
        Print(log, models, "test log-loss (bits)"); // ML.NET's binary LogLoss is in log base 2, the history in nats

        // model.save(...) / keras.models.load_model(...)
        string path = Path.Combine(options.OutputFolder, "synthetic-model.zip");
        ml.Model.Save(mlp, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var before = mlp.Transform(test).GetColumn<float>("Probability").ToArray();
        var after = loaded.Transform(test).GetColumn<float>("Probability").ToArray();
        bool same = before.SequenceEqual(after);
        log.WriteLine($"Saved {path}; reloaded predictions {(same ? "identical" : "DIFFERENT")}.");
        log.WriteLine($"Serve it: dotnet run --project samples/Mlp.Serving -c Release -- --urls http://127.0.0.1:5080 --model {Path.GetFullPath(path)}");
        return new DemoResult(models, history, path, same);
    }

    private static ModelMetrics Evaluate(MLContext ml, string name, ITransformer model, IDataView test, TimeSpan time)
    {
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        return new ModelMetrics(name, metrics.Accuracy, metrics.LogLoss, time);
    }

    internal static void Print(TextWriter log, IEnumerable<ModelMetrics> models, string lossHeader)
    {
        log.WriteLine($"| model | test accuracy | {lossHeader} | training time |");
        log.WriteLine("|---|---:|---:|---:|");
        foreach (var m in models)
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {m.Model} | {m.Accuracy:P1} | {m.LogLoss:F4} | {m.TrainingTime.TotalSeconds:F2} s |"));
        log.WriteLine();
    }
}
