using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Inference;

namespace Mlp.Gpu.Tests;

[TestClass]
public sealed class CpuGemvTests
{
    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(3, 7)]
    [DataRow(4, 8)]
    [DataRow(5, 15)]
    [DataRow(7, 16)]
    [DataRow(13, 33)]
    [DataRow(16, 5)]
    [DataRow(17, 9)]
    [DataRow(64, 3)]
    [DataRow(65, 31)]
    [DataRow(100, 2)]
    [DataRow(256, 784)]
    [DataRow(10, 1000)]
    public void MatchesANaiveProduct(int rows, int columns)
    {
        var random = new Random(rows * 1000 + columns);
        float[] w = Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] x = Enumerable.Range(0, columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] b = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        var y = new float[rows];
        CpuGemv.Multiply(Packed(w, rows, columns), x, b, y);
        for (int j = 0; j < rows; j++)
        {
            double expected = b[j], scale = Math.Abs(b[j]);
            for (int i = 0; i < columns; i++)
            {
                expected += (double)w[j * columns + i] * x[i];
                scale += Math.Abs((double)w[j * columns + i] * x[i]);
            }
            Assert.AreEqual(expected, y[j], 1e-5 * scale + 1e-7, $"row {j}");
        }
    }

    [TestMethod]
    public void SuccessiveCallsGiveBitIdenticalResults()
    {
        // Calls alternate the direction they walk W in (for the cache); each output must not depend on it.
        var random = new Random(5);
        float[] w = Packed(Enumerable.Range(0, 37 * 300).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), 37, 300);
        float[] x = Enumerable.Range(0, 300).Select(_ => (float)random.NextDouble()).ToArray();
        float[] b = new float[37];
        var first = new float[37];
        var second = new float[37];
        CpuGemv.Multiply(w, x, b, first);
        CpuGemv.Multiply(w, x, b, second);
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void PackingPutsEachPanelsWeightsForOneInputTogether()
    {
        // 18 x 2: panel 0 holds rows 0..15, panel 1 rows 16..17 and 14 zero lanes.
        float[] w = Enumerable.Range(0, 36).Select(i => (float)(i + 1)).ToArray();
        float[] packed = Packed(w, 18, 2);
        Assert.HasCount(64, packed);
        Assert.AreEqual(w[0], packed[0]);       // row 0, input 0
        Assert.AreEqual(w[2], packed[1]);       // row 1, input 0
        Assert.AreEqual(w[1], packed[16]);      // row 0, input 1
        Assert.AreEqual(w[16 * 2 + 1], packed[32 + 16]); // row 16, input 1
        Assert.AreEqual(0f, packed[32 + 2]);    // padding lane
    }

    [TestMethod]
    public void RejectsAShortMatrix() =>
        Assert.ThrowsExactly<ArgumentException>(() => CpuGemv.Multiply(new float[5], new float[3], new float[2], new float[2]));

    private static float[] Packed(float[] w, int rows, int columns)
    {
        var packed = new float[CpuGemv.PackedLength(rows, columns)];
        CpuGemv.Pack(w, rows, columns, packed);
        return packed;
    }
}
