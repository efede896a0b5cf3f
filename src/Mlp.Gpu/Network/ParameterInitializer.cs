using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Network;

/// <summary>
/// Seeded initial parameters: He-uniform (limit √(6/fan_in)) for ReLU-like layers, Glorot-uniform
/// (limit √(6/(fan_in+fan_out))) for sigmoid, tanh and linear layers; biases start at zero.
/// </summary>
internal static class ParameterInitializer
{
    /// <summary>Creates a new flat parameter buffer for <paramref name="network"/>; the same seed gives the same values.</summary>
    public static float[] Create(NetworkDescription network, int seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parameters = new float[network.ParameterCount];
        var random = new Random(seed);
        foreach (var layer in network.Layers)
        {
            double limit = layer.Activation is MlpActivation.Relu or MlpActivation.LeakyRelu or MlpActivation.Gelu
                ? Math.Sqrt(6.0 / layer.InputCount)
                : Math.Sqrt(6.0 / (layer.InputCount + layer.OutputCount));
            var weights = parameters.AsSpan(layer.WeightOffset, layer.WeightCount);
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (float)((random.NextDouble() * 2.0 - 1.0) * limit);
        }
        return parameters;
    }
}
