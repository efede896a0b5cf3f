using Mlp.Gpu.Network;

namespace Microsoft.ML.Trainers.Mlp.Models;

/// <summary>
/// A trained network as the model parameters hold it: the architecture, the flat parameter buffer (all weights
/// layer by layer, then all biases; W is [outputs x inputs] row-major), the training history and which of its epochs
/// the parameters come from. Immutable.
/// </summary>
internal sealed class MlpNetwork
{
    /// <summary>Wraps a trained network.</summary>
    /// <param name="description">The architecture.</param>
    /// <param name="activation">The hidden activation as the user chose it.</param>
    /// <param name="parameters">The flat parameter buffer; kept, not copied.</param>
    /// <param name="history">One record per epoch, numbered on across continued training.</param>
    /// <param name="bestEpoch">The epoch of <paramref name="history"/> whose parameters these are; null means the last
    /// one (0 without history).</param>
    /// <param name="stoppedEarly">Whether early stopping ended the last training run before its last epoch.</param>
    public MlpNetwork(NetworkDescription description, MlpActivation activation, float[] parameters,
        IReadOnlyList<MlpEpochRecord> history, int? bestEpoch = null, bool stoppedEarly = false)
    {
        if (parameters.Length != description.ParameterCount)
            throw new ArgumentException($"Expected {description.ParameterCount} parameters for {description}, got {parameters.Length}.", nameof(parameters));
        Description = description;
        Activation = activation;
        Parameters = parameters;
        History = history.ToArray();
        HiddenLayerSizes = description.Layers.Take(description.Layers.Count - 1).Select(l => l.OutputCount).ToArray();
        BestEpoch = bestEpoch ?? (History.Count > 0 ? History[^1].Epoch : 0);
        StoppedEarly = stoppedEarly;
    }

    public NetworkDescription Description { get; }

    /// <summary>The hidden activation as the user chose it (also when there is no hidden layer).</summary>
    public MlpActivation Activation { get; }

    public float[] Parameters { get; }

    public IReadOnlyList<MlpEpochRecord> History { get; }

    public IReadOnlyList<int> HiddenLayerSizes { get; }

    /// <summary>The epoch number (as in <see cref="History"/>) whose parameters <see cref="Parameters"/> are.</summary>
    public int BestEpoch { get; }

    /// <summary>Whether early stopping ended the last training run before its last epoch.</summary>
    public bool StoppedEarly { get; }
}
