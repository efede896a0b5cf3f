using System.Diagnostics;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;

namespace Mlp.Gpu.Training;

/// <summary>
/// The one training loop: epochs, per-epoch shuffle, minibatches (the last partial batch included), the optimizer
/// step, validation and the history. Every backend runs it unchanged.
/// </summary>
internal static class NetworkTrainer
{
    /// <summary>Trains a copy of <paramref name="initialParameters"/> on <paramref name="training"/>.</summary>
    /// <param name="network">The architecture.</param>
    /// <param name="initialParameters">Starting parameters (a trained model's, to continue training; not modified), or null for
    /// fresh ones drawn by <see cref="ParameterInitializer.Create"/> from the options' seed after the memory check.</param>
    /// <param name="training">Training examples.</param>
    /// <param name="validation">Optional validation examples, evaluated after every epoch.</param>
    /// <param name="options">Epochs, batch size, optimizer, device, cancellation.</param>
    /// <exception cref="OperationCanceledException">The token fired; checked before every minibatch.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The network, a batch and the data do not fit in the device's memory
    /// (see <see cref="MemoryEstimate"/>); checked before anything is allocated on the device.</exception>
    public static TrainingResult Train(NetworkDescription network, float[]? initialParameters, Dataset training,
        Dataset? validation, TrainingOptions options)
    {
        CheckShape(network, initialParameters, training.FeatureCount, training.LabelWidth, validation);

        using var backend = BackendFactory.Create(options.Device, options.NumberOfThreads);
        return Train(backend, network, initialParameters, training, validation, options);
    }

    /// <summary>
    /// Trains on rows streamed from <paramref name="training"/> instead of a dataset held in memory: blocks of
    /// <see cref="TrainingOptions.StreamBlockRows"/> rows are read (the next one on a worker thread while the current
    /// one trains) and shuffled within the block, so memory stays bounded by two blocks whatever the data's size.
    /// </summary>
    /// <param name="network">The architecture.</param>
    /// <param name="initialParameters">Starting parameters; not modified.</param>
    /// <param name="training">The training rows; read once per epoch, from the start.</param>
    /// <param name="validation">Optional validation examples (held in memory), evaluated after every epoch.</param>
    /// <param name="options">Epochs, batch size, optimizer, device, cancellation.</param>
    /// <exception cref="ArgumentException">A streamed row is invalid (named by its position in the stream), or the stream is empty.</exception>
    public static TrainingResult Train(NetworkDescription network, float[]? initialParameters, IRowStream training,
        Dataset? validation, TrainingOptions options)
    {
        CheckShape(network, initialParameters, training.FeatureCount, training.LabelWidth, validation);

        using var backend = BackendFactory.Create(options.Device, options.NumberOfThreads);
        CheckMemory(backend, network, options.BatchSize, 2L * options.StreamBlockRows + (validation?.RowCount ?? 0), options); // two blocks are held
        // With checkpoints, the first rows of every pass are hashed so a resumed run checks it reads the same data.
        var fingerprinted = options.Checkpoint is null ? null : new FingerprintingRowStream(training, options.StreamBlockRows);
        using var train = new StreamBatchSource(backend, network, fingerprinted ?? training, options.StreamBlockRows, options.BatchSize);
        return Train(backend, network, initialParameters, train, options.BatchSize, validation, options, fingerprinted);
    }

    /// <summary>The data's values were checked as they were read (by the caller); only their shape is checked here.</summary>
    private static void CheckShape(NetworkDescription network, float[]? initialParameters, int featureCount, int labelWidth, Dataset? validation)
    {
        if (initialParameters is not null && initialParameters.Length != network.ParameterCount)
            throw new ArgumentException($"Expected {network.ParameterCount} parameters for {network}, got {initialParameters.Length}.", nameof(initialParameters));
        CheckShape(network, featureCount, labelWidth, "training data");
        if (validation is not null)
            CheckShape(network, validation.FeatureCount, validation.LabelWidth, "validation data");
    }

    private static void CheckShape(NetworkDescription network, int features, int labels, string name)
    {
        if (features != network.InputCount || labels != network.LabelWidth)
            throw new ArgumentException($"The {name} has {features} features and {labels} label values per row; the network expects {network.InputCount} and {network.LabelWidth}.");
    }

    /// <summary>
    /// Refuses a run that cannot fit before anything is allocated for it, with the estimate in the message: the device's
    /// buffers in the device's memory, and the host-side copies of the parameters (initial, result, best epoch, the
    /// predictor's packed copy) in host memory, together when the device is the CPU.
    /// </summary>
    private static void CheckMemory(IBackend backend, NetworkDescription network, int batchRows, long dataRows, TrainingOptions options)
    {
        var device = MemoryEstimate.ForTraining(network, batchRows, options.Optimizer.Kind, options.DropoutRate, dataRows);
        bool earlyStopping = options.EarlyStoppingPatience is not null;
        if (backend is CpuBackend)
        {
            device.WithHostCopies(network, earlyStopping).ThrowIfExceeds(backend.MemoryBytes, backend.MemoryName);
            return;
        }
        device.ThrowIfExceeds(backend.MemoryBytes, backend.MemoryName);
        MemoryEstimate.ForHostCopies(network, earlyStopping).ThrowIfExceeds(MemoryEstimate.AvailableHostBytes, "host memory available to .NET");
    }

