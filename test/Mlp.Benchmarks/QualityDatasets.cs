using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.Benchmarks;

/// <summary>The learning task of a data set, which fixes its models and metrics.</summary>
internal enum QualityTask
{
    Binary,
    Multiclass,
    Regression,
}

/// <summary>
/// A labelled data set of the shared data folder as a dense matrix: the columns a user would feed to a trainer
/// (missing values replaced, categories one-hot encoded, leaking columns dropped), before any normalisation.
/// Labels are 0/1 (binary), the class 0..k−1 (multiclass) or the target value (regression). <see cref="DefaultRowCap"/>
/// is the number of rows drawn per split unless <c>--max-rows</c> says otherwise (0: all rows);
/// <see cref="CostlyModels"/> are left out unless <c>--models</c> names them.
/// </summary>
internal sealed record QualityDataset(string Name, QualityTask Task, float[] Features, float[] Labels, int Columns, int DefaultRowCap, string[] CostlyModels)
{
    public int Rows => Labels.Length;
}

/// <summary>
/// Reads every labelled set of the shared data folder. The featurisation uses no labels, so it runs once over the whole
/// file (the one-hot vocabulary of Adult sees every row); what learns from labels or statistics — the normaliser and
/// the models — is fitted on each split's training rows only.
/// </summary>
internal static class QualityDatasets
{
    /// <summary>The data set names, in the order the benchmark runs them.</summary>
    public static readonly string[] Names = ["heart", "breast-cancer", "adult", "optdigits", "mnist", "boston", "bike"];

    /// <summary>Loads <paramref name="name"/> (one of <see cref="Names"/>) from <paramref name="folder"/>.</summary>
    public static QualityDataset Load(MLContext ml, string name, string folder) => name switch
    {
        "heart" => Heart(ml, folder),
        "breast-cancer" => BreastCancer(ml, folder),
        "boston" => Boston(ml, folder),
        "optdigits" => Optdigits(ml, folder),
        "adult" => Adult(ml, folder),
        "bike" => Bike(ml, folder),
        "mnist" => Mnist(ml, folder),
        _ => throw new ArgumentException($"Unknown data set '{name}'; the data sets are {string.Join(", ", Names)}.", nameof(name)),
    };

