namespace Mlp.Gpu.Training.Schedules;

/// <summary>
/// Reduce on plateau (as Keras' ReduceLROnPlateau): when the monitored loss (validation loss when present, else
/// training loss) has not improved by more than <paramref name="MinDelta"/> for <paramref name="Patience"/> epochs, the
/// rate is multiplied by <paramref name="Factor"/> (not below <paramref name="MinimumRate"/>) and the wait starts again.
/// </summary>
/// <param name="Factor">Multiplier, in (0, 1).</param>
/// <param name="Patience">Epochs without improvement before reducing, at least 1.</param>
/// <param name="MinDelta">Smallest decrease that counts as improvement, non-negative.</param>
/// <param name="MinimumRate">Floor of the rate, non-negative.</param>
internal sealed record ReduceOnPlateauSchedule(float Factor, int Patience, float MinDelta, float MinimumRate) : LearningRateSchedule
{
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
