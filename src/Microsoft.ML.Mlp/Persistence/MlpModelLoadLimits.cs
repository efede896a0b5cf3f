using System.Globalization;
using Mlp.Gpu.Network;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// What loading one MLP model may claim: its parameter count, its number of epoch records and the memory its network,
/// its predictor and its history take. A model file that declares more is refused before anything is allocated for it.
/// </summary>
/// <remarks>
/// <para>
/// <c>MLContext.Model.Load</c> applies <see cref="Default"/>; pass other limits to
/// <see cref="MlpModelFile.Load(MLContext, string, MlpModelLoadLimits, out DataViewSchema)"/> to load files from
/// outside the program with a tighter budget (a server that only serves models of a known size, say).
/// </para>
/// <para>
/// The memory estimate is 4 bytes per parameter, plus the predictor's copy of the weights (re-laid in panels of 16
/// outputs; a layer with fewer outputs is padded, so the copy of a one-output layer is 16 times its weights), plus
/// about 112 bytes per epoch record. It is checked against <see cref="MaxMemoryBytes"/> and against the memory
/// available to .NET (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>: physical memory, or the container's or
/// the GC heap's hard limit), whichever is lower.
/// </para>
/// </remarks>
public sealed class MlpModelLoadLimits
{
    /// <summary>Bytes one loaded epoch record takes: the record object (88) and a reference to it in two arrays.</summary>
    internal const int BytesPerEpochRecord = 112;

    private static readonly AsyncLocal<MlpModelLoadLimits?> s_current = new();

    private readonly int _maxParameterCount = NetworkDescription.MaxParameterCount;
    private readonly int _maxEpochRecords = 100_000_000;
    private readonly long? _maxMemoryBytes;

    /// <summary>The limits <c>MLContext.Model.Load</c> applies: every model this library can train on the machine loads.</summary>
    public static MlpModelLoadLimits Default { get; } = new();

    /// <summary>
    /// Most parameters (weights and biases) a model may have, in [1, 1,073,741,823]. Default 1,073,741,823: the most
    /// the trainers build.
    /// </summary>
    public int MaxParameterCount
    {
        get => _maxParameterCount;
        init => _maxParameterCount = Check(value, 1, NetworkDescription.MaxParameterCount, nameof(MaxParameterCount));
    }

    /// <summary>
    /// Most epoch records a model's training history may have, in [0, 100,000,000]. Default 100,000,000 (about
    /// 11 GiB of history in memory; training that many epochs needs more than that).
    /// </summary>
    public int MaxEpochRecords
    {
        get => _maxEpochRecords;
        init => _maxEpochRecords = Check(value, 0, 100_000_000, nameof(MaxEpochRecords));
    }

    /// <summary>
    /// Most bytes loading one MLP may allocate (parameters, the predictor's packed copy, the history), at least 1; null
    /// (the default) for the memory available to .NET. The lower of the two applies.
    /// </summary>
    public long? MaxMemoryBytes
    {
        get => _maxMemoryBytes;
        init
        {
            if (value is < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxMemoryBytes), value, $"{nameof(MaxMemoryBytes)} must be at least 1, or null for the memory available; got {value}.");
            _maxMemoryBytes = value;
        }
    }

    /// <summary>The limits of the load running on this thread: those passed to <see cref="MlpModelFile"/>, else
    /// <see cref="Default"/>. ML.NET calls the model's loader on the caller's thread, so the value flows to it.</summary>
    internal static MlpModelLoadLimits Current => s_current.Value ?? Default;

    /// <summary>Makes <paramref name="limits"/> <see cref="Current"/> until the result is disposed.</summary>
    internal static IDisposable Use(MlpModelLoadLimits limits)
    {
        var previous = s_current.Value;
        s_current.Value = limits;
        return new Restore(previous);
    }

    /// <summary>
    /// Refuses, with the numbers, a network whose parameters, predictor and <paramref name="epochRecords"/> records
    /// exceed these limits or the memory available. Nothing of the model is allocated yet when this is called.
    /// </summary>
    /// <param name="network">The declared architecture.</param>
    /// <param name="epochRecords">The declared history length; 0 before it is read.</param>
    /// <exception cref="ModelLoadLimitException">A limit is exceeded.</exception>
    internal void Check(NetworkDescription network, int epochRecords)
    {
        if (network.ParameterCount > MaxParameterCount)
        {
            throw new ModelLoadLimitException(string.Create(CultureInfo.InvariantCulture,
                $"The MLP model has {network.ParameterCount:N0} parameters; the limit is {MaxParameterCount:N0} ({nameof(MlpModelLoadLimits)}.{nameof(MaxParameterCount)})."));
        }
        if (epochRecords > MaxEpochRecords)
        {
            throw new ModelLoadLimitException(string.Create(CultureInfo.InvariantCulture,
                $"The MLP model has {epochRecords:N0} epoch records; the limit is {MaxEpochRecords:N0} ({nameof(MlpModelLoadLimits)}.{nameof(MaxEpochRecords)})."));
        }
        try
        {
            NetworkPredictor.ThrowIfTooLarge(network);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ModelLoadLimitException(e.Message.Split(" (Parameter '")[0]);
        }

        long parameterBytes = (long)network.ParameterCount * sizeof(float);
        long predictorBytes = NetworkPredictor.PackedFloatCount(network) * sizeof(float);
        long historyBytes = (long)epochRecords * BytesPerEpochRecord;
        long total = parameterBytes + predictorBytes + historyBytes;
        long available = MemoryEstimate.AvailableHostBytes;
        bool limitIsOption = MaxMemoryBytes is { } max && max < available;
        long limit = limitIsOption ? MaxMemoryBytes!.Value : available;
        if (total <= limit)
            return;
        throw new ModelLoadLimitException(
            $"Loading the MLP model needs about {MemoryEstimate.Format(total)} ({MemoryEstimate.Format(parameterBytes)} for " +
            $"{network.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} parameters, {MemoryEstimate.Format(predictorBytes)} for the predictor's packed copy of the weights, " +
            $"{MemoryEstimate.Format(historyBytes)} for {epochRecords.ToString("N0", CultureInfo.InvariantCulture)} epoch records), but " +
            (limitIsOption
                ? $"{nameof(MlpModelLoadLimits)}.{nameof(MaxMemoryBytes)} is {MemoryEstimate.Format(limit)}."
                : $"the host memory available to .NET has {MemoryEstimate.Format(limit)}.") +
            " Nothing was allocated for it.");
    }

    private static int Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be in [{min:N0}, {max:N0}]; got {value:N0}."));
        return value;
    }

    private sealed class Restore(MlpModelLoadLimits? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}

/// <summary>A model file declares more than <see cref="MlpModelLoadLimits"/> allow: a decode error
/// (<see cref="FormatException"/>), as for any other bad field, that <see cref="MlpModelFile"/> reports as a limit.</summary>
internal sealed class ModelLoadLimitException(string message) : FormatException(message);
