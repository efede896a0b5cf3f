namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// What <see cref="MlpTrainerOptionsBase.Progress"/> receives after every epoch: the epoch's record and how many epochs
/// this call to <c>Fit</c> trains at most.
/// </summary>
/// <remarks>
/// The <see cref="Record"/>'s epoch and elapsed time count within the current call to <c>Fit</c>, so that
/// <c>Record.Epoch / NumberOfEpochs</c> is the fraction done; when training continues from a model, the records of
/// <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/> number the epochs on from the model's history instead.
/// </remarks>
public sealed class MlpEpochReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="record">The epoch just completed, numbered from 1 within this call to <c>Fit</c>.</param>
    /// <param name="numberOfEpochs">The epochs this call trains at most (early stopping may end it sooner).</param>
    public MlpEpochReport(MlpEpochRecord record, int numberOfEpochs)
    {
        ArgumentNullException.ThrowIfNull(record);
        Record = record;
        NumberOfEpochs = numberOfEpochs;
    }

    /// <summary>The epoch just completed: losses, metrics, learning rate and wall time, counted within this call to <c>Fit</c>.</summary>
    public MlpEpochRecord Record { get; }

    /// <summary>The epochs this call trains at most (<see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>); early
    /// stopping may end training sooner.</summary>
    public int NumberOfEpochs { get; }

    /// <inheritdoc/>
    public override string ToString() => $"Epoch {Record.Epoch}/{NumberOfEpochs}: {Record.Describe()}";
}
