using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// The <see cref="IEstimator{TTransformer}"/> that trains a multilayer perceptron with a linear output for regression
/// by minibatch backpropagation, on the CPU or a GPU.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// To create this trainer, use [Mlp](xref:Microsoft.ML.MlpCatalog.Mlp(Microsoft.ML.RegressionCatalog.RegressionTrainers,System.String,System.String,System.String,System.Int32[],System.Int32,System.Int32,System.Single))
/// or [Mlp(Options)](xref:Microsoft.ML.MlpCatalog.Mlp(Microsoft.ML.RegressionCatalog.RegressionTrainers,Microsoft.ML.Trainers.Mlp.MlpRegressionTrainer.Options)).
///
/// ### Input and output columns
/// The label column must be <xref:System.Single>. The feature column must be a known-size vector of
/// <xref:System.Single>; the optional example-weight column a <xref:System.Single>.
///
/// | Output column | Type | Description |
/// | -- | -- | -- |
/// | `Score` | <xref:System.Single> | The predicted value: the linear output of the last layer. |
///
/// ### Trainer characteristics
/// |  |  |
/// | -- | -- |
/// | Machine learning task | Regression |
/// | Is normalization required? | Yes, for the features; scaling a label with a large range (e.g. to unit variance) also helps |
/// | Is caching required? | No (the trainer copies the data into memory once) |
/// | Required NuGet in addition to Microsoft.ML | None |
///
/// ### Training algorithm details
/// Hidden layers compute a = s(W·a′ + b); the output is linear, ŷ = w·a + b, and the loss is
/// the squared error (ŷ − y)² or the Huber loss, minimized by the chosen optimizer over shuffled minibatches.
/// ]]></format>
/// </remarks>
public sealed class MlpRegressionTrainer : TrainerEstimatorBase<RegressionPredictionTransformer<MlpRegressionModelParameters>, MlpRegressionModelParameters>
{
    internal const string LoadNameValue = "MlpRegression";

    private static readonly TrainerInfo s_info = new(normalization: true, calibration: false, caching: false, supportValid: true,
        supportIncrementalTrain: true);

    private readonly MlpTrainingSettings _settings;
    private readonly MlpRegressionLoss _loss;
    private readonly float _huberDelta;

    /// <summary>Options of <see cref="MlpRegressionTrainer"/>; see <see cref="MlpTrainerOptionsBase"/> for the shared
    /// options and <see cref="MlpTrainerOptionsBase.Defaults"/> for the defaults.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
        /// <summary>The loss to minimize. Default <see cref="MlpRegressionLoss.Squared"/>.</summary>
        public MlpRegressionLoss Loss = Defaults.RegressionLoss;

        /// <summary>Threshold δ of the Huber loss: squared within δ of the label, linear beyond; positive and finite.
        /// Used when <see cref="Loss"/> is <see cref="MlpRegressionLoss.Huber"/>. Default 1.</summary>
        public float HuberDelta = Defaults.HuberDelta;

