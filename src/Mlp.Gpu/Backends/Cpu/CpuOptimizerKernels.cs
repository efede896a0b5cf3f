using System.Runtime.Intrinsics;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Optimizers;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// Fused optimizer updates over a range of the flat buffers, vectorized; the scalar tail and the reference are
/// <see cref="OptimizerMath.Update"/>, whose operation order the vector code follows so both round alike.
/// </summary>
internal static unsafe class CpuOptimizerKernels
{
    /// <summary>Updates elements [start, end) (weights below step.WeightCount, biases above).</summary>
    public static void Update(in OptimizerStep s, float* w, float* g, float* m, float* v, int start, int end)
    {
        int split = Math.Clamp(s.WeightCount, start, end);
        UpdateRange(s, true, w, g, m, v, start, split);
        UpdateRange(s, false, w, g, m, v, split, end);
    }

    private static void UpdateRange(in OptimizerStep s, bool isWeight, float* w, float* g, float* m, float* v, int start, int end)
    {
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            var lr = Vector256.Create(s.LearningRate);
            var l2 = Vector256.Create(isWeight ? s.L2Regularization : 0f);
            var decay = Vector256.Create(isWeight ? s.LearningRate * s.WeightDecay : 0f);
            var mu = Vector256.Create(s.Momentum);
            var b1 = Vector256.Create(s.Beta1);
            var b2 = Vector256.Create(s.Beta2);
            var oneMinusB1 = Vector256.Create(1f - s.Beta1);
            var oneMinusB2 = Vector256.Create(1f - s.Beta2);
            var c1 = Vector256.Create(s.BiasCorrection1);
            var c2 = Vector256.Create(s.BiasCorrection2);
            var eps = Vector256.Create(s.Epsilon);
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var wi = Vector256.Load(w + i);
                var gi = Vector256.Load(g + i) + l2 * wi;
                wi -= decay * wi;
                switch (s.Kind)
                {
                    case MlpOptimizer.Sgd:
                        wi -= lr * gi;
                        break;
                    case MlpOptimizer.Momentum:
                    {
                        var mi = mu * Vector256.Load(m + i) + gi;
                        Vector256.Store(mi, m + i);
                        wi -= lr * mi;
                        break;
                    }
                    case MlpOptimizer.Nesterov:
                    {
                        var mi = mu * Vector256.Load(m + i) + gi;
                        Vector256.Store(mi, m + i);
                        wi -= lr * (gi + mu * mi);
                        break;
                    }
                    default:
                    {
                        var mi = b1 * Vector256.Load(m + i) + oneMinusB1 * gi;
                        var vi = b2 * Vector256.Load(v + i) + oneMinusB2 * gi * gi;
                        Vector256.Store(mi, m + i);
                        Vector256.Store(vi, v + i);
                        wi -= lr * (mi * c1) / (Vector256.Sqrt(vi * c2) + eps);
                        break;
                    }
                }
                Vector256.Store(wi, w + i);
            }
        }
        float dummy = 0f;
        for (; i < end; i++)
        {
            ref float mi = ref m == null ? ref dummy : ref m[i];
            ref float vi = ref v == null ? ref dummy : ref v[i];
            OptimizerMath.Update(s, isWeight, ref w[i], g[i], ref mi, ref vi);
        }
    }
}
