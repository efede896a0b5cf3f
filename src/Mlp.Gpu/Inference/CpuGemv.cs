using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Gpu.Inference;

/// <summary>
/// y = W·x + b for one example. W is re-laid once by <see cref="Pack"/> into panels of 16 outputs in which, for each
/// input k, the panel's 16 weights are contiguous: one broadcast of x[k] then feeds 16-wide FMAs for up to four panels
/// and no horizontal sums remain. Single-row scoring is bound by reading W once, so this is what PredictionEngine
/// latency comes down to. Vector512 is used as is: where the hardware lacks it, .NET runs it as two Vector256 halves.
/// </summary>
internal static unsafe class CpuGemv
{
    /// <summary>Outputs per panel of the packed layout.</summary>
    public const int PanelWidth = 16;

    private const int PanelsPerGroup = 4;

    [ThreadStatic]
    private static bool t_descending;

    /// <summary>Floats that <see cref="Pack"/> writes for a rows x columns matrix (the last panel is padded with zeros).</summary>
    public static int PackedLength(int rows, int columns) => checked((int)PackedLongLength(rows, columns));

    /// <summary><see cref="PackedLength"/> in 64-bit arithmetic, for size checks before anything is allocated: a layer
    /// with few outputs is padded to <see cref="PanelWidth"/> of them, so the packed copy can exceed int range even
    /// when the layer's own weights do not.</summary>
    public static long PackedLongLength(int rows, int columns) => ((long)rows + PanelWidth - 1) / PanelWidth * PanelWidth * columns;

    /// <summary>Re-lays a row-major rows x columns matrix into the panel layout <see cref="Multiply"/> reads.</summary>
    public static void Pack(ReadOnlySpan<float> weights, int rows, int columns, Span<float> packed)
    {
        int length = PackedLength(rows, columns);
        if (weights.Length < (long)rows * columns || packed.Length < length)
            throw new ArgumentException($"Expected a {rows} x {columns} matrix and room for {length} packed values.");
        packed[..length].Clear();
        for (int row = 0; row < rows; row++)
        {
            var panel = packed.Slice(row / PanelWidth * PanelWidth * columns);
            int lane = row % PanelWidth;
            var source = weights.Slice(row * columns, columns);
            for (int k = 0; k < columns; k++)
                panel[k * PanelWidth + lane] = source[k];
        }
    }

    /// <summary>y = W·x + b, W packed by <see cref="Pack"/> with y.Length rows and x.Length columns.</summary>
    public static void Multiply(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        int rows = y.Length, columns = x.Length;
        if (packed.Length < PackedLength(rows, columns) || bias.Length < rows)
            throw new ArgumentException($"Expected a packed {rows} x {columns} matrix and {rows} biases.");
        fixed (float* w = packed, xp = x, b = bias, yp = y)
        {
            // Units of work: groups of four full panels, then single full panels, then the partial last panel.
            int fullPanels = rows / PanelWidth;
            int groups = fullPanels / PanelsPerGroup;
            int singles = fullPanels - groups * PanelsPerGroup;
            int units = groups + singles + (rows % PanelWidth != 0 ? 1 : 0);
            long panelStride = (long)PanelWidth * columns;

            // Successive calls on a thread walk W in alternating directions. A layer just too large for the core's L2
            // (W1's 784 x 256 is 0.8 MB) would otherwise evict, in a cyclic sweep, exactly the panels the next call
            // reads first; reversed, the next call starts on the panels the last one read most recently, still cached.
            // Each output is computed by the same unit either way, so results do not change.
            bool descending = t_descending = !t_descending;
            for (int i = 0; i < units; i++)
            {
                int u = descending ? units - 1 - i : i;
                if (u < groups)
                {
                    int first = u * PanelsPerGroup * PanelWidth;
                    FourPanels(w + first * (long)columns, panelStride, columns, xp, b + first, yp + first);
                }
                else
                {
                    int first = (groups * PanelsPerGroup + (u - groups)) * PanelWidth;
                    OnePanel(w + first * (long)columns, columns, xp, b + first, yp + first, Math.Min(PanelWidth, rows - first));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourPanels(float* w, long stride, int columns, float* x, float* b, float* y)
    {
        float* w0 = w, w1 = w + stride, w2 = w + 2 * stride, w3 = w + 3 * stride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0, o = 0; k < columns; k++, o += PanelWidth)
        {
            var xk = Vector512.Create(x[k]);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + o), xk, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + o), xk, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + o), xk, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + o), xk, a3);
        }
        (a0 + Vector512.Load(b)).Store(y);
        (a1 + Vector512.Load(b + PanelWidth)).Store(y + PanelWidth);
        (a2 + Vector512.Load(b + 2 * PanelWidth)).Store(y + 2 * PanelWidth);
        (a3 + Vector512.Load(b + 3 * PanelWidth)).Store(y + 3 * PanelWidth);
    }

    /// <summary>One panel, of which the first <paramref name="count"/> outputs are real (the rest is padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void OnePanel(float* w, int columns, float* x, float* b, float* y, int count)
    {
        // Four accumulators over alternating inputs, so the loop is not bound by the FMA latency.
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int k = 0;
        for (; k <= columns - 4; k += 4)
        {
            float* o = w + k * PanelWidth;
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(o), Vector512.Create(x[k]), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(o + PanelWidth), Vector512.Create(x[k + 1]), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(o + 2 * PanelWidth), Vector512.Create(x[k + 2]), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(o + 3 * PanelWidth), Vector512.Create(x[k + 3]), a3);
        }
        for (; k < columns; k++)
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w + k * PanelWidth), Vector512.Create(x[k]), a0);
        var sum = (a0 + a1) + (a2 + a3);
        if (count == PanelWidth)
        {
            (sum + Vector512.Load(b)).Store(y);
            return;
        }
        float* lanes = stackalloc float[PanelWidth];
        sum.Store(lanes);
        for (int r = 0; r < count; r++)
            y[r] = lanes[r] + b[r];
    }
}
