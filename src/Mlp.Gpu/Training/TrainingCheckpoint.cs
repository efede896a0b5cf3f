using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Mlp.Gpu.Training;

/// <summary>Where and how a run writes its checkpoints: built once by the face from its validated options.</summary>
/// <param name="Directory">The checkpoint directory (created when missing).</param>
/// <param name="KeepAfterSuccess">Leave the last checkpoint in place when training completes.</param>
/// <param name="RunFingerprint">What makes two runs the same, as (name, value) pairs in the public vocabulary: every
/// option that affects the result and the seed. The core adds the network, the data and the starting parameters.</param>
internal sealed record CheckpointSettings(string Directory, bool KeepAfterSuccess, IReadOnlyList<KeyValuePair<string, string>> RunFingerprint);

/// <summary>
/// The complete state of a training run after a whole epoch, enough to continue it bit for bit: the parameters, the
/// optimizer's moments and step count (dropout masks are a function of seed, step and layer), the epochs done and the
/// rows per epoch (the shuffles are replayed from the seed), early stopping's best loss, epoch and weights, and the
/// history (the learning-rate schedules are functions of it).
/// </summary>
/// <remarks>
/// File layout (little-endian): "MLPCKPT\0", int32 format version, int64 payload length, the payload, SHA-256 of the
/// payload. Payload: int32 n, n (name, value) strings of the fingerprint; int32 epochs done; int32 optimizer step;
/// int64 rows per epoch; bool finished (early stopping ended the run); the parameters, first moment and second moment
/// (each int32 length, −1 for none, then the floats); bool early stopping, float64 best loss, int32 best epoch, best
/// parameters; int32 m, m history records (int32 epoch, float64 training loss, nullable float64 training metric,
/// validation loss and validation metric as bool + float64, float32 learning rate, int64 elapsed ticks).
/// </remarks>
internal sealed class TrainingCheckpoint
{
    /// <summary>Name of the checkpoint file in the checkpoint directory.</summary>
    public const string FileName = "mlp-training.checkpoint";

    private const int FormatVersion = 1;
    private static readonly byte[] s_magic = "MLPCKPT\0"u8.ToArray();
    private const int HeaderLength = 8 + 4 + 8;
    private const int HashLength = 32;

    public required IReadOnlyList<KeyValuePair<string, string>> Fingerprint { get; init; }

    public required int CompletedEpochs { get; init; }

    public required int Step { get; init; }

    public required long RowsPerEpoch { get; init; }

    public required bool Finished { get; init; }

    public required float[] Parameters { get; init; }

    public float[]? FirstMoment { get; init; }

    public float[]? SecondMoment { get; init; }

    public bool HasEarlyStopping { get; init; }

    public double BestLoss { get; init; }

    public int BestEpoch { get; init; }

    public float[]? BestParameters { get; init; }

    public required IReadOnlyList<EpochRecord> History { get; init; }

    /// <summary>Serializes the checkpoint (header and payload) into <paramref name="buffer"/>, which is reused;
    /// <see cref="AppendChecksum"/> completes it.</summary>
    public void WriteTo(MemoryStream buffer)
    {
        buffer.SetLength(0);
        using var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        writer.Write(s_magic);
        writer.Write(FormatVersion);
        writer.Write(0L); // payload length, filled in below
        writer.Write(Fingerprint.Count);
        foreach (var (name, value) in Fingerprint)
        {
            writer.Write(name);
            writer.Write(value);
        }
        writer.Write(CompletedEpochs);
        writer.Write(Step);
        writer.Write(RowsPerEpoch);
        writer.Write(Finished);
        WriteArray(writer, Parameters);
        WriteArray(writer, FirstMoment);
        WriteArray(writer, SecondMoment);
        writer.Write(HasEarlyStopping);
        writer.Write(BestLoss);
        writer.Write(BestEpoch);
        WriteArray(writer, BestParameters);
        writer.Write(History.Count);
        foreach (var record in History)
        {
            writer.Write(record.Epoch);
            writer.Write(record.TrainingLoss);
            WriteNullable(writer, record.TrainingMetric);
            WriteNullable(writer, record.ValidationLoss);
            WriteNullable(writer, record.ValidationMetric);
            writer.Write(record.LearningRate);
            writer.Write(record.Elapsed.Ticks);
        }
        writer.Flush();
        BitConverter.TryWriteBytes(buffer.GetBuffer().AsSpan(12, 8), buffer.Length - HeaderLength);
    }

