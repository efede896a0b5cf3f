using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Samples;

namespace Mlp.Benchmarks;

/// <summary>
/// What the models learn: every labelled set of the shared data folder, several random train/test splits, each model of
/// <see cref="QualityModels"/> and scikit-learn's MLP defaults on the very same splits; mean ± sd of the test metrics,
/// written as markdown tables (stdout, and <c>--out FILE</c>).
/// </summary>
internal static class QualityBenchmark
{
    public const string Usage = "test-set quality of the MLP vs scikit-learn and ML.NET's trainers on every shared data set "
        + "[--splits N] [--datasets a,b] [--max-rows N] [--test-fraction F] [--models a,b] [--threads N] [--no-sklearn] [--out FILE]";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        int splits = int.Parse(BenchmarkUtil.Option(args, "--splits") ?? "10", Invariant);
        double testFraction = double.Parse(BenchmarkUtil.Option(args, "--test-fraction") ?? "0.2", Invariant);
        string? maxRowsText = BenchmarkUtil.Option(args, "--max-rows");
        int? maxRows = maxRowsText is null ? null : int.Parse(maxRowsText, Invariant);
        string[] names = (BenchmarkUtil.Option(args, "--datasets") ?? string.Join(",", QualityDatasets.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        int threads = int.Parse(BenchmarkUtil.Option(args, "--threads") ?? "1", Invariant);
        string[]? modelFilter = BenchmarkUtil.Option(args, "--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        bool sklearn = !BenchmarkUtil.Flag(args, "--no-sklearn") && (modelFilter is null || modelFilter.Any(f => QualityModels.ScikitLearnRow.Contains(f, StringComparison.OrdinalIgnoreCase)));
        string? outFile = BenchmarkUtil.Option(args, "--out");
        if (splits < 2)
            throw new ArgumentException($"--splits must be at least 2 (a standard deviation needs two splits); got {splits}.");
        if (testFraction is <= 0 or >= 1)
            throw new ArgumentException($"--test-fraction must be in (0, 1); got {testFraction.ToString(Invariant)}.");
        if (threads < 1)
            throw new ArgumentException($"--threads must be at least 1; got {threads}.");
        if (maxRows < 0)
            throw new ArgumentException($"--max-rows must be 0 (all rows) or positive; got {maxRows}.");
        foreach (string name in names.Where(n => !QualityDatasets.Names.Contains(n)))
            throw new ArgumentException($"--datasets: unknown data set '{name}'; the data sets are {string.Join(", ", QualityDatasets.Names)}.");

        var report = new StringBuilder();
        void Write(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        string folder = DataFolder.Find();
        Write($"Command: `{string.Join(' ', new[] { "dotnet run --project test/Mlp.Benchmarks -c Release -- quality" }.Concat(args))}`");
        Write($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {CpuModel()}, {Environment.ProcessorCount} logical CPUs; .NET {Environment.Version}; "
            + $"{splits} random splits per data set, {testFraction:P0} of the rows for testing.");
        Write("");

        var summary = new List<string>();
        foreach (string name in names)
        {
            var ml = new MLContext(seed: 0);
            var data = QualityDatasets.Load(ml, name, folder);
            int cap = maxRows ?? data.DefaultRowCap;
            int used = cap == 0 ? data.Rows : Math.Min(cap, data.Rows);
            var splitRows = Enumerable.Range(0, splits).Select(seed => Split(data.Rows, used, testFraction, seed)).ToArray();
            var models = QualityModels.For(data.Task, threads)
                .Where(m => m.Name is QualityModels.DefaultsRow or QualityModels.TunedRow
                    || (modelFilter is null ? !data.CostlyModels.Contains(m.Name) : modelFilter.Any(f => m.Name.Contains(f, StringComparison.OrdinalIgnoreCase))))
                .ToList();
            string skipped = modelFilter is null && data.CostlyModels.Length > 0
                ? $" ({string.Join(", ", data.CostlyModels)} left out for its cost: name it in --models to run it)"
                : "";
            var results = models.ToDictionary(m => m.Name, _ => new List<Dictionary<string, double>>());

            for (int s = 0; s < splits; s++)
            {
                var (train, test) = splitRows[s];
                var trainView = View(new MLContext(seed: s), data, train);
                var testView = View(new MLContext(seed: s), data, test);
                foreach (var model in models)
                {
                    var context = new MLContext(seed: s);
                    var clock = Stopwatch.StartNew();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var metrics = QualityModels.FitAndEvaluate(context, data.Task, model.Pipeline(context), trainView, testView);
                    metrics["cpu_seconds"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                    metrics["seconds"] = clock.Elapsed.TotalSeconds;
                    results[model.Name].Add(metrics);
                    Console.Error.WriteLine($"{name} split {s}: {model.Name} {string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value:F3}"))}");
                }
            }

            var rows = results.ToList();
            if (sklearn)
            {
                Console.Error.WriteLine($"{name}: scikit-learn on {splits} splits");
                var theirs = ScikitLearn(data, splitRows, threads);
                rows.Insert(2, new(QualityModels.ScikitLearnRow, theirs ?? []));
            }

            string[] metricNames = Metrics(data.Task);
            string sizes = used < data.Rows ? $"{used:N0} of {data.Rows:N0} rows drawn at random per split" : $"{data.Rows:N0} rows";
            Write($"### {name}: {data.Task.ToString().ToLowerInvariant()}, {sizes}, {data.Columns} features, train {splitRows[0].Train.Length:N0} / test {splitRows[0].Test.Length:N0}{skipped}");
            Write("");
            Write($"| model | {string.Join(" | ", metricNames.Select(Title))} | CPU s per split (median) |");
            Write($"|---|{string.Concat(metricNames.Select(_ => "---:|"))}---:|");
            foreach (var (model, runs) in rows)
                Write($"| {model} | {string.Join(" | ", metricNames.Select(m => MeanSd(runs, m)))} | {Median(runs, "cpu_seconds"):F2} |");
            Write("");

            foreach (string metric in metricNames)
                summary.Add(SummaryLine(name, metric, rows));
        }

        Write("### Summary: our defaults against scikit-learn's defaults and the best ML.NET baseline");
        Write("");
        Write("Paired difference: mean ± sd over the splits of (Mlp defaults − scikit-learn) on the same split.");
        Write("");
        Write($"| data set | metric | {QualityModels.DefaultsRow} | {QualityModels.TunedRow} | scikit-learn | best ML.NET baseline | defaults − scikit-learn |");
        Write("|---|---|---:|---:|---:|---|---:|");
        foreach (string line in summary)
            Write(line);

        if (outFile is not null)
        {
            File.WriteAllText(outFile, report.ToString());
            Console.Error.WriteLine($"written: {outFile}");
        }
        return 0;
    }

    private static string[] Metrics(QualityTask task) => task switch
    {
        QualityTask.Binary => ["accuracy", "auc"],
        QualityTask.Multiclass => ["macro_accuracy"],
        _ => ["r2"],
    };

    private static string Title(string metric) => metric switch
    {
        "accuracy" => "accuracy",
        "auc" => "AUC",
        "macro_accuracy" => "macro accuracy",
        "r2" => "R²",
        _ => metric,
    };

    /// <summary>
    /// Split <paramref name="seed"/>: a seeded permutation of all rows, its first <paramref name="used"/> rows kept (the
    /// subsample), of which the first share <paramref name="testFraction"/> is the test set; indices sorted, so both
    /// sets keep the file's order.
    /// </summary>
    private static (int[] Train, int[] Test) Split(int rows, int used, double testFraction, int seed)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        new Random(seed).Shuffle(order);
        int testRows = (int)Math.Round(used * testFraction);
        return (order[testRows..used].Order().ToArray(), order[..testRows].Order().ToArray());
    }

    private sealed class Row<TLabel>
    {
        public float[] Features = [];
        public TLabel Label = default!;
    }

    // The rows as an in-memory IDataView: a known-size Features vector and the label type the task's trainers take
    // (bool for binary; float for regression and for multiclass, which the pipeline maps to a key).
    private static IDataView View(MLContext ml, QualityDataset data, int[] rows) => data.Task == QualityTask.Binary
        ? View(ml, data, rows, label => label != 0)
        : View(ml, data, rows, label => label);

    private static IDataView View<TLabel>(MLContext ml, QualityDataset data, int[] rows, Func<float, TLabel> label)
    {
        var items = rows.Select(r => new Row<TLabel>
        {
            Features = data.Features.AsSpan(r * data.Columns, data.Columns).ToArray(),
            Label = label(data.Labels[r]),
        }).ToArray();
        var schema = SchemaDefinition.Create(typeof(Row<TLabel>));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Columns);
        return ml.Data.LoadFromEnumerable(items, schema);
    }

