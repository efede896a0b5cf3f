using System.Runtime.CompilerServices;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Optimizers;

/// <summary>
/// The per-parameter update of every optimizer, in scalar form: used by the CPU backend's tail loop, by the ILGPU
/// kernel and as the reference in tests. Decay and L2 apply to weights only (index &lt; WeightCount), in this one place.
/// </summary>
internal static class OptimizerMath
{
    /// <summary>Updates parameter <paramref name="w"/> with gradient <paramref name="g"/> and its state m, v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update(in OptimizerStep s, bool isWeight, ref float w, float g, ref float m, ref float v)
    {
        if (isWeight)
        {
            g += s.L2Regularization * w;              // coupled L2: gradient of ½λ‖W‖²
            w -= s.LearningRate * s.WeightDecay * w;  // decoupled decay (AdamW), before the step
        }
        switch (s.Kind)
        {
            case MlpOptimizer.Sgd:
                w -= s.LearningRate * g;
                break;
            case MlpOptimizer.Momentum:
                m = s.Momentum * m + g;
                w -= s.LearningRate * m;
                break;
            case MlpOptimizer.Nesterov:
                m = s.Momentum * m + g;
                w -= s.LearningRate * (g + s.Momentum * m);
                break;
            default: // Adam, AdamW
                m = s.Beta1 * m + (1f - s.Beta1) * g;
                v = s.Beta2 * v + (1f - s.Beta2) * g * g;
                w -= s.LearningRate * (m * s.BiasCorrection1) / (MathF.Sqrt(v * s.BiasCorrection2) + s.Epsilon);
                break;
        }
    }
}
