using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Network;

/// <summary>
/// The architecture of a multilayer perceptron: input width, hidden dense layers with their activations, and a
/// linear output layer followed by a loss head. Immutable. Parameters live in one flat float buffer laid out as
/// all weights (layer by layer) followed by all biases, so decay applies to the prefix of
/// <see cref="WeightCount"/> values and an optimizer step is one pass over one buffer.
/// </summary>
internal sealed class NetworkDescription
{
    /// <summary>Largest number of parameters a network may have (the flat buffer is indexed by int).</summary>
    public const int MaxParameterCount = int.MaxValue / 2;

    /// <summary>Creates a network whose hidden layers all use <paramref name="hiddenActivation"/>.</summary>
    /// <param name="inputCount">Number of input features, at least 1.</param>
    /// <param name="hiddenLayerSizes">Width of each hidden layer, each at least 1; empty for a linear model.</param>
    /// <param name="hiddenActivation">Activation of every hidden layer.</param>
    /// <param name="outputCount">Number of outputs: 1 for <see cref="LossFunction.BinaryCrossEntropy"/>, the number
    /// of classes (at least 2) for <see cref="LossFunction.SoftmaxCrossEntropy"/>, at least 1 for regression.</param>
    /// <param name="loss">The output head and loss.</param>
    /// <param name="huberDelta">Threshold δ of the Huber loss, &gt; 0. Default 1.</param>
    public NetworkDescription(int inputCount, IReadOnlyList<int> hiddenLayerSizes, MlpActivation hiddenActivation,
        int outputCount, LossFunction loss, float huberDelta = 1f)
        : this(inputCount, hiddenLayerSizes, Enumerable.Repeat(hiddenActivation, hiddenLayerSizes?.Count ?? 0).ToArray(),
               outputCount, loss, huberDelta)
    {
    }

    /// <summary>Creates a network with one activation per hidden layer.</summary>
    /// <param name="inputCount">Number of input features, at least 1.</param>
    /// <param name="hiddenLayerSizes">Width of each hidden layer, each at least 1; empty for a linear model.</param>
    /// <param name="hiddenActivations">Activation of each hidden layer, as many as <paramref name="hiddenLayerSizes"/>.</param>
    /// <param name="outputCount">Number of outputs (see the other constructor).</param>
    /// <param name="loss">The output head and loss.</param>
    /// <param name="huberDelta">Threshold δ of the Huber loss, &gt; 0. Default 1.</param>
    public NetworkDescription(int inputCount, IReadOnlyList<int> hiddenLayerSizes, IReadOnlyList<MlpActivation> hiddenActivations,
        int outputCount, LossFunction loss, float huberDelta = 1f)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayerSizes);
        ArgumentNullException.ThrowIfNull(hiddenActivations);
        if (inputCount < 1)
            throw new ArgumentOutOfRangeException(nameof(inputCount), inputCount, "The input count must be at least 1.");
        if (hiddenActivations.Count != hiddenLayerSizes.Count)
            throw new ArgumentException($"Got {hiddenActivations.Count} activations for {hiddenLayerSizes.Count} hidden layers.", nameof(hiddenActivations));
        if (!Enum.IsDefined(loss))
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss function.");
        int minOutputs = loss == LossFunction.SoftmaxCrossEntropy ? 2 : 1;
        if (outputCount < minOutputs || (loss == LossFunction.BinaryCrossEntropy && outputCount != 1))
            throw new ArgumentOutOfRangeException(nameof(outputCount), outputCount,
                loss == LossFunction.BinaryCrossEntropy ? "Binary cross-entropy needs exactly 1 output."
                : $"The output count must be at least {minOutputs} for {loss}.");
        if (!(huberDelta > 0f) || !float.IsFinite(huberDelta))
            throw new ArgumentOutOfRangeException(nameof(huberDelta), huberDelta, "The Huber delta must be a positive finite number.");

        var widths = new List<int> { inputCount };
        for (int i = 0; i < hiddenLayerSizes.Count; i++)
        {
            if (hiddenLayerSizes[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(hiddenLayerSizes), hiddenLayerSizes[i], $"Hidden layer {i} must have at least 1 unit.");
            if (!Enum.IsDefined(hiddenActivations[i]))
                throw new ArgumentOutOfRangeException(nameof(hiddenActivations), hiddenActivations[i], $"Unknown activation for hidden layer {i}.");
            widths.Add(hiddenLayerSizes[i]);
        }
        widths.Add(outputCount);

        long weights = 0, biases = 0;
        for (int l = 1; l < widths.Count; l++)
        {
            weights += (long)widths[l - 1] * widths[l];
            biases += widths[l];
        }
        if (weights + biases > MaxParameterCount)
            throw new ArgumentOutOfRangeException(nameof(hiddenLayerSizes),
                $"The network would have {weights + biases:N0} parameters; at most {MaxParameterCount:N0} are supported.");

        var layers = new DenseLayer[widths.Count - 1];
        int weightOffset = 0, biasOffset = (int)weights;
        for (int l = 0; l < layers.Length; l++)
        {
            var activation = l < hiddenActivations.Count ? hiddenActivations[l] : MlpActivation.Identity;
            layers[l] = new DenseLayer(widths[l], widths[l + 1], activation, weightOffset, biasOffset);
            weightOffset += widths[l] * widths[l + 1];
            biasOffset += widths[l + 1];
        }

        InputCount = inputCount;
        OutputCount = outputCount;
        Layers = layers;
        Loss = loss;
        HuberDelta = huberDelta;
        WeightCount = (int)weights;
        ParameterCount = (int)(weights + biases);
    }

    /// <summary>Number of input features.</summary>
    public int InputCount { get; }

    /// <summary>Number of outputs (logits or regression values).</summary>
    public int OutputCount { get; }

    /// <summary>The dense layers in order: the hidden layers, then the linear output layer.</summary>
    public IReadOnlyList<DenseLayer> Layers { get; }

    /// <summary>Activation of the first hidden layer; <see cref="MlpActivation.Identity"/> when there is none.
    /// Per-layer activations are on <see cref="Layers"/>.</summary>
    public MlpActivation HiddenActivation => Layers.Count > 1 ? Layers[0].Activation : MlpActivation.Identity;

    /// <summary>The output head and loss.</summary>
    public LossFunction Loss { get; }

    /// <summary>Threshold δ of the Huber loss (unused by other losses).</summary>
    public float HuberDelta { get; }

    /// <summary>Total number of parameters: the length of the flat parameter buffer.</summary>
    public int ParameterCount { get; }

    /// <summary>Number of weights; they occupy [0, WeightCount) of the parameter buffer, the biases the rest.</summary>
    public int WeightCount { get; }

    /// <summary>Floats per example label: 1 for binary (0/1) and softmax (class index), <see cref="OutputCount"/> for regression.</summary>
    public int LabelWidth => LabelWidthOf(Loss, OutputCount);

    /// <summary>Floats per label for a head with <paramref name="outputCount"/> outputs (kernels get the loss, not the network).</summary>
    internal static int LabelWidthOf(LossFunction loss, int outputCount) =>
        loss is LossFunction.BinaryCrossEntropy or LossFunction.SoftmaxCrossEntropy ? 1 : outputCount;

    /// <summary>True when the task is classification (accuracy is its metric), false for regression (R²).</summary>
    public bool IsClassification => Loss is LossFunction.BinaryCrossEntropy or LossFunction.SoftmaxCrossEntropy;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{InputCount}-{string.Join("-", Layers.Select(l => l.OutputCount))} ({HiddenActivation}, {Loss})";
}
