namespace Mlp.Gpu.Training;

/// <summary>What one epoch of this run produced, in the units the core trains in (a standardised regression label's
/// loss is in σ² units; epochs and time count from this run's start, not a warm-start model's). Losses are weighted means of per-example losses in
/// natural-log units. The face turns each into the saved <c>MlpEpochRecord</c>, which has the one text form of an epoch.</summary>
internal sealed class EpochRecord
{
    /// <summary>1-based epoch number.</summary>
    public int Epoch { get; init; }

    /// <summary>Mean training loss over the epoch's minibatches (as the weights were while each batch was seen).</summary>
    public double TrainingLoss { get; init; }

    /// <summary>Training accuracy (classification) or R² (regression) over the epoch's minibatches.</summary>
    public double? TrainingMetric { get; init; }

    /// <summary>Mean loss on the validation data at the end of the epoch; null without validation data.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Validation accuracy or R² at the end of the epoch; null without validation data.</summary>
    public double? ValidationMetric { get; init; }

    /// <summary>Learning rate used during the epoch.</summary>
    public float LearningRate { get; init; }

    /// <summary>Wall time since training started, at the end of this epoch.</summary>
    public TimeSpan Elapsed { get; init; }
}
