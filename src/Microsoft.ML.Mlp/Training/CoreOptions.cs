using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Gpu.Training.Schedules;

namespace Microsoft.ML.Trainers.Mlp.Training;

/// <summary>The one mapping from the public, validated options onto the compute core's immutable records.</summary>
internal static class CoreOptions
{
    /// <summary>Smallest decrease of the monitored loss that counts as progress for ReduceOnPlateau (Keras' default).</summary>
    private const float PlateauMinDelta = 1e-4f;

    /// <summary>The core's training options for one run.</summary>
    /// <param name="options">The validated public options.</param>
    /// <param name="seed">The seed of the run.</param>
    /// <param name="token">Cancels the run.</param>
    /// <param name="epochCompleted">Receives every epoch's record.</param>
    /// <param name="lossScale">Label units per unit of the loss the core sees (σ² of a standardized regression label,
    /// else 1): the early-stopping threshold is given in label units.</param>
    public static TrainingOptions Create(MlpTrainerOptionsBase options, int seed, CancellationToken token, Action<EpochRecord> epochCompleted,
        double lossScale) => new()
    {
        Epochs = options.NumberOfEpochs,
        BatchSize = options.BatchSize,
        Shuffle = options.Shuffle,
        Seed = seed,
        Optimizer = CreateOptimizer(options),
        Schedule = CreateSchedule(options),
        EarlyStoppingPatience = options.EarlyStoppingPatience,
        EarlyStoppingMinDelta = (float)(options.EarlyStoppingMinDelta / lossScale),
        DropoutRate = options.DropoutRate,
        GradientClipNorm = options.GradientClipNorm,
        StreamBlockRows = options.StreamBlockRows,
        Device = options.Device,
        NumberOfThreads = options.NumberOfThreads,
        CancellationToken = token,
        EpochCompleted = epochCompleted,
        Checkpoint = CheckpointOptions.Create(options, seed),
    };

    /// <summary>The optimizer, with the weight decay resolved to the value applied.</summary>
    private static OptimizerSettings CreateOptimizer(MlpTrainerOptionsBase options) => new()
    {
        Kind = options.Optimizer,
        LearningRate = options.LearningRate,
        Momentum = options.Momentum,
        Beta1 = options.Beta1,
        Beta2 = options.Beta2,
        Epsilon = options.Epsilon,
        WeightDecay = options.WeightDecay ?? (options.Optimizer == MlpOptimizer.AdamW ? MlpTrainerOptionsBase.Defaults.AdamWWeightDecay : 0f),
        L2Regularization = options.L2Regularization,
    };

    private static LearningRateSchedule CreateSchedule(MlpTrainerOptionsBase options) => options.LearningRateSchedule switch
    {
        MlpLearningRateSchedule.Constant => LearningRateSchedule.Constant,
        MlpLearningRateSchedule.StepDecay => new StepDecaySchedule(options.LearningRateDecayEpochs,
            options.LearningRateDecay ?? MlpTrainerOptionsBase.Defaults.StepDecayFactor),
        MlpLearningRateSchedule.Exponential => new ExponentialSchedule(options.LearningRateDecay ?? MlpTrainerOptionsBase.Defaults.ExponentialDecayFactor),
        MlpLearningRateSchedule.Cosine => new CosineSchedule(options.NumberOfEpochs, options.MinimumLearningRate),
        MlpLearningRateSchedule.ReduceOnPlateau => new ReduceOnPlateauSchedule(options.LearningRateDecay ?? MlpTrainerOptionsBase.Defaults.PlateauDecayFactor,
            options.LearningRatePatience, PlateauMinDelta, options.MinimumLearningRate),
        var other => throw new ArgumentOutOfRangeException(nameof(options), other, null),
    };
}
