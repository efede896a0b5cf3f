// A Keras-style progress line per epoch for the console samples; link with <Compile Include="../Shared/EpochProgressBar.cs" />.
using System.Globalization;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Samples;

/// <summary>
/// Prints one line per epoch, as Keras' fit does: a bar of the epochs done, the losses and metrics, and the time.
/// Pass it as the trainer's <c>Progress</c> option; it is called on the training thread after every epoch.
/// </summary>
internal sealed class EpochProgressBar(TextWriter writer, string metricName = "metric", int width = 24) : IProgress<MlpEpochReport>
{
    public void Report(MlpEpochReport progress)
    {
        var report = progress.Record;
        int done = (int)Math.Round(width * (double)report.Epoch / progress.NumberOfEpochs);
        string bar = new string('=', Math.Max(0, done - 1)) + (done > 0 ? ">" : "") + new string('.', width - done);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Epoch {report.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(progress.NumberOfEpochs.ToString(CultureInfo.InvariantCulture).Length)}/{progress.NumberOfEpochs} [{bar}] loss {report.TrainingLoss:F4}");
        if (report.TrainingMetric is { } metric)
            line += string.Create(CultureInfo.InvariantCulture, $" - {metricName} {metric:F4}");
        if (report.ValidationLoss is { } validationLoss)
            line += string.Create(CultureInfo.InvariantCulture, $" - val_loss {validationLoss:F4}");
        if (report.ValidationMetric is { } validationMetric)
            line += string.Create(CultureInfo.InvariantCulture, $" - val_{metricName} {validationMetric:F4}");
        writer.WriteLine(line + string.Create(CultureInfo.InvariantCulture, $" - {report.Elapsed.TotalSeconds:F1}s"));
    }
}
