namespace Mlp.Gpu.Training.Schedules;

/// <summary>Cosine annealing: η_min + (η − η_min)·(1 + cos(π·(epoch−1)/T))/2, then η_min after T epochs.</summary>
/// <param name="PeriodEpochs">T, at least 1 (usually the number of epochs).</param>
/// <param name="MinimumRate">η_min, non-negative.</param>
internal sealed record CosineSchedule(int PeriodEpochs, float MinimumRate) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history)
    {
        double progress = Math.Min(1.0, (epoch - 1) / (double)PeriodEpochs);
        return (float)(MinimumRate + (baseRate - MinimumRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
