using Microsoft.ML.Data;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Small seeded data sets built in memory, with a known-size <c>Features</c> vector.</summary>
internal static class SyntheticData
{
    public const int FeatureCount = 6;

    public sealed class BinaryRow
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class FloatLabelRow
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public sealed class PointRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    /// <summary>Label = x0 + x1·x2 − x3 &gt; 0 with noise; the last two features are noise.</summary>
    public static IDataView Binary(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new BinaryRow[rows];
        for (int i = 0; i < rows; i++)
        {
            var x = RandomVector(random);
            data[i] = new BinaryRow { Features = x, Label = x[0] + x[1] * x[2] - x[3] + 0.1f * Gaussian(random) > 0 };
        }
        return ml.Data.LoadFromEnumerable(data);
    }

    /// <summary>Class = the quadrant of (x0, x1), plus class 3 when |x2| is large: 4 classes (float labels 0-3).</summary>
    public static IDataView Multiclass(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new FloatLabelRow[rows];
        for (int i = 0; i < rows; i++)
        {
            var x = RandomVector(random);
            int label = Math.Abs(x[2]) > 1.2f ? 3 : x[0] > 0 ? (x[1] > 0 ? 0 : 1) : 2;
            data[i] = new FloatLabelRow { Features = x, Label = label };
        }
        return ml.Data.LoadFromEnumerable(data);
    }

    /// <summary>Label = 3·sin(x0) + x1² − 2·x2 + noise.</summary>
    public static IDataView Regression(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new FloatLabelRow[rows];
        for (int i = 0; i < rows; i++)
        {
            var x = RandomVector(random);
            data[i] = new FloatLabelRow { Features = x, Label = 3 * MathF.Sin(x[0]) + x[1] * x[1] - 2 * x[2] + 0.1f * Gaussian(random) };
        }
        return ml.Data.LoadFromEnumerable(data);
    }

    /// <summary>Two concentric noisy circles in 2-D (radius 0.5 labelled true, radius 1 false): not linearly separable.</summary>
    public static IDataView Circles(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new PointRow[rows];
        for (int i = 0; i < rows; i++)
        {
            bool inner = i % 2 == 0;
            double angle = random.NextDouble() * 2 * Math.PI;
            double radius = (inner ? 0.5 : 1.0) + 0.08 * Gaussian(random);
            data[i] = new PointRow { Features = [(float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle))], Label = inner };
        }
        return ml.Data.LoadFromEnumerable(data);
    }

    private static float[] RandomVector(Random random)
    {
        var x = new float[FeatureCount];
        for (int j = 0; j < x.Length; j++)
            x[j] = Gaussian(random);
        return x;
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
