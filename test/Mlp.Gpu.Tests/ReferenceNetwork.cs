using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;
namespace Mlp.Gpu.Tests;

/// <summary>
/// A deliberately naive float64 implementation of the forward pass and loss, written from the math, used as the
/// reference that finite differences and the optimized kernels are checked against.
/// </summary>
internal static class ReferenceNetwork
{
    public static double[] Forward(NetworkDescription net, double[] p, ReadOnlySpan<float> x)
    {
        var a = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            a[i] = x[i];
        foreach (var layer in net.Layers)
        {
            var z = new double[layer.OutputCount];
            for (int j = 0; j < layer.OutputCount; j++)
            {
                double sum = p[layer.BiasOffset + j];
                for (int i = 0; i < layer.InputCount; i++)
                    sum += p[layer.WeightOffset + j * layer.InputCount + i] * a[i];
                z[j] = Activate(layer.Activation, sum);
            }
            a = z;
        }
        return a;
    }

    /// <summary>Mean over the rows of w_r·L_r (the minibatch objective whose gradient the backward pass computes).</summary>
    public static double BatchLoss(NetworkDescription net, double[] p, Dataset data)
    {
        double total = 0;
        for (int r = 0; r < data.RowCount; r++)
        {
            var z = Forward(net, p, data.Features.AsSpan(r * data.FeatureCount, data.FeatureCount));
            var y = data.Labels.AsSpan(r * data.LabelWidth, data.LabelWidth);
            total += (data.Weights?[r] ?? 1.0) * Loss(net, z, y);
        }
        return total / data.RowCount;
    }

    public static double Loss(NetworkDescription net, double[] z, ReadOnlySpan<float> y)
    {
        switch (net.Loss)
        {
            case LossFunction.BinaryCrossEntropy:
            {
                double p = 1 / (1 + Math.Exp(-z[0]));
                return -(y[0] * Math.Log(p) + (1 - y[0]) * Math.Log(1 - p));
            }
            case LossFunction.SoftmaxCrossEntropy:
            {
                double sum = z.Sum(Math.Exp);
                return -Math.Log(Math.Exp(z[(int)y[0]]) / sum);
            }
            case LossFunction.Squared:
            {
                double total = 0;
                for (int j = 0; j < z.Length; j++)
                    total += (z[j] - y[j]) * (z[j] - y[j]);
                return total / z.Length;
            }
            default:
            {
                double delta = net.HuberDelta, total = 0;
                for (int j = 0; j < z.Length; j++)
                {
                    double r = Math.Abs(z[j] - y[j]);
                    total += r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta);
                }
                return total / z.Length;
            }
        }
    }

    public static double Activate(MlpActivation activation, double z) => activation switch
    {
        MlpActivation.Identity => z,
        MlpActivation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        MlpActivation.Tanh => Math.Tanh(z),
        MlpActivation.Relu => Math.Max(0, z),
        MlpActivation.LeakyRelu => z > 0 ? z : 0.01 * z,
        MlpActivation.Gelu => 0.5 * z * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z))),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>ds/dz of <see cref="Activate"/>, differentiated by hand (ReLU's kink counted as 0).</summary>
    public static double Derivative(MlpActivation activation, double z)
    {
        switch (activation)
        {
            case MlpActivation.Identity:
                return 1;
            case MlpActivation.Sigmoid:
            {
                double s = 1 / (1 + Math.Exp(-z));
                return s * (1 - s);
            }
            case MlpActivation.Tanh:
                return 1 - Math.Tanh(z) * Math.Tanh(z);
            case MlpActivation.Relu:
                return z > 0 ? 1 : 0;
            case MlpActivation.LeakyRelu:
                return z > 0 ? 1 : 0.01;
            case MlpActivation.Gelu:
            {
                // s = ½·z·(1 + tanh u), u = c·(z + a·z³): s' = ½·(1 + tanh u) + ½·z·(1 − tanh² u)·c·(1 + 3·a·z²).
                double c = Math.Sqrt(2 / Math.PI), t = Math.Tanh(c * (z + 0.044715 * z * z * z));
                return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }
}
