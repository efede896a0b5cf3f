using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// Copies the feature, label and optional weight columns of an <see cref="IDataView"/> into one dense, row-major
/// <see cref="Dataset"/> in a single cursor pass. One feature buffer is reused for every row and the destination
/// arrays grow geometrically, so there is no allocation per row.
/// </summary>
/// <remarks>
/// As in ML.NET's trainers, rows whose label is missing (a missing key, a NaN regression target) or whose weight is
/// negative or not finite are skipped and counted. A non-finite feature value is an error that names the column and
/// the row, because silently dropping rows would hide a missing-value problem that prediction would then meet, unless
/// <see cref="MlpTrainerOptionsBase.SkipRowsWithNonFiniteFeatures"/> asks to skip and count such rows too.
/// </remarks>
internal static class DataViewReader
{
    private const int InitialRowCapacity = 4096;
    private const int CheckCancellationEveryRows = 4096;

    /// <summary>Reads <paramref name="data"/> for <paramref name="network"/>.</summary>
    /// <param name="host">Checked for cancellation while reading, with <paramref name="cancellationToken"/>.</param>
    /// <param name="channel">Receives warnings about skipped rows.</param>
    /// <param name="data">Role-mapped data with a known-size float vector feature column and a label column.</param>
    /// <param name="network">The network to train: its input width and loss head decide how labels are read.</param>
    /// <param name="dataName">"training data" or "validation data", for messages.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <param name="skipNonFiniteFeatures">Skip and count rows with a NaN or infinite feature value instead of failing.</param>
    /// <exception cref="InvalidOperationException">A feature value is not finite, a label is out of range, or no
    /// usable row remains.</exception>
    public static Dataset Read(IHost host, IChannel channel, RoleMappedData data, NetworkDescription network,
        string dataName, CancellationToken cancellationToken, bool skipNonFiniteFeatures = false)
    {
        var featureColumn = data.Schema.Feature!.Value;
        var labelColumn = data.Schema.Label!.Value;
        var weightColumn = data.Schema.Weight;
        int featureCount = network.InputCount;
        if (featureColumn.Type is not VectorDataViewType { Size: var size } vector || vector.ItemType != NumberDataViewType.Single || size != featureCount)
        {
            throw new InvalidOperationException(
                $"The feature column '{featureColumn.Name}' of the {dataName} has type {featureColumn.Type}; " +
                $"expected a vector of {featureCount} Single values (Vector<Single, {featureCount}>).");
        }

        var columns = weightColumn is { } w ? new[] { featureColumn, labelColumn, w } : new[] { featureColumn, labelColumn };
        int capacity = TrainingDataChecks.InitialRowCapacity(host, data.Data, featureCount, InitialRowCapacity, dataName, featureColumn.Name, cancellationToken);
        var builder = new Builder(featureCount, capacity, weightColumn is not null, featureColumn.Name, dataName);

        long skippedLabels = 0, skippedWeights = 0, skippedFeatures = 0;
        using (var cursor = data.Data.GetRowCursor(columns))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
            var getLabel = RowCursorUtils.GetLabelGetter(cursor, labelColumn.Index);
            ValueGetter<float>? getWeight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : null;
            VBuffer<float> features = default;
            float label = 0, weight = 1;
            long row = -1;
            while (cursor.MoveNext())
            {
                row++;
                if (row % CheckCancellationEveryRows == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    host.CheckAlive();
                }

                getLabel(ref label);
                if (!IsUsableLabel(label, network))
                {
                    if (float.IsNaN(label))
                    {
                        skippedLabels++;
                        continue;
                    }
                    throw new InvalidOperationException(DescribeBadLabel(label, network, labelColumn.Name, dataName, row));
                }
                if (getWeight is not null)
                {
                    getWeight(ref weight);
                    if (!(weight >= 0) || float.IsPositiveInfinity(weight))
                    {
                        skippedWeights++;
                        continue;
                    }
                }
                getFeatures(ref features);
                if (skipNonFiniteFeatures && !AllFinite(in features))
                {
                    skippedFeatures++;
                    continue;
                }
                builder.Add(in features, label, weight, row);
            }
        }

