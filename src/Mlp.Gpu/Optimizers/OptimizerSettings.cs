namespace Mlp.Gpu;

/// <summary>Hyper-parameters of the optimizer. Every option has a default and is validated by <see cref="Validate"/>.</summary>
public sealed class OptimizerSettings
{
    /// <summary>Default decoupled weight decay of <see cref="OptimizerKind.AdamW"/> when <see cref="WeightDecay"/> is null.</summary>
    public const float DefaultAdamWWeightDecay = 0.01f;

    /// <summary>The update rule. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Kind { get; set; } = OptimizerKind.Adam;

    /// <summary>Step size η, &gt; 0. Default 0.001.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Momentum μ of <see cref="OptimizerKind.Momentum"/> and <see cref="OptimizerKind.Nesterov"/>, in [0, 1). Default 0.9.</summary>
    public float Momentum { get; set; } = 0.9f;

    /// <summary>Adam's first-moment decay β₁, in [0, 1). Default 0.9.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Adam's second-moment decay β₂, in [0, 1). Default 0.999.</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Adam's ε, &gt; 0. Default 1e-7 (as Keras).</summary>
    public float Epsilon { get; set; } = 1e-7f;

    /// <summary>
    /// Decoupled weight decay λ (w ← w − η·λ·w each step, weights only, never biases), &gt;= 0, for any optimizer.
    /// Default null: <see cref="DefaultAdamWWeightDecay"/> for <see cref="OptimizerKind.AdamW"/>, 0 otherwise.
    /// </summary>
    public float? WeightDecay { get; set; }

    /// <summary>Coupled L2 penalty ½·λ·‖W‖² added to the loss (g ← g + λ·w, weights only), &gt;= 0. Default 0.</summary>
    public float L2Regularization { get; set; }

    /// <summary>The decay actually applied: <see cref="WeightDecay"/>, or its documented default.</summary>
    public float EffectiveWeightDecay => WeightDecay ?? (Kind == OptimizerKind.AdamW ? DefaultAdamWWeightDecay : 0f);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown optimizer.");
        Check(LearningRate > 0f && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be positive and finite");
        Check(Momentum is >= 0f and < 1f, nameof(Momentum), Momentum, "must be in [0, 1)");
        Check(Beta1 is >= 0f and < 1f, nameof(Beta1), Beta1, "must be in [0, 1)");
        Check(Beta2 is >= 0f and < 1f, nameof(Beta2), Beta2, "must be in [0, 1)");
        Check(Epsilon > 0f && float.IsFinite(Epsilon), nameof(Epsilon), Epsilon, "must be positive and finite");
        Check(EffectiveWeightDecay >= 0f && float.IsFinite(EffectiveWeightDecay), nameof(WeightDecay), EffectiveWeightDecay, "must be non-negative and finite");
        Check(L2Regularization >= 0f && float.IsFinite(L2Regularization), nameof(L2Regularization), L2Regularization, "must be non-negative and finite");
    }

    private static void Check(bool ok, string name, float value, string rule)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}; got {value}.");
    }
}
