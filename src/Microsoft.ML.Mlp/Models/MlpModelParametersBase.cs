using System.Buffers;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Models;
using Microsoft.ML.Trainers.Mlp.Onnx;
using Microsoft.ML.Trainers.Mlp.Persistence;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// A trained multilayer perceptron: z₁ = W₁·x + b₁, aₗ = s(zₗ), …, output = W_L·a_{L−1} + b_L followed by the task's
/// head. Exposes the architecture, the weights and the training history; saves to and loads from ML.NET model files.
/// </summary>
/// <typeparam name="TOutput">What the model produces per example: a single score or a vector of class probabilities.</typeparam>
/// <remarks>
/// <para>Instances are immutable and thread-safe. Prediction runs on the CPU and allocates nothing per example.</para>
/// <para>
/// Loading: the MLP's part of a model file is checked field by field (every size against its limit and against the
/// bytes present, before anything is allocated; every weight finite; every history field in range) and against the load
/// budget (<see cref="MlpModelLoadLimits.Default"/>: parameters, epoch records, and the memory the network, the
/// predictor's packed copy and the history take against the memory available); a bad field or a refusal is a
/// <see cref="FormatException"/>.
/// <c>MLContext.Model.Load</c> reports a damaged, truncated, foreign or newer file with one of these exceptions:
/// <see cref="FormatException"/> (a decode error), <see cref="InvalidOperationException"/> (ML.NET's "Error during
/// class instantiation" around the cause), <see cref="InvalidDataException"/> or another <see cref="IOException"/>
/// (the zip container, a truncated stream, a damaged assembly name), <see cref="ArgumentException"/> or
/// <see cref="NotSupportedException"/> (ML.NET's schema reader on damaged bytes), or
/// <see cref="System.Reflection.TargetInvocationException"/> around any of these. It does not check the zip's CRC-32,
/// so damaged compressed bytes reach ML.NET's readers; <see cref="MlpModelFile.Load(MLContext, string, out DataViewSchema)"/>
/// checks them first and reports every failure as one <see cref="InvalidDataException"/>.
/// </para>
/// </remarks>
public abstract class MlpModelParametersBase<TOutput> : ModelParametersBase<TOutput>, IValueMapper, IMlpModel, ISingleCanSaveOnnx
{
    private readonly MlpNetwork _network;
    private readonly NetworkPredictor _predictor;
    private readonly VectorDataViewType _inputType;

    private protected MlpModelParametersBase(IHostEnvironment env, string registrationName, MlpNetwork network)
        : base(env, registrationName)
    {
        Host.CheckValue(network, nameof(network));
        _network = network;
        _predictor = new NetworkPredictor(network.Description, network.Parameters);
        _inputType = new VectorDataViewType(NumberDataViewType.Single, network.Description.InputCount);
    }

    private protected MlpModelParametersBase(IHostEnvironment env, string registrationName, ModelLoadContext ctx, params LossFunction[] allowedLosses)
        : base(env, registrationName, ctx)
    {
        // *** Binary format ***: see MlpNetworkSerializer.
        _network = MlpNetworkSerializer.Read(ctx.Reader, Host, ctx.Header.ModelVerWritten, allowedLosses);
        _predictor = new NetworkPredictor(_network.Description, _network.Parameters);
        _inputType = new VectorDataViewType(NumberDataViewType.Single, _network.Description.InputCount);
    }

    /// <summary>Number of input features: the length of the feature vector the model scores.</summary>
    public int NumberOfFeatures => _network.Description.InputCount;

    /// <summary>Width of each hidden layer, input side first; empty for a linear model.</summary>
    public IReadOnlyList<int> HiddenLayerSizes => _network.HiddenLayerSizes;

    /// <summary>Activation of the hidden layers.</summary>
    public MlpActivation Activation => _network.Activation;

    /// <summary>Number of outputs of the last layer: 1 for binary classification and regression, the number of
    /// classes for multiclass classification.</summary>
    public int NumberOfOutputs => _network.Description.OutputCount;

    /// <summary>Number of dense layers: the hidden layers plus the output layer.</summary>
    public int LayerCount => _network.Description.Layers.Count;

    /// <summary>
    /// One record per training epoch (losses in natural-log units), saved with the model. It keeps every epoch that
    /// ran, including those after <see cref="BestEpoch"/> under early stopping; when training continues from this
    /// model, the new model's history starts with these records and numbers its epochs on.
    /// </summary>
    public IReadOnlyList<MlpEpochRecord> TrainingHistory => _network.History;

