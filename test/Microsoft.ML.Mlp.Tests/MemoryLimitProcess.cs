using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// A child process that trains under a GC heap hard limit (<c>DOTNET_GCHeapHardLimit</c>, which fixes
/// <see cref="MemoryEstimate.AvailableHostBytes"/>): one hidden layer sized so that the device-side buffers need about
/// 0.7 of the limit and the host copies of the weights take the total to about 1.5 of it.
/// </summary>
internal static class MemoryLimitProcess
{
    public const string Command = "train-under-memory-limit";

    /// <summary>Exit code: refused with an <see cref="InvalidOperationException"/> before training.</summary>
    public const int Refused = 3;

    /// <summary>Child side: prints the refusal (exit <see cref="Refused"/>), any other exception (exit 1), or trains (exit 0).</summary>
    public static int RunChild()
    {
        // 6 features, w hidden, 1 output, Adam, 1-row batches: the device holds 4 x 8w parameter floats and 3w
        // activations (about 140w bytes); the host copies are 2 x 8w parameters plus a 23w-float predictor (156w bytes).
        long available = MemoryEstimate.AvailableHostBytes;
        int width = (int)(available / 200);
        Console.WriteLine($"available {available:N0} bytes, hidden width {width:N0}");
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 4, seed: 1);
        try
        {
            ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [width], BatchSize = 1, NumberOfEpochs = 1, Optimizer = MlpOptimizer.Adam, Device = MlpDevice.Cpu,
            }).Fit(data);
            Console.WriteLine("trained");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine(e.Message);
            return Refused;
        }
        catch (Exception e)
        {
            Console.WriteLine(e);
            return 1;
        }
    }

    /// <summary>Parent side: runs this test executable with <see cref="Command"/> under a heap limit of
    /// <paramref name="heapLimitBytes"/>; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(long heapLimitBytes)
    {
        string assembly = typeof(MemoryLimitProcess).Assembly.Location;
        string appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        var start = File.Exists(appHost)
            ? new System.Diagnostics.ProcessStartInfo(appHost)
            : new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { "exec", assembly } };
        start.ArgumentList.Add(Command);
        start.Environment["DOTNET_GCHeapHardLimit"] = heapLimitBytes.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The child process did not finish within 90 s.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
