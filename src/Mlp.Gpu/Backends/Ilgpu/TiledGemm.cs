using ILGPU;
using ILGPU.Runtime;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// GEMM as a shared-memory tiled ILGPU kernel (OpenCL and the CPU accelerator). Each group of 16 x 4 threads computes
/// one 16 x 16 tile of C, four rows per thread, walking k in steps of 16: both operand tiles are staged in shared memory
/// (padded to 17 columns against bank conflicts), and loads are mapped so consecutive threads read consecutive
/// addresses whichever operand is transposed. Every load and store is bounds-checked, so any shape works.
/// </summary>
internal sealed class TiledGemm : IIlgpuGemm
{
    /// <summary>Edge of the C tile and of the k step.</summary>
    public const int Tile = 16;

    /// <summary>Rows of C per thread; the group is Tile x (Tile / RowsPerThread) threads.</summary>
    public const int RowsPerThread = 4;

    /// <summary>Threads per group the kernel needs.</summary>
    public const int GroupSize = Tile * (Tile / RowsPerThread);

    private const int Pad = Tile + 1;
    private const int GroupRows = Tile / RowsPerThread;

    private readonly AcceleratorStream _stream;
    private readonly Action<AcceleratorStream, KernelConfig, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _kernel;

    public TiledGemm(Accelerator accelerator, AcceleratorStream stream)
    {
        if (accelerator.MaxNumThreadsPerGroup < GroupSize)
            throw new NotSupportedException($"The tiled GEMM needs {GroupSize} threads per group; {accelerator.Name} allows {accelerator.MaxNumThreadsPerGroup}.");
        _stream = stream;
        _kernel = accelerator.LoadKernel<GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Kernel);
    }

    /// <inheritdoc/>
    public string Name => "tiled ILGPU kernel";

    /// <inheritdoc/>
    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        var shape = new GemmShape(m, n, k, lda, ldb, ldc, transposeA ? 1 : 0, transposeB ? 1 : 0, alpha, beta);
        var config = new KernelConfig(
            new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile),
            new Index2D(Tile, GroupRows));
        _kernel(_stream, config, shape, a, b, c);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    /// <summary>The GEMM's scalars, passed to the kernel as one value (flags as ints: kernel arguments must be blittable).</summary>
    internal readonly record struct GemmShape(int M, int N, int K, int Lda, int Ldb, int Ldc,
        int TransposeA, int TransposeB, float Alpha, float Beta);

    // Grid (x, y) = (column tile, row tile); group (x, y) = (tx in 0..15, ty in 0..3).
    private static void Kernel(GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var aTile = SharedMemory.Allocate<float>(Tile * Pad); // aTile[row, kk] = op(A)(row0 + row, k0 + kk)
        var bTile = SharedMemory.Allocate<float>(Tile * Pad); // bTile[kk, col] = op(B)(k0 + kk, col0 + col)
        bool transposeA = s.TransposeA != 0, transposeB = s.TransposeB != 0;
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int row0 = Grid.IdxY * Tile;
        int col0 = Grid.IdxX * Tile;
        float acc0 = 0f, acc1 = 0f, acc2 = 0f, acc3 = 0f;

        for (int k0 = 0; k0 < s.K; k0 += Tile)
        {
            for (int r = 0; r < RowsPerThread; r++)
            {
                int u = ty + r * GroupRows; // 0..15, slow index; tx is the fast (coalesced) one
                // op(A): A is m x k (a[i·lda + p]) or, transposed, k x m (a[p·lda + i]); read along the contiguous index.
                int aRow = transposeA ? tx : u;
                int aK = transposeA ? u : tx;
                int i = row0 + aRow, p = k0 + aK;
                aTile[aRow * Pad + aK] = i < s.M && p < s.K ? a[transposeA ? (long)p * s.Lda + i : (long)i * s.Lda + p] : 0f;
                // op(B): B is k x n (b[p·ldb + j]) or, transposed, n x k (b[j·ldb + p]).
                int bK = transposeB ? tx : u;
                int bCol = transposeB ? u : tx;
                int q = k0 + bK, j = col0 + bCol;
                bTile[bK * Pad + bCol] = q < s.K && j < s.N ? b[transposeB ? (long)j * s.Ldb + q : (long)q * s.Ldb + j] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < Tile; kk++)
            {
                float bv = bTile[kk * Pad + tx];
                acc0 += aTile[ty * Pad + kk] * bv;
                acc1 += aTile[(ty + GroupRows) * Pad + kk] * bv;
                acc2 += aTile[(ty + 2 * GroupRows) * Pad + kk] * bv;
                acc3 += aTile[(ty + 3 * GroupRows) * Pad + kk] * bv;
            }
            Group.Barrier();
        }

        int col = col0 + tx;
        if (col >= s.N)
            return;
        Store(s, c, row0 + ty, col, acc0);
        Store(s, c, row0 + ty + GroupRows, col, acc1);
        Store(s, c, row0 + ty + 2 * GroupRows, col, acc2);
        Store(s, c, row0 + ty + 3 * GroupRows, col, acc3);
    }

    // C = α·acc + β·C; β = 0 never reads C (it may hold garbage or NaN).
    private static void Store(in GemmShape s, ArrayView<float> c, int row, int col, float acc)
    {
        if (row >= s.M)
            return;
        long index = (long)row * s.Ldc + col;
        c[index] = s.Beta == 0f ? s.Alpha * acc : s.Alpha * acc + s.Beta * c[index];
    }
}
