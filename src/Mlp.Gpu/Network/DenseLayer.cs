using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Network;

/// <summary>
/// A fully connected layer z = W·a + b, a' = s(z). W is [<see cref="OutputCount"/> x <see cref="InputCount"/>]
/// row-major; W and b are slices of the network's one flat parameter buffer.
/// </summary>
internal sealed class DenseLayer
{
    internal DenseLayer(int inputCount, int outputCount, MlpActivation activation, int weightOffset, int biasOffset)
    {
        InputCount = inputCount;
        OutputCount = outputCount;
        Activation = activation;
        WeightOffset = weightOffset;
        BiasOffset = biasOffset;
    }

    /// <summary>Width of the layer's input a.</summary>
    public int InputCount { get; }

    /// <summary>Width of the layer's output (number of units).</summary>
    public int OutputCount { get; }

    /// <summary>The non-linearity after the affine map (<see cref="MlpActivation.Identity"/> for the output layer).</summary>
    public MlpActivation Activation { get; }

    /// <summary>Offset of W in the flat parameter buffer.</summary>
    public int WeightOffset { get; }

    /// <summary>Offset of b in the flat parameter buffer.</summary>
    public int BiasOffset { get; }

    /// <summary>Number of weights, <see cref="OutputCount"/> · <see cref="InputCount"/>.</summary>
    public int WeightCount => InputCount * OutputCount;
}
