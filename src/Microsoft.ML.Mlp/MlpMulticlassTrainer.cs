using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

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
/// | Is normalization required? | Yes (e.g. NormalizeMinMax or NormalizeMeanVariance) |
/// | Is caching required? | No (the trainer copies the data into memory once) |
/// | Required NuGet in addition to Microsoft.ML | None |
///
/// ### Training algorithm details
/// Hidden layers compute a = s(W·a′ + b); the output layer is linear, z = W·a + b, and the loss is the softmax
/// cross-entropy, −log softmax(z)_y, minimized by the chosen optimizer over shuffled minibatches.
/// ]]></format>
/// </remarks>
public sealed class MlpMulticlassTrainer : TrainerEstimatorBase<MulticlassPredictionTransformer<MlpMulticlassModelParameters>, MlpMulticlassModelParameters>
{
    internal const string LoadNameValue = "MlpMulticlass";

    private static readonly TrainerInfo s_info = new(normalization: true, calibration: false, caching: false, supportValid: true,
        supportIncrementalTrain: true);

    private readonly MlpTrainingSettings _settings;
    private readonly float[]? _classWeights;

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
        : this(env, MlpTrainingSettings.Create(options), options)
    {
    }

    private MlpMulticlassTrainer(IHostEnvironment env, MlpTrainingSettings settings, Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(LoadNameValue),
            TrainerUtils.MakeR4VecFeature(settings.FeatureColumnName),
            TrainerUtils.MakeU4ScalarColumn(settings.LabelColumnName),
            TrainerUtils.MakeR4ScalarWeightColumn(settings.ExampleWeightColumnName))
    {
        _settings = settings;
        _classWeights = (float[]?)options.ClassWeights?.Clone();
    }

    /// <summary>What the trainer needs: normalized features; no calibration or caching; supports validation data.</summary>
    public override TrainerInfo Info => s_info;

    /// <summary>The kind of prediction: multiclass classification.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    /// <summary>Trains on <paramref name="trainData"/>, reporting the loss on <paramref name="validationData"/>
    /// after every epoch in the log and in <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/>.</summary>
    /// <param name="trainData">The training data.</param>
    /// <param name="validationData">Validation data with the same columns and label key type.</param>
    /// <returns>The trained model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    public MulticlassPredictionTransformer<MlpMulticlassModelParameters> Fit(IDataView trainData, IDataView validationData)
        => TrainTransformer(trainData, validationData);

    /// <summary>
    /// Continues training <paramref name="modelParameters"/> (a trained or loaded model) on <paramref name="trainData"/>
    /// with this trainer's options, for example a lower learning rate or new data. The architecture comes from the
    /// model (the options' <see cref="MlpTrainerOptionsBase.HiddenLayerSizes"/> and
    /// <see cref="MlpTrainerOptionsBase.Activation"/> are not used); the optimizer starts afresh (its moments are not
    /// saved with a model); the history continues the model's, numbering the epochs on.
    /// </summary>
    /// <param name="trainData">The training data, with the same number of features and classes (label key count) as
    /// the model.</param>
    /// <param name="modelParameters">The model to continue from, e.g. <c>transformer.Model</c>; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model takes a different number of features or classes than the data has.</exception>
    public MulticlassPredictionTransformer<MlpMulticlassModelParameters> Fit(IDataView trainData, MlpMulticlassModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, initPredictor: modelParameters);
    }

    /// <summary>Continues training <paramref name="modelParameters"/> as
    /// <see cref="Fit(IDataView, MlpMulticlassModelParameters)"/> does, reporting the loss on <paramref name="validationData"/> after every
    /// epoch (early stopping, if the options ask for it, watches this loss).</summary>
    /// <param name="trainData">The training data, with the same number of features as the model.</param>
    /// <param name="validationData">Validation data with the same columns.</param>
    /// <param name="modelParameters">The model to continue from, e.g. <c>transformer.Model</c> or
    /// <see cref="MlpModel.GetModelParameters{TModel}(ITransformer)"/> of a loaded model; not modified.</param>
    /// <returns>A new model, as <see cref="IEstimator{TTransformer}.Fit(IDataView)"/> returns it.</returns>
    /// <exception cref="ArgumentException">The model does not fit the data (see the two-argument overload).</exception>
    public MulticlassPredictionTransformer<MlpMulticlassModelParameters> Fit(
        IDataView trainData, IDataView validationData, MlpMulticlassModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        ArgumentNullException.ThrowIfNull(modelParameters);
        return TrainTransformer(trainData, validationData, modelParameters);
    }

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

    /// <summary>Checks the label, then trains a network with one softmax output per class.</summary>
    /// <param name="trainContext">The training (and validation) data.</param>
    protected override MlpMulticlassModelParameters TrainModelCore(TrainContext trainContext)
    {
        Host.CheckValue(trainContext, nameof(trainContext));
        trainContext.TrainingSet.CheckMulticlassLabel(out int classCount);
        if (classCount < 2)
        {
            throw new InvalidOperationException(
                $"The label column '{trainContext.TrainingSet.Schema.Label!.Value.Name}' has {classCount} class(es); " +
                "multiclass classification needs at least 2.");
        }
        MlpNetwork? initial = null;
        if (trainContext.InitialPredictor is { } predictor)
        {
            if (predictor is not MlpMulticlassModelParameters model)
            {
                throw new ArgumentException(
                    $"Training can only continue from an {nameof(MlpMulticlassModelParameters)}; got {predictor.GetType().Name}.", "modelParameters");
            }
            if (model.NumberOfClasses != classCount)
            {
                throw new ArgumentException(
                    $"The model to continue from has {model.NumberOfClasses} classes, but the label column " +
                    $"'{trainContext.TrainingSet.Schema.Label!.Value.Name}' of the training data has {classCount}. Map the labels " +
                    "with the same MapValueToKey transformer as the model's training data.", "modelParameters");
            }
            initial = model.Network;
        }
        if (_classWeights is not null && _classWeights.Length != classCount)
        {
            throw new ArgumentException(
                $"{nameof(Options.ClassWeights)} has {_classWeights.Length} weights, but the label column " +
                $"'{trainContext.TrainingSet.Schema.Label!.Value.Name}' has {classCount} classes; give one weight per class.", nameof(Options.ClassWeights));
        }
        var network = MlpTrainingSession.Train(Host, _settings, trainContext, classCount, LossFunction.SoftmaxCrossEntropy,
            classWeights: _classWeights, initial: initial);
        return new MlpMulticlassModelParameters(Host, network);
    }

    /// <summary>Creates ML.NET's multiclass prediction transformer over the trained model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainSchema">The schema of the training data.</param>
    protected override MulticlassPredictionTransformer<MlpMulticlassModelParameters> MakeTransformer(
        MlpMulticlassModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name);
}
