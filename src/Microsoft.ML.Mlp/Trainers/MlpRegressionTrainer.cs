using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

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
/// | Is normalization required? | No (the trainer standardizes the features and the label itself; see StandardizeFeatures and StandardizeLabel) |
/// | Is caching required? | No (the trainer copies the data into memory once) |
/// | Required NuGet in addition to Microsoft.ML | None |
///
/// ### Training algorithm details
/// Hidden layers compute a = s(W·a′ + b); the output is linear, ŷ = w·a + b, and the loss is
/// the squared error (ŷ − y)² or the Huber loss, minimized by the chosen optimizer over shuffled minibatches.
/// ]]></format>
/// </remarks>
public sealed class MlpRegressionTrainer : MlpTrainerBase<MlpRegressionTrainer.Options,
    RegressionPredictionTransformer<MlpRegressionModelParameters>, MlpRegressionModelParameters, MlpRegressionModelParameters>
{
    internal const string LoadNameValue = "MlpRegression";

    /// <summary>Options of <see cref="MlpRegressionTrainer"/>; see <see cref="MlpTrainerOptionsBase"/> for the shared
    /// options and <see cref="MlpTrainerOptionsBase.Defaults"/> for the defaults.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
        /// <summary>The loss to minimize. Default <see cref="MlpRegressionLoss.Squared"/>.</summary>
        public MlpRegressionLoss Loss = Defaults.RegressionLoss;

        /// <summary>Threshold δ of the Huber loss: squared within δ of the label, linear beyond; positive and finite.
        /// Used when <see cref="Loss"/> is <see cref="MlpRegressionLoss.Huber"/>. Default 1.</summary>
        public float HuberDelta = Defaults.HuberDelta;

        /// <summary>
        /// Train on the standardized label (y − μ)/σ of the training rows and fold the map into the output layer, so a
        /// label in the hundreds trains as fast as one near 1. <c>Score</c>, <see cref="HuberDelta"/> and the losses of
        /// the training history stay in label units. Default true.
        /// </summary>
        public bool StandardizeLabel = Defaults.StandardizeLabel;

        internal override void Validate()
        {
            base.Validate();
            CheckDefined(Loss, nameof(Loss));
            Check(float.IsFinite(HuberDelta) && HuberDelta > 0, nameof(HuberDelta), HuberDelta, "must be positive and finite");
        }
    }

    internal MlpRegressionTrainer(IHostEnvironment env, Options options)
        : base(env, LoadNameValue, options, TrainerUtils.MakeR4ScalarColumn)
    {
    }

    /// <summary>The kind of prediction: regression.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.Regression;

    private protected override LossFunction Loss => TrainerOptions.Loss == MlpRegressionLoss.Huber ? LossFunction.Huber : LossFunction.Squared;

    private protected override float HuberDelta => TrainerOptions.HuberDelta;

    private protected override bool StandardizeLabel => TrainerOptions.StandardizeLabel;

    /// <summary>The output column: Score.</summary>
    /// <param name="inputSchema">The input schema.</param>
    protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) =>
    [
        new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    private protected override int CheckLabels(TrainContext context)
    {
        context.TrainingSet.CheckRegressionLabel();
        context.ValidationSet?.CheckRegressionLabel();
        return 1;
    }

    private protected override MlpRegressionModelParameters CreateModel(MlpNetwork network) => new(Host, network);

    /// <summary>Creates ML.NET's regression prediction transformer over the trained model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainSchema">The schema of the training data.</param>
    protected override RegressionPredictionTransformer<MlpRegressionModelParameters> MakeTransformer(
        MlpRegressionModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name);
}
