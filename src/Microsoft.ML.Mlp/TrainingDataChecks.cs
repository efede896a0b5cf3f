using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// Checks that refuse training data which would train a useless model without any other error: binary labels of one
/// class, and example weights that are all zero. Cached and streamed data get the same errors, before training starts.
/// </summary>
internal static class TrainingDataChecks
{
    private const int CheckCancellationEveryRows = 4096;

    /// <summary>The one-class error: the label column, the only class found and the number of usable rows.</summary>
    public static InvalidOperationException OneClass(float label, long rows, string labelColumnName)
    {
        string only = label == 1f ? "true (positive)" : "false (negative)";
        return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The label column '{labelColumnName}' of the training data has only {only} labels in its {rows} usable row(s); ") +
            "binary classification needs examples of both classes. Check the label column, and any filter or split that could have removed one class.");
    }

    /// <summary>The all-zero-weight error: nothing would be learned (every gradient is zero) and the loss would read 0.</summary>
    public static InvalidOperationException ZeroWeights(long rows, string dataName, string? weightColumnName, bool classWeights)
    {
        string source = (weightColumnName, classWeights) switch
        {
            (not null, true) => $"the weight column '{weightColumnName}' times the class weights",
            (not null, false) => $"the weight column '{weightColumnName}'",
            _ => "the class weights",
        };
        return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"Every example weight of the {dataName} is zero ({source}, {rows} usable row(s)): training would learn nothing. ") +
            "Check the weight column, and give at least one row a positive weight.");
    }

    /// <summary>Refuses cached data whose weights (example weights times class weights) are all zero.</summary>
    public static void CheckWeights(Dataset data, string dataName, string? weightColumnName, bool classWeights)
    {
        if (data.Weights is { } weights && weights.AsSpan(0, data.RowCount).IndexOfAnyExcept(0f) < 0)
            throw ZeroWeights(data.RowCount, dataName, weightColumnName, classWeights);
    }

    /// <summary>
    /// The same checks as the cached path makes, for data that is streamed: one pass over the label and weight columns
    /// only (features are not read), filtered as the stream filters them (missing labels, negative or non-finite
    /// weights skipped), that stops as soon as both classes and a positive weight have been seen. Rows that
    /// <see cref="MlpTrainerOptionsBase.SkipRowsWithNonFiniteFeatures"/> would skip are counted here.
    /// </summary>
    /// <exception cref="InvalidOperationException">One class only (binary), or every weight zero.</exception>
    public static void CheckStream(IHost host, RoleMappedData data, NetworkDescription network, float[]? classWeights,
        CancellationToken cancellationToken)
    {
        bool binary = network.Loss == LossFunction.BinaryCrossEntropy;
        bool weighted = data.Schema.Weight is not null || classWeights is not null;
        if (!binary && !weighted)
            return;

        var labelColumn = data.Schema.Label!.Value;
        var weightColumn = data.Schema.Weight;
        var columns = weightColumn is { } w ? new[] { labelColumn, w } : new[] { labelColumn };
        long rows = 0;
        bool seenNegative = false, seenPositive = false, seenWeight = !weighted;
        using (var cursor = data.Data.GetRowCursor(columns))
        {
            var getLabel = RowCursorUtils.GetLabelGetter(cursor, labelColumn.Index);
            ValueGetter<float>? getWeight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : null;
            float label = 0, weight = 1;
            long row = -1;
            while (cursor.MoveNext())
            {
                if (++row % CheckCancellationEveryRows == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    host.CheckAlive();
                }
                getLabel(ref label);
                if (!DataViewReader.IsUsableLabel(label, network))
                    continue; // missing labels are skipped; a bad one is the stream's error, with its row
                if (getWeight is not null)
                {
                    getWeight(ref weight);
                    if (!(weight >= 0) || float.IsPositiveInfinity(weight))
                        continue;
                }
                rows++;
                seenNegative |= label == 0f;
                seenPositive |= label == 1f;
                seenWeight |= weight * (classWeights?[(int)label] ?? 1f) > 0;
                if (seenWeight && (!binary || (seenNegative && seenPositive)))
                    return;
            }
        }
        if (rows == 0)
            return; // the stream reports "no usable rows" with the counts of what it skipped
        if (binary && !(seenNegative && seenPositive))
            throw OneClass(seenPositive ? 1f : 0f, rows, labelColumn.Name);
        throw ZeroWeights(rows, "training data", weightColumn?.Name, classWeights is not null);
    }

    /// <summary>Rows of this many floats (or more) are "wide": with an unknown row count, the rows are counted before
    /// anything is allocated, since even a few of them take gigabytes (a sparse vector of 2^27 slots is 512 MiB dense).</summary>
    private const long WideRowFloats = 1 << 20;

    /// <summary>
    /// The rows to allocate up front for caching <paramref name="data"/> densely, after checking, in 64-bit arithmetic and
    /// before anything is allocated, that they fit one array and the memory available. The row count is the data's own
    /// when it knows it; wide rows are counted with a cursor that reads no column.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dense copy cannot be held; the message has the sizes.</exception>
    public static int InitialRowCapacity(IHost host, IDataView data, int featureCount, int defaultRows, string dataName,
        string featureColumnName, CancellationToken cancellationToken)
    {
        long? rows = data.GetRowCount();
        if (rows is null && featureCount >= WideRowFloats)
        {
            long counted = 0;
            using var cursor = data.GetRowCursor([]);
            while (cursor.MoveNext())
            {
                if (++counted % CheckCancellationEveryRows == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    host.CheckAlive();
                }
            }
            rows = counted;
        }
        long capacity = Math.Max(1, rows ?? defaultRows);
        if (rows is not null)
            CheckDenseCopy(capacity, featureCount, dataName, featureColumnName);
        else
            capacity = Math.Min(capacity, Math.Max(1, Array.MaxLength / featureCount));
        return (int)capacity;
    }

    /// <summary>Refuses a dense copy of <paramref name="rows"/> rows that exceeds one array or the memory available.</summary>
    /// <exception cref="InvalidOperationException">The copy cannot be held; the message has the sizes and the remedy.</exception>
    public static void CheckDenseCopy(long rows, int featureCount, string dataName, string featureColumnName)
    {
        long values = rows * featureCount; // rows <= int.MaxValue, featureCount < 2^31: no overflow in 64 bits
        string remedy = dataName == "training data"
            ? $"Set {nameof(MlpTrainerOptionsBase.StreamTrainingData)} = true to read it in blocks instead, or use fewer features."
            : "Use fewer rows or fewer features.";
        if (values > Array.MaxLength)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The {dataName} has {rows:N0} rows of {featureCount:N0} features (column '{featureColumnName}'): {values:N0} values, ") +
                string.Create(CultureInfo.InvariantCulture, $"more than one in-memory array holds ({Array.MaxLength:N0}). Nothing was allocated for it. ") + remedy);
        }
        long bytes = (values + 2 * rows) * sizeof(float); // features, labels, weights
        long available = MemoryEstimate.AvailableHostBytes;
        if (bytes > available)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Holding the {dataName} in memory ({rows:N0} rows of {featureCount:N0} features, column '{featureColumnName}') needs about ") +
                $"{MemoryEstimate.FormatBytes(bytes)}, but the host memory available to .NET has {MemoryEstimate.FormatBytes(available)}. " +
                "Nothing was allocated for it. " + remedy);
        }
    }
}
