using System.Diagnostics;
using System.Globalization;
using Mlp.Gpu.Backends.Cpu;

namespace Mlp.Benchmarks;

/// <summary>
/// SGEMM throughput (GFLOP/s = 2mnk / s, median of several timed batches after a warm-up) of <see cref="CpuGemm"/>
/// at 2048^3 and at the three products of MLP layers (batch-major rows, W is [out x in]), optionally side by side
/// with numpy/OpenBLAS (eng/bench/gemm_numpy.py).
/// </summary>
internal static class GemmBenchmark
{
    /// <summary>One product: forward Z = A·W^T (NT), weight gradient dW = delta^T·A (TN), input delta = delta·W (NN).</summary>
    internal readonly record struct Case(string Shape, string Op, int M, int N, int K)
    {
        public bool TransposeA => Op[0] == 'T';
        public bool TransposeB => Op[1] == 'T';
        public string Key => $"{Shape}|{Op}";
    }

    /// <summary>The shared case list; gemm_numpy.py builds the same one.</summary>
    internal static IEnumerable<Case> Cases()
    {
        yield return new Case("2048^3", "NN", 2048, 2048, 2048);
        (int Batch, int In, int Out)[] layers = [(128, 784, 256), (128, 256, 128), (128, 784, 512), (128, 512, 512), (256, 1024, 2048), (256, 2048, 2048), (32, 16, 16), (32, 2, 16), (32, 16, 1), (1, 784, 256)];
        foreach (var (batch, inputs, outputs) in layers)
        {
            string shape = $"{batch}x{inputs}->{outputs}";
            yield return new Case(shape, "NT", batch, outputs, inputs);
            yield return new Case(shape, "TN", outputs, inputs, batch);
            yield return new Case(shape, "NN", batch, inputs, outputs);
        }
    }

    public static int Run(string[] args)
    {
        int[] threadCounts = BenchmarkUtil.Option(args, "--threads") is { } t ? [int.Parse(t, CultureInfo.InvariantCulture)] : [1, 2];
        var kernel = BenchmarkUtil.Option(args, "--kernel") is { } k ? Enum.Parse<GemmKernelKind>(k, ignoreCase: true) : GemmKernelKind.Auto;
        bool peers = BenchmarkUtil.Flag(args, "--peers");
        string? filter = BenchmarkUtil.Option(args, "--filter");
        Case[] cases = Cases().Where(c => filter is null || c.Key.Contains(filter, StringComparison.Ordinal)).ToArray();

        Console.WriteLine($"# SGEMM, CpuGemm kernel {kernel} (best packed: {GemmMicroKernel.Best}), {Environment.ProcessorCount} logical CPUs");
        var ours = new Dictionary<(string, int), double>();
        foreach (int threads in threadCounts)
        {
            foreach (Case c in cases)
                ours[(c.Key, threads)] = Measure(c, kernel, threads);
        }

        var theirs = new Dictionary<(string, int), double>();
        if (peers)
        {
            foreach (int threads in threadCounts)
                RunNumpy(threads, filter, theirs);
        }

        Console.WriteLine();
        var header = "| shape | op | m | n | k |";
        var rule = "|---|---|--:|--:|--:|";
        foreach (int threads in threadCounts)
        {
            header += $" ours {threads}T |";
            rule += "--:|";
            if (theirs.Count > 0)
            {
                header += $" numpy {threads}T | ratio {threads}T |";
                rule += "--:|--:|";
            }
        }

        Console.WriteLine(header);
        Console.WriteLine(rule);
        foreach (Case c in cases)
        {
            var line = $"| {c.Shape} | {c.Op} | {c.M} | {c.N} | {c.K} |";
            foreach (int threads in threadCounts)
            {
                double g = ours[(c.Key, threads)];
                line += $" {g:F1} |";
                if (theirs.Count > 0)
                {
                    line += theirs.TryGetValue((c.Key, threads), out double p) ? $" {p:F1} | {g / p:F2} |" : " - | - |";
                }
            }

            Console.WriteLine(line);
        }

        Console.WriteLine();
        Console.WriteLine("GFLOP/s = 2mnk / median time per call; ratio = ours / numpy.");
        return 0;
    }

    private static double Measure(Case c, GemmKernelKind kernel, int threads)
    {
        var random = new Random(42);
        float[] a = RandomMatrix(random, c.M * c.K), b = RandomMatrix(random, c.K * c.N), output = new float[c.M * c.N];
        int lda = c.TransposeA ? c.M : c.K, ldb = c.TransposeB ? c.K : c.N;
        double seconds = BenchmarkUtil.MedianSeconds(() =>
            CpuGemm.Multiply(kernel, threads, c.TransposeA, c.TransposeB, c.M, c.N, c.K, 1f, a, lda, b, ldb, 0f, output, c.N));
        return 2.0 * c.M * c.N * c.K / seconds / 1e9;
    }

    private static float[] RandomMatrix(Random random, int size)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Runs the numpy peer with one thread count and reads its table rows into <paramref name="results"/>.</summary>
    private static void RunNumpy(int threads, string? filter, Dictionary<(string, int), double> results)
    {
        string? root = BenchmarkUtil.RepoRoot();
        string? script = root is null ? null : Path.Combine(root, "eng", "bench", "gemm_numpy.py");
        if (script is null || !File.Exists(script))
        {
            Console.WriteLine("numpy peer skipped: eng/bench/gemm_numpy.py not found.");
            return;
        }

        // Debian's python has the packaged numpy; a pyenv python first on PATH often has none.
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--threads");
        start.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        if (filter is not null)
        {
            start.ArgumentList.Add("--filter");
            start.ArgumentList.Add(filter);
        }

        // These tuning variables, when set for other tools, slow down current OpenBLAS builds.
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        try
        {
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"numpy peer skipped ({python} exited with {process.ExitCode}): {error.Trim()}");
                return;
            }

            Console.WriteLine();
            Console.Write(output);
            ParseRows(output, threads, results);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"numpy peer skipped: cannot start {python} ({e.Message}).");
        }
    }

    /// <summary>Reads rows "| shape | op | m | n | k | threads | GFLOP/s |".</summary>
    private static void ParseRows(string table, int threads, Dictionary<(string, int), double> results)
    {
        foreach (string line in table.Split('\n'))
        {
            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length >= 8 && double.TryParse(cells[7], NumberStyles.Float, CultureInfo.InvariantCulture, out double gflops))
                results[($"{cells[1]}|{cells[2]}", threads)] = gflops;
        }
    }
}
