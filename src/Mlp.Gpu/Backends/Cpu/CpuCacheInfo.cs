using System.Globalization;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>The CPU's cache sizes that the GEMM blocking depends on, read once from the operating system.</summary>
internal static class CpuCacheInfo
{
    /// <summary>Size of one core's level-1 data cache in bytes; 32 KiB where the OS does not say (Linux does).</summary>
    public static int L1DataBytes { get; } = ReadL1DataBytes() ?? 32 * 1024;

    private static int? ReadL1DataBytes()
    {
        // Linux: /sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}, size as "48K".
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        try
        {
            if (!Directory.Exists(root))
                return null;
            foreach (string index in Directory.EnumerateDirectories(root, "index*"))
            {
                if (File.ReadAllText(Path.Combine(index, "level")).Trim() != "1" || File.ReadAllText(Path.Combine(index, "type")).Trim() != "Data")
                    continue;
                return ParseSize(File.ReadAllText(Path.Combine(index, "size")));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>"48K" → 49152, "1M" → 1048576, "32768" → 32768; null for anything else.</summary>
    internal static int? ParseSize(string text)
    {
        text = text.Trim();
        int scale = 1;
        if (text.EndsWith('K') || text.EndsWith('k'))
            scale = 1024;
        else if (text.EndsWith('M') || text.EndsWith('m'))
            scale = 1024 * 1024;
        string digits = scale == 1 ? text : text[..^1];
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0 && value <= int.MaxValue / scale
            ? value * scale
            : null;
    }
}
