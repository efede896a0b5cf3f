namespace Mlp.Gpu.Optimizers;

/// <summary>The update rule applied to the parameters after each minibatch.</summary>
internal enum OptimizerKind
{
    /// <summary>Plain stochastic gradient descent: w ← w − η·g.</summary>
    Sgd,

    /// <summary>Heavy-ball momentum (PyTorch form): v ← μ·v + g; w ← w − η·v.</summary>
    Momentum,

    /// <summary>Nesterov momentum (PyTorch form): v ← μ·v + g; w ← w − η·(g + μ·v).</summary>
    Nesterov,

    /// <summary>Adam with bias correction: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); w ← w − η·m̂/(√v̂ + ε).</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter): w ← w − η·λ·w, then the Adam step.</summary>
    AdamW,
}
