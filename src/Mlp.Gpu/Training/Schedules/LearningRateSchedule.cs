namespace Mlp.Gpu;

/// <summary>
/// The learning rate of each epoch as a pure function of the epoch, the base rate and the history so far, so a
/// schedule object can be shared between runs and keeps no hidden state.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The same rate every epoch.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>The rate to use for <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The epoch about to start, 1-based.</param>
    /// <param name="baseRate">The optimizer's learning rate.</param>
    /// <param name="history">Records of the epochs already completed in this run.</param>
    public abstract float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the argument unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string name, double value, string rule)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}; got {value}.");
    }

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history) => baseRate;
    }
}
