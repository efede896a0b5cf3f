using Mlp.Gpu.Network;
namespace Mlp.Gpu.Training;

/// <summary>The rows of another stream with their features (and regression labels) standardized as they are read.</summary>
/// <param name="source">The raw rows.</param>
/// <param name="featureScaling">The map of the features; null leaves them raw.</param>
/// <param name="labelScaling">The map of the labels; null leaves them raw.</param>
internal sealed class StandardizedRowStream(IRowStream source, Standardization? featureScaling, Standardization? labelScaling) : IRowStream
{
    public int FeatureCount => source.FeatureCount;

    public int LabelWidth => source.LabelWidth;

    public bool HasWeights => source.HasWeights;

    public void Reset() => source.Reset();

    public int Read(Span<float> features, Span<float> labels, Span<float> weights, int maxRows)
    {
        int read = source.Read(features, labels, weights, maxRows);
        featureScaling?.Apply(features[..(read * FeatureCount)]);
        labelScaling?.Apply(labels[..(read * LabelWidth)]);
        return read;
    }

    /// <summary>One exact pass over <paramref name="rows"/> in blocks of <paramref name="blockRows"/> rows, measuring
    /// the features and the labels (weighted by the rows' weights).</summary>
    public static (StandardizationBuilder Features, StandardizationBuilder Labels) Measure(IRowStream rows, int blockRows)
    {
        var features = new StandardizationBuilder(rows.FeatureCount);
        var labels = new StandardizationBuilder(rows.LabelWidth);
        var featureBlock = new float[(long)blockRows * rows.FeatureCount];
        var labelBlock = new float[(long)blockRows * rows.LabelWidth];
        var weightBlock = rows.HasWeights ? new float[blockRows] : [];
        rows.Reset();
        int read;
        while ((read = rows.Read(featureBlock, labelBlock, weightBlock, blockRows)) > 0)
        {
            var weights = rows.HasWeights ? weightBlock.AsSpan(0, read) : default;
            features.Add(featureBlock.AsSpan(0, read * rows.FeatureCount), weights);
            labels.Add(labelBlock.AsSpan(0, read * rows.LabelWidth), weights);
        }
        return (features, labels);
    }
}
