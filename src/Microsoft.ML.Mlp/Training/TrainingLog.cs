using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Trainers.Mlp.Training;

/// <summary>
/// Where every finished epoch goes: the model's history (numbered on from a warm-start model's), ML.NET's log, its
/// progress channel and the options' <see cref="MlpTrainerOptionsBase.Progress"/>.
/// </summary>
internal sealed class TrainingLog : IDisposable
{
    private readonly IChannel _channel;
    private readonly IProgressChannel _progress;
    private readonly IProgress<MlpEpochReport>? _userProgress;
    private readonly int _numberOfEpochs;
    private readonly int _epochOffset;
    private readonly TimeSpan _elapsedOffset;
    private readonly double _lossScale;
    private readonly List<MlpEpochRecord> _history;
    private int _completedEpochs;
    private double _lastLoss = double.NaN;

    /// <param name="host">The trainer's host (for the progress channel).</param>
    /// <param name="channel">ML.NET's log channel of this run.</param>
    /// <param name="numberOfEpochs">The epochs this run trains at most.</param>
    /// <param name="userProgress">The options' progress sink, if any.</param>
    /// <param name="previous">The history of the model training continues from (empty for a new model).</param>
    /// <param name="lossScale">What the core's losses are multiplied by to be in label units (σ² of a standardized label, else 1).</param>
    public TrainingLog(IHost host, IChannel channel, int numberOfEpochs, IProgress<MlpEpochReport>? userProgress, IReadOnlyList<MlpEpochRecord> previous,
        double lossScale)
    {
        _lossScale = lossScale;
        _channel = channel;
        _userProgress = userProgress;
        _numberOfEpochs = numberOfEpochs;
        _epochOffset = previous.Count > 0 ? previous[^1].Epoch : 0;
        _elapsedOffset = previous.Count > 0 ? previous[^1].Elapsed : TimeSpan.Zero;
        _history = [.. previous]; // not sized by the epoch count: it is no promise that training runs that long
        _progress = host.StartProgressChannel("MLP training");
        _progress.SetHeader(new ProgressHeader(["Training loss"], ["Epochs"]), entry =>
        {
            entry.SetProgress(0, Volatile.Read(ref _completedEpochs), _numberOfEpochs);
            entry.SetMetric(0, Volatile.Read(ref _lastLoss));
        });
    }

    /// <summary>Every epoch so far, the warm-start model's first.</summary>
    public IReadOnlyList<MlpEpochRecord> History => _history;

    /// <summary>The epoch number in the history of the core's epoch <paramref name="epoch"/> of this run.</summary>
    public int ToHistoryEpoch(int epoch) => _epochOffset + epoch;

    /// <summary>Records one finished epoch (called on the training thread).</summary>
    public void Add(EpochRecord record)
    {
        var inRun = ToRecord(record, 0, TimeSpan.Zero);
        _history.Add(ToRecord(record, _epochOffset, _elapsedOffset));
        _channel.Info("Epoch {0}/{1}: {2}", record.Epoch, _numberOfEpochs, inRun.Describe());
        Volatile.Write(ref _lastLoss, inRun.TrainingLoss);
        Volatile.Write(ref _completedEpochs, record.Epoch);
        _userProgress?.Report(new MlpEpochReport(inRun, _numberOfEpochs));
    }

    public void Dispose() => _progress.Dispose();

    private MlpEpochRecord ToRecord(EpochRecord record, int epochOffset, TimeSpan elapsedOffset)
    {
        // Continued training numbers on from the model's last epoch; a number past int.MaxValue cannot be recorded.
        if (record.Epoch > int.MaxValue - epochOffset)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Continued training reached epoch {(long)record.Epoch + epochOffset:N0} (the model's history ends at epoch {epochOffset:N0}); " +
                $"epoch numbers stop at {int.MaxValue:N0}. Train a new model instead of continuing this one."));
        }
        return new(record.Epoch + epochOffset, record.TrainingLoss * _lossScale, record.TrainingMetric, record.ValidationLoss * _lossScale,
            record.ValidationMetric, record.LearningRate, record.Elapsed + elapsedOffset);
    }
}
