namespace Mlp.Gpu;

/// <summary>Exponential decay: η·γ^(epoch−1).</summary>
public sealed class ExponentialSchedule : LearningRateSchedule
{
    /// <summary>Multiplies the rate by <paramref name="gamma"/> every epoch.</summary>
    /// <param name="gamma">Factor per epoch, in (0, 1].</param>
    public ExponentialSchedule(float gamma)
    {
        Check(gamma is > 0f and <= 1f, nameof(gamma), gamma, "must be in (0, 1]");
        Gamma = gamma;
    }

    /// <summary>Decay factor per epoch.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history) =>
        (float)(baseRate * Math.Pow(Gamma, epoch - 1));
}
