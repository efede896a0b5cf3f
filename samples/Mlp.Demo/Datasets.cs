using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.Demo;

/// <summary>A data set from shared/data with the featurization every model in the comparison shares.</summary>
internal sealed record DemoDataset(string Name, string Description, IDataView Data, IEstimator<ITransformer> Featurize);

internal static class Datasets
{
    /// <summary>Breast Cancer Wisconsin (699 rows, 9 integer features, 16 missing values).</summary>
    public static DemoDataset BreastCancer(MLContext ml, string folder)
    {
        string[] features = ["thickness", "uniform_size", "uniform_shape", "adhesion", "epit_size", "bare_nuclei", "bland_chromatin", "normal_nucleoli", "mitoses"];
        var columns = new List<TextLoader.Column> { new("label", DataKind.Single, 0) };
        columns.AddRange(features.Select((f, i) => new TextLoader.Column(f, DataKind.Single, i + 1)));
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "breast_cancer_wisconsin.csv"), columns.ToArray(), separatorChar: ',', hasHeader: true);
        var featurize = ml.Transforms.Conversion.ConvertType("Label", "label", DataKind.Boolean)
            .Append(ml.Transforms.Concatenate("Features", features))
            .Append(ml.Transforms.ReplaceMissingValues("Features"))
            .Append(ml.Transforms.NormalizeMinMax("Features"));
        return new DemoDataset("Breast cancer", "699 biopsies, 9 cell features, malignant vs benign", data, featurize);
    }

    /// <summary>UCI Adult (32,561 rows, 6 numeric + 8 categorical features).</summary>
    public static DemoDataset Adult(MLContext ml, string folder)
    {
        string[] numeric = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"];
        string[] categorical = ["workclass", "education", "marital-status", "occupation", "relationship", "ethnicity", "sex", "native-country"];
        string[] header = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", "relationship", "ethnicity", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "label"];
        var columns = header.Select((name, i) => new TextLoader.Column(name.Replace('-', '_'),
            numeric.Contains(name) || name == "label" ? DataKind.Single : DataKind.String, i)).ToArray();
        var data = ml.Data.LoadFromTextFile(Path.Combine(folder, "adult.csv"), columns, separatorChar: ',', hasHeader: true);
        var oneHot = categorical.Select(c => new InputOutputColumnPair(c.Replace('-', '_') + "_1h", c.Replace('-', '_'))).ToArray();
        var featurize = ml.Transforms.Conversion.ConvertType("Label", "label", DataKind.Boolean)
            .Append(ml.Transforms.Categorical.OneHotEncoding(oneHot))
            .Append(ml.Transforms.Concatenate("Features", numeric.Select(n => n.Replace('-', '_')).Concat(oneHot.Select(p => p.OutputColumnName)).ToArray()))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));
        return new DemoDataset("Adult", "32,561 census records, income > 50K, 6 numeric + 8 categorical features", data, featurize);
    }
}
