namespace Microsoft.ML.Trainers.Mlp;

/// <summary>How the learning rate η changes from epoch to epoch; the options' numeric knobs set its parameters.</summary>
/// <remarks>Epochs are counted from 1 within each call to <c>Fit</c>, also when training continues from a model.</remarks>
public enum MlpLearningRateSchedule
{
    /// <summary>η every epoch.</summary>
    Constant = 0,

    /// <summary>η·γ^⌊(epoch − 1)/s⌋: multiplied by γ = <see cref="MlpTrainerOptionsBase.LearningRateDecay"/> every
    /// s = <see cref="MlpTrainerOptionsBase.LearningRateDecayEpochs"/> epochs.</summary>
    StepDecay = 1,

    /// <summary>η·γ^(epoch − 1): multiplied by γ = <see cref="MlpTrainerOptionsBase.LearningRateDecay"/> every epoch.</summary>
    Exponential = 2,

    /// <summary>Cosine annealing from η down to η_min = <see cref="MlpTrainerOptionsBase.MinimumLearningRate"/> over
    /// <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/> epochs: η_min + (η − η_min)·(1 + cos(π·(epoch − 1)/epochs))/2.</summary>
    Cosine = 3,

    /// <summary>Multiplied by <see cref="MlpTrainerOptionsBase.LearningRateDecay"/> (not below
    /// <see cref="MlpTrainerOptionsBase.MinimumLearningRate"/>) whenever the monitored loss (the validation loss when
    /// there is validation data, else the training loss) has not improved by more than 1e-4 for
    /// <see cref="MlpTrainerOptionsBase.LearningRatePatience"/> epochs, as Keras' ReduceLROnPlateau.</summary>
    ReduceOnPlateau = 4,
}
