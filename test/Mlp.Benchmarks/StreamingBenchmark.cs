using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Benchmarks;

/// <summary>
/// Streaming vs cached training on a binary IDataView file of N x 784 floats (default 2,000,000 rows, about 6.3 GB
/// as floats): each mode trains the W1 network for one epoch in a child process, which reports samples/s and its
/// peak working set; the table gives the peak as a share of the data size and streaming's throughput relative to
/// caching.
/// </summary>
internal static class StreamingBenchmark
{
    private const int FeatureCount = 784;

    private sealed class Row
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public static int Run(string[] args)
    {
        if (BenchmarkUtil.Option(args, "--child") is { } mode)
            return Child(mode, BenchmarkUtil.Option(args, "--file")!, int.Parse(BenchmarkUtil.Option(args, "--epochs") ?? "1", CultureInfo.InvariantCulture));

        int rows = int.Parse(BenchmarkUtil.Option(args, "--rows") ?? "2000000", CultureInfo.InvariantCulture);
        string file = BenchmarkUtil.Option(args, "--file") ?? Path.Combine(Path.GetTempPath(), $"mlp-stream-{rows}.idv");
        string[] modes = (BenchmarkUtil.Option(args, "--mode") ?? "stream,cached").Split(',');
        if (!File.Exists(file))
            Write(file, rows);
        double dataBytes = (double)rows * FeatureCount * sizeof(float);
        Console.WriteLine($"# Streaming vs cached training: {rows:N0} x {FeatureCount} floats ({dataBytes / 1e9:F2} GB as floats; file {new FileInfo(file).Length / 1e9:F2} GB), W1 network, 1 epoch, batch 128");
        Console.WriteLine();
        Console.WriteLine("| mode | samples/s | peak working set | peak / data size |");
        Console.WriteLine("|---|---:|---:|---:|");
        var rates = new Dictionary<string, double>();
        foreach (string m in modes)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(typeof(StreamingBenchmark).Assembly.Location); // run as `dotnet Mlp.Benchmarks.dll`
            foreach (string a in new[] { "stream", "--child", m, "--file", file })
                start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            double rate = json.RootElement.GetProperty("samples_per_s").GetDouble();
            long peak = json.RootElement.GetProperty("peak_working_set").GetInt64();
            rates[m] = rate;
            Console.WriteLine($"| {m} | {rate:N0} | {peak / 1e9:F2} GB | {peak / dataBytes:P1} |");
        }
        if (rates.TryGetValue("stream", out double s) && rates.TryGetValue("cached", out double c))
            Console.WriteLine($"\nstreaming / cached throughput: {s / c:F2}x");
        return 0;
    }

    private static int Child(string mode, string file, int epochs)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromBinary(file);
        var trainer = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = [256, 128], BatchSize = 128, NumberOfEpochs = epochs, Seed = 1,
            StreamTrainingData = mode == "stream",
        });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer);
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(data);
        clock.Stop();
        long rows = data.GetRowCount() ?? 0;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine(JsonSerializer.Serialize(new { mode, samples_per_s = rows * epochs / clock.Elapsed.TotalSeconds, peak_working_set = process.PeakWorkingSet64 }));
        GC.KeepAlive(model);
        return 0;
    }

    // MNIST-like rows (mostly zeros, bytes scaled to [0, 1]) so the file compresses as real image data does.
    private static void Write(string file, int rows)
    {
        Console.Error.WriteLine($"writing {file} ({rows:N0} rows)...");
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromEnumerable(Rows(rows));
        string temporary = file + ".tmp";
        using (var stream = File.Create(temporary))
            ml.Data.SaveAsBinary(view, stream);
        File.Move(temporary, file, overwrite: true);
    }

    private static IEnumerable<Row> Rows(int count)
    {
        var random = new Random(1);
        for (int r = 0; r < count; r++)
        {
            var x = new float[FeatureCount];
            int label = r % 10;
            for (int j = 0; j < FeatureCount; j++)
            {
                int row = j / 28, column = j % 28;
                bool ink = Math.Abs(row - 14) < 6 + label / 2 && Math.Abs(column - 14) < 3 + (label * 7 + r) % 5;
                x[j] = ink ? random.Next(128, 256) / 255f : 0f;
            }
            yield return new Row { Features = x, Label = label };
        }
    }
}
