using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Samples;

namespace Mlp.Demo;

/// <summary>One row of the regression table.</summary>
public sealed record RegressionResult(string Model, double RSquared, double RootMeanSquaredError, double MeanAbsoluteError, TimeSpan TrainingTime);

/// <summary>
/// Regression on UCI Bike Sharing (hourly rentals, label in the hundreds): the MLP with its defaults, which standardise
/// the features and the label inside the trainer, next to ML.NET's Sdca and FastTree, on the data set's own test file.
/// </summary>
public static class BikeSharingDemo
{
    private static readonly string[] s_categorical = ["season", "mnth", "hr", "weekday", "weathersit"];
    private static readonly string[] s_numeric = ["yr", "holiday", "workingday", "temp", "atemp", "hum", "windspeed"];

    /// <summary>Trains each model on the training file, prints R², RMSE and MAE on the test file, returns the rows.</summary>
    public static IReadOnlyList<RegressionResult> Run(int epochs, TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        string folder = DataFolder.Find();
        var train = ml.Data.Cache(Load(ml, Path.Combine(folder, "bike_sharing_hour_train.csv")));
        var test = Load(ml, Path.Combine(folder, "bike_sharing_hour_test.csv"));
        // casual + registered = cnt, so both are left out (label leakage), as are the row number and the date.
        var oneHot = s_categorical.Select(c => new InputOutputColumnPair(c + "_1h", c)).ToArray();
        var featurize = ml.Transforms.Categorical.OneHotEncoding(oneHot)
            .Append(ml.Transforms.Concatenate("Features", s_numeric.Concat(oneHot.Select(p => p.OutputColumnName)).ToArray()))
            .Append(ml.Transforms.NormalizeMinMax("Features"));

        output.WriteLine("## Bike sharing: hourly rentals (label cnt, 1 to 977), 12 features; regression");
        output.WriteLine("| model | R² | RMSE | MAE | training time |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        var candidates = new (string Name, IEstimator<ITransformer> Trainer)[]
        {
            ("Mlp 64-32 ReLU, Adam", ml.Regression.Trainers.Mlp(labelColumnName: "cnt", hiddenLayerSizes: [64, 32], numberOfEpochs: epochs)),
            ("Sdca (linear)", ml.Regression.Trainers.Sdca(labelColumnName: "cnt")),
            ("FastTree", ml.Regression.Trainers.FastTree(labelColumnName: "cnt")),
        };
        var results = new List<RegressionResult>();
        foreach (var (name, trainer) in candidates)
        {
            var clock = Stopwatch.StartNew();
            var model = featurize.Append(trainer).Fit(train);
            clock.Stop();
            var metrics = ml.Regression.Evaluate(model.Transform(test), labelColumnName: "cnt");
            results.Add(new RegressionResult(name, metrics.RSquared, metrics.RootMeanSquaredError, metrics.MeanAbsoluteError, clock.Elapsed));
            output.WriteLine($"| {name} | {metrics.RSquared:F3} | {metrics.RootMeanSquaredError:F1} | {metrics.MeanAbsoluteError:F1} | {clock.Elapsed.TotalSeconds:F2} s |");
        }
        output.WriteLine();
        return results;
    }

    private static IDataView Load(MLContext ml, string path)
    {
        string[] header = ["instant", "dteday", "season", "yr", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit",
            "temp", "atemp", "hum", "windspeed", "casual", "registered", "cnt"];
        var columns = header.Select((name, i) => new TextLoader.Column(name, name == "dteday" ? DataKind.String : DataKind.Single, i)).ToArray();
        return ml.Data.LoadFromTextFile(path, columns, separatorChar: ',', hasHeader: true);
    }
}
