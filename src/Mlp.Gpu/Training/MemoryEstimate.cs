using System.Globalization;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;

namespace Mlp.Gpu.Training;

/// <summary>
/// The bytes one training run allocates on its device, estimated from the architecture before anything is allocated,
/// so a network that cannot fit is refused with the numbers instead of failing half-way with an out-of-memory error:
/// parameters · (1 + gradients + optimizer moments) + batch · Σ layer widths · buffers per layer + the examples.
/// </summary>
internal sealed class MemoryEstimate
{
    private MemoryEstimate(long parameterBytes, long activationBytes, long dataBytes, int batchRows, long hostCopyBytes = 0, long largestBufferFloats = 0)
    {
        LargestBufferFloats = largestBufferFloats;
        ParameterBytes = parameterBytes;
        ActivationBytes = activationBytes;
        DataBytes = dataBytes;
        BatchRows = batchRows;
        HostCopyBytes = hostCopyBytes;
    }

    /// <summary>Parameters, gradients and optimizer moments (one float each per parameter).</summary>
    public long ParameterBytes { get; }

    /// <summary>Per-layer buffers of one minibatch: z, a and delta for hidden layers (plus the dropout mask and the
    /// dropped activations when dropout is on), z and delta for the output layer, and the batch's inputs and labels.</summary>
    public long ActivationBytes { get; }

    /// <summary>The examples copied to the device (features, labels, weights, row order).</summary>
    public long DataBytes { get; }

    /// <summary>The minibatch rows the activation buffers hold.</summary>
    public int BatchRows { get; }

    /// <summary>Copies of the parameters held in host memory besides the device's buffers: the initial parameters, the
    /// trained ones downloaded at the end, the best ones kept by early stopping, and the predictor's packed weights
    /// (<see cref="NetworkPredictor.PackedFloatCount"/>). 0 unless <see cref="WithHostCopies"/> added them.</summary>
    public long HostCopyBytes { get; }

    /// <summary>Floats of the largest single batch buffer (batch rows x the widest of the input, the labels and the
    /// layers): buffers are indexed by int, so it must not exceed <see cref="Array.MaxLength"/>.</summary>
    public long LargestBufferFloats { get; }

    /// <summary>Everything together.</summary>
    public long TotalBytes => Saturate((double)ParameterBytes + ActivationBytes + DataBytes + HostCopyBytes);

    /// <summary>The memory the garbage collector may use on this machine (physical memory or the container's limit):
    /// what the CPU backend can allocate.</summary>
    public static long AvailableHostBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Estimates a training run of <paramref name="network"/>.</summary>
    /// <param name="network">The architecture.</param>
    /// <param name="batchRows">Rows per minibatch buffer (the batch size, or fewer when the data has fewer rows).</param>
    /// <param name="optimizer">Decides how many moment buffers there are.</param>
    /// <param name="dropoutRate">Dropout adds two buffers per hidden layer when positive.</param>
    /// <param name="dataRows">Examples held on the device (training plus validation rows); 0 for none.</param>
    public static MemoryEstimate ForTraining(NetworkDescription network, int batchRows, MlpOptimizer optimizer,
        float dropoutRate = 0f, long dataRows = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(batchRows);
        ArgumentOutOfRangeException.ThrowIfNegative(dataRows);
        int moments = OptimizerStep.MomentCount(optimizer);
        long parameterFloats = (long)network.ParameterCount * (2 + moments);

        int hiddenBuffers = dropoutRate > 0f ? 5 : 3;
        long activationFloatsPerRow = network.InputCount + network.LabelWidth + 1;
        for (int l = 0; l < network.Layers.Count; l++)
            activationFloatsPerRow += (long)network.Layers[l].OutputCount * (l < network.Layers.Count - 1 ? hiddenBuffers : 2);

        long dataFloatsPerRow = network.InputCount + network.LabelWidth + 2; // + weight and row index
        long widest = Math.Max(Math.Max(network.InputCount, network.LabelWidth), network.Layers.Max(l => l.OutputCount));
        return new MemoryEstimate(
            Bytes(parameterFloats, 1),
            Bytes(activationFloatsPerRow, batchRows),
            Bytes(dataFloatsPerRow, dataRows),
            batchRows,
            largestBufferFloats: widest * batchRows);
    }

