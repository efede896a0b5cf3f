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
    /// <param name="host">The trainer's host: logging, progress, cancellation and the default seed.</param>
    /// <param name="settings">The validated options.</param>
    /// <param name="context">The training data, and validation data from <c>Fit(trainData, validationData)</c>.</param>
    /// <param name="outputCount">Units of the output layer.</param>
    /// <param name="loss">The output head.</param>
    /// <param name="huberDelta">δ of the Huber loss.</param>
    /// <param name="classWeights">Weight of each class index (binary: [negative, positive]), multiplied into the example
    /// weights of the training and validation data; null for none.</param>
    /// <param name="initial">A trained network to continue from (its architecture replaces the options'); null to
    /// start from fresh weights.</param>
    public static MlpNetwork Train(IHost host, MlpTrainingSettings settings, TrainContext context, int outputCount,
        LossFunction loss, float huberDelta = 1f, float[]? classWeights = null, MlpNetwork? initial = null)
    {
        host.CheckValue(context, nameof(context));
        var trainingSet = context.TrainingSet;
        trainingSet.CheckFeatureFloatVector(out int featureCount);
        trainingSet.CheckOptFloatWeight();
        if (context.ValidationSet is not null && settings.ValidationFraction > 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(MlpTrainerOptionsBase.ValidationFraction)} is {settings.ValidationFraction}, but validation data was also passed to Fit. " +
                $"Use one or the other: set {nameof(MlpTrainerOptionsBase.ValidationFraction)} to 0, or call Fit(trainData) only."));
        }

        using var channel = host.Start("Training MLP");
        var network = CreateNetwork(channel, settings, featureCount, outputCount, loss, huberDelta, initial, trainingSet);
        NetworkPredictor.ThrowIfTooLarge(network); // before reading any data: the model could not be built

        // One source for both ways to cancel: the options' token and MLContext.CancelExecution (polled).
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(settings.CancellationToken);
        using var hostWatch = WatchHostCancellation(host, cancellation);
        var token = cancellation.Token;

        // Streaming reads the IDataView once per epoch in bounded blocks; otherwise it is cached once as dense floats.
        bool skipNonFinite = settings.SkipRowsWithNonFiniteFeatures;
        using var stream = settings.StreamTrainingData ? new DataViewRowStream(host, trainingSet, network, classWeights, token, skipNonFinite) : null;
        Dataset? training = stream is null ? DataViewReader.Read(host, channel, trainingSet, network, "training data", token, skipNonFinite) : null;
        if (training is not null && loss == LossFunction.BinaryCrossEntropy)
            CheckBothClasses(training, trainingSet.Schema.Label!.Value.Name);
        Dataset? validation = null;
        if (context.ValidationSet is { } validationSet)
        {
            validationSet.CheckFeatureFloatVector(out int validationFeatures);
            if (validationFeatures != featureCount)
            {
                throw new InvalidOperationException(
                    $"The validation data has {validationFeatures} features in column '{validationSet.Schema.Feature!.Value.Name}'; the training data has {featureCount}.");
            }
            validation = DataViewReader.Read(host, channel, validationSet, network, "validation data", token, skipNonFinite);
        }

        int seed = settings.Seed ?? host.Rand.Next();
        if (settings.ValidationFraction > 0)
            (training, validation) = HoldOut(channel, training!, settings.ValidationFraction, seed, network);
        if (classWeights is not null)
        {
            if (training is not null)
                training = WithClassWeights(training, classWeights); // the stream applies them as it reads
            if (validation is not null)
                validation = WithClassWeights(validation, classWeights);
        }
        // All-zero weights would train nothing and report a loss of 0: the same error cached or streamed.
        string? weightColumnName = trainingSet.Schema.Weight?.Name;
        if (training is not null)
            TrainingDataChecks.CheckWeights(training, "training data", weightColumnName, classWeights is not null);
        else
            TrainingDataChecks.CheckStream(host, trainingSet, network, classWeights, token);
        if (validation is not null && context.ValidationSet is not null)
            TrainingDataChecks.CheckWeights(validation, "validation data", context.ValidationSet.Schema.Weight?.Name, classWeights is not null);

        channel.Info("{0} a {1}-{2}-{3} network ({4} hidden activation, {5} parameters) on {6} examples{7}: " +
            "{8} epochs, batch size {9}, {10} with learning rate {11} ({12} schedule), seed {13}.",
            initial is null ? "Training" : "Continuing to train",
            featureCount, string.Join("-", network.Layers.Take(network.Layers.Count - 1).Select(l => l.OutputCount)), outputCount,
            initial?.Activation ?? settings.Activation, network.ParameterCount,
            training is null ? string.Create(CultureInfo.InvariantCulture, $"a stream (blocks of {settings.StreamBlockRows} rows) of") : training.RowCount.ToString(CultureInfo.InvariantCulture),
            validation is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({validation.RowCount} for validation)"),
            settings.NumberOfEpochs, settings.BatchSize, settings.Optimizer, settings.LearningRate, settings.LearningRateSchedule, seed);

        // Continued training numbers its epochs on from the model's history, and its wall time adds to it.
        var previous = initial?.History ?? [];
        int epochOffset = previous.Count > 0 ? previous[^1].Epoch : 0;
        var elapsedOffset = previous.Count > 0 ? previous[^1].Elapsed : TimeSpan.Zero;
        // Capacity from what exists, not from NumberOfEpochs: int.MaxValue epochs (train until cancelled) is valid.
        var history = new List<MlpEpochRecord>(previous.Count + Math.Min(settings.NumberOfEpochs, 1024));
        history.AddRange(previous);

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
            Schedule = settings.CreateSchedule(),
            EarlyStoppingPatience = settings.EarlyStoppingPatience,
            EarlyStoppingMinDelta = settings.EarlyStoppingMinDelta,
            DropoutRate = settings.DropoutRate,
            GradientClipNorm = settings.GradientClipNorm,
            StreamBlockRows = settings.StreamBlockRows,
            Device = settings.DeviceKind,
            NumberOfThreads = settings.NumberOfThreads,
            CancellationToken = token,
            EpochCompleted = record =>
            {
                var epoch = ToRecord(record, epochOffset, elapsedOffset);
                history.Add(epoch);
                channel.Info("Epoch {0}/{1}: {2}", record.Epoch, settings.NumberOfEpochs, Describe(epoch));
                Volatile.Write(ref lastLoss, record.TrainingLoss);
                Volatile.Write(ref completedEpochs, record.Epoch);
                settings.Progress?.Report(new MlpEpochReport(ToRecord(record, 0, TimeSpan.Zero), settings.NumberOfEpochs));
            },
        };

        CheckHostMemory(settings, network, training, validation);
        var initialParameters = initial?.Parameters ?? ParameterInitializer.Create(network, seed);
        TrainingResult result;
        try
        {
            result = training is not null
                ? NetworkTrainer.Train(network, initialParameters, training, validation, options)
                : NetworkTrainer.Train(network, initialParameters, stream!, validation, options);
        }
        catch (ArgumentException e) when (stream is { RowsRead: 0 })
        {
            long skipped = stream.SkippedLabels + stream.SkippedWeights + stream.SkippedFeatures;
            throw new InvalidOperationException("The training data has no usable rows" + (skipped > 0
                ? $": all {skipped} row(s) have a missing label, an invalid weight or a non-finite feature value." : ": it is empty."), e);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !settings.CancellationToken.IsCancellationRequested)
        {
            // The host asked to stop: report it the way ML.NET's own trainers do.
            host.CheckAlive();
            throw;
        }
        catch (TrainingDivergedException e)
        {
            throw Diverged(settings, e.Epoch + epochOffset, e);
        }

        if (stream is { SkippedLabels: > 0 })
            channel.Warning("Skipped {0} row(s) of the training data whose label in column '{1}' is missing (each epoch).", stream.SkippedLabels, trainingSet.Schema.Label!.Value.Name);
        if (stream is { SkippedWeights: > 0 })
            channel.Warning("Skipped {0} row(s) of the training data whose weight is negative or not finite (each epoch).", stream.SkippedWeights);
        if (stream is { SkippedFeatures: > 0 })
            channel.Warning(DataViewReader.NonFiniteRowsSkipped, stream.SkippedFeatures, "training data (each epoch)", trainingSet.Schema.Feature!.Value.Name);

        foreach (float value in result.Parameters)
        {
            if (!float.IsFinite(value))
                throw Diverged(settings, epochOffset + result.BestEpoch, inner: null);
        }

        if (history.Count != previous.Count + result.History.Count)
        {
            // The core did not report every epoch through the callback: take its history instead.
            history.RemoveRange(previous.Count, history.Count - previous.Count);
            history.AddRange(result.History.Select(r => ToRecord(r, epochOffset, elapsedOffset)));
        }

        int bestEpoch = epochOffset + result.BestEpoch;
        if (settings.EarlyStoppingPatience is not null)
        {
            var best = history.FirstOrDefault(r => r.Epoch == bestEpoch);
            channel.Info("{0}; the model keeps the weights of epoch {1} ({2} {3:G5}).",
                result.StoppedEarly
                    ? string.Create(CultureInfo.InvariantCulture, $"Early stopping after epoch {epochOffset + result.History.Count}: no improvement for {settings.EarlyStoppingPatience} epochs")
                    : "Early stopping did not trigger",
                bestEpoch, best?.ValidationLoss is null ? "training loss" : "validation loss", best?.ValidationLoss ?? best?.TrainingLoss);
        }
        return new MlpNetwork(network, initial?.Activation ?? settings.Activation, result.Parameters, history, bestEpoch, result.StoppedEarly);
    }

    /// <summary>The architecture: from <paramref name="initial"/> when continuing (after checking that it fits the
    /// data), else from the options.</summary>
    private static NetworkDescription CreateNetwork(IChannel channel, MlpTrainingSettings settings, int featureCount,
        int outputCount, LossFunction loss, float huberDelta, MlpNetwork? initial, RoleMappedData trainingSet)
    {
        if (initial is null)
        {
            return new NetworkDescription(featureCount, settings.HiddenLayerSizes,
                MlpTrainingSettings.ToCore(settings.Activation), outputCount, loss, huberDelta);
        }

        var model = initial.Description;
        if (model.InputCount != featureCount)
        {
            throw new ArgumentException(
                $"The model to continue from takes {model.InputCount} features, but the feature column " +
                $"'{trainingSet.Schema.Feature!.Value.Name}' of the training data has {featureCount}. Continue training on data " +
                "prepared by the same pipeline as the model's.", "modelParameters");
        }
        if (model.OutputCount != outputCount)
        {
            throw new ArgumentException(
                $"The model to continue from has {model.OutputCount} outputs, but the training data needs {outputCount}.", "modelParameters");
        }
        if (!settings.HiddenLayerSizes.SequenceEqual(initial.HiddenLayerSizes) || settings.Activation != initial.Activation)
        {
            channel.Warning("Continuing from a model with hidden layers [{0}] and {1} activation: the options' {2} [{3}] and {4} {5} are not used.",
                string.Join(", ", initial.HiddenLayerSizes), initial.Activation, nameof(MlpTrainerOptionsBase.HiddenLayerSizes),
                string.Join(", ", settings.HiddenLayerSizes), nameof(MlpTrainerOptionsBase.Activation), settings.Activation);
        }
        var activations = Enumerable.Repeat(MlpTrainingSettings.ToCore(initial.Activation), initial.HiddenLayerSizes.Count).ToArray();
        return new NetworkDescription(featureCount, initial.HiddenLayerSizes, activations, outputCount, loss, huberDelta);
    }

    /// <summary>A binary classifier needs both classes: one-class data means a wrong label column or a filter that
    /// removed a class, and would train a constant model.</summary>
    private static void CheckBothClasses(Dataset training, string labelColumnName)
    {
        var labels = training.Labels.AsSpan();
        if (labels.IndexOfAnyExcept(labels[0]) >= 0)
            return;
        throw TrainingDataChecks.OneClass(labels[0], training.RowCount, labelColumnName);
    }

    /// <summary>
    /// Refuses a network that cannot fit before anything is allocated for it, with the estimate in the message. The
    /// CPU trains in host memory, and Auto is checked against it too before a device is chosen; the compute core
    /// checks the chosen device (a GPU's own memory) again before allocating on it.
    /// </summary>
    private static void CheckHostMemory(MlpTrainingSettings settings, NetworkDescription network, Dataset? training, Dataset? validation)
    {
        bool earlyStopping = settings.EarlyStoppingPatience is not null;
        if (settings.DeviceKind is not (DeviceKind.Cpu or DeviceKind.Auto))
        {
            MemoryEstimate.ForHostCopies(network, earlyStopping).ThrowIfExceeds(MemoryEstimate.AvailableHostBytes, "host memory available to .NET");
            return;
        }
        long rows = (training?.RowCount ?? 2L * settings.StreamBlockRows) + (validation?.RowCount ?? 0);
        int batchRows = training is null ? settings.BatchSize
            : Math.Min(settings.BatchSize, Math.Max(training.RowCount, validation?.RowCount ?? 0));
        MemoryEstimate.ForTraining(network, batchRows, settings.CreateOptimizerSettings().Kind, settings.DropoutRate, rows)
            .WithHostCopies(network, earlyStopping)
            .ThrowIfExceeds(MemoryEstimate.AvailableHostBytes, "host memory available to .NET");
    }

    /// <summary>Holds out a seeded, for classification stratified, share of the rows as validation data.</summary>
    private static (Dataset Training, Dataset Validation) HoldOut(IChannel channel, Dataset data, float fraction, int seed,
        NetworkDescription network)
    {
        if (data.RowCount < 2)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(MlpTrainerOptionsBase.ValidationFraction)} is {fraction}, but the training data has only {data.RowCount} usable row(s)."));
        }
        var (training, validation) = ValidationSplit.Split(data, fraction, seed, stratify: network.IsClassification);
        if (network.IsClassification)
        {
            var perClass = validation.Labels.GroupBy(label => (int)label).OrderBy(g => g.Key)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"class {g.Key}: {g.Count()}"));
            channel.Info("Held out {0} of {1} rows for validation, stratified by label ({2}).",
                validation.RowCount, data.RowCount, string.Join(", ", perClass));
        }
        else
        {
            channel.Info("Held out {0} of {1} rows for validation, chosen at random.", validation.RowCount, data.RowCount);
        }
        return (training, validation);
    }

    /// <summary>The same rows with each example weight multiplied by the weight of its class.</summary>
    private static Dataset WithClassWeights(Dataset data, float[] classWeights)
    {
        var weights = new float[data.RowCount];
        for (int row = 0; row < weights.Length; row++)
            weights[row] = (data.Weights?[row] ?? 1f) * classWeights[(int)data.Labels[row]];
        return new Dataset(data.Features, data.RowCount, data.FeatureCount, data.Labels, weights);
    }

    private static MlpEpochRecord ToRecord(EpochRecord record, int epochOffset, TimeSpan elapsedOffset)
    {
        // Continued training numbers on from the model's last epoch; a number past int.MaxValue cannot be recorded.
        if (record.Epoch > int.MaxValue - epochOffset)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Continued training reached epoch {(long)record.Epoch + epochOffset:N0} (the model's history ends at epoch {epochOffset:N0}); " +
                $"epoch numbers stop at {int.MaxValue:N0}. Train a new model instead of continuing this one."));
        }
        return new(record.Epoch + epochOffset, record.TrainingLoss, record.TrainingMetric, record.ValidationLoss,
            record.ValidationMetric, record.LearningRate, record.Elapsed + elapsedOffset);
    }

    /// <summary>The error for a loss or weight that became NaN or infinite: which epoch, and what to change.</summary>
    private static InvalidOperationException Diverged(MlpTrainingSettings settings, int epoch, Exception? inner) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged in epoch {epoch}: the training loss or the weights became NaN or infinite, so no model is returned. " +
            $"Lower {nameof(MlpTrainerOptionsBase.LearningRate)} (now {settings.LearningRate}), normalize the features " +
            $"(e.g. mlContext.Transforms.NormalizeMinMax), set {nameof(MlpTrainerOptionsBase.GradientClipNorm)}, or add " +
            $"{nameof(MlpTrainerOptionsBase.L2Regularization)}."), inner);

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
