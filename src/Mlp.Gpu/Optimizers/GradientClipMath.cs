using System.Runtime.CompilerServices;

namespace Mlp.Gpu.Optimizers;

/// <summary>Clipping by global norm: g ← g·min(1, c/‖g‖), shared by every backend.</summary>
internal static class GradientClipMath
{
    /// <summary>The factor for a gradient whose squared norm is <paramref name="squaredNorm"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scale(float squaredNorm, float maxNorm)
    {
        float norm = MathF.Sqrt(squaredNorm);
        return norm > maxNorm ? maxNorm / norm : 1f;
    }
}
