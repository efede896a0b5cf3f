namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// Options shared by <see cref="MlpBinaryTrainer"/>, <see cref="MlpMulticlassTrainer"/> and
/// <see cref="MlpRegressionTrainer"/>: the architecture, the optimizer, the minibatch schedule and the device.
/// </summary>
/// <remarks>
/// Every value is checked when the trainer is created; a value out of range throws
/// <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/>) naming the option and the value.
/// Defaults are in <see cref="Defaults"/>.
/// </remarks>
public abstract class MlpTrainerOptionsBase : TrainerInputBaseWithWeight
{
    private protected MlpTrainerOptionsBase()
    {
    }

    /// <summary>The default value of every option, shared by the options classes and the catalog methods.</summary>
    public static class Defaults
    {
        /// <summary>Width of the single hidden layer of the default architecture: 64.</summary>
        public const int HiddenLayerSize = 64;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Activation"/>: <see cref="MlpActivation.Relu"/>.</summary>
        public const MlpActivation Activation = MlpActivation.Relu;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Optimizer"/>: <see cref="MlpOptimizer.Adam"/>.</summary>
        public const MlpOptimizer Optimizer = MlpOptimizer.Adam;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.LearningRate"/>: 0.001.</summary>
        public const float LearningRate = 0.001f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.BatchSize"/>: 32.</summary>
        public const int BatchSize = 32;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>: 50.</summary>
        public const int NumberOfEpochs = 50;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.L2Regularization"/>: 0.</summary>
        public const float L2Regularization = 0f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Momentum"/>: 0.9.</summary>
        public const float Momentum = 0.9f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Beta1"/>: 0.9.</summary>
        public const float Beta1 = 0.9f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Beta2"/>: 0.999.</summary>
        public const float Beta2 = 0.999f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Epsilon"/>: 1e-7.</summary>
        public const float Epsilon = 1e-7f;

        /// <summary>Weight decay of <see cref="MlpOptimizer.AdamW"/> when <see cref="MlpTrainerOptionsBase.WeightDecay"/>
        /// is null: 0.01 (the other optimizers then use none).</summary>
        public const float AdamWWeightDecay = 0.01f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Shuffle"/>: true.</summary>
        public const bool Shuffle = true;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.Device"/>: <see cref="MlpDevice.Auto"/>.</summary>
        public const MlpDevice Device = MlpDevice.Auto;

        /// <summary>Default <see cref="MlpRegressionTrainer.Options.Loss"/>: <see cref="MlpRegressionLoss.Squared"/>.</summary>
        public const MlpRegressionLoss RegressionLoss = MlpRegressionLoss.Squared;

        /// <summary>Default <see cref="MlpRegressionTrainer.Options.HuberDelta"/>: 1.</summary>
        public const float HuberDelta = 1f;

        /// <summary>Largest number of hidden layers: 64.</summary>
        public const int MaxHiddenLayerCount = 64;

        /// <summary>The default architecture, one hidden layer of <see cref="HiddenLayerSize"/> units (a new array on
        /// every call).</summary>
        public static int[] HiddenLayerSizes() => [HiddenLayerSize];
    }

    /// <summary>
    /// Width of each hidden layer, input side first; each at least 1, at most <see cref="Defaults.MaxHiddenLayerCount"/>
    /// layers. An empty array trains a linear model. Default: one hidden layer of 64 units.
    /// </summary>
    public int[] HiddenLayerSizes = Defaults.HiddenLayerSizes();

    /// <summary>Activation of the hidden layers. Default <see cref="MlpActivation.Relu"/>.</summary>
    public MlpActivation Activation = Defaults.Activation;

    /// <summary>The optimizer. Default <see cref="MlpOptimizer.Adam"/>.</summary>
    public MlpOptimizer Optimizer = Defaults.Optimizer;

    /// <summary>Step size η of the optimizer; positive and finite. Default 0.001.</summary>
    public float LearningRate = Defaults.LearningRate;

    /// <summary>Examples per minibatch, at least 1 (the last batch of an epoch may be smaller). Default 32.</summary>
    public int BatchSize = Defaults.BatchSize;

    /// <summary>Passes over the training data, at least 1. Default 50.</summary>
    public int NumberOfEpochs = Defaults.NumberOfEpochs;

    /// <summary>
    /// L2 penalty λ added to the loss as ½·λ·‖W‖² over the weights (not the biases); non-negative and finite.
    /// Default 0.
    /// </summary>
    public float L2Regularization = Defaults.L2Regularization;

