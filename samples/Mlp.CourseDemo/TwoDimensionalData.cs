using Microsoft.ML.Data;

namespace Mlp.CourseDemo;

/// <summary>The three classic data sets no straight line can separate.</summary>
public enum TwoDimensionalShape
{
    /// <summary>Two concentric rings (scikit-learn's make_circles, factor 0.5).</summary>
    Circles,

    /// <summary>The four quadrants, label = x·y &gt; 0.</summary>
    Xor,

    /// <summary>Two interleaved spirals, 1.5 turns each: the hardest of the three.</summary>
    Spirals,
}

/// <summary>One labelled point; <c>Features</c> = (x, y).</summary>
public sealed class Point2D
{
    /// <summary>The class.</summary>
    public bool Label { get; set; }

    /// <summary>The coordinates (x, y).</summary>
    [VectorType(2)]
    public float[] Features { get; set; } = new float[2];
}

/// <summary>Generates the data sets, seeded so every run draws the same points.</summary>
public static class TwoDimensionalData
{
    /// <summary>Draws <paramref name="count"/> points, half of each class, with Gaussian noise of standard deviation
    /// <paramref name="noise"/>.</summary>
    public static List<Point2D> Generate(TwoDimensionalShape shape, int count, float noise, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var random = new Random(seed);
        var points = new List<Point2D>(count);
        for (int i = 0; i < count; i++)
        {
            bool label = i % 2 == 1;
            var (x, y) = shape switch
            {
                TwoDimensionalShape.Circles => Circle(random, label),
                TwoDimensionalShape.Xor => Xor(random, label),
                TwoDimensionalShape.Spirals => Spiral(random, label),
                _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown shape."),
            };
            points.Add(new Point2D
            {
                Label = label,
                Features = [(float)(x + noise * Gaussian(random)), (float)(y + noise * Gaussian(random))],
            });
        }
        return points;
    }

    private static (double X, double Y) Circle(Random random, bool inner)
    {
        double angle = 2 * Math.PI * random.NextDouble();
        double radius = inner ? 0.5 : 1.0;
        return (radius * Math.Cos(angle), radius * Math.Sin(angle));
    }

    private static (double X, double Y) Xor(Random random, bool sameSign)
    {
        // Keep a small gap around the axes so the classes are separable (by a non-linear boundary).
        double x = 0.1 + 0.9 * random.NextDouble(), y = 0.1 + 0.9 * random.NextDouble();
        bool flipX = random.Next(2) == 0;
        return sameSign
            ? (flipX ? (-x, -y) : (x, y))
            : (flipX ? (-x, y) : (x, -y));
    }

    private static (double X, double Y) Spiral(Random random, bool second)
    {
        // r grows with the angle t ∈ [0.25, 3π]; the second arm is the first rotated by π.
        double t = 0.25 + 3 * Math.PI * Math.Sqrt(random.NextDouble());
        double r = t / (3 * Math.PI);
        double angle = t + (second ? Math.PI : 0);
        return (r * Math.Cos(angle), r * Math.Sin(angle));
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller.
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
