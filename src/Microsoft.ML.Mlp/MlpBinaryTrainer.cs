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

    private static readonly TrainerInfo s_info = new(normalization: true, calibration: false, caching: false, supportValid: true);

    private readonly MlpTrainingSettings _settings;

    /// <summary>Options of <see cref="MlpBinaryTrainer"/>; see <see cref="MlpTrainerOptionsBase"/> for each option
    /// and <see cref="MlpTrainerOptionsBase.Defaults"/> for the defaults.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
    }

    internal MlpBinaryTrainer(IHostEnvironment env, Options options)
        : this(env, MlpTrainingSettings.Create(options))
    {
    }

    private MlpBinaryTrainer(IHostEnvironment env, MlpTrainingSettings settings)
        : base(Contracts.CheckRef(env, nameof(env)).Register(LoadNameValue),
            TrainerUtils.MakeR4VecFeature(settings.FeatureColumnName),
            TrainerUtils.MakeBoolScalarLabel(settings.LabelColumnName),
            TrainerUtils.MakeR4ScalarWeightColumn(settings.ExampleWeightColumnName))
    {
        _settings = settings;
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
        var network = MlpTrainingSession.Train(Host, _settings, trainContext, outputCount: 1, LossFunction.BinaryCrossEntropy);
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
