using System.Globalization;
using System.Text.Json;

namespace TorchSharpPeer;

/// <summary>
/// The TorchSharp (libtorch) peer of test/Mlp.Benchmarks: the workloads of eng/bench/peers.py, in process in .NET.
/// Usage: <c>TorchSharpPeer W1|W2|W3|W4 [--threads N] [--epochs E]</c>. Prints one JSON line with peers.py's field
/// names: <c>samples_per_s</c> for W1–W3, <c>row_latency_us</c> and <c>rows_per_s</c> for W4.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string workload = args.Length > 0 ? args[0].ToUpperInvariant() : "";
        if (workload is not ("W1" or "W2" or "W3" or "W4"))
        {
            Console.Error.WriteLine("usage: TorchSharpPeer W1|W2|W3|W4 [--threads N] [--epochs E]");
            return 2;
        }

        int threads = IntOption(args, "--threads", 2);
        int epochs = IntOption(args, "--epochs", 2);

        // Unlike peers.py's PyTorch (which the benchmark runs with OMP_WAIT_POLICY=PASSIVE), leave the wait policy at
        // libgomp's default here: libtorch-cpu's MKL opens an OpenMP region even for W3's 32x16 products and its tanh,
        // and under PASSIVE each one wakes a sleeping thread (2 cores, 2 threads: W3 45k vs 178k samples/s, W1 41k vs
        // 73k; ACTIVE measured like the default).
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { } policy && policy.Equals("PASSIVE", StringComparison.OrdinalIgnoreCase))
            Console.Error.WriteLine("TorchSharpPeer: OMP_WAIT_POLICY=PASSIVE slows libtorch's MKL several times over; unset it for peer numbers");

        using var stream = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("workload", workload);
            json.WriteString("framework", "torchsharp");
            json.WriteNumber("threads", threads);
            if (workload == "W4")
            {
                var (latencyUs, rowsPerSecond) = Workloads.Infer(threads);
                json.WriteNumber("row_latency_us", latencyUs);
                json.WriteNumber("rows_per_s", rowsPerSecond);
            }
            else
            {
                json.WriteNumber("samples_per_s", Workloads.Train(workload, threads, epochs));
                json.WriteString("device", "cpu");
            }

            json.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return 0;
    }

    /// <summary>The integer after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
