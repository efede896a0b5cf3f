namespace Mlp.Gpu;

/// <summary>
/// Reduce on plateau (as Keras' ReduceLROnPlateau): when the monitored loss (validation loss when present, else
/// training loss) has not improved by more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs, the rate
/// is multiplied by <see cref="Factor"/> (not below <see cref="MinimumRate"/>) and the wait starts again.
/// </summary>
public sealed class ReduceOnPlateauSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="factor">Multiplier, in (0, 1). Default 0.1.</param>
    /// <param name="patience">Epochs without improvement before reducing, &gt;= 1. Default 5.</param>
    /// <param name="minDelta">Smallest decrease that counts as improvement, &gt;= 0. Default 1e-4.</param>
    /// <param name="minimumRate">Floor of the rate, &gt;= 0. Default 0.</param>
    public ReduceOnPlateauSchedule(float factor = 0.1f, int patience = 5, float minDelta = 1e-4f, float minimumRate = 0f)
    {
        Check(factor is > 0f and < 1f, nameof(factor), factor, "must be in (0, 1)");
        Check(patience >= 1, nameof(patience), patience, "must be at least 1");
        Check(minDelta >= 0f, nameof(minDelta), minDelta, "must be non-negative");
        Check(minimumRate >= 0f, nameof(minimumRate), minimumRate, "must be non-negative");
        Factor = factor;
        Patience = patience;
        MinDelta = minDelta;
        MinimumRate = minimumRate;
    }

    /// <summary>Multiplier applied on a plateau.</summary>
    public float Factor { get; }

    /// <summary>Epochs without improvement before reducing.</summary>
    public int Patience { get; }

    /// <summary>Smallest decrease that counts as improvement.</summary>
    public float MinDelta { get; }

    /// <summary>Floor of the rate.</summary>
    public float MinimumRate { get; }

    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history)
    {
        // Replays the history, so the schedule keeps no state of its own.
        float rate = baseRate;
        double best = double.PositiveInfinity;
        int wait = 0;
        foreach (var record in history)
        {
            double monitored = record.ValidationLoss ?? record.TrainingLoss;
            if (monitored < best - MinDelta)
            {
                best = monitored;
                wait = 0;
            }
            else if (++wait >= Patience)
            {
                rate = Math.Max(MinimumRate, rate * Factor);
                wait = 0;
            }
        }
        return rate;
    }
}
