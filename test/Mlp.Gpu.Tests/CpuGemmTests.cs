using Mlp.Gpu.Backends.Cpu;

namespace Mlp.Gpu.Tests;

[TestClass]
public sealed class CpuGemmTests
{
    private static readonly GemmKernelKind[] s_allKinds =
        [GemmKernelKind.Auto, GemmKernelKind.Direct, GemmKernelKind.Scalar, GemmKernelKind.Vector256, GemmKernelKind.Vector512];

    private static IEnumerable<GemmKernelKind> SupportedKinds => s_allKinds.Where(GemmMicroKernel.IsSupported);

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(7, 13, 5)]
    [DataRow(1000, 3, 1)]
    [DataRow(3, 1000, 257)]
    [DataRow(129, 257, 65)]
    [DataRow(128, 784, 256)]
    [DataRow(12, 32, 300)]
    [DataRow(13, 33, 17)]
    [DataRow(32, 16, 16)]
    [DataRow(5, 1, 9)]
    [DataRow(1, 70, 3)]
    [DataRow(500, 40, 600)]
    [DataRow(3, 3100, 5)]
    [DataRow(2, 6200, 300)]
    [DataRow(12, 32, 1000)]
    public void MatchesReferenceForAllTransposes(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                foreach (GemmKernelKind kind in SupportedKinds)
                {
                    int threads = kind == GemmKernelKind.Auto ? 2 : 1;
                    Check(kind, threads, ta, tb, m, n, k, alpha: 1f, beta: 0f, padding: 0, seed: m * 31 + n * 7 + k);
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1f, 0f)]
    [DataRow(1f, 1f)]
    [DataRow(-0.75f, 0.5f)]
    [DataRow(2f, -1f)]
    public void AppliesAlphaAndBeta(float alpha, float beta)
    {
        (int M, int N, int K)[] shapes = [(7, 13, 5), (37, 70, 300), (130, 66, 40), (3, 4, 2)];
        foreach (var (m, n, k) in shapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    foreach (GemmKernelKind kind in SupportedKinds)
                        Check(kind, 2, ta, tb, m, n, k, alpha, beta, padding: 0, seed: m + n + k);
                }
            }
        }
    }

    [TestMethod]
    [DataRow(9, 17, 11, 3)]
    [DataRow(130, 70, 260, 5)]
    [DataRow(64, 64, 64, 16)]
    public void HonorsLeadingDimensionsOfSubmatrixViews(int m, int n, int k, int padding)
    {
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                foreach (GemmKernelKind kind in SupportedKinds)
                {
                    Check(kind, 2, ta, tb, m, n, k, 1f, 0f, padding, seed: 3);
                    Check(kind, 2, ta, tb, m, n, k, 0.5f, 0.25f, padding, seed: 4);
                }
            }
        }
    }

    [TestMethod]
    public void ThreadCountsBelowOneAreAcceptedAndGiveTheSameProduct()
    {
        var random = new Random(3);
        float[] a = Random(random, 64 * 96), b = Random(random, 96 * 80);
        float[] Product(int threads)
        {
            var c = new float[64 * 80];
            CpuGemm.Multiply(GemmKernelKind.Auto, threads, false, false, 64, 80, 96, 1f, a, 96, b, 80, 0f, c, 80);
            return c;
        }
        var one = Product(1);
        CollectionAssert.AreEqual(one, Product(0));
        CollectionAssert.AreEqual(one, Product(-3));
        using var backend = new CpuBackend();
        Assert.AreEqual(Environment.ProcessorCount, backend.Threads, "a backend without a cap uses every core");
    }

    [TestMethod]
    public void ZeroAlphaOrZeroDepthOnlyScalesC()
    {
        float[] a = [float.NaN, 1f], b = [float.NaN, 2f];
        float[] c = [1f, 2f, 3f, 4f];
        CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 1, 0f, a, 1, b, 2, 0.5f, c, 2);
        CollectionAssert.AreEqual(new[] { 0.5f, 1f, 1.5f, 2f }, c);

        float[] garbage = [float.NaN, float.NaN, float.NaN, float.NaN];
        CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, 0f, garbage, 2);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f, 0f }, garbage);

        CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 0, 0, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 1, 0f, Span<float>.Empty, 1);
    }

    [TestMethod]
    [DataRow(false, true, 256, 512, 784)]
    [DataRow(true, false, 256, 784, 128)]
    [DataRow(false, false, 128, 784, 256)]
    [DataRow(true, true, 97, 203, 301)]
    public void IsBitIdenticalAcrossRunsAndThreadCounts(bool ta, bool tb, int m, int n, int k)
    {
        var random = new Random(7);
        float[] a = Random(random, m * k), b = Random(random, k * n);
        int lda = ta ? m : k, ldb = tb ? k : n;
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 1, 2, 2, 3 })
        {
            float[] c = new float[m * n];
            CpuGemm.Multiply(GemmKernelKind.Auto, threads, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            if (first is null)
                first = c;
            else
                CollectionAssert.AreEqual(first, c, $"threads={threads}");
        }
    }

    [TestMethod]
    public void RejectsInvalidArguments()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, -2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, -3, 1f, a, 3, b, 2, 0f, c, 2));

        // Leading dimensions narrower than the stored width: A is 2 x 3, A^T storage 3 x 2, B 3 x 2, B^T storage 2 x 3, C 2 x 2.
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, true, false, 2, 2, 3, 1f, a, 1, b, 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a, 3, b, 1, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, true, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 1));

        // Spans too short for the shape and leading dimension.
        Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a.AsSpan(0, 5), 3, b, 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a, 3, b.AsSpan(0, 5), 2, 0f, c, 2));
        Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c.AsSpan(0, 3), 2));
        Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, 2, 2, 3, 1f, a, 4, b, 2, 0f, c, 2));

        // The pointer overload checks sizes and leading dimensions too.
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MultiplyPointers(-1, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MultiplyPointers(2, 1));
    }

    private static unsafe void MultiplyPointers(int m, int lda)
    {
        float* buffer = stackalloc float[64];
        CpuGemm.Multiply(GemmKernelKind.Auto, 1, false, false, m, 2, 2, 1f, buffer, lda, buffer, 2, 0f, buffer, 2);
    }

    /// <summary>
    /// Runs one product on matrices stored with <paramref name="padding"/> extra columns (a view into a wider
    /// matrix) and compares with a double-precision reference: |err| &lt;= 1e-4 * sum |alpha a b| + |beta c| terms.
    /// Padding and C (when beta = 0, NaN) must come back untouched / overwritten.
    /// </summary>
    private static void Check(GemmKernelKind kind, int threads, bool ta, bool tb, int m, int n, int k,
        float alpha, float beta, int padding, int seed)
    {
        var random = new Random(seed);
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + padding, ldb = bCols + padding, ldc = n + padding;
        float[] a = Random(random, aRows * lda), b = Random(random, bRows * ldb);
        float[] c = beta == 0f ? Filled(m * ldc, float.NaN) : Random(random, m * ldc);
        if (beta == 0f && padding > 0)
        {
            for (int i = 0; i < m; i++)
                c.AsSpan(i * ldc + n, padding).Fill(-7f);
        }

        float[] c0 = (float[])c.Clone();

        CpuGemm.Multiply(kind, threads, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = ta ? a[p * lda + i] : a[i * lda + p];
                    double y = tb ? b[j * ldb + p] : b[p * ldb + j];
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }

                double betaC = beta == 0f ? 0 : beta * (double)c0[i * ldc + j];
                double expected = alpha * sum + betaC;
                double bound = 1e-4 * (Math.Abs(alpha) * magnitude + Math.Abs(betaC)) + 1e-30;
                double actual = c[i * ldc + j];
                if (!(Math.Abs(actual - expected) <= bound))
                {
                    Assert.Fail($"{kind} threads={threads} ta={ta} tb={tb} {m}x{n}x{k} alpha={alpha} beta={beta} pad={padding}: " +
                        $"C[{i},{j}] = {actual}, expected {expected} (bound {bound})");
                }
            }

            for (int j = n; j < ldc; j++)
                Assert.AreEqual(c0[i * ldc + j], c[i * ldc + j], $"{kind}: padding of C row {i} was written");
        }
    }

    private static float[] Random(Random random, int size)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static float[] Filled(int size, float value)
    {
        var values = new float[size];
        Array.Fill(values, value);
        return values;
    }
}
