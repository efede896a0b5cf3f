namespace Microsoft.ML.Trainers.Mlp;

/// <summary>The activation function s applied after a dense layer: a = s(z), z = W·a' + b.</summary>
/// <remarks>One enum from the trainer's options down to the kernels; it lives in the compute core's assembly, which
/// the Mlp.MLNet package carries next to the trainers. The numeric values are stored in model files: never renumber
/// them.</remarks>
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

    /// <summary>Gaussian error linear unit, tanh approximation: s(z) = z/2·(1 + tanh(√(2/π)(z + 0.044715 z³))).</summary>
    Gelu = 4,

    /// <summary>s(z) = z: no non-linearity. The output layer's (its head, sigmoid or softmax, belongs to the loss); as
    /// the hidden activation it makes every layer linear, so the network computes a linear function of the features.</summary>
    Identity = 5,
}
