namespace Mlp.Gpu.Training;

/// <summary>The trained parameters and the per-epoch history.</summary>
internal sealed class TrainingResult
{
    internal TrainingResult(float[] parameters, IReadOnlyList<EpochRecord> history, int bestEpoch, bool stoppedEarly)
    {
        Parameters = parameters;
        History = history;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>The flat parameter buffer after training (laid out as <see cref="Mlp.Gpu.Network.NetworkDescription"/> says).</summary>
    public float[] Parameters { get; }

    /// <summary>One record per completed epoch.</summary>
    public IReadOnlyList<EpochRecord> History { get; }

    /// <summary>The epoch whose parameters were returned: the best one under early stopping, else the last.</summary>
    public int BestEpoch { get; }

    /// <summary>True when early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }
}
