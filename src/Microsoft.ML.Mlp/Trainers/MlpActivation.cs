namespace Microsoft.ML.Trainers.Mlp;

/// <summary>The activation function s of the hidden layers: a = s(z), z = W·a' + b.</summary>
/// <remarks>The numeric values are stored in model files: never renumber them.</remarks>
public enum MlpActivation
{
    /// <summary>Rectified linear unit, s(z) = max(0, z). The default.</summary>
    Relu = 0,

    /// <summary>Hyperbolic tangent, s(z) = tanh(z).</summary>
    Tanh = 1,

    /// <summary>Logistic sigmoid, s(z) = 1 / (1 + e^-z).</summary>
    Sigmoid = 2,

    /// <summary>Leaky ReLU, s(z) = z for z &gt; 0, else 0.01·z.</summary>
    LeakyRelu = 3,

    /// <summary>Gaussian error linear unit, s(z) = z·Φ(z) (tanh approximation).</summary>
    Gelu = 4,
}
