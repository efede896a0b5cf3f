using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

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
/// | Is normalization required? | No (the trainer standardizes the features itself; see StandardizeFeatures) |
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
public sealed class MlpBinaryTrainer : MlpTrainerBase<MlpBinaryTrainer.Options,
    BinaryPredictionTransformer<CalibratedModelParametersBase<MlpBinaryModelParameters, PlattCalibrator>>,
    CalibratedModelParametersBase<MlpBinaryModelParameters, PlattCalibrator>, MlpBinaryModelParameters>
{
    internal const string LoadNameValue = "MlpBinary";

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
        : base(env, LoadNameValue, options, TrainerUtils.MakeBoolScalarLabel)
    {
    }

    /// <summary>The kind of prediction: binary classification.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    private protected override LossFunction Loss => LossFunction.BinaryCrossEntropy;

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

    private protected override int CheckLabels(TrainContext context)
    {
        context.TrainingSet.CheckBinaryLabel();
        context.ValidationSet?.CheckBinaryLabel();
        return 1;
    }

    private protected override float[]? GetClassWeights(int outputCount) =>
        TrainerOptions.PositiveClassWeight == 1f ? null : [1f, TrainerOptions.PositiveClassWeight];

    private protected override CalibratedModelParametersBase<MlpBinaryModelParameters, PlattCalibrator> CreateModel(MlpNetwork network)
    {
        var model = new MlpBinaryModelParameters(Host, network);
        // The score is a logit: a Platt calibrator with slope −1 and offset 0 is exactly the sigmoid.
        var calibrator = new PlattCalibrator(Host, slope: -1, offset: 0);
        return new ValueMapperCalibratedModelParameters<MlpBinaryModelParameters, PlattCalibrator>(Host, model, calibrator);
    }

    /// <summary>Creates ML.NET's binary prediction transformer over the trained model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainSchema">The schema of the training data.</param>
    protected override BinaryPredictionTransformer<CalibratedModelParametersBase<MlpBinaryModelParameters, PlattCalibrator>> MakeTransformer(
        CalibratedModelParametersBase<MlpBinaryModelParameters, PlattCalibrator> model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name);
}
