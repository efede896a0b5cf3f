using System.Runtime.CompilerServices;

namespace Mlp.Gpu.Network;

/// <summary>
/// Inverted dropout from a counter-based random number generator: the mask of element i is a pure function of
/// (seed, i), so every backend draws the same mask without keeping generator state, and a run is reproducible.
/// Kept units are scaled by 1/(1−p), so inference needs no dropout and no rescaling.
/// </summary>
internal static class DropoutMath
{
    /// <summary>1/(1−p) with probability 1−p, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Mask(uint seed, int index, float rate)
    {
        float u = (int)(Hash(seed ^ ((uint)index * 0x9E3779B9u)) >> 8) * (1f / 16777216f); // 24 random bits in [0, 1); via int, as uint→float needs float64 on some devices
        return u >= rate ? 1f / (1f - rate) : 0f;
    }

    /// <summary>The seed of one layer's mask in one optimizer step, derived from the run's seed.</summary>
    public static uint StepSeed(int runSeed, int step, int layer) =>
        Hash(Hash((uint)runSeed ^ 0x85EBCA6Bu) ^ Hash((uint)step * 0xC2B2AE35u) ^ (uint)layer * 0x27D4EB2Fu);

    /// <summary>MurmurHash3's 32-bit finalizer: a fast bijection with good avalanche.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return h;
    }
}
