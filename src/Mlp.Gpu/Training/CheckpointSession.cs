using System.Globalization;
using System.Security.Cryptography;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Training;

/// <summary>
/// One run's checkpoints: finds and checks the checkpoint to resume from, writes the state after every epoch
/// atomically (a temporary file, flushed to disk, renamed over the previous checkpoint, so a kill at any instant
/// leaves the old or the new one, never a torn one), and cleans the directory up when training completes. The state
/// is copied and serialized on the training thread; hashing, writing and flushing to disk run on a worker while the
/// next epoch trains (the next checkpoint waits for it), so the epoch pays little more than a copy of the state.
/// </summary>
internal sealed class CheckpointSession : IDisposable
{
    private readonly CheckpointSettings _settings;
    private readonly NetworkDescription _network;
    private readonly List<KeyValuePair<string, string>> _fingerprint;
    private readonly HashSet<string> _deferred;
    private readonly Dictionary<string, string> _deferredValues = [];
    private readonly MemoryStream _buffer = new();
    private float[]? _parameters, _firstMoment, _secondMoment;
    private Task? _pending;

    /// <param name="settings">The directory and the face's part of the fingerprint.</param>
    /// <param name="network">The architecture being trained.</param>
    /// <param name="initialParameters">The warm-start parameters, or null for fresh ones.</param>
    /// <param name="data">Fingerprint entries of the data known before training.</param>
    /// <param name="deferred">Names of entries only known once training reads the data (a stream's rows); they are
    /// checked by <see cref="Verify"/> as soon as they are known.</param>
    /// <param name="copies">Parameter-sized arrays in a checkpoint (parameters, moments, early stopping's best).</param>
    /// <exception cref="InvalidOperationException">The state is larger than one checkpoint file can hold.</exception>
    public CheckpointSession(CheckpointSettings settings, NetworkDescription network, float[]? initialParameters,
        IEnumerable<KeyValuePair<string, string>> data, IEnumerable<string> deferred, int copies = 4)
    {
        long bytes = 4L * network.ParameterCount * copies;
        if (bytes > Array.MaxLength - (1L << 24)) // the history and fingerprint take far less than the 16 MiB left
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Checkpoints of this network ({network.ParameterCount:N0} parameters, {copies} copies of them in the training state: {bytes / 1e9:F1} GB) " +
                $"exceed the largest checkpoint file, {Array.MaxLength / 1e9:F1} GB. Train without a checkpoint directory, or with a smaller network."));
        }
        _settings = settings;
        _network = network;
        _deferred = [.. deferred];
        _fingerprint = [.. settings.RunFingerprint];
        _fingerprint.Add(new("Network", $"{network} with {network.ParameterCount} parameters, Huber δ {network.HuberDelta.ToString("R", CultureInfo.InvariantCulture)}"));
        _fingerprint.Add(new("Starting parameters", initialParameters is null
            ? "drawn from the seed"
            : "a model's, SHA-256 " + Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(initialParameters.AsSpan())))[..16]));
        _fingerprint.AddRange(data);
        System.IO.Directory.CreateDirectory(settings.Directory);
        FilePath = Path.Combine(settings.Directory, TrainingCheckpoint.FileName);
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    private string TemporaryPath => FilePath + ".tmp";

    /// <summary>The checkpoint to resume from, or null when the directory has none. A damaged checkpoint, or one
    /// written by a run with other options or data, throws <see cref="InvalidOperationException"/>.</summary>
    public TrainingCheckpoint? Load()
    {
        if (!File.Exists(FilePath))
            return null;
        var checkpoint = TrainingCheckpoint.Read(FilePath, _network.ParameterCount);
        var known = checkpoint.Fingerprint.Where(e => !_deferred.Contains(e.Key)).ToList();
        ThrowIfDifferent(known, _fingerprint);
        Resumed = checkpoint;
        return checkpoint;
    }

    /// <summary>The checkpoint this run resumed from, if any.</summary>
    public TrainingCheckpoint? Resumed { get; private set; }

    /// <summary>Records a fingerprint entry learned while training (see the constructor's <c>deferred</c>) and, when
    /// resuming, checks it against the checkpoint's before the state is used further.</summary>
    public void Verify(string name, string value)
    {
        _deferredValues[name] = value;
        if (Resumed is not null)
        {
            var theirs = Resumed.Fingerprint.Where(e => e.Key == name).ToList();
            ThrowIfDifferent(theirs, [new(name, value)]);
        }
    }

    /// <summary>Writes the state after a completed epoch.</summary>
    public void Save(NetworkWorkspace workspace, int completedEpochs, int step, long rowsPerEpoch, bool finished, EarlyStopping? stopping,
        IReadOnlyList<EpochRecord> history)
    {
        WaitForWrite(); // the previous checkpoint had a whole epoch to reach the disk; its buffer is reused now
        var backend = workspace.Backend;
        _parameters ??= new float[_network.ParameterCount];
        backend.Download(workspace.Parameters, _parameters);
        if (workspace.FirstMoment is { } first)
            backend.Download(first, _firstMoment ??= new float[_network.ParameterCount]);
        if (workspace.SecondMoment is { } second)
            backend.Download(second, _secondMoment ??= new float[_network.ParameterCount]);
        var checkpoint = new TrainingCheckpoint
        {
            Fingerprint = [.. _fingerprint, .. _deferredValues.OrderBy(e => e.Key, StringComparer.Ordinal)],
            CompletedEpochs = completedEpochs,
            Step = step,
            RowsPerEpoch = rowsPerEpoch,
            Finished = finished,
            Parameters = _parameters,
            FirstMoment = workspace.FirstMoment is null ? null : _firstMoment,
            SecondMoment = workspace.SecondMoment is null ? null : _secondMoment,
            HasEarlyStopping = stopping is not null,
            BestLoss = stopping?.BestLoss ?? 0,
            BestEpoch = stopping?.BestEpoch ?? 0,
            BestParameters = stopping?.BestParameters,
            History = history,
        };
        checkpoint.WriteTo(_buffer);
        _pending = Task.Run(WriteFile);
    }

    /// <summary>Waits until the last checkpoint is on disk; throws when writing it failed.</summary>
    public void WaitForWrite()
    {
        var pending = _pending;
        _pending = null;
        pending?.GetAwaiter().GetResult();
    }

    private void WriteFile()
    {
        try
        {
            TrainingCheckpoint.AppendChecksum(_buffer);
            using (var file = new FileStream(TemporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                file.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
                file.Flush(flushToDisk: true);
            }
            File.Move(TemporaryPath, FilePath, overwrite: true); // atomic on the same volume: the old checkpoint or the new one
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Writing the checkpoint file '{FilePath}' failed: {e.Message} Training stopped; the previous checkpoint, if any, is intact.", e);
        }
    }

    /// <summary>Training completed: waits for the last write, then removes the checkpoint unless the settings keep it.</summary>
    public void Complete()
    {
        WaitForWrite();
        File.Delete(TemporaryPath);
        if (!_settings.KeepAfterSuccess)
            File.Delete(FilePath);
    }

    /// <summary>Waits for a write still in flight (training failed or was cancelled: the last checkpoint must be
    /// whole on disk for the next run); its own error, if any, is not raised over the one that ended training.</summary>
    public void Dispose()
    {
        try
        {
            _pending?.Wait();
        }
        catch (AggregateException)
        {
            // The exception that ended training is the one to report; the previous checkpoint is intact.
        }
        _pending = null;
    }

    private void ThrowIfDifferent(IReadOnlyList<KeyValuePair<string, string>> checkpoint, IReadOnlyList<KeyValuePair<string, string>> thisRun)
    {
        var differences = TrainingCheckpoint.Differences(checkpoint, thisRun);
        if (differences.Count == 0)
            return;
        var described = differences.Select(d => $"{d.Name} is {Quote(d.Checkpoint)} in the checkpoint but {Quote(d.ThisRun)} in this run");
        throw new InvalidOperationException(
            $"The checkpoint file '{FilePath}' was written by a different training run, so training cannot resume from it: " +
            string.Join("; ", described) + ". Run with the checkpoint's options and data to resume, or delete the file " +
            "(or use another checkpoint directory) to train from the beginning.");
    }

    private static string Quote(string? value) => value is null ? "absent" : $"'{value}'";
}

