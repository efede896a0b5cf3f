using System.Runtime.CompilerServices;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Inference;

/// <summary>
/// Scores single examples with trained parameters on the CPU: one matrix-vector product per layer (<see cref="CpuGemv"/>,
/// over weights re-laid once for it). Immutable and thread-safe; allocation-free per call (scratch is on the stack or per thread).
/// </summary>
internal sealed class NetworkPredictor
{
    private const int MaxStackFloats = 4096;

    [ThreadStatic]
    private static float[]? t_scratch;

    private readonly float[] _weights; // every layer's weights in CpuGemv's panel layout, one layer after another
    private readonly int[] _weightOffsets;
    private readonly float[] _biases;
    private readonly int[] _biasOffsets;
    private readonly int _width; // widest layer output: the features are read in place, so only layer outputs need scratch

    /// <summary>Wraps a copy of <paramref name="parameters"/> for <paramref name="network"/>.</summary>
    public NetworkPredictor(NetworkDescription network, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length != network.ParameterCount)
            throw new ArgumentException($"Expected {network.ParameterCount} parameters for {network}, got {parameters.Length}.", nameof(parameters));
        ThrowIfTooLarge(network);
        Network = network;
        var layers = network.Layers;
        _weightOffsets = new int[layers.Count];
        _biasOffsets = new int[layers.Count];
        int weightCount = 0, biasCount = 0;
        for (int l = 0; l < layers.Count; l++)
        {
            _weightOffsets[l] = weightCount;
            _biasOffsets[l] = biasCount;
            weightCount += CpuGemv.PackedLength(layers[l].OutputCount, layers[l].InputCount);
            biasCount += layers[l].OutputCount;
        }
        _weights = new float[weightCount];
        _biases = new float[biasCount];
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            CpuGemv.Pack(parameters.AsSpan(layer.WeightOffset, layer.WeightCount), layer.OutputCount, layer.InputCount, _weights.AsSpan(_weightOffsets[l]));
            parameters.AsSpan(layer.BiasOffset, layer.OutputCount).CopyTo(_biases.AsSpan(_biasOffsets[l]));
        }
        _width = network.Layers.Max(l => l.OutputCount);
    }

    /// <summary>The architecture.</summary>
    public NetworkDescription Network { get; }

    /// <summary>
    /// Floats a predictor for <paramref name="network"/> holds: every layer's weights in the packed layout (a layer with
    /// fewer than <see cref="CpuGemv.PanelWidth"/> outputs per panel is padded, up to 16x its own weights) plus the
    /// biases. Computed in 64-bit arithmetic, so it is safe to call before anything is allocated.
    /// </summary>
    public static long PackedFloatCount(NetworkDescription network) =>
        PackedWeightCount(network) + (network.ParameterCount - network.WeightCount);

    /// <summary>The packed weights alone (<see cref="PackedFloatCount"/> without the biases): they live in one array, so
    /// this must not exceed <see cref="Array.MaxLength"/>.</summary>
    public static long PackedWeightCount(NetworkDescription network)
    {
        ArgumentNullException.ThrowIfNull(network);
        long weights = 0;
        foreach (var layer in network.Layers)
            weights += CpuGemv.PackedLongLength(layer.OutputCount, layer.InputCount);
        return weights;
    }

    /// <summary>
    /// Throws when a predictor for <paramref name="network"/> cannot be built because its packed weights exceed what one
    /// .NET array holds (<see cref="Array.MaxLength"/> floats); callers check this before training or loading.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The packed weights do not fit one array; the message has the count.</exception>
    public static void ThrowIfTooLarge(NetworkDescription network)
    {
        long weights = PackedWeightCount(network);
        if (weights > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(network),
                $"The network {network} cannot be scored: the predictor's copy of its weights, laid out in panels of " +
                $"{CpuGemv.PanelWidth} outputs (layers with fewer outputs are padded), would have {weights:N0} values, " +
                $"more than one array holds ({Array.MaxLength:N0}). Use smaller layers.");
        }
    }

    /// <summary>
    /// Computes the network's outputs for one example: the logit for binary cross-entropy, class probabilities for
    /// softmax, the values for regression.
    /// </summary>
    /// <param name="features">Exactly <see cref="NetworkDescription.InputCount"/> values.</param>
    /// <param name="output">At least <see cref="NetworkDescription.OutputCount"/> values; the first ones are written.</param>
    [SkipLocalsInit] // the scratch is written before it is read; clearing it would cost a pass over it per call
    public void Predict(ReadOnlySpan<float> features, Span<float> output)
    {
        if (features.Length != Network.InputCount)
            throw new ArgumentException($"Expected {Network.InputCount} features, got {features.Length}.", nameof(features));
        if (output.Length < Network.OutputCount)
            throw new ArgumentException($"The output needs room for {Network.OutputCount} values, got {output.Length}.", nameof(output));

        int width = _width;
        Span<float> scratch = 2 * width <= MaxStackFloats
            ? stackalloc float[2 * width]
            : (t_scratch is { } s && s.Length >= 2 * width ? s : (t_scratch = new float[2 * width]));
        Span<float> current = scratch[..width], next = scratch[width..];

        var layers = Network.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            ReadOnlySpan<float> input = l == 0 ? features : current[..layer.InputCount];
            var z = l == layers.Count - 1 ? output[..layer.OutputCount] : next[..layer.OutputCount];
            var weights = _weights.AsSpan(_weightOffsets[l]);
            var biases = _biases.AsSpan(_biasOffsets[l], layer.OutputCount);
            CpuGemv.Multiply(weights, input, biases, z);
            var activate = new Activate(z);
            Activations.Dispatch(layer.Activation, ref activate);
            var swap = current;
            current = next;
            next = swap;
        }
        var score = new Score(output[..Network.OutputCount]);
        LossHeads.Dispatch(Network.Loss, ref score);
    }

    private readonly ref struct Activate(Span<float> z) : IActivationConsumer
    {
        private readonly Span<float> _z = z;

        public void Invoke<T>()
            where T : struct, IActivation => default(T).Forward(_z, _z);
    }

    private readonly ref struct Score(Span<float> output) : ILossHeadConsumer
    {
        private readonly Span<float> _output = output;

        public void Invoke<T>()
            where T : struct, ILossHead => default(T).Score(_output);
    }
}
