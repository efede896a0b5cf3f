using Mlp.Gpu.Network;
namespace Mlp.Gpu.Training;

/// <summary>
/// Weighted mean and standard deviation per column, accumulated row by row with West's weighted update in double, so
/// large offsets (values near 10⁶ with a spread of 1) lose no precision and one pass over a stream is exact. It also
/// notes which columns hold only 0 and 1 (indicators, such as one-hot categories).
/// </summary>
internal sealed class StandardizationBuilder
{
    private readonly double[] _mean;
    private readonly double[] _m2;
    private readonly bool[] _indicator;
    private double _weight;

    public StandardizationBuilder(int width)
    {
        _mean = new double[width];
        _m2 = new double[width];
        _indicator = new bool[width];
        Array.Fill(_indicator, true);
    }

    /// <summary>Total weight of the rows added.</summary>
    public double TotalWeight => _weight;

    /// <summary>Adds row-major rows [rows x width] with their weights (empty: every row weighs 1); rows of weight 0
    /// do not count.</summary>
    public void Add(ReadOnlySpan<float> rows, ReadOnlySpan<float> weights)
    {
        int d = _mean.Length;
        for (int r = 0; (r + 1) * d <= rows.Length; r++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[r];
            if (w <= 0)
                continue;
            double total = _weight + w;
            var row = rows.Slice(r * d, d);
            for (int j = 0; j < d; j++)
            {
                _indicator[j] &= row[j] is 0f or 1f;
                double delta = row[j] - _mean[j];
                double step = delta * w / total;
                _mean[j] += step;
                _m2[j] += _weight * delta * step;
            }
            _weight = total;
        }
    }

    /// <summary>The map to zero mean and unit variance (population variance); a column with no spread keeps scale 1.
    /// Null when no row had a positive weight.</summary>
    /// <param name="keepIndicators">Leave the columns that hold only 0 and 1 as they are (mean 0, scale 1): a
    /// one-hot category seen in 1% of the rows would otherwise become a value near 10 that the network fits to those
    /// few rows.</param>
    public Standardization? Build(bool keepIndicators)
    {
        if (!(_weight > 0))
            return null;
        var mean = (double[])_mean.Clone();
        var scale = new double[_mean.Length];
        for (int j = 0; j < scale.Length; j++)
        {
            double sd = Math.Sqrt(Math.Max(0, _m2[j] / _weight));
            // No spread, or a spread lost in the rounding of the mean's own magnitude: leave the column unscaled.
            scale[j] = sd > 1e-7 * Math.Max(1.0, Math.Abs(_mean[j])) && double.IsFinite(sd) ? sd : 1.0;
            if (keepIndicators && _indicator[j])
                (mean[j], scale[j]) = (0.0, 1.0);
        }
        return new Standardization(mean, scale);
    }
}
