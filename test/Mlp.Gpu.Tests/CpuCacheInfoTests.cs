using System.Diagnostics;
using System.Globalization;
using System.Reflection;
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

    [TestMethod]
    public void L1DataCacheIsReadFromTheOperatingSystemAndAgreesWithAnIndependentSource()
    {
        // 32 KiB is also the fallback, and the usual size: only the read itself (not L1DataBytes) shows that the
        // size came from the operating system.
        var read = typeof(CpuCacheInfo).GetMethod("ReadL1DataBytes", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new AssertFailedException("CpuCacheInfo.ReadL1DataBytes() was not found: rename it here too.");
        int? fromSystem = (int?)read.Invoke(null, null);
        if (!Directory.Exists("/sys/devices/system/cpu/cpu0/cache"))
        {
            Assert.IsNull(fromSystem);
            Assert.AreEqual(32 * 1024, CpuCacheInfo.L1DataBytes, "the documented fallback");
            Assert.Inconclusive("This system does not publish its caches in /sys: the 32 KiB fallback is in use, nothing to compare.");
        }
        Assert.IsNotNull(fromSystem, "/sys publishes the caches, but no level-1 data cache size was read from it.");
        Assert.AreEqual(fromSystem.Value, CpuCacheInfo.L1DataBytes);

        var (independent, source) = IndependentL1DataBytes();
        if (independent is null)
            Assert.Inconclusive($"Read {fromSystem} bytes from /sys, but neither getconf nor lscpu gave an L1d size to compare with ({source}).");
        // On a hybrid CPU (performance and efficiency cores) cpu0's L1d can differ from the core getconf ran on.
        var perCore = Directory.GetDirectories("/sys/devices/system/cpu", "cpu*")
            .Select(cpu => Path.Combine(cpu, "cache"))
            .Where(Directory.Exists)
            .SelectMany(cache => Directory.GetDirectories(cache, "index*"))
            .Where(index => File.ReadAllText(Path.Combine(index, "level")).Trim() == "1" && File.ReadAllText(Path.Combine(index, "type")).Trim() == "Data")
            .Select(index => CpuCacheInfo.ParseSize(File.ReadAllText(Path.Combine(index, "size"))))
            .Distinct()
            .ToList();
        if (perCore.Count > 1)
            Assert.Contains(independent, perCore, $"L1d sizes of the cores in /sys: {string.Join(", ", perCore)}; {source}");
        else
            Assert.AreEqual(independent.Value, fromSystem.Value, $"L1d from /sys vs {source}");
    }

    /// <summary>The L1d size from <c>getconf LEVEL1_DCACHE_SIZE</c> (glibc: CPUID on x86), or where that prints 0 or
    /// nothing (some VMs), from <c>lscpu</c>; null and what was tried when neither says.</summary>
    private static (int? Bytes, string Source) IndependentL1DataBytes()
    {
        string? getconf = Run("getconf", "LEVEL1_DCACHE_SIZE");
        if (int.TryParse(getconf, NumberStyles.None, CultureInfo.InvariantCulture, out int bytes) && bytes > 0)
            return (bytes, $"getconf LEVEL1_DCACHE_SIZE = {bytes}");
        // "L1d 49152": the per-core size, in bytes.
        string? lscpu = Run("lscpu", "--caches=NAME,ONE-SIZE", "--bytes");
        var line = lscpu?.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f.Length == 2 && f[0] == "L1d");
        if (line is not null && int.TryParse(line[1], NumberStyles.None, CultureInfo.InvariantCulture, out bytes) && bytes > 0)
            return (bytes, $"lscpu: L1d {bytes}");
        return (null, $"getconf printed '{getconf}', lscpu printed '{lscpu}'");
    }

    private static string? Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
