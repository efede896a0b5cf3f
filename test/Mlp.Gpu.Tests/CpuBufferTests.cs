using Mlp.Gpu.Backends.Cpu;

namespace Mlp.Gpu.Tests;

[TestClass]
public sealed unsafe class CpuBufferTests
{
    [TestMethod]
    public void AllocatedBuffersStartACacheLineAndAreZeroed()
    {
        // Two cores write neighbouring column ranges of the same matrix: with element 0 on a line boundary those
        // ranges (multiples of 16 floats) never share a line.
        var buffers = Enumerable.Range(1, 40).Select(n => new CpuBuffer<float>(n * 7)).ToList();
        foreach (var buffer in buffers)
        {
            Assert.AreEqual(0, (long)buffer.Pointer % 64, $"length {buffer.Length}");
            Assert.AreEqual(buffer.Length, buffer.Span.Length);
            Assert.IsTrue(buffer.Span.ToArray().All(v => v == 0f));
            fixed (float* first = buffer.Span)
                Assert.AreEqual((long)buffer.Pointer, (long)first, "Span and Pointer agree");
        }
        var indices = new CpuBuffer<int>(13);
        Assert.AreEqual(0, (long)indices.Pointer % 64);
    }

    [TestMethod]
    public void WrappedArraysAreUsedInPlace()
    {
        float[] data = [1f, 2f, 3f];
        using var buffer = new CpuBuffer<float>(data);
        buffer.Span[1] = 5f;
        Assert.AreEqual(5f, data[1]);
        fixed (float* first = data)
            Assert.AreEqual((long)first, (long)buffer.Pointer);
    }
}
