using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// The <see cref="IEstimator{TTransformer}"/> that trains a multilayer perceptron for binary classification by
/// minibatch backpropagation, on the CPU or a GPU.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// To create this trainer, use [Mlp](xref:Microsoft.ML.MlpCatalog.Mlp(Microsoft.ML.BinaryClassificationCatalog.BinaryClassificationTrainers,System.String,System.String,System.String,System.Int32[],System.Int32,System.Int32,System.Single))
/// or [Mlp(Options)](xref:Microsoft.ML.MlpCatalog.Mlp(Microsoft.ML.BinaryClassificationCatalog.BinaryClassificationTrainers,Microsoft.ML.Trainers.Mlp.MlpBinaryTrainer.Options)).
///
/// ### Input and output columns
/// The label column must be <xref:System.Boolean>. The feature column must be a known-size vector of
/// <xref:System.Single>; the optional example-weight column a <xref:System.Single>.
///
/// | Output column | Type | Description |
/// | -- | -- | -- |
/// | `Score` | <xref:System.Single> | The logit z of the positive class (the output of the last layer). |
/// | `Probability` | <xref:System.Single> | The network's probability of the positive class, 1 / (1 + e^−z). |
/// | `PredictedLabel` | <xref:System.Boolean> | `true` when the score is above the threshold (0, i.e. probability 0.5). |
///
/// ### Trainer characteristics
/// |  |  |
/// | -- | -- |
/// | Machine learning task | Binary classification |
/// | Is normalization required? | Yes (e.g. NormalizeMinMax or NormalizeMeanVariance) |
/// | Is caching required? | No (the trainer copies the data into memory once) |
/// | Is calibration required? | No (the probability is the network's sigmoid output) |
/// | Required NuGet in addition to Microsoft.ML | None |
///
/// ### Training algorithm details
/// Hidden layers compute a = s(W·a′ + b); the output layer is linear, z = w·a + b, and the loss is the binary
/// cross-entropy of sigmoid(z), minimized by the chosen optimizer over shuffled minibatches. Training is logged per
/// epoch through `MLContext.Log`, and each epoch's losses are kept in
/// <xref:Microsoft.ML.Trainers.Mlp.MlpModelParametersBase`1.TrainingHistory>.
/// ]]></format>
/// </remarks>
public sealed class MlpBinaryTrainer : TrainerEstimatorBase<
    BinaryPredictionTransformer<CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator>>,
    CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator>>
{
    internal const string LoadNameValue = "MlpBinary";

    private static readonly TrainerInfo s_info = new(normalization: true, calibration: false, caching: false, supportValid: true,
        supportIncrementalTrain: true);

    private readonly MlpTrainingSettings _settings;
    private readonly float _positiveClassWeight;

    /// <summary>Options of <see cref="MlpBinaryTrainer"/>; see <see cref="MlpTrainerOptionsBase"/> for the shared
    /// options and <see cref="MlpTrainerOptionsBase.Defaults"/> for the defaults.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
        /// <summary>
        /// Weight of the positive (true) examples relative to the negative ones, for imbalanced data; positive and
        /// finite. It multiplies the example weight (from <see cref="TrainerInputBaseWithWeight.ExampleWeightColumnName"/>,
        /// else 1) of every positive example of the training and validation data, so the validation loss that early
        /// stopping monitors is the same weighted loss. A common choice is (number of negatives) / (number of
        /// positives). Default 1.
        /// </summary>
        public float PositiveClassWeight = Defaults.PositiveClassWeight;

        internal override void Validate()
        {
            base.Validate();
            Check(float.IsFinite(PositiveClassWeight) && PositiveClassWeight > 0, nameof(PositiveClassWeight), PositiveClassWeight, "must be positive and finite");
        }
    }

    internal MlpBinaryTrainer(IHostEnvironment env, Options options)
        : this(env, MlpTrainingSettings.Create(options), options)
    {
    }

    private MlpBinaryTrainer(IHostEnvironment env, MlpTrainingSettings settings, Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(LoadNameValue),
            TrainerUtils.MakeR4VecFeature(settings.FeatureColumnName),
            TrainerUtils.MakeBoolScalarLabel(settings.LabelColumnName),
            TrainerUtils.MakeR4ScalarWeightColumn(settings.ExampleWeightColumnName))
    {
        _settings = settings;
        _positiveClassWeight = options.PositiveClassWeight;
    }

    /// <summary>What the trainer needs: normalized features; no calibration or caching; supports validation data.</summary>
    public override TrainerInfo Info => s_info;

    /// <summary>The kind of prediction: binary classification.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    /// <summary>Trains on <paramref name="trainData"/>, reporting the loss on <paramref name="validationData"/>
    /// after every epoch in the log and in <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/>.</summary>
    /// <param name="trainData">The training data.</param>
    /// <param name="validationData">Validation data with the same columns.</param>
    /// <returns>The trained model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    public BinaryPredictionTransformer<CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator>> Fit(
        IDataView trainData, IDataView validationData)
        => TrainTransformer(trainData, validationData);

    /// <summary>
    /// Continues training <paramref name="modelParameters"/> (a trained or loaded model) on <paramref name="trainData"/>
    /// with this trainer's options, for example a lower learning rate or new data. The architecture comes from the
    /// model (the options' <see cref="MlpTrainerOptionsBase.HiddenLayerSizes"/> and
    /// <see cref="MlpTrainerOptionsBase.Activation"/> are not used); the optimizer starts afresh (its moments are not
    /// saved with a model); the history continues the model's, numbering the epochs on.
    /// </summary>
    /// <param name="trainData">The training data, with the same number of features as the model.</param>
    /// <param name="modelParameters">The model to continue from, e.g. <c>transformer.Model.SubModel</c>; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model takes a different number of features than the data has.</exception>
    public BinaryPredictionTransformer<CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator>> Fit(
        IDataView trainData, MlpModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, initPredictor: modelParameters);
    }

    /// <summary>Continues training <paramref name="modelParameters"/> as
    /// <see cref="Fit(IDataView, MlpModelParameters)"/> does, reporting the loss on <paramref name="validationData"/> after every
    /// epoch (early stopping, if the options ask for it, watches this loss).</summary>
    /// <param name="trainData">The training data, with the same number of features as the model.</param>
    /// <param name="validationData">Validation data with the same columns.</param>
    /// <param name="modelParameters">The model to continue from, e.g. <c>transformer.Model.SubModel</c> or
    /// <see cref="MlpModel.GetModelParameters{TModel}(ITransformer)"/> of a loaded model; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model does not fit the data (see the two-argument overload).</exception>
    public BinaryPredictionTransformer<CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator>> Fit(
        IDataView trainData, IDataView validationData, MlpModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, validationData, modelParameters);
    }

    /// <summary>The output columns: Score, Probability and PredictedLabel.</summary>
    /// <param name="inputSchema">The input schema.</param>
    protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) =>
    [
        new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
        new(DefaultColumnNames.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true))),
        new(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    /// <summary>Checks the label, trains the network and wraps it with the sigmoid calibrator.</summary>
    /// <param name="trainContext">The training (and validation) data.</param>
    protected override CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator> TrainModelCore(TrainContext trainContext)
    {
        Host.CheckValue(trainContext, nameof(trainContext));
        trainContext.TrainingSet.CheckBinaryLabel();
        trainContext.ValidationSet?.CheckBinaryLabel();
        var initial = trainContext.InitialPredictor switch
        {
            null => null,
            MlpModelParameters previous => previous.Network,
            CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator> calibrated => calibrated.SubModel.Network,
            var other => throw new ArgumentException(
                $"Training can only continue from an {nameof(MlpModelParameters)}; got {other.GetType().Name}.", "modelParameters"),
        };
        float[]? classWeights = _positiveClassWeight == 1f ? null : [1f, _positiveClassWeight];
        var network = MlpTrainingSession.Train(Host, _settings, trainContext, outputCount: 1, LossFunction.BinaryCrossEntropy,
            classWeights: classWeights, initial: initial);
        var model = new MlpModelParameters(Host, network);
        // The score is a logit: a Platt calibrator with slope −1 and offset 0 is exactly the sigmoid.
        var calibrator = new PlattCalibrator(Host, slope: -1, offset: 0);
        return new ValueMapperCalibratedModelParameters<MlpModelParameters, PlattCalibrator>(Host, model, calibrator);
    }

    /// <summary>Creates ML.NET's binary prediction transformer over the trained model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainSchema">The schema of the training data.</param>
    protected override BinaryPredictionTransformer<CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator>> MakeTransformer(
        CalibratedModelParametersBase<MlpModelParameters, PlattCalibrator> model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name);
}
