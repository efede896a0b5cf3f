namespace Mlp.Gpu.Training;

/// <summary>What one epoch of training produced. Losses are weighted means of per-example losses in natural-log units.</summary>
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

    /// <inheritdoc/>
    public override string ToString() =>
        $"epoch {Epoch}: loss {TrainingLoss:G5}" + (TrainingMetric is { } m ? $", metric {m:F4}" : "")
        + (ValidationLoss is { } vl ? $", val loss {vl:G5}" : "") + (ValidationMetric is { } vm ? $", val metric {vm:F4}" : "")
        + $", lr {LearningRate:G3}, {Elapsed.TotalSeconds:F2}s";
}
