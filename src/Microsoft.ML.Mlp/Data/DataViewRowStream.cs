using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Trainers.Mlp.Data;

/// <summary>
/// The one reader of training and validation rows: the feature, label and optional weight columns of an
/// <see cref="IDataView"/>, a fresh cursor per pass, rows copied straight into the caller's buffers. Streaming training
/// reads it once per epoch (<see cref="IRowStream"/>); cached training reads it once into a <see cref="Dataset"/>
/// (<see cref="ReadDataset"/>). Every row check and the class weights live here, once.
/// </summary>
/// <remarks>
/// As in ML.NET's trainers, rows whose label is missing (a missing key, a NaN regression target) or whose weight is
/// negative or not finite are skipped and counted. A non-finite feature value is an error naming the column, the row and
/// the slot, because silently dropping rows would hide a missing-value problem that prediction would then meet, unless
/// <see cref="MlpTrainerOptionsBase.SkipRowsWithNonFiniteFeatures"/> asks to skip and count such rows too. An
/// out-of-range label is an error naming the column and the row.
/// </remarks>
internal sealed class DataViewRowStream : IRowStream, IDisposable
{
    private const int CheckCancellationEveryRows = 4096;
    private const int InitialRowCapacity = 4096;

    private readonly IHost _host;
    private readonly RoleMappedData _data;
    private readonly NetworkDescription _network;
    private readonly string _dataName;
    private readonly float[]? _classWeights;
    private readonly bool _skipNonFiniteFeatures;
    private readonly CancellationToken _cancellationToken;
    private readonly DataViewSchema.Column[] _columns;
    private readonly DataViewSchema.Column _featureColumn;
    private readonly DataViewSchema.Column _labelColumn;
    private DataViewRowCursor? _cursor;
    private ValueGetter<VBuffer<float>>? _getFeatures;
    private ValueGetter<float>? _getLabel;
    private ValueGetter<float>? _getWeight;
    private VBuffer<float> _features;
    private long _row;

