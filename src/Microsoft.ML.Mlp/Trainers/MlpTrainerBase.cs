using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Models;
using Microsoft.ML.Trainers.Mlp.Training;
using Mlp.Gpu.Network;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// What <see cref="MlpBinaryTrainer"/>, <see cref="MlpMulticlassTrainer"/> and <see cref="MlpRegressionTrainer"/> share:
/// the validated options, the <c>Fit</c> overloads (validation data, warm start) and the training flow. A task supplies
/// only its label check, its output head, its class weights, its model type and its output columns.
/// </summary>
/// <typeparam name="TOptions">The task's options.</typeparam>
/// <typeparam name="TTransformer">The prediction transformer <c>Fit</c> returns.</typeparam>
/// <typeparam name="TModel">The model the transformer holds (for binary classification, the calibrated wrapper).</typeparam>
/// <typeparam name="TModelParameters">The MLP model that warm start continues from.</typeparam>
public abstract class MlpTrainerBase<TOptions, TTransformer, TModel, TModelParameters> : TrainerEstimatorBase<TTransformer, TModel>
    where TOptions : MlpTrainerOptionsBase
    where TTransformer : ISingleFeaturePredictionTransformer<TModel>
    where TModel : class
    where TModelParameters : class
{
    private static readonly TrainerInfo s_info = new(normalization: false, calibration: false, caching: false, supportValid: true,
        supportIncrementalTrain: true);

    private static readonly TrainerInfo s_infoWithoutStandardization = new(normalization: true, calibration: false, caching: false,
        supportValid: true, supportIncrementalTrain: true);

    private protected MlpTrainerBase(IHostEnvironment env, string registrationName, TOptions options, Func<string, SchemaShape.Column> makeLabelColumn)
        : this(Contracts.CheckRef(env, nameof(env)).Register(registrationName), (TOptions)Contracts.CheckRef(options, nameof(options)).Snapshot(), makeLabelColumn)
    {
    }

    private MlpTrainerBase(IHost host, TOptions options, Func<string, SchemaShape.Column> makeLabelColumn)
        : base(host, TrainerUtils.MakeR4VecFeature(options.FeatureColumnName), makeLabelColumn(options.LabelColumnName),
            TrainerUtils.MakeR4ScalarWeightColumn(options.ExampleWeightColumnName))
    {
        TrainerOptions = options;
    }

    /// <summary>A validated copy of the options the trainer was created with.</summary>
    private protected TOptions TrainerOptions { get; }

    /// <summary>What the trainer needs: no calibration or caching, and no normalization unless
    /// <see cref="MlpTrainerOptionsBase.StandardizeFeatures"/> is off; supports validation data and continued training.</summary>
    public override TrainerInfo Info => TrainerOptions.StandardizeFeatures ? s_info : s_infoWithoutStandardization;

    /// <summary>Trains on <paramref name="trainData"/>, reporting the loss on <paramref name="validationData"/>
    /// after every epoch in the log and in the model's <c>TrainingHistory</c> (and monitoring it for early stopping).</summary>
    /// <param name="trainData">The training data.</param>
    /// <param name="validationData">Validation data with the same columns (for multiclass, the same label key type).</param>
    /// <returns>The trained model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    public TTransformer Fit(IDataView trainData, IDataView validationData)
        => TrainTransformer(trainData, validationData);

    /// <summary>
    /// Continues training <paramref name="modelParameters"/> (a trained or loaded model) on <paramref name="trainData"/>
    /// with this trainer's options, for example a lower learning rate or new data. The architecture comes from the
    /// model (the options' <see cref="MlpTrainerOptionsBase.HiddenLayerSizes"/> and
    /// <see cref="MlpTrainerOptionsBase.Activation"/> are not used); the optimizer starts afresh (its moments are not
    /// saved with a model); the history continues the model's, numbering the epochs on.
    /// </summary>
    /// <param name="trainData">The training data, with the same number of features (and classes) as the model.</param>
    /// <param name="modelParameters">The model to continue from; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model takes a different number of features or classes than the data has.</exception>
    public TTransformer Fit(IDataView trainData, TModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, initPredictor: (IPredictor)modelParameters);
    }

    /// <summary>
    /// Continues training <paramref name="modelParameters"/> on <paramref name="trainData"/> as
    /// <see cref="Fit(IDataView, TModelParameters)"/> does, reporting the loss on <paramref name="validationData"/>
    /// after every epoch (and monitoring it for early stopping).
    /// </summary>
    /// <param name="trainData">The training data, with the same number of features (and classes) as the model.</param>
    /// <param name="validationData">Validation data with the same columns.</param>
    /// <param name="modelParameters">The model to continue from; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    public TTransformer Fit(IDataView trainData, IDataView validationData, TModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, validationData, (IPredictor)modelParameters);
    }

    /// <summary>Checks the task's label column (and the validation data's) and returns the width of the output layer.</summary>
    private protected abstract int CheckLabels(TrainContext context);

    /// <summary>The output head: how the last layer's outputs become a loss.</summary>
    private protected abstract LossFunction Loss { get; }

    /// <summary>δ of the Huber loss, in label units (only read when <see cref="Loss"/> is Huber).</summary>
    private protected virtual float HuberDelta => 1f;

    /// <summary>Whether to train on the standardized label (regression).</summary>
    private protected virtual bool StandardizeLabel => false;

    /// <summary>The weight of each class index, multiplied into the example weights; null for none.</summary>
    private protected virtual float[]? GetClassWeights(int outputCount) => null;

    /// <summary>Wraps the trained network in the task's model.</summary>
    private protected abstract TModel CreateModel(MlpNetwork network);

    /// <summary>Checks the labels, trains the network and wraps it in the task's model.</summary>
    /// <param name="trainContext">The training (and validation) data, and the model to continue from.</param>
    protected sealed override TModel TrainModelCore(TrainContext trainContext)
    {
        Host.CheckValue(trainContext, nameof(trainContext));
        int outputCount = CheckLabels(trainContext);
        var initial = trainContext.InitialPredictor is { } predictor ? Unwrap(predictor) : null;
        var run = new MlpTrainingRun(Host, TrainerOptions, Loss, HuberDelta, StandardizeLabel, GetClassWeights(outputCount));
        return CreateModel(run.Train(trainContext, outputCount, initial));
    }

    private static MlpNetwork Unwrap(IPredictor predictor)
    {
        object model = predictor is IWeaklyTypedCalibratedModelParameters calibrated ? calibrated.WeaklyTypedSubModel : predictor;
        if (model is TModelParameters and IMlpModel mlp)
            return mlp.Network;
        throw new ArgumentException(
            $"Training can only continue from an {typeof(TModelParameters).Name}; got {predictor.GetType().Name}.", "modelParameters");
    }
}