    /// <summary>Momentum coefficient of <see cref="MlpOptimizer.Momentum"/> and <see cref="MlpOptimizer.Nesterov"/>,
    /// in [0, 1). Default 0.9.</summary>
    public float Momentum = Defaults.Momentum;

    /// <summary>Decay rate β₁ of Adam's first-moment estimate, in [0, 1). Default 0.9.</summary>
    public float Beta1 = Defaults.Beta1;

    /// <summary>Decay rate β₂ of Adam's second-moment estimate, in [0, 1). Default 0.999.</summary>
    public float Beta2 = Defaults.Beta2;

    /// <summary>Adam's ε, added to the root of the second moment; positive and finite. Default 1e-7.</summary>
    public float Epsilon = Defaults.Epsilon;

    /// <summary>
    /// Decoupled weight decay (w ← w − η·decay·w per step, weights only); non-negative and finite. Null (the default)
    /// means 0.01 for <see cref="MlpOptimizer.AdamW"/> and 0 for the other optimizers.
    /// </summary>
    public float? WeightDecay;

    /// <summary>Shuffle the examples before every epoch. Default true.</summary>
    public bool Shuffle = Defaults.Shuffle;

    /// <summary>
    /// Seed of the initial weights and of the shuffling. Null (the default) takes a seed from the
    /// <see cref="MLContext"/>, so <c>new MLContext(seed: 1)</c> makes training repeatable.
    /// </summary>
    public int? Seed;

    /// <summary>Where to train. Default <see cref="MlpDevice.Auto"/>.</summary>
    public MlpDevice Device = Defaults.Device;

    /// <summary>
    /// Cancels training: when it fires, <c>Fit</c> throws <see cref="OperationCanceledException"/> within one minibatch.
    /// Default <see cref="CancellationToken.None"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Checks every option, throwing <see cref="ArgumentException"/> or
    /// <see cref="ArgumentOutOfRangeException"/> that names the first bad option and echoes its value.</summary>
    internal virtual void Validate()
    {
        CheckColumnName(FeatureColumnName, nameof(FeatureColumnName), required: true);
        CheckColumnName(LabelColumnName, nameof(LabelColumnName), required: true);
        CheckColumnName(ExampleWeightColumnName, nameof(ExampleWeightColumnName), required: false);

        if (HiddenLayerSizes is null)
            throw new ArgumentNullException(nameof(HiddenLayerSizes), $"{nameof(HiddenLayerSizes)} must be an array of layer widths (empty for a linear model); got null.");
        if (HiddenLayerSizes.Length > Defaults.MaxHiddenLayerCount)
            throw new ArgumentOutOfRangeException(nameof(HiddenLayerSizes), HiddenLayerSizes.Length,
                $"{nameof(HiddenLayerSizes)} may have at most {Defaults.MaxHiddenLayerCount} layers; got {HiddenLayerSizes.Length}.");
        for (int i = 0; i < HiddenLayerSizes.Length; i++)
        {
            if (HiddenLayerSizes[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(HiddenLayerSizes), HiddenLayerSizes[i],
                    $"{nameof(HiddenLayerSizes)}[{i}] must be at least 1; got {HiddenLayerSizes[i]}.");
        }

        CheckDefined(Activation, nameof(Activation));
        CheckDefined(Optimizer, nameof(Optimizer));
        CheckDefined(Device, nameof(Device));
        Check(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be positive and finite");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        Check(NumberOfEpochs >= 1, nameof(NumberOfEpochs), NumberOfEpochs, "must be at least 1");
        Check(float.IsFinite(L2Regularization) && L2Regularization >= 0, nameof(L2Regularization), L2Regularization, "must be non-negative and finite");
        Check(Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "must be in [0, 1)");
        Check(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1, "must be in [0, 1)");
        Check(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2, "must be in [0, 1)");
        Check(float.IsFinite(Epsilon) && Epsilon > 0, nameof(Epsilon), Epsilon, "must be positive and finite");
        if (WeightDecay is { } decay)
            Check(float.IsFinite(decay) && decay >= 0, nameof(WeightDecay), decay, "must be non-negative and finite (or null for the optimizer's default)");
    }

    private protected static void Check<T>(bool condition, string option, T value, string rule)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(option, value, $"{option} {rule}; got {value}.");
    }

    private protected static void CheckDefined<TEnum>(TEnum value, string option)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(option, value,
                $"{option} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got {value}.");
    }

    private static void CheckColumnName(string? name, string option, bool required)
    {
        if (name is null ? required : name.Length == 0 || string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{option} must name a column; got {(name is null ? "null" : $"'{name}'")}.", option);
    }
}
