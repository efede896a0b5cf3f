namespace Mlp.Gpu.Network;

/// <summary>The non-linearity s applied element-wise after a dense layer: a = s(z).</summary>
internal enum Activation
{
    /// <summary>s(z) = z. Used by the output layer, whose head lives in the loss.</summary>
    Identity,

    /// <summary>s(z) = 1 / (1 + e^-z).</summary>
    Sigmoid,

    /// <summary>s(z) = tanh(z).</summary>
    Tanh,

    /// <summary>s(z) = max(0, z).</summary>
    Relu,

    /// <summary>s(z) = z for z &gt; 0, else 0.01·z.</summary>
    LeakyRelu,

    /// <summary>Gaussian error linear unit, tanh approximation: s(z) = z/2·(1 + tanh(√(2/π)(z + 0.044715 z³))).</summary>
    Gelu,
}
