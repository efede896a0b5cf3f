namespace Mlp.Gpu;

/// <summary>Cosine annealing: η_min + (η − η_min)·(1 + cos(π·(epoch−1)/T))/2, then η_min after T epochs.</summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Anneals over <paramref name="periodEpochs"/> epochs.</summary>
    /// <param name="periodEpochs">T, &gt;= 1 (usually the number of epochs).</param>
    /// <param name="minimumRate">η_min, &gt;= 0. Default 0.</param>
    public CosineSchedule(int periodEpochs, float minimumRate = 0f)
    {
        Check(periodEpochs >= 1, nameof(periodEpochs), periodEpochs, "must be at least 1");
        Check(minimumRate >= 0f && float.IsFinite(minimumRate), nameof(minimumRate), minimumRate, "must be non-negative");
        PeriodEpochs = periodEpochs;
        MinimumRate = minimumRate;
    }

    /// <summary>T.</summary>
    public int PeriodEpochs { get; }

    /// <summary>η_min.</summary>
    public float MinimumRate { get; }

    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history)
    {
        double progress = Math.Min(1.0, (epoch - 1) / (double)PeriodEpochs);
        return (float)(MinimumRate + (baseRate - MinimumRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