        if (skippedLabels > 0)
            channel.Warning("Skipped {0} row(s) of the {1} whose label in column '{2}' is missing.", skippedLabels, dataName, labelColumn.Name);
        if (skippedWeights > 0)
            channel.Warning("Skipped {0} row(s) of the {1} whose weight in column '{2}' is negative or not finite.", skippedWeights, dataName, weightColumn!.Value.Name);
        if (skippedFeatures > 0)
            channel.Warning(NonFiniteRowsSkipped, skippedFeatures, dataName, featureColumn.Name);
        if (builder.RowCount == 0)
        {
            long skipped = skippedLabels + skippedWeights + skippedFeatures;
            throw new InvalidOperationException(
                $"The {dataName} has no usable rows" + (skipped > 0
                    ? $": all {skipped} row(s) have a missing label, an invalid weight or a non-finite feature value."
                    : ": it is empty."));
        }
        return builder.ToDataset();
    }

    /// <summary>The warning for rows skipped by <see cref="MlpTrainerOptionsBase.SkipRowsWithNonFiniteFeatures"/>:
    /// count, data name, feature column.</summary>
    internal const string NonFiniteRowsSkipped =
        "Skipped {0} row(s) of the {1} with a NaN or infinite value in the feature column '{2}' (SkipRowsWithNonFiniteFeatures is on).";

    /// <summary>Whether every stored value of a feature vector is finite (implicit zeros of a sparse vector are).</summary>
    internal static bool AllFinite(in VBuffer<float> features)
    {
        foreach (float value in features.GetValues())
        {
            if (!float.IsFinite(value))
                return false;
        }
        return true;
    }

    internal static bool IsUsableLabel(float label, NetworkDescription network) => network.Loss switch
    {
        LossFunction.BinaryCrossEntropy => label is 0f or 1f,
        LossFunction.SoftmaxCrossEntropy => label >= 0 && label < network.OutputCount,
        _ => float.IsFinite(label),
    };

    internal static string DescribeBadLabel(float label, NetworkDescription network, string column, string dataName, long row) => network.Loss switch
    {
        LossFunction.BinaryCrossEntropy =>
            $"The label column '{column}' of the {dataName} has the value {label} in row {row}; a binary label must be false or true (0 or 1).",
        LossFunction.SoftmaxCrossEntropy =>
            $"The label column '{column}' of the {dataName} has class index {label} in row {row}, but the model has " +
            $"{network.OutputCount} classes (the label key type of the training data). Map the validation labels with the same MapValueToKey transformer.",
        _ => $"The label column '{column}' of the {dataName} has the value {label} in row {row}; a regression label must be finite.",
    };

    /// <summary>
    /// Copies one feature vector (dense or sparse) into <paramref name="destination"/>; a non-finite value is an error
    /// naming the column, the row and the slot.
    /// </summary>
    internal static void CopyFeatures(in VBuffer<float> source, Span<float> destination, string featureColumnName, string dataName, long row)
    {
        var values = source.GetValues();
        if (source.IsDense)
        {
            values.CopyTo(destination);
        }
        else
        {
            destination.Clear();
            var indices = source.GetIndices();
            for (int i = 0; i < values.Length; i++)
                destination[indices[i]] = values[i];
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                int slot = source.IsDense ? i : source.GetIndices()[i];
                throw new InvalidOperationException(
                    $"The feature column '{featureColumnName}' of the {dataName} has a non-finite value ({values[i]}) in row {row} " +
                    $"(0-based), slot {slot}. Replace or remove missing values before training, for example with " +
                    "mlContext.Transforms.ReplaceMissingValues or mlContext.Data.FilterRowsByMissingValues.");
            }
        }
    }

    /// <summary>Growable dense destination arrays.</summary>
    private sealed class Builder(int featureCount, int capacity, bool hasWeights, string featureColumnName, string dataName)
    {
        private float[] _features = new float[capacity * featureCount];
        private float[] _labels = new float[capacity];
        private float[]? _weights = hasWeights ? new float[capacity] : null;
        private int _capacity = capacity;

        public int RowCount { get; private set; }

        public void Add(in VBuffer<float> source, float label, float weight, long row)
        {
            if (RowCount == _capacity)
                Grow();

            CopyFeatures(in source, _features.AsSpan(RowCount * featureCount, featureCount), featureColumnName, dataName, row);

            _labels[RowCount] = label;
            if (_weights is not null)
                _weights[RowCount] = weight;
            RowCount++;
        }

        public Dataset ToDataset()
        {
            if (RowCount < _capacity)
            {
                Array.Resize(ref _features, RowCount * featureCount);
                Array.Resize(ref _labels, RowCount);
                if (_weights is not null)
                    Array.Resize(ref _weights, RowCount);
            }
            return new Dataset(_features, RowCount, featureCount, _labels, _weights);
        }

        private void Grow()
        {
            long rows = Math.Min(2L * _capacity, Array.MaxLength / featureCount);
            if (rows <= _capacity)
            {
                throw new InvalidOperationException(
                    $"The {dataName} has more than {_capacity:N0} rows of {featureCount:N0} features, which is more than one in-memory array can hold.");
            }
            TrainingDataChecks.CheckDenseCopy(rows, featureCount, dataName, featureColumnName);
            _capacity = (int)rows;
            Array.Resize(ref _features, _capacity * featureCount);
            Array.Resize(ref _labels, _capacity);
            if (_weights is not null)
                Array.Resize(ref _weights, _capacity);
        }
    }
}
