using System.Runtime.CompilerServices;

namespace Mlp.Gpu;

/// <summary>
/// Scalar definitions of every activation and its derivative: the single source of truth that the SIMD and
/// ILGPU kernels are tested against.
/// </summary>
internal static class ActivationMath
{
    /// <summary>Slope of <see cref="Activation.LeakyRelu"/> for z &lt;= 0.</summary>
    public const float LeakySlope = 0.01f;

    private const float GeluC = 0.7978845608028654f; // √(2/π)
    private const float GeluA = 0.044715f;

    /// <summary>a = s(z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(Activation activation, float z) => activation switch
    {
        Activation.Identity => z,
        Activation.Sigmoid => Sigmoid(z),
        Activation.Tanh => MathF.Tanh(z),
        Activation.Relu => z > 0f ? z : 0f,
        Activation.LeakyRelu => z > 0f ? z : LeakySlope * z,
        Activation.Gelu => 0.5f * z * (1f + MathF.Tanh(GeluC * (z + GeluA * z * z * z))),
        _ => float.NaN, // no throw: ILGPU kernels call this too, and kernels cannot throw
    };

    /// <summary>s'(z), given z and a = s(z) (sigmoid and tanh are cheaper from a).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(Activation activation, float z, float a) => activation switch
    {
        Activation.Identity => 1f,
        Activation.Sigmoid => a * (1f - a),
        Activation.Tanh => 1f - a * a,
        Activation.Relu => z > 0f ? 1f : 0f,
        Activation.LeakyRelu => z > 0f ? 1f : LeakySlope,
        Activation.Gelu => GeluDerivative(z),
        _ => float.NaN, // no throw: ILGPU kernels call this too, and kernels cannot throw
    };

    /// <summary>Numerically stable logistic function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float z)
    {
        if (z >= 0f)
            return 1f / (1f + MathF.Exp(-z));
        float e = MathF.Exp(z);
        return e / (1f + e);
    }

    private static float GeluDerivative(float z)
    {
        float u = GeluC * (z + GeluA * z * z * z);
        float t = MathF.Tanh(u);
        float du = GeluC * (1f + 3f * GeluA * z * z);
        return 0.5f * (1f + t) + 0.5f * z * (1f - t * t) * du;
    }
}
