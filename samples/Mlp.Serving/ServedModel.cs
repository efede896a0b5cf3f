using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Serving;

/// <summary>
/// The model the server answers with: an ML.NET binary-classification model whose input is one float vector column
/// named <c>Features</c> and whose last step is an MLP, plus a pool of prediction engines over it.
/// </summary>
/// <remarks>
/// <see cref="PredictionEngine{TSrc, TDst}"/> is not thread-safe but is costly to create, so each request borrows one
/// from an <see cref="ObjectPool{T}"/> and gives it back. The model itself (<see cref="ITransformer"/>) is immutable
/// and shared. A pipeline that reads other input columns (e.g. a Concatenate of named columns) must be re-saved with
/// a <c>Features</c> vector as its input to be served here.
/// </remarks>
public sealed class ServedModel
{
    /// <summary>The input column the served model must read.</summary>
    public const string FeatureColumnName = "Features";

    private readonly ObjectPool<PredictionEngine<ModelInput, ModelOutput>> _engines;

    private ServedModel(MLContext ml, ITransformer model, DataViewSchema inputSchema, string source)
    {
        Model = model;
        Source = source;
        var column = inputSchema.GetColumnOrNull(FeatureColumnName)
            ?? throw new InvalidOperationException(
                $"The model's input has no '{FeatureColumnName}' column; found: {string.Join(", ", inputSchema.Select(c => c.Name))}. " +
                $"Serve a pipeline whose input is a float vector named '{FeatureColumnName}'.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType number, Size: > 0 } vector || number.RawType != typeof(float))
            throw new InvalidOperationException($"The model's '{FeatureColumnName}' column must be a known-size float vector; found {column.Type}.");
        FeatureCount = vector.Size;
        Mlp = FindMlp(model) ?? throw new InvalidOperationException(
            "The model is not a binary MLP model (no MlpBinaryModelParameters found in its last prediction step).");

        var inputDefinition = SchemaDefinition.Create(typeof(ModelInput));
        inputDefinition[nameof(ModelInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        var policy = new EnginePolicy(() => ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, inputSchemaDefinition: inputDefinition));
        _engines = new DefaultObjectPool<PredictionEngine<ModelInput, ModelOutput>>(policy, maximumRetained: Environment.ProcessorCount * 4);

        // Fail at start-up, not on the first request, if the model cannot score our input type.
        _engines.Return(_engines.Get());
    }

    /// <summary>The whole pipeline (normalisation included).</summary>
    public ITransformer Model { get; }

    /// <summary>The MLP at the end of the pipeline.</summary>
    public MlpBinaryModelParameters Mlp { get; }

    /// <summary>Where the model came from.</summary>
    public string Source { get; }

    /// <summary>Number of features a request must carry.</summary>
    public int FeatureCount { get; }

    /// <summary>Loads a model saved with <c>mlContext.Model.Save</c>, through <see cref="MlpModelFile"/>: the zip's
    /// checksums are verified first, and every load failure is one <see cref="InvalidDataException"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, truncated, from a newer version, or not an ML.NET model.</exception>
    /// <exception cref="InvalidOperationException">The file is a valid ML.NET model, but not a binary MLP over a
    /// <c>Features</c> vector.</exception>
    public static ServedModel Load(MLContext ml, string path)
    {
        var model = MlpModelFile.Load(ml, path, out var inputSchema);
        return new ServedModel(ml, model, inputSchema, Path.GetFullPath(path));
    }

    /// <summary>Serves a model trained in this process.</summary>
    public static ServedModel FromTrained(MLContext ml, ITransformer model, DataViewSchema inputSchema, string source)
        => new(ml, model, inputSchema, source);

    /// <summary>Scores one example (thread-safe).</summary>
    public ModelOutput Predict(float[] features)
    {
        var engine = _engines.Get();
        try
        {
            return engine.Predict(new ModelInput { Features = features });
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>The model's architecture and a summary of its training history.</summary>
    public ModelInfo Describe()
    {
        var hidden = Mlp.HiddenLayerSizes.ToArray();
        int[] layers = [Mlp.NumberOfFeatures, .. hidden, Mlp.NumberOfOutputs];
        return new ModelInfo(Source, FeatureCount, layers, hidden, Mlp.Activation.ToString(), Summarize(Mlp.TrainingHistory));
    }

    internal static TrainingSummary Summarize(IReadOnlyList<MlpEpochRecord> history)
    {
        if (history.Count == 0)
            return new TrainingSummary(0, null, null, null, null, null, null, 0);
        var last = history[^1];
        var best = history.Where(r => r.ValidationLoss is not null).MinBy(r => r.ValidationLoss!.Value);
        return new TrainingSummary(history.Count, history[0].TrainingLoss, last.TrainingLoss, last.ValidationLoss,
            best?.ValidationLoss, best?.Epoch, last.ValidationMetric, last.Elapsed.TotalSeconds);
    }

    /// <summary>The MLP behind the last prediction step: directly, or inside ML.NET's calibrated-model wrapper
    /// (read through the non-generic base: after loading, the wrapper's generic arguments are not the trainer's).</summary>
    private static MlpBinaryModelParameters? FindMlp(ITransformer model)
    {
        IEnumerable<ITransformer> steps = model is IEnumerable<ITransformer> chain ? chain : [model];
        foreach (var step in steps.Reverse())
        {
            if (step is not IPredictionTransformer<object> predictor)
                continue;
            object? parameters = predictor.Model;
            if (parameters is MlpBinaryModelParameters mlp)
                return mlp;
            return (parameters as CalibratedModelParametersBase)?.SubModel as MlpBinaryModelParameters;
        }
        return null;
    }

    private sealed class EnginePolicy(Func<PredictionEngine<ModelInput, ModelOutput>> create)
        : PooledObjectPolicy<PredictionEngine<ModelInput, ModelOutput>>
    {
        public override PredictionEngine<ModelInput, ModelOutput> Create() => create();

        public override bool Return(PredictionEngine<ModelInput, ModelOutput> engine) => true;
    }
}