        internal override void Validate()
        {
            base.Validate();
            CheckDefined(Loss, nameof(Loss));
            Check(float.IsFinite(HuberDelta) && HuberDelta > 0, nameof(HuberDelta), HuberDelta, "must be positive and finite");
        }
    }

    internal MlpRegressionTrainer(IHostEnvironment env, Options options)
        : this(env, MlpTrainingSettings.Create(options), options)
    {
    }

    private MlpRegressionTrainer(IHostEnvironment env, MlpTrainingSettings settings, Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(LoadNameValue),
            TrainerUtils.MakeR4VecFeature(settings.FeatureColumnName),
            TrainerUtils.MakeR4ScalarColumn(settings.LabelColumnName),
            TrainerUtils.MakeR4ScalarWeightColumn(settings.ExampleWeightColumnName))
    {
        _settings = settings;
        _loss = options.Loss;
        _huberDelta = options.HuberDelta;
    }

    /// <summary>What the trainer needs: normalized features; no calibration or caching; supports validation data.</summary>
    public override TrainerInfo Info => s_info;

    /// <summary>The kind of prediction: regression.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.Regression;

    /// <summary>Trains on <paramref name="trainData"/>, reporting the loss on <paramref name="validationData"/>
    /// after every epoch in the log and in <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/>.</summary>
    /// <param name="trainData">The training data.</param>
    /// <param name="validationData">Validation data with the same columns.</param>
    /// <returns>The trained model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    public RegressionPredictionTransformer<MlpRegressionModelParameters> Fit(IDataView trainData, IDataView validationData)
        => TrainTransformer(trainData, validationData);

    /// <summary>
    /// Continues training <paramref name="modelParameters"/> (a trained or loaded model) on <paramref name="trainData"/>
    /// with this trainer's options, for example a lower learning rate or new data. The architecture comes from the
    /// model (the options' <see cref="MlpTrainerOptionsBase.HiddenLayerSizes"/> and
    /// <see cref="MlpTrainerOptionsBase.Activation"/> are not used), the loss from the options; the optimizer starts
    /// afresh (its moments are not saved with a model); the history continues the model's, numbering the epochs on.
    /// </summary>
    /// <param name="trainData">The training data, with the same number of features as the model.</param>
    /// <param name="modelParameters">The model to continue from, e.g. <c>transformer.Model</c>; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model takes a different number of features than the data has.</exception>
    public RegressionPredictionTransformer<MlpRegressionModelParameters> Fit(IDataView trainData, MlpRegressionModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, initPredictor: modelParameters);
    }

    /// <summary>Continues training <paramref name="modelParameters"/> as
    /// <see cref="Fit(IDataView, MlpRegressionModelParameters)"/> does, reporting the loss on <paramref name="validationData"/> after every
    /// epoch (early stopping, if the options ask for it, watches this loss).</summary>
    /// <param name="trainData">The training data, with the same number of features as the model.</param>
    /// <param name="validationData">Validation data with the same columns.</param>
    /// <param name="modelParameters">The model to continue from, e.g. <c>transformer.Model</c> or
    /// <see cref="MlpModel.GetModelParameters{TModel}(ITransformer)"/> of a loaded model; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model does not fit the data (see the two-argument overload).</exception>
    public RegressionPredictionTransformer<MlpRegressionModelParameters> Fit(
        IDataView trainData, IDataView validationData, MlpRegressionModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, validationData, modelParameters);
    }

    /// <summary>The output column: Score.</summary>
    /// <param name="inputSchema">The input schema.</param>
    protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) =>
    [
        new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    /// <summary>Checks the label, then trains a network with one linear output.</summary>
    /// <param name="trainContext">The training (and validation) data.</param>
    protected override MlpRegressionModelParameters TrainModelCore(TrainContext trainContext)
    {
        Host.CheckValue(trainContext, nameof(trainContext));
        trainContext.TrainingSet.CheckRegressionLabel();
        trainContext.ValidationSet?.CheckRegressionLabel();
        var loss = _loss == MlpRegressionLoss.Huber ? LossFunction.Huber : LossFunction.Squared;
        var initial = trainContext.InitialPredictor switch
        {
            null => null,
            MlpRegressionModelParameters model => model.Network,
            var other => throw new ArgumentException(
                $"Training can only continue from an {nameof(MlpRegressionModelParameters)}; got {other.GetType().Name}.", "modelParameters"),
        };
        var network = MlpTrainingSession.Train(Host, _settings, trainContext, outputCount: 1, loss, _huberDelta, initial: initial);
        return new MlpRegressionModelParameters(Host, network);
    }

    /// <summary>Creates ML.NET's regression prediction transformer over the trained model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainSchema">The schema of the training data.</param>
    protected override RegressionPredictionTransformer<MlpRegressionModelParameters> MakeTransformer(
        MlpRegressionModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name);
}
