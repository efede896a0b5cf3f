using System.Diagnostics;

namespace Mlp.Benchmarks;

/// <summary>Helpers shared by the benchmark commands.</summary>
internal static class BenchmarkUtil
{
    /// <summary>The value after <paramref name="name"/> in args, or null.</summary>
    public static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static bool Flag(string[] args, string name) => Array.IndexOf(args, name) >= 0;

    /// <summary>
    /// Median seconds per call of <paramref name="action"/>: warms up (long enough for tiered JIT to reach its final
    /// code), then times <paramref name="repetitions"/> batches, each with enough calls to last about
    /// <paramref name="batchSeconds"/>.
    /// </summary>
    public static double MedianSeconds(Action action, int repetitions = 7, double batchSeconds = 0.05, double warmupSeconds = 0.3)
    {
        action();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < warmupSeconds)
            action();

        sw.Restart();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < batchSeconds)
        {
            action();
            calls++;
        }

        int perBatch = Math.Max(1, (int)(calls * batchSeconds / sw.Elapsed.TotalSeconds));
        var times = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++)
                action();
            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / perBatch;
        }

        Array.Sort(times);
        return times[repetitions / 2];
    }

    /// <summary>The repository root (the folder holding Mlp.sln, above the program or the working directory), or null.</summary>
    public static string? RepoRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Mlp.sln")))
                    return dir.FullName;
            }
        }

        return null;
    }
}
