namespace Mlp.Gpu.Training.Schedules;

/// <summary>Exponential decay: η·γ^(epoch−1).</summary>
/// <param name="Gamma">Factor per epoch, in (0, 1].</param>
internal sealed record ExponentialSchedule(float Gamma) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history) =>
        (float)(baseRate * Math.Pow(Gamma, epoch - 1));
}
