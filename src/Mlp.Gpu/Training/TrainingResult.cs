namespace Mlp.Gpu;

/// <summary>The trained parameters and the per-epoch history.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(float[] parameters, IReadOnlyList<EpochRecord> history)
    {
        Parameters = parameters;
        History = history;
    }

    /// <summary>The flat parameter buffer after training (laid out as <see cref="NetworkDescription"/> says).</summary>
    public float[] Parameters { get; }

    /// <summary>One record per completed epoch.</summary>
    public IReadOnlyList<EpochRecord> History { get; }
}
