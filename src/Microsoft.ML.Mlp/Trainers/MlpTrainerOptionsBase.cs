namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// Options shared by <see cref="MlpBinaryTrainer"/>, <see cref="MlpMulticlassTrainer"/> and
/// <see cref="MlpRegressionTrainer"/>: the architecture, the optimizer, the minibatch and learning-rate schedules,
/// validation and early stopping, regularization, the device and progress reporting.
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

        /// <summary>Default <see cref="MlpTrainerOptionsBase.ValidationFraction"/>: 0 (no rows held out).</summary>
        public const float ValidationFraction = 0f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.EarlyStoppingMinDelta"/>: 0.</summary>
        public const float EarlyStoppingMinDelta = 0f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.LearningRateSchedule"/>: <see cref="MlpLearningRateSchedule.Constant"/>.</summary>
        public const MlpLearningRateSchedule LearningRateSchedule = MlpLearningRateSchedule.Constant;

        /// <summary>Factor γ of <see cref="MlpLearningRateSchedule.StepDecay"/> when <see cref="MlpTrainerOptionsBase.LearningRateDecay"/>
        /// is null: 0.1.</summary>
        public const float StepDecayFactor = 0.1f;

        /// <summary>Factor γ per epoch of <see cref="MlpLearningRateSchedule.Exponential"/> when
        /// <see cref="MlpTrainerOptionsBase.LearningRateDecay"/> is null: 0.95.</summary>
        public const float ExponentialDecayFactor = 0.95f;

        /// <summary>Factor of <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/> when
        /// <see cref="MlpTrainerOptionsBase.LearningRateDecay"/> is null: 0.1.</summary>
        public const float PlateauDecayFactor = 0.1f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.LearningRateDecayEpochs"/>: 10.</summary>
        public const int LearningRateDecayEpochs = 10;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.LearningRatePatience"/>: 5.</summary>
        public const int LearningRatePatience = 5;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.MinimumLearningRate"/>: 0.</summary>
        public const float MinimumLearningRate = 0f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.DropoutRate"/>: 0 (off).</summary>
        public const float DropoutRate = 0f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.StreamTrainingData"/>: false (cache the data in memory).</summary>
        public const bool StreamTrainingData = false;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.StreamBlockRows"/>: 65,536.</summary>
        public const int StreamBlockRows = 65_536;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.SkipRowsWithNonFiniteFeatures"/>: false (a NaN or
        /// infinite feature value is an error).</summary>
        public const bool SkipRowsWithNonFiniteFeatures = false;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.StandardizeFeatures"/>: true.</summary>
        public const bool StandardizeFeatures = true;

        /// <summary>Default <see cref="MlpRegressionTrainer.Options.StandardizeLabel"/>: true.</summary>
        public const bool StandardizeLabel = true;

        /// <summary>Default <see cref="MlpBinaryTrainer.Options.PositiveClassWeight"/>: 1.</summary>
        public const float PositiveClassWeight = 1f;

        /// <summary>Default <see cref="MlpRegressionTrainer.Options.Loss"/>: <see cref="MlpRegressionLoss.Squared"/>.</summary>
        public const MlpRegressionLoss RegressionLoss = MlpRegressionLoss.Squared;

        /// <summary>Default <see cref="MlpRegressionTrainer.Options.HuberDelta"/>: 1.</summary>
        public const float HuberDelta = 1f;

        /// <summary>Default <see cref="MlpTrainerOptionsBase.KeepLastCheckpoint"/>: false (a successful Fit removes its checkpoint).</summary>
        public const bool KeepLastCheckpoint = false;

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

    /// <summary>
    /// How the learning rate changes from epoch to epoch, starting from <see cref="LearningRate"/>. Default
    /// <see cref="MlpLearningRateSchedule.Constant"/>. The schedule's parameters are <see cref="LearningRateDecay"/>,
    /// <see cref="LearningRateDecayEpochs"/>, <see cref="LearningRatePatience"/> and <see cref="MinimumLearningRate"/>;
    /// the rate of every epoch is kept in the model's <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/>.
    /// </summary>
    public MlpLearningRateSchedule LearningRateSchedule = Defaults.LearningRateSchedule;

    /// <summary>
    /// Factor γ that <see cref="MlpLearningRateSchedule.StepDecay"/>, <see cref="MlpLearningRateSchedule.Exponential"/>
    /// and <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/> multiply the learning rate by, in (0, 1] (below 1 for
    /// ReduceOnPlateau). Null (the default) means 0.1 for StepDecay and ReduceOnPlateau, 0.95 for Exponential.
    /// </summary>
    public float? LearningRateDecay;

    /// <summary>Epochs between two decays of <see cref="MlpLearningRateSchedule.StepDecay"/>, at least 1. Default 10.</summary>
    public int LearningRateDecayEpochs = Defaults.LearningRateDecayEpochs;

    /// <summary>Epochs without improvement of the monitored loss before <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/>
    /// lowers the rate, at least 1. Default 5.</summary>
    public int LearningRatePatience = Defaults.LearningRatePatience;

    /// <summary>Floor η_min of <see cref="MlpLearningRateSchedule.Cosine"/> and
    /// <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/>; non-negative and finite. Default 0.</summary>
    public float MinimumLearningRate = Defaults.MinimumLearningRate;

    /// <summary>
    /// Share of the training rows held out as validation data, in [0, 1); 0 (the default) holds out none. The rows are
    /// chosen at random (seeded by <see cref="Seed"/>) and, for classification, stratified: each class gives the same
    /// share, so sorted data never yields a one-class validation set. The validation loss and metric are recorded every
    /// epoch and are what <see cref="EarlyStoppingPatience"/> and <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/>
    /// monitor. Must stay 0 when validation data is passed to <c>Fit(trainData, validationData)</c>.
    /// </summary>
    public float ValidationFraction = Defaults.ValidationFraction;

    /// <summary>
    /// Stop after this many epochs without improvement of the monitored loss (the validation loss when there is
    /// validation data, from <c>Fit(trainData, validationData)</c> or <see cref="ValidationFraction"/>; else the training
    /// loss), and return the weights of the best epoch, whether or not patience ran out. At least 1; null (the default)
    /// trains all <see cref="NumberOfEpochs"/> epochs and returns the last weights.
    /// </summary>
    public int? EarlyStoppingPatience;

    /// <summary>Smallest decrease of the monitored loss that counts as an improvement for
    /// <see cref="EarlyStoppingPatience"/>; non-negative and finite. Default 0.</summary>
    public float EarlyStoppingMinDelta = Defaults.EarlyStoppingMinDelta;

    /// <summary>
    /// Probability p of dropping each hidden unit in every training step, in [0, 1) (inverted dropout: the units kept
    /// are scaled by 1/(1 − p)). Prediction and validation always use every unit, unscaled. Default 0 (off).
    /// </summary>
    public float DropoutRate = Defaults.DropoutRate;

    /// <summary>
    /// Read the training data from the IDataView once per epoch in blocks of <see cref="StreamBlockRows"/> rows instead
    /// of caching it in memory as dense floats; for data larger than memory (e.g. a binary IDataView file). The next
    /// block is read while the current one trains; rows are shuffled within each block. Not combinable with
    /// <see cref="ValidationFraction"/> (pass validation data to Fit instead). Default false.
    /// </summary>
    public bool StreamTrainingData = Defaults.StreamTrainingData;

    /// <summary>
    /// Rows per block when <see cref="StreamTrainingData"/> is on: two blocks are held at a time, so memory is about
    /// 2 x rows x features x 4 bytes; at least 1. Default 65,536.
    /// </summary>
    public int StreamBlockRows = Defaults.StreamBlockRows;

    /// <summary>
    /// What to do with a training or validation row that has a NaN or infinite feature value. False (the default):
    /// <c>Fit</c> throws <see cref="InvalidOperationException"/> naming the feature column, the first such row (0-based)
    /// and its slot, because silently dropping rows would hide a missing-value problem that prediction then meets.
    /// True: such rows are skipped like rows with a missing label, and the number skipped is logged as a warning
    /// (<c>MLContext.Log</c>). Replacing missing values in the pipeline (<c>ReplaceMissingValues</c>) is usually better.
    /// </summary>
    public bool SkipRowsWithNonFiniteFeatures = Defaults.SkipRowsWithNonFiniteFeatures;

    /// <summary>
    /// Standardize every feature to mean 0 and variance 1 over the training rows (weighted by the example weights)
    /// before training, and fold the map into the first layer afterwards (W' = W·diag(1/σ), b' = b − W'·μ), so the
    /// model takes the raw features and predicts at no extra cost. A feature that takes exactly two values over the
    /// training rows (a one-hot category or a flag, whatever a pipeline's normalizer made of its 0 and 1) is mapped to
    /// 0 and 1 instead, since scaling a rare category up to unit variance makes the network fit its few rows; a
    /// constant feature is only centred. Gradient descent converges much faster on centred, unit-variance inputs, and
    /// ML.NET's normalizers do not centre by default (<c>fixZero: true</c>). <see cref="L2Regularization"/>
    /// and <see cref="WeightDecay"/> then act on the weights of the standardized features. With
    /// <see cref="StreamTrainingData"/> the statistics take one extra pass over the data. Default true.
    /// </summary>
    public bool StandardizeFeatures = Defaults.StandardizeFeatures;

    /// <summary>
    /// Before every step, scale the minibatch gradient g down to this global L2 norm when it is longer
    /// (g ← g·min(1, c/‖g‖)); positive and finite. Null (the default) does not clip.
    /// </summary>
    public float? GradientClipNorm;

    /// <summary>Shuffle the examples before every epoch. Default true.</summary>
    public bool Shuffle = Defaults.Shuffle;

    /// <summary>
    /// Seed of the initial weights and of the shuffling. Null (the default) takes a seed from the
    /// <see cref="MLContext"/>, so <c>new MLContext(seed: 1)</c> makes training repeatable.
    /// </summary>
    public int? Seed;

    /// <summary>
    /// A directory for checkpoints, so that training survives the process being killed. When set, the complete
    /// training state (weights, optimizer moments and step, epoch, shuffling, learning-rate and early-stopping state,
    /// history) is written to a file in it after every epoch, atomically; when <c>Fit</c> starts and the directory holds
    /// the checkpoint of the same run (same options, seed and data), training resumes from it and the model is the same,
    /// bit for bit, as from an uninterrupted run on the same machine. A checkpoint of another run, or a damaged one, makes
    /// <c>Fit</c> throw <see cref="InvalidOperationException"/> naming the file and what differs. A successful <c>Fit</c>
    /// removes the checkpoint unless <see cref="KeepLastCheckpoint"/> is set; a cancelled or failed one leaves it. The
    /// directory is created when missing; use one directory per training run. Default null (no checkpoints).
    /// </summary>
    public string? CheckpointDirectory;

    /// <summary>Leave the last checkpoint in <see cref="CheckpointDirectory"/> after a successful <c>Fit</c> (running the
    /// same <c>Fit</c> again then returns the same model without training). Default false.</summary>
    public bool KeepLastCheckpoint = Defaults.KeepLastCheckpoint;

    /// <summary>Where to train. Default <see cref="MlpDevice.Auto"/>.</summary>
    public MlpDevice Device = Defaults.Device;

    /// <summary>
    /// Cores that training on the CPU may use. Default null: all of them (<see cref="Environment.ProcessorCount"/>);
    /// otherwise at least 1. The trained model is the same for every value, bit for bit; a GPU ignores it.
    /// </summary>
    public int? NumberOfThreads;

    /// <summary>
    /// Cancels training: when it fires, <c>Fit</c> throws <see cref="OperationCanceledException"/> within one minibatch.
    /// Default <see cref="CancellationToken.None"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Receives a <see cref="MlpEpochReport"/> after every epoch (called on the training thread; a
    /// <see cref="Progress{T}"/> posts to the synchronization context it was created on). Not saved with the model.
    /// Default null. ML.NET's log (<c>MLContext.Log</c>) also shows every epoch.
    /// </summary>
    public IProgress<MlpEpochReport>? Progress { get; set; }

    /// <summary>Validates the options and returns a copy that later changes to this object cannot reach (the
    /// trainer keeps it).</summary>
    internal MlpTrainerOptionsBase Snapshot()
    {
        Validate();
        var copy = (MlpTrainerOptionsBase)MemberwiseClone();
        copy.HiddenLayerSizes = (int[])HiddenLayerSizes.Clone();
        copy.CopyArrays();
        return copy;
    }

    /// <summary>Replaces the task's own array options with copies (see <see cref="Snapshot"/>).</summary>
    private protected virtual void CopyArrays()
    {
    }

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
        if (NumberOfThreads is { } threads)
            Check(threads >= 1, nameof(NumberOfThreads), threads, "must be at least 1 (or null for all cores)");
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

        CheckDefined(LearningRateSchedule, nameof(LearningRateSchedule));
        if (LearningRateDecay is { } factor)
        {
            if (LearningRateSchedule == MlpLearningRateSchedule.ReduceOnPlateau)
                Check(factor is > 0 and < 1, nameof(LearningRateDecay), factor, "must be in (0, 1) for ReduceOnPlateau (or null for 0.1)");
            else
                Check(factor is > 0 and <= 1, nameof(LearningRateDecay), factor, "must be in (0, 1] (or null for the schedule's default)");
        }
        Check(LearningRateDecayEpochs >= 1, nameof(LearningRateDecayEpochs), LearningRateDecayEpochs, "must be at least 1");
        Check(LearningRatePatience >= 1, nameof(LearningRatePatience), LearningRatePatience, "must be at least 1");
        Check(float.IsFinite(MinimumLearningRate) && MinimumLearningRate >= 0, nameof(MinimumLearningRate), MinimumLearningRate, "must be non-negative and finite");
        Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "must be in [0, 1) (0 holds out no rows)");
        if (EarlyStoppingPatience is { } patience)
            Check(patience >= 1, nameof(EarlyStoppingPatience), patience, "must be at least 1 (or null to train every epoch)");
        Check(float.IsFinite(EarlyStoppingMinDelta) && EarlyStoppingMinDelta >= 0, nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, "must be non-negative and finite");
        Check(DropoutRate is >= 0 and < 1, nameof(DropoutRate), DropoutRate, "must be in [0, 1)");
        Check(StreamBlockRows >= 1, nameof(StreamBlockRows), StreamBlockRows, "must be at least 1");
        if (StreamTrainingData)
            Check(ValidationFraction == 0, nameof(ValidationFraction), ValidationFraction, "must be 0 when StreamTrainingData is on (pass validation data to Fit instead)");
        if (CheckpointDirectory is not null && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException($"{nameof(CheckpointDirectory)} must name a directory (or be null for no checkpoints); got '{CheckpointDirectory}'.", nameof(CheckpointDirectory));
        if (GradientClipNorm is { } clip)
            Check(float.IsFinite(clip) && clip > 0, nameof(GradientClipNorm), clip, "must be positive and finite (or null for no clipping)");
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
