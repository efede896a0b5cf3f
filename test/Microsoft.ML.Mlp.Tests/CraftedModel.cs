using System.Buffers.Binary;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Builds hostile MLP model files in memory: a saved model whose MLP entry gets a hand-written body that declares any
/// sizes, with ML.NET's model header (model size, string table, assembly name and tail offsets) rewritten to match, so
/// the file passes ML.NET's own checks and reaches the MLP's loader. Nothing is ever written to disk by the tests.
/// </summary>
internal static class CraftedModel
{
    // Offsets of ML.NET's ModelHeader fields (Microsoft.ML.Core, ModelHeader.cs); all positions are relative to the entry.
    private const int CbModelOffset = 0x18;
    private static readonly int[] s_positionsAfterModel = [0x20, 0x30, 0x80, 0x88, 0x90]; // string table, chars, tail, lim, assembly name
    private const int FpLimOffset = 0x88;

    /// <summary>The model block of an entry: ModelParametersBase's int, then the MLP's own stream.</summary>
    public static byte[] Body(byte[] entry)
    {
        long cb = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(CbModelOffset));
        return entry[ModelZip.HeaderSize..(int)(ModelZip.HeaderSize + cb)];
    }

    /// <summary>The same entry with its model block replaced by <paramref name="body"/> and every position after it moved.</summary>
    public static byte[] WithBody(byte[] entry, byte[] body)
    {
        long cb = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(CbModelOffset));
        long lim = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(FpLimOffset));
        long delta = body.Length - cb;
        var header = entry[..ModelZip.HeaderSize];
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(CbModelOffset), body.Length);
        foreach (int offset in s_positionsAfterModel)
        {
            long position = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(offset));
            if (position != 0)
                BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(offset), position + delta);
        }
        return [.. header, .. body, .. entry[(int)(ModelZip.HeaderSize + cb)..(int)lim]];
    }

    /// <summary>One epoch record as the format stores it.</summary>
    public readonly record struct Record(int Epoch, double TrainingLoss, double? TrainingMetric, double? ValidationLoss,
        double? ValidationMetric, float LearningRate, long Ticks);

    /// <summary>
    /// An MLP body (format 0x00010002, binary cross-entropy, ReLU) declaring the given sizes. Parameters are written as
    /// zeros when <paramref name="writeParameters"/>, records when given; a declared count with nothing behind it makes a
    /// small file that claims a large one.
    /// </summary>
    public static byte[] MlpBody(int features, int[] hidden, int outputs, long? declaredParameters = null, bool writeParameters = true,
        int? declaredRecords = null, Record[]? records = null, int loss = 0, int activation = 0)
    {
        long parameters = ParameterCount(features, hidden, outputs);
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer);
        writer.Write(sizeof(float)); // ModelParametersBase
        writer.Write(features);
        writer.Write(hidden.Length);
        foreach (int width in hidden)
            writer.Write(width);
        writer.Write(activation);
        writer.Write(outputs);
        writer.Write(loss);
        writer.Write(1f); // Huber delta
        writer.Write((int)(declaredParameters ?? parameters));
        if (!writeParameters)
            return buffer.ToArray();
        writer.Write(new byte[checked((int)parameters * sizeof(float))]);
        records ??= [];
        writer.Write(declaredRecords ?? records.Length);
        foreach (var r in records)
        {
            writer.Write(r.Epoch);
            writer.Write(r.TrainingLoss);
            writer.Write((byte)((r.TrainingMetric.HasValue ? 1 : 0) | (r.ValidationLoss.HasValue ? 2 : 0) | (r.ValidationMetric.HasValue ? 4 : 0)));
            if (r.TrainingMetric is { } tm)
                writer.Write(tm);
            if (r.ValidationLoss is { } vl)
                writer.Write(vl);
            if (r.ValidationMetric is { } vm)
                writer.Write(vm);
            writer.Write(r.LearningRate);
            writer.Write(r.Ticks);
        }
        if (declaredRecords is null)
        {
            writer.Write(records.Length == 0 ? 0 : records[^1].Epoch); // best epoch
            writer.Write((byte)0);                                     // not stopped early
        }
        return buffer.ToArray();
    }

    /// <summary>Parameters of a features → hidden → outputs network, in 64-bit arithmetic.</summary>
    public static long ParameterCount(int features, int[] hidden, int outputs)
    {
        long count = 0;
        long previous = features;
        foreach (long width in hidden.Append(outputs))
        {
            count += previous * width + width;
            previous = width;
        }
        return count;
    }

    /// <summary>The model zip <paramref name="zip"/> with its MLP entry <paramref name="entry"/> given <paramref name="body"/>.</summary>
    public static byte[] Zip(byte[] zip, string entry, byte[] body) =>
        ModelZip.Replace(zip, entry, WithBody(ModelZip.ReadEntries(zip)[entry], body));
}
