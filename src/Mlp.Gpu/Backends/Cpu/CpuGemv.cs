using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// y = W·x + b for one example (W is [rows x columns], row-major): four rows of W per pass share each load of x,
/// with Vector512 FMA accumulators where available (Vector256 otherwise). Single-row scoring is bound by reading W
/// once, so this is what PredictionEngine latency comes down to.
/// </summary>
internal static unsafe class CpuGemv
{
    public static void Multiply(ReadOnlySpan<float> weights, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        int rows = y.Length, columns = x.Length;
        if (weights.Length < (long)rows * columns || bias.Length < rows)
            throw new ArgumentException($"Expected a {rows} x {columns} matrix and {rows} biases.");
        fixed (float* w = weights, xp = x, b = bias, yp = y)
        {
            int groups = rows / 4;
            // Successive calls on a thread walk W in alternating directions. A layer just too large for the core's L2
            // (W1's 784 x 256 is 0.8 MB) would otherwise evict, in a cyclic sweep, exactly the rows the next call reads
            // first; reversed, the next call starts on the rows the last one read most recently, still cached. Each
            // output is computed the same way in either order, so results do not change.
            bool descending = t_descending = !t_descending;
            for (int g = 0; g < groups; g++)
            {
                int j = 4 * (descending ? groups - 1 - g : g);
                Dot4(w + (long)j * columns, columns, xp, b + j, yp + j);
            }
            for (int j = 4 * groups; j < rows; j++)
                yp[j] = Dot(w + (long)j * columns, xp, columns) + b[j];
        }
    }

    [ThreadStatic]
    private static bool t_descending;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4(float* w, int n, float* x, float* b, float* y)
    {
        float* w0 = w, w1 = w + n, w2 = w + 2 * n, w3 = w + 3 * n;
        int i = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 16; i += 16)
            {
                var xv = Vector512.Load(x + i);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i), xv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i), xv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i), xv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i), xv, a3);
            }
            s0 = Vector512.Sum(a0);
            s1 = Vector512.Sum(a1);
            s2 = Vector512.Sum(a2);
            s3 = Vector512.Sum(a3);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 8; i += 8)
            {
                var xv = Vector256.Load(x + i);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i), xv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i), xv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + i), xv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + i), xv, a3);
            }
            s0 = Vector256.Sum(a0);
            s1 = Vector256.Sum(a1);
            s2 = Vector256.Sum(a2);
            s3 = Vector256.Sum(a3);
        }
        for (; i < n; i++)
        {
            float xi = x[i];
            s0 += w0[i] * xi;
            s1 += w1[i] * xi;
            s2 += w2[i] * xi;
            s3 += w3[i] * xi;
        }
        y[0] = s0 + b[0];
        y[1] = s1 + b[1];
        y[2] = s2 + b[2];
        y[3] = s3 + b[3];
    }

    private static float Dot(float* w, float* x, int n)
    {
        float s = 0;
        for (int i = 0; i < n; i++)
            s += w[i] * x[i];
        return s;
    }
}
