namespace Mlp.Gpu.Training;

/// <summary>
/// Holds out a shuffled part of a dataset for validation. For classification the split is stratified: each class
/// contributes the same fraction, so a validation set never ends up with one class only because the data was
/// sorted (the failure of taking the tail, as Keras' validation_split does).
/// </summary>
internal static class ValidationSplit
{
    /// <summary>Splits <paramref name="data"/> into training and validation rows (copies; the input is not modified).</summary>
    /// <param name="data">The rows to split; needs at least 2.</param>
    /// <param name="fraction">Share of rows held out, in (0, 1).</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="stratify">Split each class separately by its label (classification); false for regression.</param>
    public static (Dataset Training, Dataset Validation) Split(Dataset data, double fraction, int seed, bool stratify)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"The validation fraction must be in (0, 1); got {fraction}.");
        if (data.RowCount < 2)
            throw new ArgumentException($"Cannot hold out validation rows from {data.RowCount} row(s).", nameof(data));

        var random = new Random(seed);
        var groups = stratify
            ? Enumerable.Range(0, data.RowCount).GroupBy(r => data.Labels[r * data.LabelWidth]).OrderBy(g => g.Key).Select(g => g.ToArray())
            : [Enumerable.Range(0, data.RowCount).ToArray()];
        var training = new List<int>();
        var validation = new List<int>();
        foreach (var rows in groups)
        {
            random.Shuffle(rows);
            int held = (int)Math.Round(rows.Length * fraction);
            if (rows.Length >= 2)
                held = Math.Clamp(held, 1, rows.Length - 1);
            else
                held = 0;
            validation.AddRange(rows.AsSpan(0, held).ToArray());
            training.AddRange(rows.AsSpan(held).ToArray());
        }
        if (validation.Count == 0 || training.Count == 0)
            throw new ArgumentException($"A validation fraction of {fraction} leaves no rows on one side of the split of {data.RowCount} rows.", nameof(fraction));
        training.Sort();
        validation.Sort();
        return (Take(data, training), Take(data, validation));
    }

    private static Dataset Take(Dataset data, List<int> rows)
    {
        int d = data.FeatureCount, k = data.LabelWidth;
        var features = new float[rows.Count * d];
        var labels = new float[rows.Count * k];
        var weights = data.Weights is null ? null : new float[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            int r = rows[i];
            Array.Copy(data.Features, (long)r * d, features, (long)i * d, d);
            Array.Copy(data.Labels, (long)r * k, labels, (long)i * k, k);
            if (weights is not null)
                weights[i] = data.Weights![r];
        }
        return new Dataset(features, rows.Count, d, labels, weights);
    }
}
