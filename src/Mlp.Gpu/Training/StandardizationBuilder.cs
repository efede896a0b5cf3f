using Mlp.Gpu.Network;
namespace Mlp.Gpu.Training;

/// <summary>
/// Weighted mean and standard deviation per column, accumulated row by row with West's weighted update in double, so
/// large offsets (values near 10⁶ with a spread of 1) lose no precision and one pass over a stream is exact. It also
/// notes the first two distinct values of each column, to recognise two-valued columns (one-hot categories, flags).
/// </summary>
internal sealed class StandardizationBuilder
{
    private readonly double[] _mean;
    private readonly double[] _m2;
    private readonly float[] _first;
    private readonly float[] _second;
    private readonly bool[] _manyValues;
    private double _weight;

    public StandardizationBuilder(int width)
    {
        _mean = new double[width];
        _m2 = new double[width];
        _first = new float[width];
        _second = new float[width];
        _manyValues = new bool[width];
        Array.Fill(_first, float.NaN); // NaN: no value yet (rows are finite, and NaN equals nothing)
        Array.Fill(_second, float.NaN);
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
                float value = row[j];
                if (!_manyValues[j] && value != _first[j] && value != _second[j])
                {
                    if (float.IsNaN(_first[j]))
                        _first[j] = value;
                    else if (float.IsNaN(_second[j]))
                        _second[j] = value;
                    else
                        _manyValues[j] = true;
                }
                double delta = value - _mean[j];
                double step = delta * w / total;
                _mean[j] += step;
                _m2[j] += _weight * delta * step;
            }
            _weight = total;
        }
    }

    /// <summary>The map to zero mean and unit variance (population variance); a column with no spread keeps scale 1.
    /// Null when no row had a positive weight.</summary>
    /// <param name="twoValuedToZeroOne">Map each column that takes exactly two values to 0 (the lower) and 1 instead:
    /// a one-hot category seen in 1% of the rows would otherwise become a value near 10 that the network fits to those
    /// few rows, and a pipeline's normaliser may have turned its 0/1 into any other pair.</param>
    public Standardization? Build(bool twoValuedToZeroOne)
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
            if (twoValuedToZeroOne && !_manyValues[j] && !float.IsNaN(_second[j]))
            {
                double low = Math.Min(_first[j], _second[j]), high = Math.Max(_first[j], _second[j]);
                (mean[j], scale[j]) = (low, high - low);
            }
        }
        return new Standardization(mean, scale);
    }
}