    internal static TrainingResult Train(IBackend backend, NetworkDescription network, float[]? initialParameters,
        Dataset training, Dataset? validation, TrainingOptions options)
    {
        int capacity = Math.Min(options.BatchSize, Math.Max(training.RowCount, validation?.RowCount ?? 0));
        CheckMemory(backend, network, capacity, (long)training.RowCount + (validation?.RowCount ?? 0), options);
        using var train = new DeviceDataset(backend, training);
        return Train(backend, network, initialParameters, train, capacity, validation, options);
    }

    private static TrainingResult Train(IBackend backend, NetworkDescription network, float[]? initialParameters,
        IBatchSource train, int capacity, Dataset? validation, TrainingOptions options, FingerprintingRowStream? stream = null)
    {
        using var checkpoints = OpenCheckpoints(network, initialParameters, train, validation, options, stream);
        var optimizer = options.Optimizer;
        using var workspace = new NetworkWorkspace(backend, network, capacity, optimizer.Kind, options.DropoutRate, options.Seed);
        using var valid = validation is null ? null : new DeviceDataset(backend, validation);
        // Fresh parameters are drawn only now, after the memory check: they are as large as the network.
        var resumed = checkpoints?.Load();
        backend.Upload(resumed?.Parameters ?? initialParameters ?? ParameterInitializer.Create(network, options.Seed), workspace.Parameters);

        var random = new Random(options.Seed);
        var history = new List<EpochRecord>(); // not sized by Epochs: an epoch count is no promise that training runs that long
        var clock = Stopwatch.StartNew();
        Span<float> sums = stackalloc float[LossAccumulator.Length];
        int step = 0;
        var stopping = options.EarlyStoppingPatience is null ? null : new EarlyStopping(options.EarlyStoppingPatience.Value, options.EarlyStoppingMinDelta);
        if (resumed is not null)
            step = Resume(resumed, workspace, train, random, history, stopping, options);
        var elapsedOffset = history.Count > 0 ? history[^1].Elapsed : TimeSpan.Zero;
        int firstEpoch = history.Count + 1;
        if (resumed is not null && stream is not null && (resumed.Finished || firstEpoch > options.Epochs))
        {
            // Nothing left to train, but a stream's data is still checked (its first block; the generator is spent).
            train.StartEpoch(new Random(0), shuffle: false);
            checkpoints!.Verify(stream.EntryName, stream.FirstRowsHash ?? "none");
        }
        for (int epoch = firstEpoch; epoch <= options.Epochs && resumed?.Finished != true; epoch++)
        {
            float learningRate = options.Schedule.GetRate(epoch, optimizer.LearningRate, history);
            if (!(learningRate >= 0f) || !float.IsFinite(learningRate))
                throw new InvalidOperationException($"The learning-rate schedule gave {learningRate} for epoch {epoch}; rates must be non-negative and finite.");
            train.StartEpoch(random, options.Shuffle);
            if (epoch == firstEpoch && stream is not null)
                checkpoints?.Verify(stream.EntryName, stream.FirstRowsHash ?? "none");
            backend.Fill(workspace.Accumulator, 0f);
            long rowsThisEpoch = 0;
            while (true)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                int rows = train.LoadNext(workspace, options.BatchSize);
                if (rows == 0)
                    break;
                rowsThisEpoch += rows;
                workspace.Forward(rows, trainingStep: ++step);
                workspace.Loss(rows, train.Weighted, withGradient: true);
                workspace.Backward(rows);
                if (options.GradientClipNorm is { } maxNorm)
                    backend.ClipGradientNorm(workspace.Gradients, network.ParameterCount, maxNorm, workspace.Scratch);
                workspace.Step(OptimizerStep.Create(optimizer, step, learningRate, network.WeightCount));
            }
            backend.Download(workspace.Accumulator, sums);
            var (trainLoss, trainMetric) = Summarize(network, sums, train.TotalSquares);
            if (!double.IsFinite(trainLoss))
                throw new TrainingDivergedException(epoch, trainLoss, learningRate);
            if (epoch == firstEpoch && stream is not null)
                checkpoints?.Verify(StreamRowsEntry, rowsThisEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture));

            double? validLoss = null, validMetric = null;
            if (valid is not null)
                (validLoss, validMetric) = Evaluate(workspace, valid, sums);

