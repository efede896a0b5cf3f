namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// The second process of the save/load round trips: loads a model file with a new <see cref="MLContext"/> and no
/// registration call, scores the saved data with <c>Transform</c> and with a prediction engine, and writes what it
/// got (see <see cref="PredictionDump"/>).
/// </summary>
internal static class ModelLoaderProcess
{
    public const string Command = "load-and-predict";

    /// <summary>Arguments: task, model path, data path (ML.NET binary IDataView), output path.</summary>
    public static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine($"usage: {Command} <binary|multiclass|regression> <model.zip> <data.idv> <output.txt>");
            return 2;
        }
        try
        {
            string task = args[0], modelPath = args[1], dataPath = args[2], outputPath = args[3];
            var ml = new MLContext();
            var model = ml.Model.Load(modelPath, out _);
            var data = ml.Data.LoadFromBinary(dataPath);

            var lines = new List<string> { "[transform]" };
            lines.AddRange(PredictionDump.FromDataView(model.Transform(data)));
            lines.Add("[engine]");
            lines.AddRange(PredictionDump.FromPredictionEngine(ml, model, data, task));
            lines.Add("[model]");
            lines.AddRange(PredictionDump.DescribeModel(model));
            File.WriteAllLines(outputPath, lines);
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>Runs this test executable as a child process with <see cref="Command"/> and returns its output.</summary>
    public static List<string> RunInChildProcess(string task, string modelPath, string dataPath, string outputPath)
    {
        string assembly = typeof(ModelLoaderProcess).Assembly.Location;
        string appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        var start = File.Exists(appHost)
            ? new System.Diagnostics.ProcessStartInfo(appHost)
            : new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { "exec", assembly } };
        foreach (string argument in new[] { Command, task, modelPath, dataPath, outputPath })
            start.ArgumentList.Add(argument);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The model-loading process did not finish within 2 minutes.");
        }
        Assert.AreEqual(0, process.ExitCode, $"The model-loading process failed:\n{stderr.Result}\n{stdout.Result}");
        Assert.AreNotEqual(process.Id, Environment.ProcessId);
        return File.ReadAllLines(outputPath).ToList();
    }
}
