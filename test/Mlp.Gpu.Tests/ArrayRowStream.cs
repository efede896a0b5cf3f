using Mlp.Gpu.Training;
namespace Mlp.Gpu.Tests;

/// <summary>Serves a dataset's rows in order, recording how it is read.</summary>
internal sealed class ArrayRowStream(Dataset data, int? take = null) : IRowStream
{
    private int _next;

    public int FeatureCount => data.FeatureCount;

    public int LabelWidth => data.LabelWidth;

    public bool HasWeights => data.Weights is not null;

    public int Resets { get; private set; }

    public int LargestRead { get; private set; }

    public void Reset()
    {
        _next = 0;
        Resets++;
    }

    public int Read(Span<float> features, Span<float> labels, Span<float> weights, int maxRows)
    {
        LargestRead = Math.Max(LargestRead, maxRows);
        int rows = Math.Min(Math.Min(maxRows, 7), (take ?? data.RowCount) - _next); // short reads must be fine too
        data.Features.AsSpan(_next * FeatureCount, rows * FeatureCount).CopyTo(features);
        data.Labels.AsSpan(_next * LabelWidth, rows * LabelWidth).CopyTo(labels);
        if (HasWeights)
            data.Weights.AsSpan(_next, rows).CopyTo(weights);
        _next += rows;
        return rows;
    }
}
