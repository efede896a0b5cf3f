using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Optimizers;

/// <summary>
/// Everything one fused optimizer update needs, resolved on the host for step t (so kernels do no pow/branching on
/// settings): the rule, the scalars, and Adam's bias corrections 1/(1−β₁ᵗ) and 1/(1−β₂ᵗ).
/// </summary>
internal readonly record struct OptimizerStep(
    MlpOptimizer Kind,
    float LearningRate,
    float Momentum,
    float Beta1,
    float Beta2,
    float Epsilon,
    float WeightDecay,
    float L2Regularization,
    int WeightCount,
    float BiasCorrection1,
    float BiasCorrection2)
{
    /// <summary>The update for step <paramref name="t"/> (1-based) at learning rate <paramref name="learningRate"/>.</summary>
    public static OptimizerStep Create(OptimizerSettings settings, int t, float learningRate, int weightCount) => new(
        settings.Kind,
        learningRate,
        settings.Momentum,
        settings.Beta1,
        settings.Beta2,
        settings.Epsilon,
        settings.WeightDecay,
        settings.L2Regularization,
        weightCount,
        (float)(1.0 / (1.0 - Math.Pow(settings.Beta1, t))),
        (float)(1.0 / (1.0 - Math.Pow(settings.Beta2, t))));

    /// <summary>Whether the rule keeps a first-moment / velocity buffer.</summary>
    public static bool NeedsFirstMoment(MlpOptimizer kind) => kind != MlpOptimizer.Sgd;

    /// <summary>Whether the rule keeps a second-moment buffer.</summary>
    public static bool NeedsSecondMoment(MlpOptimizer kind) => kind is MlpOptimizer.Adam or MlpOptimizer.AdamW;

    /// <summary>How many parameter-sized moment buffers the rule keeps (0 to 2).</summary>
    public static int MomentCount(MlpOptimizer kind) => (NeedsFirstMoment(kind) ? 1 : 0) + (NeedsSecondMoment(kind) ? 1 : 0);
}
