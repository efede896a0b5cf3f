using Mlp.Gpu.Backends;
using static Mlp.Gpu.Tests.IlgpuParity;

namespace Mlp.Gpu.Tests;

/// <summary>
/// The ILGPU GEMMs (tiled kernel; cuBLAS on CUDA) against a float64 reference, for every transpose pair, shapes that
/// are not multiples of the 16-wide tile, padded leading dimensions, views at offsets, and α/β.
/// </summary>
[TestClass]
public sealed class IlgpuGemmTests
{
    private static IlgpuTargets _targets = null!;

    [ClassInitialize]
    public static void Initialize(TestContext context) => _targets = new IlgpuTargets();

    [ClassCleanup]
    public static void Cleanup() => _targets.Dispose();

    public static IEnumerable<object[]> Cases()
    {
        foreach (var target in Enum.GetValues<IlgpuTarget>())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return [target, ta, tb];
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void MatchesReference(IlgpuTarget target, bool transposeA, bool transposeB)
    {
        var backend = _targets.Get(target);
        (int M, int N, int K)[] shapes = [(1, 1, 1), (3, 5, 2), (17, 33, 5), (31, 7, 45), (16, 16, 16), (40, 20, 0)];
        foreach (var (m, n, k) in shapes)
            foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, 1f), (-1.5f, 0.25f) })
            {
                // Padded leading dimensions (+3) and views that start inside their buffers (+2, +1, +4).
                int aRows = transposeA ? k : m, aCols = transposeA ? m : k, lda = aCols + 3;
                int bRows = transposeB ? n : k, bCols = transposeB ? k : n, ldb = bCols + 3;
                int ldc = n + 3;
                var a = RandomValues(2 + aRows * lda, seed: m * 7 + k);
                var b = RandomValues(1 + bRows * ldb, seed: n * 11 + k);
                var c = RandomValues(4 + m * ldc, seed: m + n);
                if (beta == 0f)
                    c[4] = float.NaN; // β = 0 must overwrite C without reading it

                var expected = (float[])c.Clone();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double sum = 0;
                        for (int p = 0; p < k; p++)
                            sum += (double)a[2 + (transposeA ? p * lda + i : i * lda + p)] * b[1 + (transposeB ? j * ldb + p : p * ldb + j)];
                        int index = 4 + i * ldc + j;
                        expected[index] = (float)(alpha * sum + (beta == 0f ? 0 : beta * (double)c[index]));
                    }

                using var av = Upload(backend, a);
                using var bv = Upload(backend, b);
                using var cv = Upload(backend, c);
                backend.Gemm(transposeA, transposeB, m, n, k, alpha, new BufferView(av, 2), lda, new BufferView(bv, 1), ldb, beta, new BufferView(cv, 4), ldc);
                AreClose(expected, Download(backend, cv), 1e-5, 1e-5 * Math.Sqrt(k + 1),
                    $"{backend.Name}: {m}x{n}x{k}, transposes ({transposeA}, {transposeB}), α={alpha}, β={beta}");
            }
    }

    [TestMethod]
    [DataRow(IlgpuTarget.CpuSimulator)]
    [DataRow(IlgpuTarget.Cuda)]
    [DataRow(IlgpuTarget.CudaTiled)]
    [DataRow(IlgpuTarget.OpenCL)]
    public void LayerSizedProductMatches(IlgpuTarget target)
    {
        // A forward-pass shaped product (64 rows, 100 inputs, 70 outputs: x·Wᵀ), several tiles in every dimension.
        var backend = _targets.Get(target);
        const int m = 64, n = 70, k = 100;
        var x = RandomValues(m * k, seed: 1);
        var w = RandomValues(n * k, seed: 2);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)x[i * k + p] * w[j * k + p];
                expected[i * n + j] = (float)sum;
            }
        using var xv = Upload(backend, x);
        using var wv = Upload(backend, w);
        using var cv = backend.Allocate(m * n);
        backend.Gemm(false, true, m, n, k, 1f, xv, k, wv, k, 0f, cv, n);
        AreClose(expected, Download(backend, cv), 1e-5, 1e-4, backend.Name);
    }
}
