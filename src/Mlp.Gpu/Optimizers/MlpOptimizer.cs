namespace Microsoft.ML.Trainers.Mlp;

/// <summary>The minibatch gradient method that updates the weights (η: the learning rate, g: the gradient).</summary>
/// <remarks>One enum from the trainer's options down to the update kernels. It lives in the compute core's assembly,
/// which the Mlp.MLNet package carries next to the trainers.</remarks>
public enum MlpOptimizer
{
    /// <summary>Plain stochastic gradient descent, w ← w − η·g.</summary>
    Sgd = 0,

    /// <summary>SGD with classical (heavy-ball) momentum μ (the <c>Momentum</c> option), PyTorch's form: v ← μ·v + g; w ← w − η·v.</summary>
    Momentum = 1,

    /// <summary>SGD with Nesterov momentum μ (the <c>Momentum</c> option), PyTorch's form: v ← μ·v + g; w ← w − η·(g + μ·v).</summary>
    Nesterov = 2,

    /// <summary>Adam (Kingma and Ba, 2015) with bias correction: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); w ← w − η·m̂/(√v̂ + ε). The default.</summary>
    Adam = 3,

    /// <summary>Adam with decoupled weight decay λ (Loshchilov and Hutter, 2019; the <c>WeightDecay</c> option): w ← w − η·λ·w, then the Adam step.</summary>
    AdamW = 4,
}
