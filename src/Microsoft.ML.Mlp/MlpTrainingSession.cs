using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.Gpu;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// The training run shared by the three trainers: reads the data, builds the network, trains it with the compute
/// core while logging every epoch to ML.NET's channel and progress channel, and honours cancellation from the
/// options' token and from the host.
/// </summary>
internal static class MlpTrainingSession
{
    private static readonly TimeSpan s_hostCancellationPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Trains a network whose output layer has <paramref name="outputCount"/> units and the head
    /// <paramref name="loss"/>. Labels must already have been checked as the task requires.</summary>
    public static MlpNetwork Train(IHost host, MlpTrainingSettings settings, TrainContext context, int outputCount,
        LossFunction loss, float huberDelta = 1f)
    {
        host.CheckValue(context, nameof(context));
        var trainingSet = context.TrainingSet;
        trainingSet.CheckFeatureFloatVector(out int featureCount);
        trainingSet.CheckOptFloatWeight();

        var network = new NetworkDescription(featureCount, settings.HiddenLayerSizes,
            MlpTrainingSettings.ToCore(settings.Activation), outputCount, loss, huberDelta);

        using var channel = host.Start("Training MLP");
        // One source for both ways to cancel: the options' token and MLContext.CancelExecution (polled).
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(settings.CancellationToken);
        using var hostWatch = WatchHostCancellation(host, cancellation);
        var token = cancellation.Token;

        var training = DataViewReader.Read(host, channel, trainingSet, network, "training data", token);
        Dataset? validation = null;
        if (context.ValidationSet is { } validationSet)
        {
            validationSet.CheckFeatureFloatVector(out int validationFeatures);
            if (validationFeatures != featureCount)
            {
                throw new InvalidOperationException(
                    $"The validation data has {validationFeatures} features in column '{validationSet.Schema.Feature!.Value.Name}'; the training data has {featureCount}.");
            }
            validation = DataViewReader.Read(host, channel, validationSet, network, "validation data", token);
        }

        int seed = settings.Seed ?? host.Rand.Next();
        channel.Info("Training a {0}-{1}-{2} network ({3} hidden activation, {4} parameters) on {5} examples{6}: " +
            "{7} epochs, batch size {8}, {9} with learning rate {10}, seed {11}.",
            featureCount, string.Join("-", settings.HiddenLayerSizes), outputCount, settings.Activation,
            network.ParameterCount, training.RowCount,
            validation is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({validation.RowCount} for validation)"),
            settings.NumberOfEpochs, settings.BatchSize, settings.Optimizer, settings.LearningRate, seed);

        var history = new List<MlpEpochRecord>(settings.NumberOfEpochs);
        using var progress = host.StartProgressChannel("MLP training");
        int completedEpochs = 0;
        double lastLoss = double.NaN;
        progress.SetHeader(new ProgressHeader(["Training loss"], ["Epochs"]), entry =>
        {
            entry.SetProgress(0, Volatile.Read(ref completedEpochs), settings.NumberOfEpochs);
            entry.SetMetric(0, Volatile.Read(ref lastLoss));
        });

        var options = new TrainingOptions
        {
            Epochs = settings.NumberOfEpochs,
            BatchSize = settings.BatchSize,
            Shuffle = settings.Shuffle,
            Seed = seed,
            Optimizer = settings.CreateOptimizerSettings(),
            Device = settings.DeviceKind,
            CancellationToken = token,
            EpochCompleted = record =>
            {
                var epoch = new MlpEpochRecord(record.Epoch, record.TrainingLoss, record.TrainingMetric,
                    record.ValidationLoss, record.ValidationMetric, record.LearningRate, record.Elapsed);
                history.Add(epoch);
                channel.Info("Epoch {0}/{1}: {2}", record.Epoch, settings.NumberOfEpochs, Describe(epoch));
                Volatile.Write(ref lastLoss, record.TrainingLoss);
                Volatile.Write(ref completedEpochs, record.Epoch);
            },
        };

        TrainingResult result;
        try
        {
            result = NetworkTrainer.Train(network, ParameterInitializer.Create(network, seed), training, validation, options);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !settings.CancellationToken.IsCancellationRequested)
        {
            // The host asked to stop: report it the way ML.NET's own trainers do.
            host.CheckAlive();
            throw;
        }

        foreach (float value in result.Parameters)
        {
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException(
                    "Training produced a non-finite weight. Lower LearningRate (now " +
                    settings.LearningRate.ToString(CultureInfo.InvariantCulture) +
                    "), normalize the features (e.g. mlContext.Transforms.NormalizeMinMax), or add L2Regularization.");
            }
        }

        if (history.Count != result.History.Count)
        {
            // The core did not report every epoch through the callback: take its history instead.
            history.Clear();
            history.AddRange(result.History.Select(r => new MlpEpochRecord(r.Epoch, r.TrainingLoss, r.TrainingMetric,
                r.ValidationLoss, r.ValidationMetric, r.LearningRate, r.Elapsed)));
        }
        return new MlpNetwork(network, settings.Activation, result.Parameters, history);
    }

    /// <summary>One line per epoch, as logged and as <see cref="MlpEpochRecord.ToString"/> shows it.</summary>
    public static string Describe(MlpEpochRecord record)
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(culture, $"training loss {record.TrainingLoss:G5}");
        if (record.TrainingMetric is { } trainingMetric)
            text.Append(culture, $", training metric {trainingMetric:F4}");
        if (record.ValidationLoss is { } validationLoss)
            text.Append(culture, $", validation loss {validationLoss:G5}");
        if (record.ValidationMetric is { } validationMetric)
            text.Append(culture, $", validation metric {validationMetric:F4}");
        text.Append(culture, $", learning rate {record.LearningRate:G3}, {record.Elapsed.TotalSeconds:F2} s");
        return text.ToString();
    }

    private static Timer? WatchHostCancellation(IHost host, CancellationTokenSource cancellation)
    {
        if (host is not ICancelable cancelable)
            return null;
        return new Timer(_ =>
        {
            try
            {
                if (cancelable.IsCanceled)
                    cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Training finished while the timer fired.
            }
        }, null, s_hostCancellationPollInterval, s_hostCancellationPollInterval);
    }
}
