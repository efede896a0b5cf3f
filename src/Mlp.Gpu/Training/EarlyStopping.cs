namespace Mlp.Gpu.Training;

/// <summary>
/// Tracks the monitored loss (validation loss when present, else training loss) and keeps a host copy of the best
/// epoch's parameters, so they can be restored at the end whether or not patience ran out.
/// </summary>
internal sealed class EarlyStopping
{
    private readonly int _patience;
    private readonly float _minDelta;
    private double _best = double.PositiveInfinity;

    public EarlyStopping(int patience, float minDelta)
    {
        _patience = patience;
        _minDelta = minDelta;
    }

    public enum Decision
    {
        Continue,
        Stop,
    }

    /// <summary>The parameters after <see cref="BestEpoch"/>; null before the first epoch.</summary>
    public float[]? BestParameters { get; private set; }

    /// <summary>1-based epoch with the lowest monitored loss so far.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The lowest monitored loss so far (+∞ before the first epoch).</summary>
    public double BestLoss => _best;

    /// <summary>Restores the state a checkpoint saved (see <see cref="TrainingCheckpoint"/>).</summary>
    public void Restore(double bestLoss, int bestEpoch, float[]? bestParameters)
    {
        _best = bestLoss;
        BestEpoch = bestEpoch;
        BestParameters = bestParameters;
    }

    /// <summary>Records one finished epoch; downloads the parameters when it is the best so far.</summary>
    public Decision Observe(EpochRecord record, NetworkWorkspace workspace)
    {
        double monitored = record.ValidationLoss ?? record.TrainingLoss;
        if (monitored < _best - _minDelta)
        {
            _best = monitored;
            BestEpoch = record.Epoch;
            BestParameters ??= new float[workspace.Network.ParameterCount];
            workspace.Backend.Download(workspace.Parameters, BestParameters);
            return Decision.Continue;
        }
        return record.Epoch - BestEpoch >= _patience ? Decision.Stop : Decision.Continue;
    }
}
