namespace Mlp.Gpu;

/// <summary>How <see cref="NetworkTrainer"/> trains. Every option has a default and a documented range.</summary>
public sealed class TrainingOptions
{
    /// <summary>Passes over the training data, &gt;= 1. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Examples per minibatch, &gt;= 1; the last batch of an epoch may be smaller. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Shuffle the rows before every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seed of the shuffling; the same seed, data and options give bit-identical parameters. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>The optimizer and its hyper-parameters. Default Adam with learning rate 0.001.</summary>
    public OptimizerSettings Optimizer { get; set; } = new();

    /// <summary>Where to train. Default <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>Cancels training; checked before every minibatch.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Called after every epoch with its record (on the training thread). Default none.</summary>
    public Action<EpochRecord>? EpochCompleted { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"{nameof(Epochs)} must be at least 1; got {Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{nameof(BatchSize)} must be at least 1; got {BatchSize}.");
        if (!Enum.IsDefined(Device))
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Unknown device.");
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
    }
}
