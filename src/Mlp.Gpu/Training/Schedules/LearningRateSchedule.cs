namespace Mlp.Gpu.Training.Schedules;

/// <summary>
/// The learning rate of each epoch as a pure function of the epoch, the base rate and the history so far, so a
/// schedule keeps no hidden state. Its parameters are validated by the public options that create it.
/// </summary>
internal abstract record LearningRateSchedule
{
    /// <summary>The same rate every epoch.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>The rate to use for <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The epoch about to start, 1-based.</param>
    /// <param name="baseRate">The optimizer's learning rate.</param>
    /// <param name="history">Records of the epochs already completed in this run.</param>
    public abstract float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history);

    private sealed record ConstantSchedule : LearningRateSchedule
    {
        public override float GetRate(int epoch, float baseRate, IReadOnlyList<EpochRecord> history) => baseRate;
    }
}
