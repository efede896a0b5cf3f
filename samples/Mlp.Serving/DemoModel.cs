using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Samples;

namespace Mlp.Serving;

/// <summary>
/// The model served when no <c>--model</c> is given: Breast Cancer Wisconsin (shared/data/breast_cancer_wisconsin.csv,
/// 699 biopsies, 9 integer cell features 1..10, label 1 = malignant). Pipeline: missing values replaced by the
/// column mean, min–max normalisation, then an MLP 9 → 16 (ReLU) → 1 trained by Adam for <c>DemoEpochs</c> epochs
/// (default 30) on 80% of the rows, with the other 20% as validation data so the training history has both losses.
/// Requests carry the 9 raw feature values in file order: thickness, uniform_size, uniform_shape, adhesion,
/// epit_size, bare_nuclei, bland_chromatin, normal_nucleoli, mitoses.
/// </summary>
public static class DemoModel
{
    /// <summary>The feature names, in the order a request carries them.</summary>
    public static readonly string[] FeatureNames =
        ["thickness", "uniform_size", "uniform_shape", "adhesion", "epit_size", "bare_nuclei", "bland_chromatin", "normal_nucleoli", "mitoses"];

    /// <summary>The input vector column of the demo model.</summary>
    public const string FeatureColumnName = "Features";

    /// <summary>Default number of training epochs.</summary>
    public const int DefaultEpochs = 30;

    /// <summary>Loads the demo data with its input schema: a bool <c>Label</c> and a float vector <c>Features</c>.</summary>
    public static IDataView LoadData(MLContext ml, string dataFolder) =>
        ml.Data.LoadFromTextFile(Path.Combine(dataFolder, "breast_cancer_wisconsin.csv"),
        [
            new TextLoader.Column("Label", DataKind.Boolean, 0),
            new TextLoader.Column(FeatureColumnName, DataKind.Single, 1, FeatureNames.Length),
        ], separatorChar: ',', hasHeader: true);

    /// <summary>Trains the demo pipeline; returns it with the schema it reads.</summary>
    public static (ITransformer Model, DataViewSchema InputSchema) Train(MLContext ml, string dataFolder, int epochs = DefaultEpochs, int seed = 1)
    {
        var data = LoadData(ml, dataFolder);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: seed);
        var featurizer = ml.Transforms.ReplaceMissingValues(FeatureColumnName)
            .Append(ml.Transforms.NormalizeMinMax(FeatureColumnName))
            .Fit(split.TrainSet);
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [16],
            NumberOfEpochs = epochs,
            LearningRate = 0.01f,
            BatchSize = 32,
            Seed = seed,
        });
        // Fit with validation data so that the saved history has a validation loss per epoch.
        var mlp = trainer.Fit(featurizer.Transform(split.TrainSet), featurizer.Transform(split.TestSet));
        return (featurizer.Append(mlp), data.Schema);
    }
}
