namespace Mlp.Gpu.Training.Schedules;

/// <summary>Step decay: η·γ^⌊(epoch−1)/stepSize⌋.</summary>
/// <param name="StepSize">Epochs between decays, at least 1.</param>
/// <param name="Gamma">Factor, in (0, 1].</param>
internal sealed record StepDecaySchedule(int StepSize, float Gamma) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history) =>
        (float)(baseRate * Math.Pow(Gamma, (epoch - 1) / StepSize));
}
