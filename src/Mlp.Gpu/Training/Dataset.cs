namespace Mlp.Gpu.Training;

/// <summary>
/// Dense training or validation examples: features row-major [rows x features], labels [rows x labelWidth],
/// optional per-example weights. The arrays are used as given (not copied) and never modified.
/// </summary>
internal sealed class Dataset
{
    /// <summary>Wraps the arrays.</summary>
    /// <param name="features">Row-major features, length <paramref name="rowCount"/> · <paramref name="featureCount"/>.</param>
    /// <param name="rowCount">Number of examples, at least 1.</param>
    /// <param name="featureCount">Features per example, at least 1.</param>
    /// <param name="labels">Labels, a whole multiple of <paramref name="rowCount"/>: 0/1 for binary, the class index
    /// for softmax, the target values for regression.</param>
    /// <param name="weights">Optional non-negative example weights, one per row; null means all 1.</param>
    public Dataset(float[] features, int rowCount, int featureCount, float[] labels, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (rowCount < 1)
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, "A dataset needs at least one row.");
        if (featureCount < 1)
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "A dataset needs at least one feature.");
        if (features.Length != (long)rowCount * featureCount)
            throw new ArgumentException($"Expected {(long)rowCount * featureCount} feature values ({rowCount} x {featureCount}), got {features.Length}.", nameof(features));
        if (labels.Length == 0 || labels.Length % rowCount != 0)
            throw new ArgumentException($"Expected a whole number of labels per row for {rowCount} rows, got {labels.Length}.", nameof(labels));
        if (weights is not null && weights.Length != rowCount)
            throw new ArgumentException($"Expected {rowCount} example weights, got {weights.Length}.", nameof(weights));
        Features = features;
        RowCount = rowCount;
        FeatureCount = featureCount;
        Labels = labels;
        Weights = weights;
    }

    /// <summary>Row-major features [RowCount x FeatureCount].</summary>
    public float[] Features { get; }

    /// <summary>Number of examples.</summary>
    public int RowCount { get; }

    /// <summary>Features per example.</summary>
    public int FeatureCount { get; }

    /// <summary>Labels [RowCount x LabelWidth].</summary>
    public float[] Labels { get; }

    /// <summary>Floats per label.</summary>
    public int LabelWidth => Labels.Length / RowCount;

    /// <summary>Example weights, or null when every example weighs 1.</summary>
    public float[]? Weights { get; }
}
