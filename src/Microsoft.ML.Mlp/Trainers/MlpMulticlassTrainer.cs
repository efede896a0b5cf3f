using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// The <see cref="IEstimator{TTransformer}"/> that trains a multilayer perceptron with a softmax output for multiclass
/// classification by minibatch backpropagation, on the CPU or a GPU.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// To create this trainer, use [Mlp](xref:Microsoft.ML.MlpCatalog.Mlp(Microsoft.ML.MulticlassClassificationCatalog.MulticlassClassificationTrainers,System.String,System.String,System.String,System.Int32[],System.Int32,System.Int32,System.Single))
/// or [Mlp(Options)](xref:Microsoft.ML.MlpCatalog.Mlp(Microsoft.ML.MulticlassClassificationCatalog.MulticlassClassificationTrainers,Microsoft.ML.Trainers.Mlp.MlpMulticlassTrainer.Options)).
///
/// ### Input and output columns
/// The label column must be a [key](xref:Microsoft.ML.Data.KeyDataViewType) type (use `MapValueToKey`); the number
/// of classes is the key's count. The feature column must be a known-size vector of <xref:System.Single>; the
/// optional example-weight column a <xref:System.Single>.
///
/// | Output column | Type | Description |
/// | -- | -- | -- |
/// | `Score` | Vector of <xref:System.Single> | The probability of each class, softmax(z); they sum to 1. |
/// | `PredictedLabel` | [key](xref:Microsoft.ML.Data.KeyDataViewType) type | The most probable class (`MapKeyToValue` turns it back into the original label). |
///
/// ### Trainer characteristics
/// |  |  |
/// | -- | -- |
/// | Machine learning task | Multiclass classification |
/// | Is normalization required? | No (the trainer standardizes the features itself; see StandardizeFeatures) |
/// | Is caching required? | No (the trainer copies the data into memory once) |
/// | Required NuGet in addition to Microsoft.ML | None |
///
/// ### Training algorithm details
/// Hidden layers compute a = s(W·a′ + b); the output layer is linear, z = W·a + b, and the loss is the softmax
/// cross-entropy, −log softmax(z)_y, minimized by the chosen optimizer over shuffled minibatches.
/// ]]></format>
/// </remarks>
public sealed class MlpMulticlassTrainer : MlpTrainerBase<MlpMulticlassTrainer.Options,
    MulticlassPredictionTransformer<MlpMulticlassModelParameters>, MlpMulticlassModelParameters, MlpMulticlassModelParameters>
{
    internal const string LoadNameValue = "MlpMulticlass";

    /// <summary>Options of <see cref="MlpMulticlassTrainer"/>; see <see cref="MlpTrainerOptionsBase"/> for the shared
    /// options and <see cref="MlpTrainerOptionsBase.Defaults"/> for the defaults.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
        /// <summary>
        /// Weight of each class, indexed by the label's key value minus one (the class index), for imbalanced data:
        /// one non-negative finite value per class of the label's key type, at least one of them positive. It multiplies
        /// the example weight (from <see cref="TrainerInputBaseWithWeight.ExampleWeightColumnName"/>, else 1) of every
        /// example of the training and validation data, so the validation loss that early stopping monitors is the same
        /// weighted loss. A common choice is (number of rows) / (number of classes · rows of the class). Null (the
        /// default) weighs every class 1.
        /// </summary>
        public float[]? ClassWeights;

        private protected override void CopyArrays() => ClassWeights = (float[]?)ClassWeights?.Clone();

        internal override void Validate()
        {
            base.Validate();
            if (ClassWeights is null)
                return;
            for (int i = 0; i < ClassWeights.Length; i++)
            {
                Check(float.IsFinite(ClassWeights[i]) && ClassWeights[i] >= 0, nameof(ClassWeights), ClassWeights[i],
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{i}] must be non-negative and finite"));
            }
            if (!ClassWeights.Any(w => w > 0))
                throw new ArgumentException($"{nameof(ClassWeights)} must have at least one positive weight; got [{string.Join(", ", ClassWeights)}].", nameof(ClassWeights));
        }
    }

    internal MlpMulticlassTrainer(IHostEnvironment env, Options options)
        : base(env, LoadNameValue, options, TrainerUtils.MakeU4ScalarColumn)
    {
    }

    /// <summary>The kind of prediction: multiclass classification.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    private protected override LossFunction Loss => LossFunction.SoftmaxCrossEntropy;

    /// <summary>The output columns: the Score vector and the key-typed PredictedLabel.</summary>
    /// <param name="inputSchema">The input schema.</param>
    protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema)
    {
        bool found = inputSchema.TryFindColumn(LabelColumn.Name, out var labelColumn);
        Host.Assert(found);
        var predictedLabelAnnotations = new SchemaShape(labelColumn.Annotations
            .Where(annotation => annotation.Name == AnnotationUtils.Kinds.KeyValues)
            .Concat(AnnotationUtils.GetTrainerOutputAnnotation()));
        return
        [
            new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(labelColumn))),
            new(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true,
                predictedLabelAnnotations),
        ];
    }

    private protected override int CheckLabels(TrainContext context)
    {
        context.TrainingSet.CheckMulticlassLabel(out int classCount);
        string label = context.TrainingSet.Schema.Label!.Value.Name;
        if (classCount < 2)
            throw new InvalidOperationException($"The label column '{label}' has {classCount} class(es); multiclass classification needs at least 2.");
        if (TrainerOptions.ClassWeights is { } weights && weights.Length != classCount)
        {
            throw new ArgumentException(
                $"{nameof(Options.ClassWeights)} has {weights.Length} weights, but the label column '{label}' has {classCount} classes; " +
                "give one weight per class.", nameof(Options.ClassWeights));
        }
        return classCount;
    }

    private protected override float[]? GetClassWeights(int outputCount) => TrainerOptions.ClassWeights;

    private protected override MlpMulticlassModelParameters CreateModel(MlpNetwork network) => new(Host, network);

    /// <summary>Creates ML.NET's multiclass prediction transformer over the trained model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainSchema">The schema of the training data.</param>
    protected override MulticlassPredictionTransformer<MlpMulticlassModelParameters> MakeTransformer(
        MlpMulticlassModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name);
}
