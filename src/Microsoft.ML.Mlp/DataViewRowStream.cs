using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// The training rows of an <see cref="IDataView"/> as a stream (<see cref="IRowStream"/>): a fresh cursor per epoch,
/// rows copied straight into the trainer's block buffers, so memory stays bounded whatever the data's size. Rows are
/// filtered and checked as <see cref="DataViewReader"/> does for cached data: missing labels and invalid weights are
/// skipped and counted, a non-finite feature or an out-of-range label is an error naming the column and row.
/// </summary>
internal sealed class DataViewRowStream : IRowStream, IDisposable
{
    private readonly IHost _host;
    private readonly RoleMappedData _data;
    private readonly NetworkDescription _network;
    private readonly float[]? _classWeights;
    private readonly CancellationToken _cancellationToken;
    private readonly bool _skipNonFiniteFeatures;
    private readonly DataViewSchema.Column[] _columns;
    private readonly DataViewSchema.Column _featureColumn;
    private readonly DataViewSchema.Column _labelColumn;
    private DataViewRowCursor? _cursor;
    private ValueGetter<VBuffer<float>>? _getFeatures;
    private ValueGetter<float>? _getLabel;
    private ValueGetter<float>? _getWeight;
    private VBuffer<float> _features;
    private long _row;

    public DataViewRowStream(IHost host, RoleMappedData data, NetworkDescription network, float[]? classWeights, CancellationToken cancellationToken,
        bool skipNonFiniteFeatures = false)
    {
        _skipNonFiniteFeatures = skipNonFiniteFeatures;
        _host = host;
        _data = data;
        _network = network;
        _classWeights = classWeights;
        _cancellationToken = cancellationToken;
        _featureColumn = data.Schema.Feature!.Value;
        _labelColumn = data.Schema.Label!.Value;
        _columns = data.Schema.Weight is { } w ? [_featureColumn, _labelColumn, w] : [_featureColumn, _labelColumn];
        HasWeights = data.Schema.Weight is not null || classWeights is not null;
    }

    public int FeatureCount => _network.InputCount;

    public int LabelWidth => 1;

    public bool HasWeights { get; }

    /// <summary>Rows of the last pass skipped for a missing label.</summary>
    public long SkippedLabels { get; private set; }

    /// <summary>Rows of the last pass skipped for a negative or non-finite weight.</summary>
    public long SkippedWeights { get; private set; }

    /// <summary>Rows of the last pass skipped for a non-finite feature value (with SkipRowsWithNonFiniteFeatures).</summary>
    public long SkippedFeatures { get; private set; }

    /// <summary>Rows of the last pass handed to the trainer.</summary>
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
            if (++_row % 4096 == 0)
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
            if (!DataViewReader.IsUsableLabel(label, _network))
                throw new InvalidOperationException(DataViewReader.DescribeBadLabel(label, _network, _labelColumn.Name, "training data", _row));
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
            if (_skipNonFiniteFeatures && !DataViewReader.AllFinite(in _features))
            {
                SkippedFeatures++;
                continue;
            }
            DataViewReader.CopyFeatures(in _features, features.Slice(count * d, d), _featureColumn.Name, "training data", _row);
            labels[count] = label;
            if (HasWeights)
                weights[count] = weight * (_classWeights?[(int)label] ?? 1f);
            count++;
        }
        RowsRead += count;
        return count;
    }

    public void Dispose() => _cursor?.Dispose();
}
