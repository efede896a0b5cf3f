using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Benchmarks;

/// <summary>One row of the quality table: a name and the ML.NET pipeline after the features are built.</summary>
internal sealed record QualityModel(string Name, Func<MLContext, IEstimator<ITransformer>> Pipeline);

/// <summary>
/// The models of the quality benchmark, each in the pipeline a typical ML.NET user writes: ML.NET's default normaliser
/// (<c>NormalizeMinMax("Features")</c>, which keeps zero at zero) and the trainer with its default options. The MLP rows
/// take whatever the trainers' defaults are at the time, so a change of defaults shows up here unchanged.
/// </summary>
internal static class QualityModels
{
    /// <summary>Name of the row that scikit-learn's script fills in (its pipeline is StandardScaler + MLP defaults).</summary>
    public const string ScikitLearnRow = "scikit-learn MLP defaults";

    /// <summary>Name of the row of our trainer with its default options.</summary>
    public const string DefaultsRow = "Mlp defaults";

    /// <summary>Name of the row of our trainer with <see cref="Tuned{TOptions}"/>.</summary>
    public const string TunedRow = "Mlp tuned";

    /// <summary>The ML.NET models for <paramref name="task"/>, in table order (the scikit-learn row goes after the MLP rows).</summary>
    /// <param name="task">The task of the data set.</param>
    /// <param name="threads">NumberOfThreads of the MLP rows: their models do not depend on it (the CPU backend computes
    /// the same bits for any thread count), only their speed does.</param>
    public static IReadOnlyList<QualityModel> For(QualityTask task, int threads) => task switch
    {
        QualityTask.Binary =>
        [
            new(DefaultsRow, ml => Scaled(ml, ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfThreads = threads }))),
            new(TunedRow, ml => Scaled(ml, ml.BinaryClassification.Trainers.Mlp(Tuned(new MlpBinaryTrainer.Options { NumberOfThreads = threads })))),
            new("LinearSvm", ml => Scaled(ml, ml.BinaryClassification.Trainers.LinearSvm())),
            new("LdSvm", ml => Scaled(ml, ml.BinaryClassification.Trainers.LdSvm())),
            new("FastTree", ml => Scaled(ml, ml.BinaryClassification.Trainers.FastTree())),
            new("LbfgsLogisticRegression", ml => Scaled(ml, ml.BinaryClassification.Trainers.LbfgsLogisticRegression())),
        ],
        QualityTask.Multiclass =>
        [
            new(DefaultsRow, ml => Multiclass(ml, ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { NumberOfThreads = threads }))),
            new(TunedRow, ml => Multiclass(ml, ml.MulticlassClassification.Trainers.Mlp(Tuned(new MlpMulticlassTrainer.Options { NumberOfThreads = threads })))),
            new("OneVersusAll(LinearSvm)", ml => Multiclass(ml, ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.LinearSvm()))),
            new("OneVersusAll(LdSvm)", ml => Multiclass(ml, ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.LdSvm()))),
            new("OneVersusAll(FastTree)", ml => Multiclass(ml, ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree()))),
            new("LbfgsMaximumEntropy", ml => Multiclass(ml, ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy())),
        ],
        QualityTask.Regression =>
        [
            new(DefaultsRow, ml => Scaled(ml, ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { NumberOfThreads = threads }))),
            new(TunedRow, ml => Scaled(ml, ml.Regression.Trainers.Mlp(Tuned(new MlpRegressionTrainer.Options { NumberOfThreads = threads })))),
            new("FastTree", ml => Scaled(ml, ml.Regression.Trainers.FastTree())),
            new("Sdca", ml => Scaled(ml, ml.Regression.Trainers.Sdca())),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    /// <summary>
    /// The "tuned" row: one fixed configuration for every data set, chosen before any result was seen and never
    /// adjusted per data set — a wider two-layer network that trains up to 200 epochs, holds out 10% of the training
    /// rows (stratified for classification) and stops 20 epochs after the validation loss last improved, returning the
    /// best epoch's weights, with a light L2 penalty. Every other option keeps the trainer's default.
    /// </summary>
    public static TOptions Tuned<TOptions>(TOptions options)
        where TOptions : MlpTrainerOptionsBase
    {
        options.HiddenLayerSizes = [128, 64];
        options.NumberOfEpochs = 200;
        options.ValidationFraction = 0.1f;
        options.EarlyStoppingPatience = 20;
        options.L2Regularization = 1e-4f;
        return options;
    }

    /// <summary>
    /// Fits <paramref name="model"/> on <paramref name="train"/> and scores <paramref name="test"/>: accuracy and AUC
    /// (binary; the non-calibrated evaluator for models without a Probability column), macro accuracy (multiclass) or
    /// R² (regression).
    /// </summary>
    public static Dictionary<string, double> FitAndEvaluate(MLContext ml, QualityTask task, IEstimator<ITransformer> model, IDataView train, IDataView test)
    {
        var scored = model.Fit(train).Transform(test);
        switch (task)
        {
            case QualityTask.Binary:
                var binary = scored.Schema.GetColumnOrNull("Probability") is null
                    ? ml.BinaryClassification.EvaluateNonCalibrated(scored)
                    : ml.BinaryClassification.Evaluate(scored);
                return new() { ["accuracy"] = binary.Accuracy, ["auc"] = binary.AreaUnderRocCurve };
            case QualityTask.Multiclass:
                return new() { ["macro_accuracy"] = ml.MulticlassClassification.Evaluate(scored).MacroAccuracy };
            default:
                return new() { ["r2"] = ml.Regression.Evaluate(scored).RSquared };
        }
    }

    // Binary and regression: the default normaliser, then the trainer.
    private static IEstimator<ITransformer> Scaled<TTransformer>(MLContext ml, IEstimator<TTransformer> trainer)
        where TTransformer : class, ITransformer
        => ml.Transforms.NormalizeMinMax("Features").AppendCacheCheckpoint(ml).Append(trainer);

    // Multiclass: the float class becomes a key label first, as every multiclass trainer requires.
    private static IEstimator<ITransformer> Multiclass<TTransformer>(MLContext ml, IEstimator<TTransformer> trainer)
        where TTransformer : class, ITransformer
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .AppendCacheCheckpoint(ml)
            .Append(trainer);
}
