using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// Single-precision GEMM for the CPU backend: C = alpha * op(A) * op(B) + beta * C on row-major matrices.
/// Large problems run a GotoBLAS/BLIS-style blocked algorithm (packed panels, register-blocked microkernels from
/// <see cref="GemmMicroKernel"/>) split over a static worker pool; small ones run direct loops.
/// Results are bit-identical run to run and for any thread count: threads split C into blocks of whole
/// microkernel tiles and never split k, so every element is computed by the same operations in the same order.
/// </summary>
internal static unsafe class CpuGemm
{
    // Blocking: a kc x NR panel of B and an MR x kc panel of A feed one microkernel call from L1/L2; the packed
    // A block (mc x kc, 0.5-0.7 MB) stays in the 1 MB L2; the packed B block (kc x nc) lives in L3.
    // kc: the widest B micro-panel (32 floats per k step) as large as L1d, so 256 on 32 KiB (Zen 4) and 384 on 48 KiB
    // (Zen 5: +10 % at 2048^3). It depends on the CPU alone, never on the thread count.
    private static readonly int s_kcMax = BlockDepth(CpuCacheInfo.L1DataBytes);
    private const int McMax = 480;
    private const int NcMax = 3072;

    /// <summary>Below this many multiply-adds, packing costs more than it saves: direct loops.</summary>
    private const long DirectMaxWork = 32 * 32 * 32;

    /// <summary>Below this many multiply-adds, handing work to another thread costs more than it saves.</summary>
    private const long ThreadMinWork = 32 * 32 * 32;

    [ThreadStatic]
    private static Workspace? t_workspace;

