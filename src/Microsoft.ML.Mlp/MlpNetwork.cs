using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// A trained network as the model parameters hold it: the architecture, the flat parameter buffer (all weights
/// layer by layer, then all biases; W is [outputs x inputs] row-major) and the training history. Immutable.
/// </summary>
internal sealed class MlpNetwork
{
    public MlpNetwork(NetworkDescription description, MlpActivation activation, float[] parameters, IReadOnlyList<MlpEpochRecord> history)
    {
        if (parameters.Length != description.ParameterCount)
            throw new ArgumentException($"Expected {description.ParameterCount} parameters for {description}, got {parameters.Length}.", nameof(parameters));
        Description = description;
        Activation = activation;
        Parameters = parameters;
        History = history.ToArray();
        HiddenLayerSizes = description.Layers.Take(description.Layers.Count - 1).Select(l => l.OutputCount).ToArray();
    }

    public NetworkDescription Description { get; }

    /// <summary>The hidden activation as the user chose it (also when there is no hidden layer).</summary>
    public MlpActivation Activation { get; }

    public float[] Parameters { get; }

    public IReadOnlyList<MlpEpochRecord> History { get; }

    public IReadOnlyList<int> HiddenLayerSizes { get; }
}
