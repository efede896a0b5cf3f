namespace Mlp.Gpu.Backends;

/// <summary>Slots of the small buffer that loss kernels add their sums into; read back once per epoch.</summary>
internal static class LossAccumulator
{
    /// <summary>Σ w·loss.</summary>
    public const int WeightedLoss = 0;

    /// <summary>Σ w.</summary>
    public const int Weight = 1;

    /// <summary>Σ w·[prediction correct] (classification).</summary>
    public const int WeightedCorrect = 2;

    /// <summary>Σ w·Σ_j (z_j − y_j)² (regression).</summary>
    public const int WeightedSquaredError = 3;

    /// <summary>Number of slots.</summary>
    public const int Length = 4;
}