    /// <summary>Appends the SHA-256 of the payload that <see cref="WriteTo"/> wrote.</summary>
    public static void AppendChecksum(MemoryStream buffer)
    {
        var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(HeaderLength, (int)(buffer.Length - HeaderLength)));
        buffer.Position = buffer.Length;
        buffer.Write(hash);
    }

    /// <summary>Reads and checks a checkpoint file; a file that is not a whole, intact checkpoint throws
    /// <see cref="InvalidOperationException"/> naming the file and what is wrong.</summary>
    public static TrainingCheckpoint Read(string path, int parameterCount)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderLength + HashLength || !bytes.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
            throw Damaged(path, "it does not start with a checkpoint header");
        int version = BitConverter.ToInt32(bytes, 8);
        if (version != FormatVersion)
            throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"it has format version {version}; this version of the library reads version {FormatVersion}"));
        long payloadLength = BitConverter.ToInt64(bytes, 12);
        if (payloadLength < 0 || payloadLength != bytes.Length - HeaderLength - HashLength)
            throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"its header declares {payloadLength:N0} bytes of state but the file holds {bytes.Length - HeaderLength - HashLength:N0}"));
        var payload = bytes.AsSpan(HeaderLength, (int)payloadLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(HeaderLength + (int)payloadLength, HashLength)))
            throw Damaged(path, "its SHA-256 checksum does not match its contents");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, HeaderLength, (int)payloadLength, writable: false), Encoding.UTF8);
            int entries = reader.ReadInt32();
            if (entries is < 0 or > 10_000)
                throw new InvalidDataException("bad fingerprint length");
            var fingerprint = new List<KeyValuePair<string, string>>(entries);
            for (int i = 0; i < entries; i++)
                fingerprint.Add(new(reader.ReadString(), reader.ReadString()));
            int completed = reader.ReadInt32(), step = reader.ReadInt32();
            long rows = reader.ReadInt64();
            bool finished = reader.ReadBoolean();
            var parameters = ReadArray(reader, parameterCount) ?? throw new InvalidDataException("no parameters");
            var first = ReadArray(reader, parameterCount);
            var second = ReadArray(reader, parameterCount);
            bool stopping = reader.ReadBoolean();
            double bestLoss = reader.ReadDouble();
            int bestEpoch = reader.ReadInt32();
            var best = ReadArray(reader, parameterCount);
            int count = reader.ReadInt32();
            if (count != completed || completed < 0 || step < 0 || rows < 0)
                throw new InvalidDataException("inconsistent counts");
            var history = new List<EpochRecord>(count);
            for (int i = 0; i < count; i++)
            {
                history.Add(new EpochRecord
                {
                    Epoch = reader.ReadInt32(),
                    TrainingLoss = reader.ReadDouble(),
                    TrainingMetric = ReadNullable(reader),
                    ValidationLoss = ReadNullable(reader),
                    ValidationMetric = ReadNullable(reader),
                    LearningRate = reader.ReadSingle(),
                    Elapsed = TimeSpan.FromTicks(reader.ReadInt64()),
                });
            }
            if (reader.BaseStream.Position != payloadLength)
                throw new InvalidDataException("trailing bytes");
            return new TrainingCheckpoint
            {
                Fingerprint = fingerprint,
                CompletedEpochs = completed,
                Step = step,
                RowsPerEpoch = rows,
                Finished = finished,
                Parameters = parameters,
                FirstMoment = first,
                SecondMoment = second,
                HasEarlyStopping = stopping,
                BestLoss = bestLoss,
                BestEpoch = bestEpoch,
                BestParameters = best,
                History = history,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentOutOfRangeException)
        {
            // The checksum matched, so the file is as written, but not by a writer of this format.
            throw Damaged(path, $"its contents cannot be read as a training state ({e.Message})");
        }
    }

    /// <summary>The error for a file that is not an intact checkpoint: names it and says what to do.</summary>
    public static InvalidOperationException Damaged(string path, string reason) =>
        new($"The checkpoint file '{path}' is damaged: {reason}. Training cannot resume from it. Delete the file to train " +
            "from the beginning (the other files in its directory are not used).");

    /// <summary>The (name, checkpoint value, this run's value) triples that differ, in the checkpoint's order.</summary>
    public static List<(string Name, string? Checkpoint, string? ThisRun)> Differences(
        IReadOnlyList<KeyValuePair<string, string>> checkpoint, IReadOnlyList<KeyValuePair<string, string>> thisRun)
    {
        var theirs = checkpoint.ToDictionary(e => e.Key, e => e.Value);
        var ours = thisRun.ToDictionary(e => e.Key, e => e.Value);
        var differences = new List<(string, string?, string?)>();
        foreach (var name in checkpoint.Select(e => e.Key).Concat(thisRun.Select(e => e.Key)).Distinct())
        {
            theirs.TryGetValue(name, out var a);
            ours.TryGetValue(name, out var b);
            if (a != b)
                differences.Add((name, a, b));
        }
        return differences;
    }

    private static void WriteArray(BinaryWriter writer, float[]? values)
    {
        if (values is null)
        {
            writer.Write(-1);
            return;
        }
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[]? ReadArray(BinaryReader reader, int expectedLength)
    {
        int length = reader.ReadInt32();
        if (length == -1)
            return null;
        if (length != expectedLength)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"an array of {length} floats where the network has {expectedLength} parameters"));
        var values = new float[length];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
            throw new EndOfStreamException();
        return values;
    }

    private static void WriteNullable(BinaryWriter writer, double? value)
    {
        writer.Write(value.HasValue);
        writer.Write(value ?? 0.0);
    }

    private static double? ReadNullable(BinaryReader reader)
    {
        bool has = reader.ReadBoolean();
        double value = reader.ReadDouble();
        return has ? value : null;
    }
}
