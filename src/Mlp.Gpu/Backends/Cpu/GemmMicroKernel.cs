using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>Which GEMM code path runs: the best packed microkernel (Auto), or one forced for tests and benchmarks.</summary>
internal enum GemmKernelKind
{
    /// <summary>Direct loops for small problems, else the fastest packed microkernel the CPU supports.</summary>
    Auto = 0,
    /// <summary>Unpacked direct loops (the small-problem path), whatever the size.</summary>
    Direct,
    /// <summary>Packed, scalar 4x4 microkernel (portable fallback).</summary>
    Scalar,
    /// <summary>Packed, AVX2+FMA 6x16 microkernel (12 accumulators: fits the 16 YMM registers of AVX2 CPUs).</summary>
    Vector256,
    /// <summary>Packed, AVX-512 12x32 microkernel (24 ZMM accumulators of the 32 registers).</summary>
    Vector512,
}

/// <summary>
/// Register-blocked microkernels: C[MR x NR] = alpha * Apanel · Bpanel + beta * C, where the packed A panel holds
/// MR values per k step and the packed B panel NR values per k step (see <see cref="GemmPacking"/>).
/// Every kernel finishes with c = fma(alpha, acc, beta * c) (or alpha * acc when beta = 0), the same rounding for
/// full and edge tiles, so a C element's bits do not depend on where its tile falls: this is what makes results
/// identical whatever the thread partition.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>The largest MR x NR of any kernel: the size of the edge-tile scratch.</summary>
    public const int MaxTile = 12 * 32;

    /// <summary>The fastest packed kernel on this CPU.</summary>
    public static GemmKernelKind Best { get; } =
        IsSupported(GemmKernelKind.Vector512) ? GemmKernelKind.Vector512
        : IsSupported(GemmKernelKind.Vector256) ? GemmKernelKind.Vector256
        : GemmKernelKind.Scalar;

    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmKernelKind.Vector256 => Avx2.IsSupported && Fma.IsSupported,
        GemmKernelKind.Scalar or GemmKernelKind.Direct or GemmKernelKind.Auto => true,
        _ => false,
    };

    /// <summary>MR: rows of C per microkernel call.</summary>
    public static int Rows(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => 12,
        GemmKernelKind.Vector256 => 6,
        _ => 4,
    };

    /// <summary>NR: columns of C per microkernel call.</summary>
    public static int Cols(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => 32,
        GemmKernelKind.Vector256 => 16,
        _ => 4,
    };

    /// <summary>Updates a full MR x NR tile of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(GemmKernelKind kind, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        if (kind == GemmKernelKind.Vector512)
            Kernel12x32(kc, a, b, c, ldc, alpha, beta);
        else if (kind == GemmKernelKind.Vector256)
            Kernel6x16(kc, a, b, c, ldc, alpha, beta);
        else
            Kernel4x4(kc, a, b, c, ldc, alpha, beta);
    }

    /// <summary>
    /// Updates the top-left rows x cols corner of a tile (a matrix edge): the kernel writes the whole zero-padded
    /// tile into scratch with alpha = 1, beta = 0, and the epilogue applies alpha and beta exactly as the full kernel does.
    /// </summary>
    [SkipLocalsInit]
    public static void RunEdge(GemmKernelKind kind, int kc, float* a, float* b, float* c, nint ldc, int rows, int cols,
        float alpha, float beta)
    {
        int nr = Cols(kind);
        float* tile = stackalloc float[MaxTile];
        Run(kind, kc, a, b, tile, nr, 1f, 0f);
        for (int i = 0; i < rows; i++)
        {
            float* t = tile + i * nr;
            float* ci = c + i * ldc;
            if (beta == 0f)
            {
                for (int j = 0; j < cols; j++)
                    ci[j] = alpha * t[j];
            }
            else
            {
                for (int j = 0; j < cols; j++)
                    ci[j] = MathF.FusedMultiplyAdd(alpha, t[j], beta * ci[j]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> acc, Vector512<float> alpha, Vector512<float> beta, bool overwrite)
    {
        if (overwrite)
            Vector512.Store(acc * alpha, c);
        else
            Vector512.Store(Avx512F.FusedMultiplyAdd(alpha, acc, beta * Vector512.Load(c)), c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel12x32(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        // 24 accumulators + 2 B vectors + broadcasts use 27 of the 32 ZMM registers; each k step is 24 FMAs against
        // 2 vector loads and 12 broadcasts (folded into the FMAs as embedded broadcasts).
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> t = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(t, b0, c00); c01 = Avx512F.FusedMultiplyAdd(t, b1, c01);
            t = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(t, b0, c10); c11 = Avx512F.FusedMultiplyAdd(t, b1, c11);
            t = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(t, b0, c20); c21 = Avx512F.FusedMultiplyAdd(t, b1, c21);
            t = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(t, b0, c30); c31 = Avx512F.FusedMultiplyAdd(t, b1, c31);
            t = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(t, b0, c40); c41 = Avx512F.FusedMultiplyAdd(t, b1, c41);
            t = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(t, b0, c50); c51 = Avx512F.FusedMultiplyAdd(t, b1, c51);
            t = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(t, b0, c60); c61 = Avx512F.FusedMultiplyAdd(t, b1, c61);
            t = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(t, b0, c70); c71 = Avx512F.FusedMultiplyAdd(t, b1, c71);
            t = Vector512.Create(a[8]);
            c80 = Avx512F.FusedMultiplyAdd(t, b0, c80); c81 = Avx512F.FusedMultiplyAdd(t, b1, c81);
            t = Vector512.Create(a[9]);
            c90 = Avx512F.FusedMultiplyAdd(t, b0, c90); c91 = Avx512F.FusedMultiplyAdd(t, b1, c91);
            t = Vector512.Create(a[10]);
            ca0 = Avx512F.FusedMultiplyAdd(t, b0, ca0); ca1 = Avx512F.FusedMultiplyAdd(t, b1, ca1);
            t = Vector512.Create(a[11]);
            cb0 = Avx512F.FusedMultiplyAdd(t, b0, cb0); cb1 = Avx512F.FusedMultiplyAdd(t, b1, cb1);
            a += 12;
            b += 32;
        }

        Vector512<float> va = Vector512.Create(alpha), vb = Vector512.Create(beta);
        bool ow = beta == 0f;
        Store512(c, c00, va, vb, ow); Store512(c + 16, c01, va, vb, ow); c += ldc;
        Store512(c, c10, va, vb, ow); Store512(c + 16, c11, va, vb, ow); c += ldc;
        Store512(c, c20, va, vb, ow); Store512(c + 16, c21, va, vb, ow); c += ldc;
        Store512(c, c30, va, vb, ow); Store512(c + 16, c31, va, vb, ow); c += ldc;
        Store512(c, c40, va, vb, ow); Store512(c + 16, c41, va, vb, ow); c += ldc;
        Store512(c, c50, va, vb, ow); Store512(c + 16, c51, va, vb, ow); c += ldc;
        Store512(c, c60, va, vb, ow); Store512(c + 16, c61, va, vb, ow); c += ldc;
        Store512(c, c70, va, vb, ow); Store512(c + 16, c71, va, vb, ow); c += ldc;
        Store512(c, c80, va, vb, ow); Store512(c + 16, c81, va, vb, ow); c += ldc;
        Store512(c, c90, va, vb, ow); Store512(c + 16, c91, va, vb, ow); c += ldc;
        Store512(c, ca0, va, vb, ow); Store512(c + 16, ca1, va, vb, ow); c += ldc;
        Store512(c, cb0, va, vb, ow); Store512(c + 16, cb1, va, vb, ow);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> acc, Vector256<float> alpha, Vector256<float> beta, bool overwrite)
    {
        if (overwrite)
            Vector256.Store(acc * alpha, c);
        else
            Vector256.Store(Fma.MultiplyAdd(alpha, acc, beta * Vector256.Load(c)), c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        // 12 accumulators + 2 B vectors + 1 broadcast: 15 of the 16 YMM registers AVX2 CPUs have.
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> t = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(t, b0, c00); c01 = Fma.MultiplyAdd(t, b1, c01);
            t = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(t, b0, c10); c11 = Fma.MultiplyAdd(t, b1, c11);
            t = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(t, b0, c20); c21 = Fma.MultiplyAdd(t, b1, c21);
            t = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(t, b0, c30); c31 = Fma.MultiplyAdd(t, b1, c31);
            t = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(t, b0, c40); c41 = Fma.MultiplyAdd(t, b1, c41);
            t = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(t, b0, c50); c51 = Fma.MultiplyAdd(t, b1, c51);
            a += 6;
            b += 16;
        }

        Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        bool ow = beta == 0f;
        Store256(c, c00, va, vb, ow); Store256(c + 8, c01, va, vb, ow); c += ldc;
        Store256(c, c10, va, vb, ow); Store256(c + 8, c11, va, vb, ow); c += ldc;
        Store256(c, c20, va, vb, ow); Store256(c + 8, c21, va, vb, ow); c += ldc;
        Store256(c, c30, va, vb, ow); Store256(c + 8, c31, va, vb, ow); c += ldc;
        Store256(c, c40, va, vb, ow); Store256(c + 8, c41, va, vb, ow); c += ldc;
        Store256(c, c50, va, vb, ow); Store256(c + 8, c51, va, vb, ow);
    }

    private static void Kernel4x4(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[16];
        new Span<float>(acc, 16).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                float ai = a[i];
                float* row = acc + i * 4;
                row[0] += ai * b[0];
                row[1] += ai * b[1];
                row[2] += ai * b[2];
                row[3] += ai * b[3];
            }

            a += 4;
            b += 4;
        }

        for (int i = 0; i < 4; i++)
        {
            float* ci = c + i * ldc;
            for (int j = 0; j < 4; j++)
                ci[j] = beta == 0f ? alpha * acc[i * 4 + j] : MathF.FusedMultiplyAdd(alpha, acc[i * 4 + j], beta * ci[j]);
        }
    }
}
