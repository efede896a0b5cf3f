using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Optimizers;

/// <summary>
/// Hyper-parameters of the optimizer, resolved by the ML.NET face from its validated options (the weight decay
/// already resolved to the value applied). Immutable, with no defaults of its own.
/// </summary>
internal sealed record OptimizerSettings
{
    /// <summary>The update rule.</summary>
    public required MlpOptimizer Kind { get; init; }

    /// <summary>Step size η.</summary>
    public required float LearningRate { get; init; }

    /// <summary>Momentum μ of <see cref="MlpOptimizer.Momentum"/> and <see cref="MlpOptimizer.Nesterov"/>.</summary>
    public float Momentum { get; init; }

    /// <summary>Adam's first-moment decay β₁.</summary>
    public float Beta1 { get; init; }

    /// <summary>Adam's second-moment decay β₂.</summary>
    public float Beta2 { get; init; }

    /// <summary>Adam's ε.</summary>
    public float Epsilon { get; init; }

    /// <summary>Decoupled weight decay λ (w ← w − η·λ·w each step, weights only), for any optimizer.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Coupled L2 penalty ½·λ·‖W‖² added to the loss (g ← g + λ·w, weights only).</summary>
    public float L2Regularization { get; init; }
}
