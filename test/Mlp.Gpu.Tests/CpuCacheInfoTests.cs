using Mlp.Gpu.Backends.Cpu;

namespace Mlp.Gpu.Tests;

[TestClass]
public sealed class CpuCacheInfoTests
{
    [TestMethod]
    [DataRow("48K", 49152)]
    [DataRow("32K\n", 32768)]
    [DataRow("1M", 1048576)]
    [DataRow("65536", 65536)]
    public void ParsesTheKernelsSizeStrings(string text, int bytes) => Assert.AreEqual(bytes, CpuCacheInfo.ParseSize(text));

    [TestMethod]
    [DataRow("")]
    [DataRow("K")]
    [DataRow("-4K")]
    [DataRow("0K")]
    [DataRow("9999999M")]
    [DataRow("48 KiB")]
    public void RejectsAnythingElse(string text) => Assert.IsNull(CpuCacheInfo.ParseSize(text));

    [TestMethod]
    [DataRow(16 * 1024, 256)]
    [DataRow(32 * 1024, 256)]   // Zen 4, most AVX2 parts: the depth used before it followed L1d
    [DataRow(48 * 1024, 384)]   // Zen 5, recent Intel cores
    [DataRow(1024 * 1024, 384)] // capped: the packed A block (480 x kc) must stay inside a 1 MiB L2
    public void GemmBlockDepthFollowsL1(int l1Bytes, int kc) => Assert.AreEqual(kc, CpuGemm.BlockDepth(l1Bytes));

    [TestMethod]
    public void L1DataCacheIsAPlausibleSize()
    {
        int bytes = CpuCacheInfo.L1DataBytes;
        Assert.IsTrue(bytes is >= 8 * 1024 and <= 4 * 1024 * 1024, $"L1d = {bytes} bytes");
        Assert.AreEqual(0, bytes % 1024, $"L1d = {bytes} bytes: caches come in whole KiB");
    }
}
