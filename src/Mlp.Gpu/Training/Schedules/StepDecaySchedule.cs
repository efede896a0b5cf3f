namespace Mlp.Gpu;

/// <summary>Step decay: η·γ^⌊(epoch−1)/stepSize⌋.</summary>
public sealed class StepDecaySchedule : LearningRateSchedule
{
    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    /// <param name="stepSize">Epochs between decays, &gt;= 1.</param>
    /// <param name="gamma">Factor, in (0, 1].</param>
    public StepDecaySchedule(int stepSize, float gamma)
    {
        Check(stepSize >= 1, nameof(stepSize), stepSize, "must be at least 1");
        Check(gamma is > 0f and <= 1f, nameof(gamma), gamma, "must be in (0, 1]");
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history) =>
        (float)(baseRate * Math.Pow(Gamma, (epoch - 1) / StepSize));
}