    /// <summary>
    /// The same estimate plus the host-side copies of a training run of <paramref name="network"/> that ends in a model:
    /// initial and trained parameters, the best parameters when <paramref name="earlyStopping"/>, and the model's
    /// predictor. Use it where the device is the host (the CPU backend), or alone (<see cref="ForHostCopies"/>) for the
    /// host when training on a GPU.
    /// </summary>
    /// <param name="network">The architecture.</param>
    /// <param name="earlyStopping">Whether early stopping keeps a copy of the best parameters.</param>
    public MemoryEstimate WithHostCopies(NetworkDescription network, bool earlyStopping) =>
        new(ParameterBytes, ActivationBytes, DataBytes, BatchRows, HostCopies(network, earlyStopping), LargestBufferFloats);

    /// <summary>Only the host-side copies of a training run (see <see cref="WithHostCopies"/>).</summary>
    /// <param name="network">The architecture.</param>
    /// <param name="earlyStopping">Whether early stopping keeps a copy of the best parameters.</param>
    public static MemoryEstimate ForHostCopies(NetworkDescription network, bool earlyStopping) =>
        new(0, 0, 0, 0, HostCopies(network, earlyStopping));

    private static long HostCopies(NetworkDescription network, bool earlyStopping)
    {
        ArgumentNullException.ThrowIfNull(network);
        long parameterCopies = earlyStopping ? 3 : 2;
        return Bytes((double)network.ParameterCount * parameterCopies + NetworkPredictor.PackedFloatCount(network), 1);
    }

    /// <summary>Throws when the estimate exceeds <paramref name="availableBytes"/>.</summary>
    /// <param name="availableBytes">What the device can hold.</param>
    /// <param name="device">Names the memory in the message, e.g. "host memory" or "GPU 'H100' memory".</param>
    /// <exception cref="InvalidOperationException">The network does not fit; the message has the estimate, its parts
    /// and the memory available. Or it fits, but one batch buffer would exceed what one array holds.</exception>
    public void ThrowIfExceeds(long availableBytes, string device)
    {
        if (TotalBytes <= availableBytes)
        {
            if (LargestBufferFloats > Array.MaxLength)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Training this network needs a buffer of {LargestBufferFloats:N0} values (a {BatchRows}-row batch times the widest layer), ") +
                    string.Create(CultureInfo.InvariantCulture, $"more than one array holds ({Array.MaxLength:N0}). Nothing was allocated. ") +
                    "Use a smaller batch size or smaller hidden layers.");
            }
            return;
        }
        // Only the parts that count here: the host check of a GPU run has host copies alone.
        var parts = new[]
        {
            (ParameterBytes, "parameters, gradients and optimizer moments"),
            (ActivationBytes, $"the activations of a {BatchRows.ToString(CultureInfo.InvariantCulture)}-row batch"),
            (DataBytes, "the examples"),
            (HostCopyBytes, "host copies of the weights: initial, trained and the model's predictor"),
        }.Where(p => p.Item1 > 0).Select(p => $"{Format(p.Item1)} for {p.Item2}");
        throw new InvalidOperationException(
            $"Training this network needs about {Format(TotalBytes)} ({string.Join(", ", parts)}), but the {device} has " +
            $"{Format(availableBytes)}. Nothing was allocated. Use smaller hidden layers or a smaller batch size.");
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Format(TotalBytes)} (parameters {Format(ParameterBytes)}, activations {Format(ActivationBytes)}, data {Format(DataBytes)}, host copies {Format(HostCopyBytes)})";

    /// <summary>count · floats · sizeof(float), saturating instead of overflowing.</summary>
    private static long Bytes(double floats, long count)
    {
        return Saturate(floats * count * sizeof(float));
    }

    private static long Saturate(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)bytes;

    /// <summary>A byte count as people read it: "1.5 GiB", "12.0 MiB", "3.2 KiB" (invariant culture).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
    };
}
