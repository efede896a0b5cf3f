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

    /// <summary>Learning rate per epoch. Default <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>
    /// Stop after this many epochs without improvement of the monitored loss (validation loss when validation data
    /// is given, else training loss) and restore the parameters of the best epoch, whether or not patience ran out.
    /// &gt;= 1; default null (off: train all epochs, return the last parameters).
    /// </summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Smallest decrease of the monitored loss that counts as an improvement, &gt;= 0. Default 0.</summary>
    public float EarlyStoppingMinDelta { get; set; }

    /// <summary>
    /// Probability p of dropping each hidden unit during training (inverted dropout: kept units are scaled by 1/(1−p),
    /// so inference and validation use all units unscaled), in [0, 1). Default 0 (off).
    /// </summary>
    public float DropoutRate { get; set; }

    /// <summary>
    /// Clip the minibatch gradient to this global L2 norm before each step (g ← g·min(1, c/‖g‖)), &gt; 0.
    /// Default null (no clipping).
    /// </summary>
    public float? GradientClipNorm { get; set; }

    /// <summary>
    /// Rows per block when training from an <see cref="IRowStream"/>: rows are shuffled within a block, and two blocks
    /// are held at a time. &gt;= 1; default 65,536 (about 200 MB for 784 features).
    /// </summary>
    public int StreamBlockRows { get; set; } = 65_536;

    /// <summary>Where to train. Default <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>
    /// Cores the CPU backend may use; null (default) = all of them. At least 1. The trained parameters are the same
    /// for every value. GPU backends ignore it.
    /// </summary>
    public int? NumberOfThreads { get; set; }

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
        if (EarlyStoppingPatience is < 1)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, $"{nameof(EarlyStoppingPatience)} must be at least 1 or null; got {EarlyStoppingPatience}.");
        if (!(EarlyStoppingMinDelta >= 0f) || !float.IsFinite(EarlyStoppingMinDelta))
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, $"{nameof(EarlyStoppingMinDelta)} must be non-negative; got {EarlyStoppingMinDelta}.");
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        if (GradientClipNorm is { } clip && !(clip > 0f && float.IsFinite(clip)))
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, $"{nameof(GradientClipNorm)} must be positive and finite or null; got {clip}.");
        if (!(DropoutRate is >= 0f and < 1f))
            throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, $"{nameof(DropoutRate)} must be in [0, 1); got {DropoutRate}.");
        if (StreamBlockRows < 1)
            throw new ArgumentOutOfRangeException(nameof(StreamBlockRows), StreamBlockRows, $"{nameof(StreamBlockRows)} must be at least 1; got {StreamBlockRows}.");
        if (!Enum.IsDefined(Device))
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Unknown device.");
        if (NumberOfThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, $"{nameof(NumberOfThreads)} must be at least 1 or null; got {NumberOfThreads}.");
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
    }
}
