using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;
namespace Mlp.Gpu.Tests;

/// <summary>Seeded synthetic problems from the course: XOR, two interleaved spirals, Gaussian blobs, a smooth regression.</summary>
internal static class TestData
{
    public static Dataset Xor()
    {
        float[] x = [0, 0, 0, 1, 1, 0, 1, 1];
        float[] y = [0, 1, 1, 0];
        return new Dataset(x, 4, 2, y);
    }

    /// <summary>Two spirals of <paramref name="perClass"/> points each, 1.5 turns, labels 0/1.</summary>
    public static Dataset Spirals(int perClass, int seed, float noise = 0.05f)
    {
        var random = new Random(seed);
        var x = new float[perClass * 2 * 2];
        var y = new float[perClass * 2];
        for (int i = 0; i < perClass; i++)
        {
            double t = 0.25 + 3.0 * Math.PI * i / perClass;
            double r = t / (3.0 * Math.PI);
            for (int c = 0; c < 2; c++)
            {
                int row = 2 * i + c;
                double angle = t + c * Math.PI;
                x[2 * row] = (float)(r * Math.Cos(angle) + noise * Gaussian(random));
                x[2 * row + 1] = (float)(r * Math.Sin(angle) + noise * Gaussian(random));
                y[row] = c;
            }
        }
        return new Dataset(x, perClass * 2, 2, y);
    }

    /// <summary>k Gaussian blobs in d dimensions, labels 0..k-1.</summary>
    public static Dataset Blobs(int rows, int features, int classes, int seed)
    {
        var random = new Random(seed);
        var centers = new double[classes, features];
        for (int c = 0; c < classes; c++)
            for (int f = 0; f < features; f++)
                centers[c, f] = random.NextDouble() * 6 - 3;
        var x = new float[rows * features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            int c = r % classes;
            y[r] = c;
            for (int f = 0; f < features; f++)
                x[r * features + f] = (float)(centers[c, f] + 0.5 * Gaussian(random));
        }
        return new Dataset(x, rows, features, y);
    }

    /// <summary>y = sin(2x₀) + x₁²/2 + small noise, on [-1.5, 1.5]².</summary>
    public static Dataset SmoothRegression(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * 2];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double a = random.NextDouble() * 3 - 1.5, b = random.NextDouble() * 3 - 1.5;
            x[2 * r] = (float)a;
            x[2 * r + 1] = (float)b;
            y[r] = (float)(Math.Sin(2 * a) + 0.5 * b * b + 0.01 * Gaussian(random));
        }
        return new Dataset(x, rows, 2, y);
    }

    public static Dataset Random(int rows, NetworkDescription net, int seed, bool weighted)
    {
        var random = new Random(seed);
        var x = new float[rows * net.InputCount];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)Gaussian(random);
        var y = new float[rows * net.LabelWidth];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = net.Loss switch
            {
                LossFunction.BinaryCrossEntropy => random.Next(2),
                LossFunction.SoftmaxCrossEntropy => random.Next(net.OutputCount),
                _ => (float)(2 * Gaussian(random)),
            };
        }
        float[]? w = weighted ? Enumerable.Range(0, rows).Select(_ => (float)(0.25 + 1.5 * random.NextDouble())).ToArray() : null;
        return new Dataset(x, rows, net.InputCount, y, w);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Fraction of rows the predictor classifies correctly.</summary>
    public static double Accuracy(NetworkPredictor predictor, Dataset data)
    {
        var output = new float[predictor.Network.OutputCount];
        int correct = 0;
        for (int r = 0; r < data.RowCount; r++)
        {
            predictor.Predict(data.Features.AsSpan(r * data.FeatureCount, data.FeatureCount), output);
            int predicted = predictor.Network.Loss == LossFunction.BinaryCrossEntropy
                ? (output[0] > 0 ? 1 : 0)
                : Array.IndexOf(output, output.Max());
            if (predicted == (int)data.Labels[r])
                correct++;
        }
        return (double)correct / data.RowCount;
    }
}