            var record = new EpochRecord
            {
                Epoch = epoch,
                TrainingLoss = trainLoss,
                TrainingMetric = trainMetric,
                ValidationLoss = validLoss,
                ValidationMetric = validMetric,
                LearningRate = learningRate,
                Elapsed = elapsedOffset + clock.Elapsed,
            };
            history.Add(record);
            options.EpochCompleted?.Invoke(record);
            bool stop = stopping is not null && stopping.Observe(record, workspace) == EarlyStopping.Decision.Stop;
            checkpoints?.Save(workspace, epoch, step, rowsThisEpoch, finished: stop, stopping, history);
            if (stop)
                break;
        }
        checkpoints?.Complete();

        if (stopping?.BestParameters is { } best)
            return new TrainingResult(best, history, stopping.BestEpoch, history.Count < options.Epochs);
        var parameters = new float[network.ParameterCount];
        backend.Download(workspace.Parameters, parameters);
        return new TrainingResult(parameters, history, history.Count, stoppedEarly: false);
    }

    /// <summary>Fingerprint entry of the rows per epoch of a streamed run (the same name as a cached run's).</summary>
    private const string StreamRowsEntry = "Training data rows";

    /// <summary>The run's checkpoints when the options ask for them: the fingerprint of the data known now (a cached
    /// dataset's rows and hash; a stream's are checked when its first epoch reads them).</summary>
    private static CheckpointSession? OpenCheckpoints(NetworkDescription network, float[]? initialParameters, IBatchSource train,
        Dataset? validation, TrainingOptions options, FingerprintingRowStream? stream)
    {
        if (options.Checkpoint is not { } settings)
            return null;
        var data = new List<KeyValuePair<string, string>>();
        if (train is DeviceDataset cached)
            data.AddRange(DataFingerprint.Of(cached.Data, "Training data"));
        data.Add(new("Training data source", stream is null ? "held in memory" : $"streamed in blocks of {options.StreamBlockRows} rows"));
        if (validation is not null)
            data.AddRange(DataFingerprint.Of(validation, "Validation data"));
        string[] deferred = stream is null ? [] : [StreamRowsEntry, stream.EntryName];
        int copies = 1 + OptimizerStep.MomentCount(options.Optimizer.Kind) + (options.EarlyStoppingPatience is null ? 0 : 1);
        return new CheckpointSession(settings, network, initialParameters, data, deferred, copies);
    }

    /// <summary>
    /// Brings a fresh run to the state of <paramref name="checkpoint"/>: optimizer moments and step, early stopping,
    /// the history (reported again through <see cref="TrainingOptions.EpochCompleted"/>, so the caller's log holds
    /// every epoch), and the shuffling generator, re-created from the seed and advanced by replaying the shuffles of
    /// the epochs done (exact, and cheap next to an epoch of training). The parameters were uploaded by the caller.
    /// </summary>
    private static int Resume(TrainingCheckpoint checkpoint, NetworkWorkspace workspace, IBatchSource train,
        Random random, List<EpochRecord> history, EarlyStopping? stopping, TrainingOptions options)
    {
        var backend = workspace.Backend;
        if (checkpoint.FirstMoment is { } first && workspace.FirstMoment is { } firstBuffer)
            backend.Upload(first, firstBuffer);
        if (checkpoint.SecondMoment is { } second && workspace.SecondMoment is { } secondBuffer)
            backend.Upload(second, secondBuffer);
        stopping?.Restore(checkpoint.BestLoss, checkpoint.BestEpoch, checkpoint.BestParameters);
        for (int epoch = 1; epoch <= checkpoint.CompletedEpochs; epoch++)
            train.SkipEpoch(random, options.Shuffle, checkpoint.RowsPerEpoch);
        foreach (var record in checkpoint.History)
        {
            history.Add(record);
            options.EpochCompleted?.Invoke(record);
        }
        return checkpoint.Step;
    }

    /// <summary>Mean loss and metric of the current parameters over a whole dataset, in minibatches.</summary>
    private static (double Loss, double? Metric) Evaluate(NetworkWorkspace workspace, DeviceDataset data, Span<float> sums)
    {
        var backend = workspace.Backend;
        backend.Fill(workspace.Accumulator, 0f);
        for (int start = 0; start < data.Data.RowCount; start += workspace.Capacity)
        {
            int rows = Math.Min(workspace.Capacity, data.Data.RowCount - start);
            data.LoadBatch(workspace, start, rows);
            workspace.Forward(rows);
            workspace.Loss(rows, data.Weights is not null, withGradient: false);
        }
        backend.Download(workspace.Accumulator, sums);
        return Summarize(workspace.Network, sums, data.TotalSquares);
    }

    private static (double Loss, double? Metric) Summarize(NetworkDescription network, ReadOnlySpan<float> sums, double totalSquares)
    {
        double weight = sums[LossAccumulator.Weight];
        if (weight <= 0)
            return (0, null);
        double loss = sums[LossAccumulator.WeightedLoss] / weight;
        double? metric = network.IsClassification
            ? sums[LossAccumulator.WeightedCorrect] / weight
            : totalSquares > 0 ? 1.0 - sums[LossAccumulator.WeightedSquaredError] / totalSquares : null;
        return (loss, metric);
    }
}
