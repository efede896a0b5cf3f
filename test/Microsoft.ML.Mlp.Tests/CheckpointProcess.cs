using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// The child process of the kill-and-resume tests: trains a binary MLP with checkpoints (or without), prints
/// "epoch N" after every epoch so the parent can kill it at a chosen point, and writes the trained model's scores and
/// weights as the bits of their floats.
/// </summary>
internal static class CheckpointProcess
{
    public const string Command = "train-with-checkpoints";

    public const int Epochs = 30;

    /// <summary>The options of every run of the kill tests: dropout, Adam, a cosine schedule, small batches.</summary>
    public static MlpBinaryTrainer.Options Options(bool stream, string? checkpointDirectory) => new()
    {
        HiddenLayerSizes = [24, 12], NumberOfEpochs = Epochs, BatchSize = 16, LearningRate = 0.01f, Seed = 5,
        DropoutRate = 0.1f, LearningRateSchedule = MlpLearningRateSchedule.Cosine, Device = MlpDevice.Cpu,
        StreamTrainingData = stream, StreamBlockRows = 200, CheckpointDirectory = checkpointDirectory,
    };

    public static IDataView Data(MLContext ml) => SyntheticData.Binary(ml, 1500, seed: 9);

    /// <summary>Child side. Arguments: cached|streamed, the checkpoint directory ("-" for none), the output file.</summary>
    public static int RunChild(string[] args)
    {
        try
        {
            var ml = new MLContext(seed: 1);
            var data = Data(ml);
            var options = Options(args[0] == "streamed", args[1] == "-" ? null : args[1]);
            options.Progress = new SynchronousProgress(report => Console.WriteLine($"epoch {report.Record.Epoch}"));
            var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(data);
            File.WriteAllLines(args[2], Dump(model.Transform(data), model.Model.SubModel));
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>The scores and every weight and bias, as hexadecimal float bits (so equal means bit-identical).</summary>
    public static IEnumerable<string> Dump<T>(IDataView scored, MlpModelParametersBase<T> model)
    {
        static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);
        yield return "scores " + string.Join(" ", scored.GetColumn<float>("Score").Select(Bits));
        for (int l = 0; l < model.LayerCount; l++)
        {
            yield return $"W{l} " + string.Join(" ", model.GetWeights(l).ToArray().Select(Bits));
            yield return $"b{l} " + string.Join(" ", model.GetBiases(l).ToArray().Select(Bits));
        }
        foreach (var record in model.TrainingHistory)
            yield return string.Create(CultureInfo.InvariantCulture, $"epoch {record.Epoch} {record.TrainingLoss:R} {record.ValidationLoss:R} {record.LearningRate:R}");
    }

    private static ProcessStartInfo StartInfo(params string[] args)
    {
        string assembly = typeof(CheckpointProcess).Assembly.Location;
        string appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        var start = File.Exists(appHost)
            ? new ProcessStartInfo(appHost)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { "exec", assembly } };
        start.ArgumentList.Add(Command);
        foreach (string argument in args)
            start.ArgumentList.Add(argument);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return start;
    }

    /// <summary>Runs a child to the end; fails the test when it does not succeed.</summary>
    public static void RunToEnd(string mode, string directory, string output)
    {
        using var process = Process.Start(StartInfo(mode, directory, output))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail("The training process did not finish within 2 minutes.");
        }
        Assert.AreEqual(0, process.ExitCode, $"The training process failed:\n{stderr.Result}\n{stdout.Result}");
    }

    /// <summary>Starts a child and kills it (SIGKILL) <paramref name="delayMilliseconds"/> after it reports epoch
    /// <paramref name="killAfterEpoch"/> or later; returns the last epoch it reported.</summary>
    public static int RunAndKill(string mode, string directory, string output, int killAfterEpoch, int delayMilliseconds)
    {
        using var process = Process.Start(StartInfo(mode, directory, output))!;
        var stderr = process.StandardError.ReadToEndAsync();
        int last = 0;
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (!line.StartsWith("epoch ", StringComparison.Ordinal))
                    continue;
                last = int.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
                if (last >= killAfterEpoch)
                {
                    if (delayMilliseconds > 0)
                        Thread.Sleep(delayMilliseconds);
                    process.Kill(); // SIGKILL on Unix, TerminateProcess on Windows: no cleanup runs in the child
                    process.WaitForExit();
                    return last;
                }
            }
            process.WaitForExit();
            Assert.Fail($"The training process ended (exit code {process.ExitCode}) after epoch {last}, before epoch {killAfterEpoch}:\n{stderr.Result}");
            return last;
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
        }
    }
}