    /// <summary>Span overload of <see cref="Multiply(GemmKernelKind, int, bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>.</summary>
    public static void Multiply(GemmKernelKind kernel, int threads, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        ValidateSizes(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        CheckLength(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        CheckLength(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        CheckLength(c.Length, m, n, ldc, nameof(c));
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            Multiply(kernel, threads, transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C, all matrices row-major, on up to <paramref name="threads"/> cores with the code
    /// path <paramref name="kernel"/> (<see cref="GemmKernelKind.Auto"/>: chosen from the shape). op(A) is m x k, op(B) is
    /// k x n, C is m x n. transposeA: A is stored k x m (row-major, leading dimension lda); else m x k. Same for B (stored
    /// n x k when transposed). beta == 0 overwrites C without reading it (C may contain NaN garbage).
    /// </summary>
    public static void Multiply(GemmKernelKind kernel, int threads, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        ValidateSizes(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        if (!GemmMicroKernel.IsSupported(kernel))
            throw new PlatformNotSupportedException($"GEMM kernel {kernel} is not supported on this CPU.");
        if (m == 0 || n == 0)
            return;
        if (k == 0 || alpha == 0f)
        {
            Scale(m, n, beta, c, ldc);
            return;
        }

        if (kernel == GemmKernelKind.Auto)
            kernel = Choose(m, n, k);
        if (kernel == GemmKernelKind.Direct)
        {
            MultiplyDirect(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        long work = (long)m * n * k;
        var job = new Job
        {
            Kernel = kernel,
            TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
        };
        int mr = GemmMicroKernel.Rows(job.Kernel), nr = GemmMicroKernel.Cols(job.Kernel);
        int tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr;
        int parts = work < ThreadMinWork ? 1 : Math.Min(Math.Max(threads, 1), Math.Max(tilesM, tilesN));
        if (parts > 1)
        {
            // Split the axis whose largest share of tiles is smallest; on a tie, the one whose duplicated packing is
            // cheaper (splitting rows makes every thread pack all of op(B), splitting columns all of op(A)).
            long rowSplit = (long)((tilesM + parts - 1) / parts) * tilesN;
            long colSplit = (long)((tilesN + parts - 1) / parts) * tilesM;
            job.SplitRows = rowSplit < colSplit || (rowSplit == colSplit && n <= m);
            job.Tiles = job.SplitRows ? tilesM : tilesN;
            parts = Math.Min(parts, job.Tiles);
        }

        if (parts <= 1)
        {
            RunBlocked(ref job, 0, m, 0, n);
            return;
        }

        CpuWorkerPool.Run(&RunPart, &job, parts);
    }

    /// <summary>kc for an L1 data cache of <paramref name="l1DataBytes"/>: a 32-float-wide B micro-panel that fills it, in [256, 384].</summary>
    internal static int BlockDepth(int l1DataBytes) => Math.Clamp(l1DataBytes / (32 * sizeof(float)), 256, 384);

    /// <summary>The code path for a shape. It depends on the shape alone, never on the thread count.</summary>
    private static GemmKernelKind Choose(int m, int n, int k)
    {
        // Matrix-vector shapes read each matrix element once: packing would only double the memory traffic;
        // a few rows would also leave most of a 6- or 12-row tile empty.
        if ((long)m * n * k <= DirectMaxWork || m <= 4 || n <= 2)
            return GemmKernelKind.Direct;

        // Narrow C: the 32-wide AVX-512 tile would be half padding.
        if (n <= 16 && GemmMicroKernel.IsSupported(GemmKernelKind.Vector256))
            return GemmKernelKind.Vector256;
        return GemmMicroKernel.Best;
    }

    private static void RunPart(void* state, int part, int parts)
    {
        ref Job job = ref Unsafe.AsRef<Job>(state);
        int tile0 = (int)((long)job.Tiles * part / parts), tile1 = (int)((long)job.Tiles * (part + 1) / parts);
        if (job.SplitRows)
        {
            int mr = GemmMicroKernel.Rows(job.Kernel);
            RunBlocked(ref job, tile0 * mr, Math.Min(job.M, tile1 * mr), 0, job.N);
        }
        else
        {
            int nr = GemmMicroKernel.Cols(job.Kernel);
            RunBlocked(ref job, 0, job.M, tile0 * nr, Math.Min(job.N, tile1 * nr));
        }
    }

    /// <summary>The blocked algorithm on the C block [i0, i1) x [j0, j1), with this thread's packing buffers.</summary>
    private static void RunBlocked(ref Job job, int i0, int i1, int j0, int j1)
    {
        GemmKernelKind kernel = job.Kernel;
        int mr = GemmMicroKernel.Rows(kernel), nr = GemmMicroKernel.Cols(kernel);
        int k = job.K;

        // Even block sizes (no thin trailing block); they depend on k alone, so partitions agree on every element.
        int kBlocks = (k + s_kcMax - 1) / s_kcMax;
        int kc = (k + kBlocks - 1) / kBlocks;
        int rows = i1 - i0, cols = j1 - j0;
        int mBlocks = (rows + McMax - 1) / McMax;
        int mc = RoundUp((rows + mBlocks - 1) / mBlocks, mr);
        int nBlocks = (cols + NcMax - 1) / NcMax;
        int nc = RoundUp((cols + nBlocks - 1) / nBlocks, nr);

        Workspace ws = t_workspace ??= new Workspace();
        float* packA = ws.A((long)mc * kc);
        float* packB = ws.B((long)nc * kc);
        float* c = job.C;
        nint ldc = job.Ldc;

        for (int jc = j0; jc < j1; jc += nc)
        {
            int nb = Math.Min(nc, j1 - jc);
            for (int pc = 0; pc < k; pc += kc)
            {
                int kb = Math.Min(kc, k - pc);
                float beta = pc == 0 ? job.Beta : 1f;

                // op(B)[pc.., jc..]: stored n x k when transposed, so lines of the panel run along k.
                if (job.TransposeB)
                    GemmPacking.PackStrided(job.B + (nint)jc * job.Ldb + pc, job.Ldb, nb, kb, packB, nr);
                else
                    GemmPacking.PackContiguous(job.B + (nint)pc * job.Ldb + jc, job.Ldb, nb, kb, packB, nr);

                for (int ic = i0; ic < i1; ic += mc)
                {
                    int mb = Math.Min(mc, i1 - ic);
                    if (job.TransposeA)
                        GemmPacking.PackContiguous(job.A + (nint)pc * job.Lda + ic, job.Lda, mb, kb, packA, mr);
                    else
                        GemmPacking.PackStrided(job.A + (nint)ic * job.Lda + pc, job.Lda, mb, kb, packA, mr);

                    for (int jr = 0; jr < nb; jr += nr)
                    {
                        int w = Math.Min(nr, nb - jr);
                        float* bPanel = packB + (nint)jr * kb;
                        float* cColumn = c + jc + jr;
                        for (int ir = 0; ir < mb; ir += mr)
                        {
                            int h = Math.Min(mr, mb - ir);
                            float* aPanel = packA + (nint)ir * kb;
                            float* cTile = cColumn + (nint)(ic + ir) * ldc;
                            if (h == mr && w == nr)
                                GemmMicroKernel.Run(kernel, kb, aPanel, bPanel, cTile, ldc, job.Alpha, beta);
                            else
                                GemmMicroKernel.RunEdge(kernel, kb, aPanel, bPanel, cTile, ldc, h, w, job.Alpha, beta);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Loops without the blocked machinery, for problems too small to amortize it and for matrix-vector shapes.
    /// op(A) is read in place; op(B) is copied into a small k x n' buffer (n' = n rounded up to 8, zero-padded) when it
    /// is transposed or ragged, so every row of C is computed by 8-wide vector FMAs held in registers.
    /// </summary>
    private static void MultiplyDirect(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        // op(A)[i, p] lives at a[i * sai + p * sap].
        nint sai = transposeA ? 1 : lda, sap = transposeA ? lda : 1;
        if (!Vector256.IsHardwareAccelerated || (transposeB && (m <= 2 || (m <= 4 && k >= 64))))
        {
            // Matrix-vector (or no SIMD): C[i, j] = alpha * dot(op(A) row i, op(B) column j) + beta * C[i, j].
            // With so few rows, copying B^T would cost as much as the product.
            nint sbj = transposeB ? ldb : 1, sbp = transposeB ? 1 : ldb;
            for (int i = 0; i < m; i++)
                DotRow(a + i * sai, sap, b, sbj, sbp, c + i * ldc, n, k, alpha, beta);
            return;
        }

        int width = n;
        if (m > 2 && (transposeB || (n & 7) != 0))
        {
            width = (n + 7) & ~7;
            Workspace ws = t_workspace ??= new Workspace();
            float* packed = ws.B((long)k * width);
            if (transposeB)
                GemmPacking.PackStrided(b, ldb, n, k, packed, width);
            else
                GemmPacking.PackContiguous(b, ldb, n, k, packed, width);
            b = packed;
            ldb = width;
        }

        // Rows of C accumulate alpha * op(A)[i, p] * (row p of op(B)), four rows at a time.
        int r = 0;
        for (; r + 4 <= m; r += 4)
            DirectFourRows(a + r * sai, sai, sap, b, ldb, c + r * ldc, ldc, n, width, k, alpha, beta);
        for (; r < m; r++)
            DirectOneRow(a + r * sai, sap, b, ldb, c + r * ldc, n, width, k, alpha, beta);
    }

    /// <summary>Four rows of C; op(B) rows are readable up to <paramref name="width"/>, a multiple of 8 (n itself or n padded).</summary>
    private static void DirectFourRows(float* a, nint sai, nint sap, float* b, nint ldb, float* c, nint ldc, int n, int width,
        int k, float alpha, float beta)
    {
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
            float* ap = a;
            float* bp = b + j;
            for (int p = 0; p < k; p++, ap += sap, bp += ldb)
            {
                Vector256<float> b0 = Vector256.Load(bp), b1 = Vector256.Load(bp + 8);
                Vector256<float> t = Vector256.Create(ap[0]);
                c00 = Vector256.FusedMultiplyAdd(t, b0, c00); c01 = Vector256.FusedMultiplyAdd(t, b1, c01);
                t = Vector256.Create(ap[sai]);
                c10 = Vector256.FusedMultiplyAdd(t, b0, c10); c11 = Vector256.FusedMultiplyAdd(t, b1, c11);
                t = Vector256.Create(ap[2 * sai]);
                c20 = Vector256.FusedMultiplyAdd(t, b0, c20); c21 = Vector256.FusedMultiplyAdd(t, b1, c21);
                t = Vector256.Create(ap[3 * sai]);
                c30 = Vector256.FusedMultiplyAdd(t, b0, c30); c31 = Vector256.FusedMultiplyAdd(t, b1, c31);
            }

            float* cj = c + j;
            Epilogue(c00, alpha, beta, cj, 8); Epilogue(c01, alpha, beta, cj + 8, 8); cj += ldc;
            Epilogue(c10, alpha, beta, cj, 8); Epilogue(c11, alpha, beta, cj + 8, 8); cj += ldc;
            Epilogue(c20, alpha, beta, cj, 8); Epilogue(c21, alpha, beta, cj + 8, 8); cj += ldc;
            Epilogue(c30, alpha, beta, cj, 8); Epilogue(c31, alpha, beta, cj + 8, 8);
        }

        for (; j + 8 <= width; j += 8)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* ap = a;
            float* bp = b + j;
            for (int p = 0; p < k; p++, ap += sap, bp += ldb)
            {
                Vector256<float> b0 = Vector256.Load(bp);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[0]), b0, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[sai]), b0, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[2 * sai]), b0, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[3 * sai]), b0, c3);
            }

            int w = Math.Min(8, n - j);
            float* cj = c + j;
            Epilogue(c0, alpha, beta, cj, w); Epilogue(c1, alpha, beta, cj + ldc, w);
            Epilogue(c2, alpha, beta, cj + 2 * ldc, w); Epilogue(c3, alpha, beta, cj + 3 * ldc, w);
        }
    }

    private static void DirectOneRow(float* a, nint sap, float* b, nint ldb, float* c, int n, int width, int k, float alpha, float beta)
    {
        int j = 0;
        for (; j + 32 <= n; j += 32)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* ap = a;
            float* bp = b + j;
            for (int p = 0; p < k; p++, ap += sap, bp += ldb)
            {
                Vector256<float> t = Vector256.Create(ap[0]);
                c0 = Vector256.FusedMultiplyAdd(t, Vector256.Load(bp), c0);
                c1 = Vector256.FusedMultiplyAdd(t, Vector256.Load(bp + 8), c1);
                c2 = Vector256.FusedMultiplyAdd(t, Vector256.Load(bp + 16), c2);
                c3 = Vector256.FusedMultiplyAdd(t, Vector256.Load(bp + 24), c3);
            }

            Epilogue(c0, alpha, beta, c + j, 8); Epilogue(c1, alpha, beta, c + j + 8, 8);
            Epilogue(c2, alpha, beta, c + j + 16, 8); Epilogue(c3, alpha, beta, c + j + 24, 8);
        }

        for (; j + 8 <= width; j += 8)
        {
            Vector256<float> c0 = default, c1 = default;
            float* ap = a;
            float* bp = b + j;
            int p = 0;
            for (; p + 2 <= k; p += 2, ap += 2 * sap, bp += 2 * ldb)
            {
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[0]), Vector256.Load(bp), c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[sap]), Vector256.Load(bp + ldb), c1);
            }

            if (p < k)
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap[0]), Vector256.Load(bp), c0);
            Epilogue(c0 + c1, alpha, beta, c + j, Math.Min(8, n - j));
        }

        for (; j < n; j++)
            c[j] = Epilogue(StridedDot(a, sap, b + j, ldb, k), alpha, beta, c[j]);
    }

    /// <summary>One row of C as dot products: op(B)[p, j] at b[j * sbj + p * sbp].</summary>
    private static void DotRow(float* a, nint sap, float* b, nint sbj, nint sbp, float* c, int n, int k, float alpha, float beta)
    {
        int j = 0;
        if (sap == 1 && sbp == 1 && Vector256.IsHardwareAccelerated && k >= 8)
        {
            // Four columns at once share the loads of the A row.
            for (; j + 4 <= n; j += 4)
            {
                float* b0 = b + j * sbj, b1 = b0 + sbj, b2 = b1 + sbj, b3 = b2 + sbj;
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    Vector256<float> x = Vector256.Load(a + p);
                    s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b0 + p), s0);
                    s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b1 + p), s1);
                    s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b2 + p), s2);
                    s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b3 + p), s3);
                }

                float d0 = Vector256.Sum(s0), d1 = Vector256.Sum(s1), d2 = Vector256.Sum(s2), d3 = Vector256.Sum(s3);
                for (; p < k; p++)
                {
                    d0 = MathF.FusedMultiplyAdd(a[p], b0[p], d0);
                    d1 = MathF.FusedMultiplyAdd(a[p], b1[p], d1);
                    d2 = MathF.FusedMultiplyAdd(a[p], b2[p], d2);
                    d3 = MathF.FusedMultiplyAdd(a[p], b3[p], d3);
                }

                c[j] = Epilogue(d0, alpha, beta, c[j]);
                c[j + 1] = Epilogue(d1, alpha, beta, c[j + 1]);
                c[j + 2] = Epilogue(d2, alpha, beta, c[j + 2]);
                c[j + 3] = Epilogue(d3, alpha, beta, c[j + 3]);
            }
        }

        for (; j < n; j++)
            c[j] = Epilogue(StridedDot(a, sap, b + j * sbj, sbp, k), alpha, beta, c[j]);
    }

    /// <summary>Stores alpha * acc + beta * c into the first <paramref name="count"/> lanes of c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue(Vector256<float> acc, float alpha, float beta, float* c, int count)
    {
        if (count == 8)
            Epilogue(acc, alpha, beta, c);
        else
            EpiloguePartial(acc, alpha, beta, c, count);
    }

    private static void EpiloguePartial(Vector256<float> acc, float alpha, float beta, float* c, int count)
    {
        for (int i = 0; i < count; i++)
            c[i] = Epilogue(acc.GetElement(i), alpha, beta, c[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue(Vector256<float> acc, float alpha, float beta, float* c)
    {
        if (beta == 0f)
            Vector256.Store(acc * alpha, c);
        else
            Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Create(alpha), acc, Vector256.Create(beta) * Vector256.Load(c)), c);
    }

    /// <summary>alpha * acc + beta * c, not reading c when beta = 0 (it may hold NaN garbage).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Epilogue(float acc, float alpha, float beta, float c)
        => beta == 0f ? alpha * acc : MathF.FusedMultiplyAdd(alpha, acc, beta * c);

    /// <summary>sum over p of x[p * incx] * y[p * incy], in two chains to halve the FMA latency.</summary>
    private static float StridedDot(float* x, nint incx, float* y, nint incy, int n)
    {
        float s0 = 0f, s1 = 0f;
        int p = 0;
        for (; p + 2 <= n; p += 2)
        {
            s0 = MathF.FusedMultiplyAdd(x[p * incx], y[p * incy], s0);
            s1 = MathF.FusedMultiplyAdd(x[(p + 1) * incx], y[(p + 1) * incy], s1);
        }

        if (p < n)
            s0 = MathF.FusedMultiplyAdd(x[p * incx], y[p * incy], s0);
        return s0 + s1;
    }

    /// <summary>C = beta * C, writing zeros without reading C when beta = 0.</summary>
    private static void Scale(int m, int n, float beta, float* c, nint ldc)
    {
        if (beta == 1f)
            return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                for (int j = 0; j < row.Length; j++)
                    row[j] *= beta;
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static void ValidateSizes(bool transposeA, bool transposeB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, Math.Max(1, transposeA ? m : k));
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, Math.Max(1, transposeB ? k : n));
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, Math.Max(1, n));
    }

    private static void CheckLength(int length, int rows, int cols, int ld, string name)
    {
        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"Matrix {name} needs {needed} elements ({rows} x {cols}, leading dimension {ld}) but has {length}.", name);
    }

    private struct Job
    {
        public GemmKernelKind Kernel;
        public bool TransposeA, TransposeB, SplitRows;
        public int M, N, K, Tiles;
        public float Alpha, Beta;
        public float* A, B, C;
        public int Lda, Ldb, Ldc;
    }

    /// <summary>One thread's packing buffers, grown on demand and kept: no allocation in steady state.</summary>
    private sealed class Workspace
    {
        private float[]? _a, _b;
        private float* _pa, _pb;

        public float* A(long size) => _a is not null && _a.Length >= size + 16 ? _pa : Grow(ref _a, ref _pa, size);

        public float* B(long size) => _b is not null && _b.Length >= size + 16 ? _pb : Grow(ref _b, ref _pb, size);

        private static float* Grow(ref float[]? array, ref float* aligned, long size)
        {
            // Pinned so the pointer stays valid; 16 spare floats to align panels to the 64-byte cache line.
            array = GC.AllocateUninitializedArray<float>(checked((int)size + 16), pinned: true);
            nint p = (nint)Unsafe.AsPointer(ref array[0]);
            aligned = (float*)((p + 63) & ~(nint)63);
            return aligned;
        }
    }
}