    /// <summary>
    /// The epoch of <see cref="TrainingHistory"/> whose weights the model holds: the epoch with the lowest monitored
    /// loss when early stopping was on (<see cref="MlpTrainerOptionsBase.EarlyStoppingPatience"/>), else the last one.
    /// </summary>
    public int BestEpoch => _network.BestEpoch;

    /// <summary>Whether early stopping ended the last training run before <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>.</summary>
    public bool StoppedEarly => _network.StoppedEarly;

    MlpNetwork IMlpModel.Network => _network;

    internal MlpNetwork Network => _network;

    /// <summary>
    /// The weights W of layer <paramref name="layerIndex"/> (0 = first hidden layer, <see cref="LayerCount"/> − 1 =
    /// output layer), an [outputs x inputs] matrix in row-major order: W[j, i] is at <c>j * inputs + i</c>.
    /// </summary>
    /// <param name="layerIndex">The layer, in [0, <see cref="LayerCount"/>).</param>
    public ReadOnlyMemory<float> GetWeights(int layerIndex)
    {
        var layer = GetLayer(layerIndex);
        return new ReadOnlyMemory<float>(_network.Parameters, layer.WeightOffset, layer.WeightCount);
    }

    /// <summary>The biases b of layer <paramref name="layerIndex"/>, one per output of the layer.</summary>
    /// <param name="layerIndex">The layer, in [0, <see cref="LayerCount"/>).</param>
    public ReadOnlyMemory<float> GetBiases(int layerIndex)
    {
        var layer = GetLayer(layerIndex);
        return new ReadOnlyMemory<float>(_network.Parameters, layer.BiasOffset, layer.OutputCount);
    }

    /// <summary>Writes the common header and the network. The model's file-format version is its
    /// <see cref="GetVersionInfo"/>.</summary>
    /// <param name="ctx">The save context.</param>
    protected sealed override void SaveCore(ModelSaveContext ctx)
    {
        base.SaveCore(ctx);
        ctx.SetVersionInfo(GetVersionInfo());
        MlpNetworkSerializer.Write(ctx.Writer, _network);
        if (ctx.InRepository)
            ctx.SaveTextStream("MlpModel.txt", writer => MlpNetworkSerializer.WriteSummary(writer, _network));
    }

    private protected abstract VersionInfo GetVersionInfo();

    private protected abstract DataViewType OutputType { get; }

    private protected abstract ValueMapper<VBuffer<float>, TOutput> CreateMapper();

    bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx) => true;

    bool ISingleCanSaveOnnx.SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn) => MlpOnnxExporter.Save(_network, ctx, outputNames, featureColumn);

    DataViewType IValueMapper.InputType => _inputType;

    DataViewType IValueMapper.OutputType => OutputType;

    ValueMapper<TSource, TDestination> IValueMapper.GetMapper<TSource, TDestination>()
    {
        Host.Check(typeof(TSource) == typeof(VBuffer<float>), "The MLP model scores VBuffer<float> feature vectors.");
        Host.Check(typeof(TDestination) == typeof(TOutput), $"The MLP model produces {typeof(TOutput).Name} values.");
        return (ValueMapper<TSource, TDestination>)(Delegate)CreateMapper();
    }

    /// <summary>A mapper for single-output models: the network's one output.</summary>
    private protected ValueMapper<VBuffer<float>, float> CreateScalarMapper() =>
        (in VBuffer<float> features, ref float score) =>
        {
            Span<float> output = stackalloc float[1];
            Predict(in features, output);
            score = output[0];
        };

    /// <summary>Runs the network on one example, sparse or dense, without allocating.</summary>
    private protected void Predict(in VBuffer<float> features, Span<float> output)
    {
        int count = NumberOfFeatures;
        if (features.Length != count)
            throw Host.Except("The feature vector has {0} values, but the model expects {1}.", features.Length, count);
        if (features.IsDense)
        {
            _predictor.Predict(features.GetValues(), output);
            return;
        }

        float[] rented = ArrayPool<float>.Shared.Rent(count);
        try
        {
            var dense = rented.AsSpan(0, count);
            dense.Clear();
            var values = features.GetValues();
            var indices = features.GetIndices();
            for (int i = 0; i < values.Length; i++)
                dense[indices[i]] = values[i];
            _predictor.Predict(dense, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private DenseLayer GetLayer(int layerIndex)
    {
        var layers = _network.Description.Layers;
        if ((uint)layerIndex >= (uint)layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layerIndex), layerIndex, $"The layer index must be in [0, {layers.Count - 1}]; got {layerIndex}.");
        return layers[layerIndex];
    }
}