    // UCI Heart Disease (Cleveland): the samples' train and test files together, 303 rows, 13 numeric features.
    private static QualityDataset Heart(MLContext ml, string folder)
    {
        string[] features = ["age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang", "oldpeak", "slope", "ca", "thal"];
        var columns = features.Select((f, i) => new TextLoader.Column(f, DataKind.Single, i)).Append(new TextLoader.Column("Label", DataKind.Single, 13)).ToArray();
        var data = ml.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true)
            .Load(new MultiFileSource(Path.Combine(folder, "heart_train.csv"), Path.Combine(folder, "heart_test.csv")));
        return Dense(ml, "heart", QualityTask.Binary, ml.Transforms.Concatenate("Features", features).Fit(data).Transform(data), rowCap: 0);
    }

    // Breast Cancer Wisconsin (original): 699 rows, 9 integer features, 16 missing values replaced by ML.NET's default (0).
    private static QualityDataset BreastCancer(MLContext ml, string folder)
    {
        string[] features = ["thickness", "uniform_size", "uniform_shape", "adhesion", "epit_size", "bare_nuclei", "bland_chromatin", "normal_nucleoli", "mitoses"];
        var columns = features.Select((f, i) => new TextLoader.Column(f, DataKind.Single, i + 1)).Prepend(new TextLoader.Column("Label", DataKind.Single, 0)).ToArray();
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "breast_cancer_wisconsin.csv"), columns, separatorChar: ',', hasHeader: true);
        var featurize = ml.Transforms.Concatenate("Features", features).Append(ml.Transforms.ReplaceMissingValues("Features"));
        return Dense(ml, "breast-cancer", QualityTask.Binary, featurize.Fit(data).Transform(data), rowCap: 0);
    }

    // Boston housing: 506 rows, 13 numeric features, median home value in $1000s.
    private static QualityDataset Boston(MLContext ml, string folder)
    {
        var columns = new[] { new TextLoader.Column("Label", DataKind.Single, 0), new TextLoader.Column("Features", DataKind.Single, 1, 13) };
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "boston_housing.csv"), columns, separatorChar: ',', hasHeader: true);
        return Dense(ml, "boston", QualityTask.Regression, data, rowCap: 0);
    }

    // UCI optdigits (training part): 3,823 rows, 64 block counts 0..16, 10 classes.
    private static QualityDataset Optdigits(MLContext ml, string folder)
    {
        var columns = new[] { new TextLoader.Column("Features", DataKind.Single, 0, 63), new TextLoader.Column("Label", DataKind.Single, 64) };
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "optdigits_train.csv"), columns, separatorChar: ',', hasHeader: true);
        return Dense(ml, "optdigits", QualityTask.Multiclass, data, rowCap: 0);
    }

    // UCI Adult: 32,561 rows, 6 numeric and 8 categorical columns (one-hot, "?" is a category of its own).
    private static QualityDataset Adult(MLContext ml, string folder)
    {
        string[] header = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", "relationship", "ethnicity", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "label"];
        string[] numeric = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"];
        var columns = header.Select((h, i) => new TextLoader.Column(h == "label" ? "Label" : h.Replace('-', '_'),
            numeric.Contains(h) || h == "label" ? DataKind.Single : DataKind.String, i)).ToArray();
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "adult.csv"), columns, separatorChar: ',', hasHeader: true);
        var categorical = header.Except(numeric).Where(h => h != "label").Select(h => h.Replace('-', '_')).ToArray();
        var oneHot = categorical.Select(c => new InputOutputColumnPair(c + "_onehot", c)).ToArray();
        var featurize = ml.Transforms.Categorical.OneHotEncoding(oneHot)
            .Append(ml.Transforms.Concatenate("Features", numeric.Select(n => n.Replace('-', '_')).Concat(oneHot.Select(p => p.OutputColumnName)).ToArray()));
        return Dense(ml, "adult", QualityTask.Binary, featurize.Fit(data).Transform(data), rowCap: 5000);
    }

    // UCI Bike Sharing (hourly): the samples' train and test files together, 17,379 rows, 12 numeric features, the
    // rental count as label; instant and dteday are identifiers, casual + registered = cnt would leak the label.
    private static QualityDataset Bike(MLContext ml, string folder)
    {
        string[] features = ["season", "yr", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp", "hum", "windspeed"];
        var columns = features.Select((f, i) => new TextLoader.Column(f, DataKind.Single, i + 2)).Append(new TextLoader.Column("Label", DataKind.Single, 16)).ToArray();
        var data = ml.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true)
            .Load(new MultiFileSource(Path.Combine(folder, "bike_sharing_hour_train.csv"), Path.Combine(folder, "bike_sharing_hour_test.csv")));
        return Dense(ml, "bike", QualityTask.Regression, ml.Transforms.Concatenate("Features", features).Fit(data).Transform(data), rowCap: 5000);
    }

    // MNIST test set: 10,000 images of 784 raw pixel bytes, 10 classes. LdSvm's cost grows with the feature count: ten
    // one-versus-all LdSvm models take minutes per split here, longer than every other model together.
    private static QualityDataset Mnist(MLContext ml, string folder)
    {
        var columns = new[] { new TextLoader.Column("Label", DataKind.Single, 0), new TextLoader.Column("Features", DataKind.Single, 1, 784) };
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "mnist_test.csv"), columns, separatorChar: ',', hasHeader: true);
        return Dense(ml, "mnist", QualityTask.Multiclass, data, rowCap: 2000) with { CostlyModels = ["OneVersusAll(LdSvm)"] };
    }

    // Reads the Features vector and the float Label of every row into one row-major matrix.
    private static QualityDataset Dense(MLContext ml, string name, QualityTask task, IDataView data, int rowCap)
    {
        var featureColumn = data.Schema["Features"];
        int width = ((VectorDataViewType)featureColumn.Type).Size;
        var features = new List<float>();
        var labels = new List<float>();
        using (var cursor = data.GetRowCursor([featureColumn, data.Schema["Label"]]))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
            var getLabel = cursor.GetGetter<float>(data.Schema["Label"]);
            VBuffer<float> row = default;
            float label = 0;
            while (cursor.MoveNext())
            {
                getFeatures(ref row);
                getLabel(ref label);
                if (float.IsNaN(label))
                    throw new InvalidDataException($"Data set {name}: row {labels.Count} has no label.");
                foreach (float value in row.DenseValues())
                {
                    if (!float.IsFinite(value))
                        throw new InvalidDataException($"Data set {name}: row {labels.Count} has the feature value {value.ToString(CultureInfo.InvariantCulture)}.");
                    features.Add(value);
                }
                labels.Add(label);
            }
        }
        return new QualityDataset(name, task, features.ToArray(), labels.ToArray(), width, rowCap, CostlyModels: []);
    }
}
