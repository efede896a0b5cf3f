using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training.Schedules;
namespace Mlp.Gpu.Training;

/// <summary>
/// How <see cref="NetworkTrainer"/> trains: an immutable record the ML.NET face builds once from its validated options.
/// It has no defaults and no checks of its own; the public options own both.
/// </summary>
internal sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public required int Epochs { get; init; }

    /// <summary>Examples per minibatch; the last batch of an epoch may be smaller.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Shuffle the rows before every epoch.</summary>
    public required bool Shuffle { get; init; }

    /// <summary>Seed of the shuffling and of dropout; the same seed, data and options give bit-identical parameters.</summary>
    public required int Seed { get; init; }

    /// <summary>The optimizer and its hyper-parameters.</summary>
    public required OptimizerSettings Optimizer { get; init; }

    /// <summary>Learning rate per epoch.</summary>
    public required LearningRateSchedule Schedule { get; init; }

    /// <summary>Stop after this many epochs without improvement of the monitored loss and restore the best epoch's
    /// parameters; null trains every epoch and returns the last parameters.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Smallest decrease of the monitored loss that counts as an improvement.</summary>
    public float EarlyStoppingMinDelta { get; init; }

    /// <summary>Probability of dropping each hidden unit in a training step (inverted dropout); 0 is off.</summary>
    public float DropoutRate { get; init; }

    /// <summary>Clip the minibatch gradient to this global L2 norm before each step; null does not clip.</summary>
    public float? GradientClipNorm { get; init; }

    /// <summary>Rows per block when training from an <see cref="IRowStream"/> (two blocks are held at a time).</summary>
    public required int StreamBlockRows { get; init; }

    /// <summary>Where to train.</summary>
    public required MlpDevice Device { get; init; }

    /// <summary>Cores the CPU backend may use; null = all of them. GPU backends ignore it.</summary>
    public int? NumberOfThreads { get; init; }

    /// <summary>Cancels training; checked before every minibatch.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Write the training state after every epoch and resume from it (see <see cref="CheckpointSession"/>);
    /// null writes none.</summary>
    public CheckpointSettings? Checkpoint { get; init; }

    /// <summary>Called after every epoch with its record (on the training thread).</summary>
    public Action<EpochRecord>? EpochCompleted { get; init; }
}
