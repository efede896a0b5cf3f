using Mlp.Gpu;
using CoreActivation = Mlp.Gpu.Activation;
using CoreSchedule = Mlp.Gpu.LearningRateSchedule;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// An immutable, validated snapshot of <see cref="MlpTrainerOptionsBase"/> taken when a trainer is created, so that
/// later changes to the options object do not change a trainer, and the mapping onto the compute core's types.
/// </summary>
internal sealed class MlpTrainingSettings
{
    private MlpTrainingSettings(MlpTrainerOptionsBase options)
    {
        FeatureColumnName = options.FeatureColumnName;
        LabelColumnName = options.LabelColumnName;
        ExampleWeightColumnName = options.ExampleWeightColumnName;
        HiddenLayerSizes = (int[])options.HiddenLayerSizes.Clone();
        Activation = options.Activation;
        Optimizer = options.Optimizer;
        LearningRate = options.LearningRate;
        BatchSize = options.BatchSize;
        NumberOfEpochs = options.NumberOfEpochs;
        L2Regularization = options.L2Regularization;
        Momentum = options.Momentum;
        Beta1 = options.Beta1;
        Beta2 = options.Beta2;
        Epsilon = options.Epsilon;
        WeightDecay = options.WeightDecay;
        LearningRateSchedule = options.LearningRateSchedule;
        LearningRateDecay = options.LearningRateDecay;
        LearningRateDecayEpochs = options.LearningRateDecayEpochs;
        LearningRatePatience = options.LearningRatePatience;
        MinimumLearningRate = options.MinimumLearningRate;
        ValidationFraction = options.ValidationFraction;
        EarlyStoppingPatience = options.EarlyStoppingPatience;
        EarlyStoppingMinDelta = options.EarlyStoppingMinDelta;
        DropoutRate = options.DropoutRate;
        StreamTrainingData = options.StreamTrainingData;
        StreamBlockRows = options.StreamBlockRows;
        SkipRowsWithNonFiniteFeatures = options.SkipRowsWithNonFiniteFeatures;
        GradientClipNorm = options.GradientClipNorm;
        Shuffle = options.Shuffle;
        Seed = options.Seed;
        Device = options.Device;
        NumberOfThreads = options.NumberOfThreads;
        CancellationToken = options.CancellationToken;
        Progress = options.Progress;
    }

    public string FeatureColumnName { get; }
    public string LabelColumnName { get; }
    public string? ExampleWeightColumnName { get; }
    public IReadOnlyList<int> HiddenLayerSizes { get; }
    public MlpActivation Activation { get; }
    public MlpOptimizer Optimizer { get; }
    public float LearningRate { get; }
    public int BatchSize { get; }
    public int NumberOfEpochs { get; }
    public float L2Regularization { get; }
    public float Momentum { get; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public float? WeightDecay { get; }
    public MlpLearningRateSchedule LearningRateSchedule { get; }
    public float? LearningRateDecay { get; }
    public int LearningRateDecayEpochs { get; }
    public int LearningRatePatience { get; }
    public float MinimumLearningRate { get; }
    public float ValidationFraction { get; }
    public int? EarlyStoppingPatience { get; }
    public float EarlyStoppingMinDelta { get; }
    public float DropoutRate { get; }
    public bool StreamTrainingData { get; }
    public int StreamBlockRows { get; }
    public bool SkipRowsWithNonFiniteFeatures { get; }
    public float? GradientClipNorm { get; }
    public bool Shuffle { get; }
    public int? Seed { get; }
    public MlpDevice Device { get; }
    public int? NumberOfThreads { get; }
    public CancellationToken CancellationToken { get; }
    public IProgress<MlpEpochReport>? Progress { get; }

    /// <summary>Validates <paramref name="options"/> (throwing on the first bad option) and snapshots them.</summary>
    public static MlpTrainingSettings Create(MlpTrainerOptionsBase options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new MlpTrainingSettings(options);
    }

    /// <summary>The core's optimizer settings.</summary>
    public OptimizerSettings CreateOptimizerSettings() => new()
    {
        Kind = Optimizer switch
        {
            MlpOptimizer.Sgd => OptimizerKind.Sgd,
            MlpOptimizer.Momentum => OptimizerKind.Momentum,
            MlpOptimizer.Nesterov => OptimizerKind.Nesterov,
            MlpOptimizer.Adam => OptimizerKind.Adam,
            MlpOptimizer.AdamW => OptimizerKind.AdamW,
            _ => throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, null),
        },
        LearningRate = LearningRate,
        Momentum = Momentum,
        Beta1 = Beta1,
        Beta2 = Beta2,
        Epsilon = Epsilon,
        WeightDecay = WeightDecay ?? (Optimizer == MlpOptimizer.AdamW ? MlpTrainerOptionsBase.Defaults.AdamWWeightDecay : 0f),
        L2Regularization = L2Regularization,
    };

    /// <summary>The core's learning-rate schedule.</summary>
    public CoreSchedule CreateSchedule() => LearningRateSchedule switch
    {
        MlpLearningRateSchedule.Constant => CoreSchedule.Constant,
        MlpLearningRateSchedule.StepDecay => new StepDecaySchedule(LearningRateDecayEpochs,
            LearningRateDecay ?? MlpTrainerOptionsBase.Defaults.StepDecayFactor),
        MlpLearningRateSchedule.Exponential => new ExponentialSchedule(LearningRateDecay ?? MlpTrainerOptionsBase.Defaults.ExponentialDecayFactor),
        MlpLearningRateSchedule.Cosine => new CosineSchedule(NumberOfEpochs, MinimumLearningRate),
        MlpLearningRateSchedule.ReduceOnPlateau => new ReduceOnPlateauSchedule(
            LearningRateDecay ?? MlpTrainerOptionsBase.Defaults.PlateauDecayFactor, LearningRatePatience, PlateauMinDelta, MinimumLearningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(LearningRateSchedule), LearningRateSchedule, null),
    };

    /// <summary>Smallest decrease of the monitored loss that counts as progress for ReduceOnPlateau (Keras' default).</summary>
    private const float PlateauMinDelta = 1e-4f;

    /// <summary>The core's device.</summary>
    public DeviceKind DeviceKind => Device switch
    {
        MlpDevice.Auto => DeviceKind.Auto,
        MlpDevice.Cpu => DeviceKind.Cpu,
        MlpDevice.Cuda => DeviceKind.Cuda,
        MlpDevice.OpenCL => DeviceKind.OpenCL,
        _ => throw new ArgumentOutOfRangeException(nameof(Device), Device, null),
    };

    /// <summary>Maps the public activation onto the core's.</summary>
    public static CoreActivation ToCore(MlpActivation activation) => activation switch
    {
        MlpActivation.Relu => CoreActivation.Relu,
        MlpActivation.Tanh => CoreActivation.Tanh,
        MlpActivation.Sigmoid => CoreActivation.Sigmoid,
        MlpActivation.LeakyRelu => CoreActivation.LeakyRelu,
        MlpActivation.Gelu => CoreActivation.Gelu,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
