using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Trainers.Mlp.Data;

/// <summary>
/// The errors for training data that would train a useless model without any other error (binary labels of one class,
/// example weights that are all zero), and the size checks of a dense in-memory copy, made before it is allocated.
/// </summary>
internal static class TrainingDataChecks
{
    private const int CheckCancellationEveryRows = 4096;

    /// <summary>The one-class error: the label column, the only class found and the number of usable rows.</summary>
    public static InvalidOperationException OneClass(float label, long rows, string labelColumnName, bool weighted)
    {
        string only = label == 1f ? "true (positive)" : "false (negative)";
        string which = weighted ? "usable row(s) of positive weight" : "usable row(s)";
        return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The label column '{labelColumnName}' of the training data has only {only} labels in its {rows} {which}; ") +
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
                $"{MemoryEstimate.Format(bytes)}, but the host memory available to .NET has {MemoryEstimate.Format(available)}. " +
                "Nothing was allocated for it. " + remedy);
        }
    }
}