    /// <summary>Runs eng/bench/quality_sklearn.py on the same rows and splits; null (with a message) when it cannot run.</summary>
    private static List<Dictionary<string, double>>? ScikitLearn(QualityDataset data, (int[] Train, int[] Test)[] splits, int threads)
    {
        string? root = BenchmarkUtil.RepoRoot();
        if (root is null)
        {
            Console.Error.WriteLine("scikit-learn row skipped: the repository root (eng/bench) was not found.");
            return null;
        }

        string folder = Directory.CreateTempSubdirectory("mlp-quality-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "features.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Features.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(folder, "labels.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Labels.AsSpan()).ToArray());
            var spec = new
            {
                task = data.Task.ToString().ToLowerInvariant(),
                rows = data.Rows,
                cols = data.Columns,
                splits = splits.Select((s, seed) => new { seed, train = s.Train, test = s.Test }),
            };
            File.WriteAllText(Path.Combine(folder, "splits.json"), JsonSerializer.Serialize(spec));

            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { Path.Combine(root, "eng", "bench", "quality_sklearn.py"), folder },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
            start.Environment["OMP_NUM_THREADS"] = threads.ToString(Invariant);
            start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(Invariant);
            start.Environment.Remove("OPENBLAS_CORETYPE");
            start.Environment.Remove("OPENBLAS_L2_SIZE");
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"scikit-learn row skipped: quality_sklearn.py exited with {process.ExitCode}: {error.Result.Trim().Split('\n').LastOrDefault()} (eng/bench/setup.sh installs it)");
                return null;
            }

            using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            return json.RootElement.GetProperty("splits").EnumerateArray()
                .Select(split => split.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()))
                .ToList();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"scikit-learn row skipped: /usr/bin/python3 did not start ({e.Message}); run eng/bench/setup.sh");
            return null;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Mean(List<Dictionary<string, double>> runs, string metric)
        => runs.Count == 0 ? double.NaN : runs.Average(r => r[metric]);

    // The median, so that the first split's JIT compilation does not count.
    private static double Median(List<Dictionary<string, double>> runs, string metric)
        => runs.Count == 0 ? double.NaN : runs.Select(r => r[metric]).Order().ElementAt(runs.Count / 2);

    // Sample standard deviation (n − 1).
    private static double Sd(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            return double.NaN;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static string MeanSd(List<Dictionary<string, double>> runs, string metric)
        => runs.Count == 0 ? "-" : $"{Mean(runs, metric):F3} ± {Sd(runs.Select(r => r[metric]).ToList()):F3}";

    private static string SummaryLine(string dataset, string metric, List<KeyValuePair<string, List<Dictionary<string, double>>>> rows)
    {
        var byName = rows.ToDictionary(r => r.Key, r => r.Value);
        var ours = byName[QualityModels.DefaultsRow];
        var theirs = byName.GetValueOrDefault(QualityModels.ScikitLearnRow) ?? [];
        // No baseline when --models keeps only the MLP and scikit-learn rows (MaxBy of an empty struct sequence throws).
        var baselines = rows.Where(r => r.Key is not (QualityModels.DefaultsRow or QualityModels.TunedRow or QualityModels.ScikitLearnRow)).ToList();
        var best = baselines.Count == 0 ? default : baselines.MaxBy(r => Mean(r.Value, metric));
        string paired = theirs.Count == ours.Count && ours.Count > 0
            ? $"{ours.Zip(theirs).Average(p => p.First[metric] - p.Second[metric]):+0.000;-0.000} ± {Sd(ours.Zip(theirs).Select(p => p.First[metric] - p.Second[metric]).ToList()):F3}"
            : "-";
        string baseline = best.Value is null ? "-" : $"{best.Key} {Mean(best.Value, metric):F3}";
        return $"| {dataset} | {Title(metric)} | {MeanSd(ours, metric)} | {MeanSd(byName[QualityModels.TunedRow], metric)} | {MeanSd(theirs, metric)} | {baseline} |"
            + $" {paired} |";
    }

    // The CPU model as lscpu prints it ("Model name"), read from /proc/cpuinfo.
    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
