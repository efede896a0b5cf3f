namespace Mlp.Gpu.Training;

/// <summary>
/// Running weighted sums of the labels (Σw, Σw·y, Σw·y² per output, in double) that give the total sum of squares
/// Σ_i w_i·Σ_j (y_ij − ȳ_j)² — the denominator of R² — in one pass, for data seen only as a stream.
/// </summary>
internal sealed class LabelMoments(int width)
{
    private readonly double[] _sumWy = new double[width];
    private readonly double[] _sumWy2 = new double[width];
    private double _sumW;

    /// <summary>Σ_j (Σw·y² − (Σw·y)²/Σw).</summary>
    public double TotalSquares
    {
        get
        {
            if (_sumW <= 0)
                return 0;
            double total = 0;
            for (int j = 0; j < width; j++)
                total += _sumWy2[j] - _sumWy[j] * _sumWy[j] / _sumW;
            return Math.Max(0, total);
        }
    }

    public void Clear()
    {
        Array.Clear(_sumWy);
        Array.Clear(_sumWy2);
        _sumW = 0;
    }

    /// <summary>Adds rows of labels [rows x width]; <paramref name="weights"/> empty means all 1.</summary>
    public void Add(ReadOnlySpan<float> labels, ReadOnlySpan<float> weights)
    {
        int rows = labels.Length / width;
        for (int r = 0; r < rows; r++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[r];
            _sumW += w;
            for (int j = 0; j < width; j++)
            {
                double y = labels[r * width + j];
                _sumWy[j] += w * y;
                _sumWy2[j] += w * y * y;
            }
        }
    }
}