/// <summary>Cheap fingerprints of training data: the row count and a hash of the first and last rows.</summary>
internal static class DataFingerprint
{
    /// <summary>Rows hashed at each end of the data.</summary>
    public const int Rows = 1024;

    /// <summary>The entries for a dataset held in memory: its row count and a hash of its first and last rows.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Of(Dataset data, string name)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int head = Math.Min(Rows, data.RowCount), tailStart = Math.Max(head, data.RowCount - Rows);
        foreach (var (start, count) in new[] { (0, head), (tailStart, data.RowCount - tailStart) })
            AppendRows(hash, data.Features, data.FeatureCount, data.Labels, data.LabelWidth, data.Weights, start, count);
        yield return new($"{name} rows", data.RowCount.ToString(CultureInfo.InvariantCulture));
        yield return new($"{name} (SHA-256 of the first and last {Rows} rows)", Finish(hash));
    }

    internal static void AppendRows(IncrementalHash hash, ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<float> labels,
        int labelWidth, ReadOnlySpan<float> weights, int start, int count)
    {
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(features.Slice(start * featureCount, count * featureCount)));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.Slice(start * labelWidth, count * labelWidth)));
        if (!weights.IsEmpty)
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.Slice(start, count)));
    }

    internal static string Finish(IncrementalHash hash) => Convert.ToHexString(hash.GetHashAndReset())[..16];
}

/// <summary>
/// Passes a stream's rows through and hashes the first <see cref="DataFingerprint.Rows"/> (at most a block) of the
/// first pass, so a resumed run can check it reads the same data before it trains on it.
/// </summary>
internal sealed class FingerprintingRowStream(IRowStream inner, int blockRows) : IRowStream
{
    private readonly int _hashedRows = Math.Max(1, Math.Min(DataFingerprint.Rows, blockRows));
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _seen;

    /// <summary>Name of the fingerprint entry <see cref="FirstRowsHash"/> fills.</summary>
    public string EntryName => $"Training data (SHA-256 of the first {_hashedRows} rows)";

    /// <summary>The hash of the first rows, once the first pass has read them; null before.</summary>
    public string? FirstRowsHash { get; private set; }

    public int FeatureCount => inner.FeatureCount;

    public int LabelWidth => inner.LabelWidth;

    public bool HasWeights => inner.HasWeights;

    public void Reset()
    {
        inner.Reset();
        if (FirstRowsHash is null) // a pass ended early: hash again from the first row
        {
            _seen = 0;
            _hash.GetHashAndReset();
        }
    }

    public int Read(Span<float> features, Span<float> labels, Span<float> weights, int maxRows)
    {
        int read = inner.Read(features, labels, weights, maxRows);
        if (FirstRowsHash is null)
        {
            int rows = Math.Min(Math.Max(read, 0), _hashedRows - _seen);
            DataFingerprint.AppendRows(_hash, features, FeatureCount, labels, LabelWidth, HasWeights ? weights : default, 0, rows);
            _seen += rows;
            if (_seen == _hashedRows || read <= 0)
                FirstRowsHash = DataFingerprint.Finish(_hash);
        }
        return read;
    }
}
