using System.Runtime.CompilerServices;

namespace Mlp.Gpu;

/// <summary>Scalar, numerically stable pieces of the losses, shared by every backend's loss kernel and by tests.</summary>
internal static class LossMath
{
    /// <summary>Binary cross-entropy on the logit: −y·log σ(z) − (1−y)·log(1−σ(z)) = max(z,0) − z·y + log(1 + e^−|z|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BinaryCrossEntropy(float z, float y) => MathF.Max(z, 0f) - z * y + Log1PExp(-MathF.Abs(z));

    /// <summary>Huber loss of residual r with threshold δ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Huber(float r, float delta)
    {
        float abs = MathF.Abs(r);
        return abs <= delta ? 0.5f * r * r : delta * (abs - 0.5f * delta);
    }

    /// <summary>∂Huber/∂r: r clipped to [−δ, δ].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HuberGradient(float r, float delta) => MathF.Min(MathF.Max(r, -delta), delta); // not Math.Clamp: it throws, which ILGPU kernels cannot

    /// <summary>log(1 + e^x) for x &lt;= 0, accurate for very negative x.</summary>
    /// <remarks>
    /// Float only (GPU kernels use it, and many OpenCL devices have no float64): log1p(e) as log(u)·e/(u − 1) with
    /// u = 1 + e, which cancels the rounding of u (Goldberg's trick), and e itself when u rounds to 1.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Log1PExp(float x)
    {
        float e = MathF.Exp(x);
        float u = 1f + e;
        return u == 1f ? e : MathF.Log(u) * e / (u - 1f);
    }
}
