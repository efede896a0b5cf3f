using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML;

/// <summary>
/// Extension methods that create the multilayer-perceptron trainers from ML.NET's catalogs:
/// <c>mlContext.BinaryClassification.Trainers.Mlp(...)</c>, <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>
/// and <c>mlContext.Regression.Trainers.Mlp(...)</c>.
/// </summary>
/// <remarks>
/// Each task has a simple overload with the options most often changed and an overload that takes the full
/// options. Every argument is checked here: a bad value throws <see cref="ArgumentOutOfRangeException"/> or
/// <see cref="ArgumentException"/> naming the option and the value.
/// </remarks>
public static class MlpCatalog
{
    /// <summary>Creates a <see cref="MlpBinaryTrainer"/>, which predicts a binary label with a multilayer perceptron.</summary>
    /// <param name="catalog">The binary classification catalog trainer object.</param>
    /// <param name="labelColumnName">The name of the label column; the column must be <see cref="bool"/>.</param>
    /// <param name="featureColumnName">The name of the feature column; the column must be a known-size vector of <see cref="float"/>.</param>
    /// <param name="exampleWeightColumnName">The name of the example weight column (optional).</param>
    /// <param name="hiddenLayerSizes">Width of each hidden layer; null for the default, one layer of
    /// <see cref="MlpTrainerOptionsBase.Defaults.HiddenLayerSize"/> units; empty for a linear model.</param>
    /// <param name="numberOfEpochs">Passes over the training data, at least 1.</param>
    /// <param name="batchSize">Examples per minibatch, at least 1.</param>
    /// <param name="learningRate">Step size of the optimizer (Adam), positive.</param>
    /// <example>
    /// <code language="csharp">
    /// var pipeline = mlContext.Transforms.Concatenate("Features", featureNames)
    ///     .Append(mlContext.Transforms.NormalizeMinMax("Features"))
    ///     .Append(mlContext.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: new[] { 64, 32 }, numberOfEpochs: 30));
    /// </code>
    /// </example>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label,
        string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null,
        int[]? hiddenLayerSizes = null,
        int numberOfEpochs = MlpTrainerOptionsBase.Defaults.NumberOfEpochs,
        int batchSize = MlpTrainerOptionsBase.Defaults.BatchSize,
        float learningRate = MlpTrainerOptionsBase.Defaults.LearningRate)
        => Mlp(catalog, Fill(new MlpBinaryTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName,
            hiddenLayerSizes, numberOfEpochs, batchSize, learningRate));

    /// <summary>Creates a <see cref="MlpBinaryTrainer"/> with advanced options.</summary>
    /// <param name="catalog">The binary classification catalog trainer object.</param>
    /// <param name="options">The trainer options.</param>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        MlpBinaryTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new MlpBinaryTrainer(catalog.GetEnvironment(), options);
    }

    /// <summary>Creates a <see cref="MlpMulticlassTrainer"/>, which predicts a class with a multilayer perceptron and a
    /// softmax output.</summary>
    /// <param name="catalog">The multiclass classification catalog trainer object.</param>
    /// <param name="labelColumnName">The name of the label column; the column must be a key type (use MapValueToKey).</param>
    /// <param name="featureColumnName">The name of the feature column; the column must be a known-size vector of <see cref="float"/>.</param>
    /// <param name="exampleWeightColumnName">The name of the example weight column (optional).</param>
    /// <param name="hiddenLayerSizes">Width of each hidden layer; null for the default, one layer of
    /// <see cref="MlpTrainerOptionsBase.Defaults.HiddenLayerSize"/> units; empty for a linear model.</param>
    /// <param name="numberOfEpochs">Passes over the training data, at least 1.</param>
    /// <param name="batchSize">Examples per minibatch, at least 1.</param>
    /// <param name="learningRate">Step size of the optimizer (Adam), positive.</param>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label,
        string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null,
        int[]? hiddenLayerSizes = null,
        int numberOfEpochs = MlpTrainerOptionsBase.Defaults.NumberOfEpochs,
        int batchSize = MlpTrainerOptionsBase.Defaults.BatchSize,
        float learningRate = MlpTrainerOptionsBase.Defaults.LearningRate)
        => Mlp(catalog, Fill(new MlpMulticlassTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName,
            hiddenLayerSizes, numberOfEpochs, batchSize, learningRate));

    /// <summary>Creates a <see cref="MlpMulticlassTrainer"/> with advanced options.</summary>
    /// <param name="catalog">The multiclass classification catalog trainer object.</param>
    /// <param name="options">The trainer options.</param>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        MlpMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new MlpMulticlassTrainer(catalog.GetEnvironment(), options);
    }

    /// <summary>Creates a <see cref="MlpRegressionTrainer"/>, which predicts a real value with a multilayer perceptron.</summary>
    /// <param name="catalog">The regression catalog trainer object.</param>
    /// <param name="labelColumnName">The name of the label column; the column must be <see cref="float"/>.</param>
    /// <param name="featureColumnName">The name of the feature column; the column must be a known-size vector of <see cref="float"/>.</param>
    /// <param name="exampleWeightColumnName">The name of the example weight column (optional).</param>
    /// <param name="hiddenLayerSizes">Width of each hidden layer; null for the default, one layer of
    /// <see cref="MlpTrainerOptionsBase.Defaults.HiddenLayerSize"/> units; empty for a linear model.</param>
    /// <param name="numberOfEpochs">Passes over the training data, at least 1.</param>
    /// <param name="batchSize">Examples per minibatch, at least 1.</param>
    /// <param name="learningRate">Step size of the optimizer (Adam), positive.</param>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label,
        string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null,
        int[]? hiddenLayerSizes = null,
        int numberOfEpochs = MlpTrainerOptionsBase.Defaults.NumberOfEpochs,
        int batchSize = MlpTrainerOptionsBase.Defaults.BatchSize,
        float learningRate = MlpTrainerOptionsBase.Defaults.LearningRate)
        => Mlp(catalog, Fill(new MlpRegressionTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName,
            hiddenLayerSizes, numberOfEpochs, batchSize, learningRate));

    /// <summary>Creates a <see cref="MlpRegressionTrainer"/> with advanced options.</summary>
    /// <param name="catalog">The regression catalog trainer object.</param>
    /// <param name="options">The trainer options.</param>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog,
        MlpRegressionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new MlpRegressionTrainer(catalog.GetEnvironment(), options);
    }

    private static TOptions Fill<TOptions>(TOptions options, string labelColumnName, string featureColumnName,
        string? exampleWeightColumnName, int[]? hiddenLayerSizes, int numberOfEpochs, int batchSize, float learningRate)
        where TOptions : MlpTrainerOptionsBase
    {
        options.LabelColumnName = labelColumnName;
        options.FeatureColumnName = featureColumnName;
        options.ExampleWeightColumnName = exampleWeightColumnName;
        options.HiddenLayerSizes = hiddenLayerSizes ?? MlpTrainerOptionsBase.Defaults.HiddenLayerSizes();
        options.NumberOfEpochs = numberOfEpochs;
        options.BatchSize = batchSize;
        options.LearningRate = learningRate;
        return options;
    }
}