    /// <param name="host">Checked for cancellation while reading.</param>
    /// <param name="data">Role-mapped data with a known-size float vector feature column and a label column.</param>
    /// <param name="network">The network to train: its input width and head decide how rows are read and checked.</param>
    /// <param name="dataName">"training data" or "validation data", for messages.</param>
    /// <param name="classWeights">Weight of each class index, multiplied into the example weights; null for none.</param>
    /// <param name="skipNonFiniteFeatures">Skip and count rows with a NaN or infinite feature value instead of failing.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public DataViewRowStream(IHost host, RoleMappedData data, NetworkDescription network, string dataName, float[]? classWeights,
        bool skipNonFiniteFeatures, CancellationToken cancellationToken)
    {
        _host = host;
        _data = data;
        _network = network;
        _dataName = dataName;
        _classWeights = classWeights;
        _skipNonFiniteFeatures = skipNonFiniteFeatures;
        _cancellationToken = cancellationToken;
        _featureColumn = data.Schema.Feature!.Value;
        _labelColumn = data.Schema.Label!.Value;
        if (_featureColumn.Type is not VectorDataViewType { Size: var size } vector || vector.ItemType != NumberDataViewType.Single || size != network.InputCount)
        {
            throw new InvalidOperationException(
                $"The feature column '{_featureColumn.Name}' of the {dataName} has type {_featureColumn.Type}; " +
                $"expected a vector of {network.InputCount} Single values (Vector<Single, {network.InputCount}>).");
        }
        _columns = data.Schema.Weight is { } w ? [_featureColumn, _labelColumn, w] : [_featureColumn, _labelColumn];
        HasWeights = data.Schema.Weight is not null || classWeights is not null;
    }

    public int FeatureCount => _network.InputCount;

    public int LabelWidth => 1;

    public bool HasWeights { get; }

    /// <summary>The example-weight column's name, or null.</summary>
    public string? WeightColumnName => _data.Schema.Weight?.Name;

    /// <summary>Rows of the last pass skipped for a missing label.</summary>
    public long SkippedLabels { get; private set; }

    /// <summary>Rows of the last pass skipped for a negative or non-finite weight.</summary>
    public long SkippedWeights { get; private set; }

    /// <summary>Rows of the last pass skipped for a non-finite feature value (with SkipRowsWithNonFiniteFeatures).</summary>
    public long SkippedFeatures { get; private set; }

    /// <summary>Rows of the last pass handed to the caller.</summary>
    public long RowsRead { get; private set; }

    public void Reset()
    {
        _cursor?.Dispose();
        _cursor = _data.Data.GetRowCursor(_columns);
        _getFeatures = _cursor.GetGetter<VBuffer<float>>(_featureColumn);
        _getLabel = RowCursorUtils.GetLabelGetter(_cursor, _labelColumn.Index);
        _getWeight = _data.Schema.Weight is { } w ? _cursor.GetGetter<float>(w) : null;
        _row = -1;
        SkippedLabels = SkippedWeights = SkippedFeatures = RowsRead = 0;
    }

    public int Read(Span<float> features, Span<float> labels, Span<float> weights, int maxRows)
    {
        _host.Check(_cursor is not null, "Reset must be called before Read.");
        int d = FeatureCount, count = 0;
        float label = 0, weight = 1;
        while (count < maxRows && _cursor!.MoveNext())
        {
            if (++_row % CheckCancellationEveryRows == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                _host.CheckAlive();
            }
            _getLabel!(ref label);
            if (float.IsNaN(label))
            {
                SkippedLabels++;
                continue;
            }
            if (!IsUsableLabel(label))
                throw new InvalidOperationException(DescribeBadLabel(label));
            weight = 1;
            if (_getWeight is not null)
            {
                _getWeight(ref weight);
                if (!(weight >= 0) || float.IsPositiveInfinity(weight))
                {
                    SkippedWeights++;
                    continue;
                }
            }
            _getFeatures!(ref _features);
            if (!AllFinite(_features.GetValues()))
            {
                if (!_skipNonFiniteFeatures)
                    throw NonFiniteFeature(in _features);
                SkippedFeatures++;
                continue;
            }
            CopyFeatures(in _features, features.Slice(count * d, d));
            labels[count] = label;
            if (HasWeights)
                weights[count] = weight * (_classWeights?[(int)label] ?? 1f);
            count++;
        }
        RowsRead += count;
        if (RowsRead == 0 && count < maxRows) // the pass ended without one usable row: the one place this is detected
            throw NoUsableRows();
        return count;
    }

    /// <summary>Reads every usable row once into a dense <see cref="Dataset"/>, logging the rows skipped.</summary>
    /// <exception cref="InvalidOperationException">A feature value is not finite, a label is out of range, or no usable
    /// row remains.</exception>
    public Dataset ReadDataset(IChannel channel)
    {
        int d = FeatureCount;
        long maxRows = Array.MaxLength / d;
        int capacity = TrainingDataChecks.InitialRowCapacity(_host, _data.Data, d, InitialRowCapacity, _dataName, _featureColumn.Name, _cancellationToken);
        var features = new float[(long)capacity * d];
        var labels = new float[capacity];
        var weights = HasWeights ? new float[capacity] : null;
        int rows = 0;
        Reset();
        while (true)
        {
            if (rows == capacity)
            {
                long grown = Math.Min(2L * capacity, maxRows);
                if (grown <= capacity)
                {
                    throw new InvalidOperationException(
                        $"The {_dataName} has more than {capacity:N0} rows of {d:N0} features, which is more than one in-memory array can hold. " +
                        $"Set {nameof(MlpTrainerOptionsBase.StreamTrainingData)} to train from a stream.");
                }
                TrainingDataChecks.CheckDenseCopy(grown, d, _dataName, _featureColumn.Name);
                capacity = (int)grown;
                Array.Resize(ref features, capacity * d);
                Array.Resize(ref labels, capacity);
                if (weights is not null)
                    Array.Resize(ref weights, capacity);
            }
            int read = Read(features.AsSpan(rows * d), labels.AsSpan(rows), weights is null ? default : weights.AsSpan(rows), capacity - rows);
            if (read == 0)
                break;
            rows += read;
        }
        _cursor?.Dispose();
        _cursor = null;
        WarnSkipped(channel, "");
        if (rows < capacity)
        {
            Array.Resize(ref features, rows * d);
            Array.Resize(ref labels, rows);
            if (weights is not null)
                Array.Resize(ref weights, rows);
        }
        return new Dataset(features, rows, d, labels, weights);
    }

    /// <summary>Logs the rows the last pass skipped, one warning per reason.</summary>
    /// <param name="channel">ML.NET's log channel.</param>
    /// <param name="when">Appended to the data's name, e.g. " (each epoch)".</param>
    public void WarnSkipped(IChannel channel, string when)
    {
        if (SkippedLabels > 0)
            channel.Warning("Skipped {0} row(s) of the {1}{2} whose label in column '{3}' is missing.", SkippedLabels, _dataName, when, _labelColumn.Name);
        if (SkippedWeights > 0)
            channel.Warning("Skipped {0} row(s) of the {1}{2} whose weight in column '{3}' is negative or not finite.", SkippedWeights, _dataName, when, _data.Schema.Weight!.Value.Name);
        if (SkippedFeatures > 0)
        {
            channel.Warning("Skipped {0} row(s) of the {1}{2} with a NaN or infinite value in the feature column '{3}' (SkipRowsWithNonFiniteFeatures is on).",
                SkippedFeatures, _dataName, when, _featureColumn.Name);
        }
    }

    /// <summary>The error for a pass that found no usable row.</summary>
    private InvalidOperationException NoUsableRows()
    {
        long skipped = SkippedLabels + SkippedWeights + SkippedFeatures;
        return new InvalidOperationException($"The {_dataName} has no usable rows" + (skipped > 0
            ? $": all {skipped} row(s) have a missing label, an invalid weight or a non-finite feature value."
            : ": it is empty."));
    }

    public void Dispose() => _cursor?.Dispose();

    private bool IsUsableLabel(float label) => _network.Loss switch
    {
        LossFunction.BinaryCrossEntropy => label is 0f or 1f,
        LossFunction.SoftmaxCrossEntropy => label >= 0 && label < _network.OutputCount,
        _ => float.IsFinite(label),
    };

    private string DescribeBadLabel(float label) => _network.Loss switch
    {
        LossFunction.BinaryCrossEntropy => string.Create(CultureInfo.InvariantCulture,
            $"The label column '{_labelColumn.Name}' of the {_dataName} has the value {label} in row {_row}; a binary label must be false or true (0 or 1)."),
        LossFunction.SoftmaxCrossEntropy => string.Create(CultureInfo.InvariantCulture,
            $"The label column '{_labelColumn.Name}' of the {_dataName} has class index {label} in row {_row}, but the model has ") +
            $"{_network.OutputCount} classes (the label key type of the training data). Map the validation labels with the same MapValueToKey transformer.",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"The label column '{_labelColumn.Name}' of the {_dataName} has the value {label} in row {_row}; a regression label must be finite."),
    };

    /// <summary>Whether every stored value of a feature vector is finite (implicit zeros of a sparse vector are), in one
    /// vectorized pass.</summary>
    private static bool AllFinite(ReadOnlySpan<float> values) => values.IsEmpty || TensorPrimitives.IsFiniteAll(values);

    /// <summary>Copies one feature vector (dense or sparse).</summary>
    private static void CopyFeatures(in VBuffer<float> source, Span<float> destination)
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
    }

    /// <summary>The error for a feature vector with a non-finite value: the column, the row and the first such slot.</summary>
    private InvalidOperationException NonFiniteFeature(in VBuffer<float> source)
    {
        var values = source.GetValues();
        int i = 0;
        while (float.IsFinite(values[i]))
            i++;
        int slot = source.IsDense ? i : source.GetIndices()[i];
        return new InvalidOperationException(
            $"The feature column '{_featureColumn.Name}' of the {_dataName} has a non-finite value ({values[i]}) in row {_row} " +
            $"(0-based), slot {slot}. Replace or remove missing values before training, for example with " +
            "mlContext.Transforms.ReplaceMissingValues or mlContext.Data.FilterRowsByMissingValues.");
    }
}
