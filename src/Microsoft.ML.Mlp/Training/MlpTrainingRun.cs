using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Data;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;
using Mlp.Gpu.Inference;

namespace Microsoft.ML.Trainers.Mlp.Training;

/// <summary>
/// One call to <c>Fit</c> of any MLP trainer: builds the network (or takes a warm-start model's), reads the data
/// through <see cref="DataViewRowStream"/>, trains with the compute core and turns its outcome into a
/// <see cref="MlpNetwork"/> or into an error that says what to change.
/// </summary>
internal sealed class MlpTrainingRun
{
    private readonly IHost _host;
    private readonly MlpTrainerOptionsBase _options;
    private readonly LossFunction _loss;
    private readonly float _huberDelta;
    private readonly bool _standardizeLabel;
    private readonly float[]? _classWeights;

    /// <param name="host">The trainer's host: logging, progress, cancellation and the default seed.</param>
    /// <param name="options">The validated options.</param>
    /// <param name="loss">The output head.</param>
    /// <param name="huberDelta">δ of the Huber loss.</param>
    /// <param name="standardizeLabel">Train on the standardized label (regression).</param>
    /// <param name="classWeights">Weight of each class index (binary: [negative, positive]); null for none.</param>
    public MlpTrainingRun(IHost host, MlpTrainerOptionsBase options, LossFunction loss, float huberDelta, bool standardizeLabel, float[]? classWeights)
    {
        _standardizeLabel = standardizeLabel;
        _host = host;
        _options = options;
        _loss = loss;
        _huberDelta = huberDelta;
        _classWeights = classWeights;
    }

    /// <summary>Trains a network whose output layer has <paramref name="outputCount"/> units. Labels must already have
    /// been checked as the task requires.</summary>
    /// <param name="context">The training data, and validation data from <c>Fit(trainData, validationData)</c>.</param>
    /// <param name="outputCount">Units of the output layer.</param>
    /// <param name="initial">A trained network to continue from (its architecture replaces the options'); null to
    /// start from fresh weights.</param>
    public MlpNetwork Train(TrainContext context, int outputCount, MlpNetwork? initial)
    {
        var trainingSet = context.TrainingSet;
        trainingSet.CheckFeatureFloatVector(out int featureCount);
        trainingSet.CheckOptFloatWeight();
        if (context.ValidationSet is not null && _options.ValidationFraction > 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(MlpTrainerOptionsBase.ValidationFraction)} is {_options.ValidationFraction}, but validation data was also passed to Fit. " +
                $"Use one or the other: set {nameof(MlpTrainerOptionsBase.ValidationFraction)} to 0, or call Fit(trainData) only."));
        }

        using var channel = _host.Start("Training MLP");
        var network = CreateNetwork(channel, featureCount, outputCount, initial, trainingSet);
        NetworkPredictor.ThrowIfTooLarge(network); // before reading any data: the model could not be built
        using var cancellation = new HostCancellation(_host, _options.CancellationToken);
        var token = cancellation.Token;

        // Streaming reads the IDataView once per epoch in bounded blocks; otherwise it is read once into memory.
        using var stream = new DataViewRowStream(_host, trainingSet, network, "training data", _classWeights, _options.SkipRowsWithNonFiniteFeatures, token);
        Dataset? training = _options.StreamTrainingData ? null : stream.ReadDataset(channel);
        Dataset? validation = context.ValidationSet is { } validationSet ? ReadValidation(channel, validationSet, network, featureCount, token) : null;

        int seed = _options.Seed ?? _host.Rand.Next();
        if (_options.ValidationFraction > 0)
            (training, validation) = HoldOut(channel, training!, seed, network);

        // Train in standardized coordinates; the maps are folded into the first and last layers at the end.
        var (featureScaling, labelScaling) = MeasureScaling(training, stream, trainingSet.Schema.Label!.Value.Name);
        foreach (var data in new[] { training, validation }.OfType<Dataset>())
        {
            featureScaling?.Apply(data.Features);
            labelScaling?.Apply(data.Labels);
        }
        IRowStream rows = featureScaling is null && labelScaling is null ? stream : new StandardizedRowStream(stream, featureScaling, labelScaling);
        double labelScale = labelScaling?.Scale[0] ?? 1.0;
        var hidden = network.Layers.Take(network.Layers.Count - 1).ToArray();
        var trainingNetwork = labelScaling is null ? network : new NetworkDescription(featureCount, hidden.Select(l => l.OutputCount).ToArray(),
            hidden.Select(l => l.Activation).ToArray(), outputCount, _loss, (float)(_huberDelta / labelScale)); // δ in standardized units
        float[]? start = initial is null ? null : (float[])initial.Parameters.Clone();
        if (start is not null)
        {
            labelScaling?.UnfoldFromOutputLayer(network, start);
            featureScaling?.UnfoldFromFirstLayer(network, start);
        }

        channel.Info("{0} a {1}-{2}-{3} network ({4} hidden activation, {5} parameters) on {6} examples{7}: " +
            "{8} epochs, batch size {9}, {10} with learning rate {11} ({12} schedule), seed {13}.",
            initial is null ? "Training" : "Continuing to train",
            featureCount, string.Join("-", hidden.Select(l => l.OutputCount)), outputCount,
            initial?.Activation ?? _options.Activation, network.ParameterCount,
            training is null ? string.Create(CultureInfo.InvariantCulture, $"a stream (blocks of {_options.StreamBlockRows} rows) of") : training.RowCount.ToString(CultureInfo.InvariantCulture),
            validation is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({validation.RowCount} for validation)"),
            _options.NumberOfEpochs, _options.BatchSize, _options.Optimizer, _options.LearningRate, _options.LearningRateSchedule, seed);

        // Losses are reported in label units: the squared and Huber losses of (y − μ)/σ are those of y divided by σ².
        double lossScale = labelScale * labelScale;
        using var log = new TrainingLog(_host, channel, _options.NumberOfEpochs, _options.Progress, initial?.History ?? [], lossScale);
        var coreOptions = CoreOptions.Create(_options, seed, token, log.Add, lossScale);
        TrainingResult result;
        try
        {
            result = training is not null
                ? NetworkTrainer.Train(trainingNetwork, start, training, validation, coreOptions)
                : NetworkTrainer.Train(trainingNetwork, start, rows, validation, coreOptions);
        }
        catch (OperationCanceledException)
        {
            cancellation.ThrowIfHostCancelled();
            throw;
        }
        catch (TrainingDivergedException e)
        {
            throw Diverged(log.ToHistoryEpoch(e.Epoch), e);
        }
        if (training is null)
            stream.WarnSkipped(channel, " (each epoch)");

        featureScaling?.FoldIntoFirstLayer(network, result.Parameters);
        labelScaling?.FoldIntoOutputLayer(network, result.Parameters);
        foreach (float value in result.Parameters)
        {
            if (!float.IsFinite(value))
                throw Diverged(log.ToHistoryEpoch(result.BestEpoch), inner: null);
        }

        int bestEpoch = log.ToHistoryEpoch(result.BestEpoch);
        if (_options.EarlyStoppingPatience is not null)
        {
            var best = log.History.FirstOrDefault(r => r.Epoch == bestEpoch);
            channel.Info("{0}; the model keeps the weights of epoch {1} ({2} {3:G5}).",
                result.StoppedEarly
                    ? string.Create(CultureInfo.InvariantCulture, $"Early stopping after epoch {log.ToHistoryEpoch(result.History.Count)}: no improvement for {_options.EarlyStoppingPatience} epochs")
                    : "Early stopping did not trigger",
                bestEpoch, best?.ValidationLoss is null ? "training loss" : "validation loss", best?.ValidationLoss ?? best?.TrainingLoss);
        }
        return new MlpNetwork(network, initial?.Activation ?? _options.Activation, result.Parameters, log.History, bestEpoch, result.StoppedEarly);
    }

    /// <summary>The architecture: from <paramref name="initial"/> when continuing (after checking that it fits the
    /// data), else from the options.</summary>
    private NetworkDescription CreateNetwork(IChannel channel, int featureCount, int outputCount, MlpNetwork? initial, RoleMappedData trainingSet)
    {
        if (initial is null)
            return new NetworkDescription(featureCount, _options.HiddenLayerSizes, _options.Activation, outputCount, _loss, _huberDelta);

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
            throw new ArgumentException(_loss == LossFunction.SoftmaxCrossEntropy
                ? $"The model to continue from has {model.OutputCount} classes, but the label column '{trainingSet.Schema.Label!.Value.Name}' " +
                  $"of the training data has {outputCount}. Map the labels with the same MapValueToKey transformer as the model's training data."
                : $"The model to continue from has {model.OutputCount} outputs, but the training data needs {outputCount}.", "modelParameters");
        }
        if (!_options.HiddenLayerSizes.SequenceEqual(initial.HiddenLayerSizes) || _options.Activation != initial.Activation)
        {
            channel.Warning("Continuing from a model with hidden layers [{0}] and {1} activation: the options' {2} [{3}] and {4} {5} are not used.",
                string.Join(", ", initial.HiddenLayerSizes), initial.Activation, nameof(MlpTrainerOptionsBase.HiddenLayerSizes),
                string.Join(", ", _options.HiddenLayerSizes), nameof(MlpTrainerOptionsBase.Activation), _options.Activation);
        }
        return new NetworkDescription(featureCount, initial.HiddenLayerSizes, initial.Activation, outputCount, _loss, _huberDelta);
    }

    private Dataset ReadValidation(IChannel channel, RoleMappedData validationSet, NetworkDescription network, int featureCount, CancellationToken token)
    {
        validationSet.CheckFeatureFloatVector(out int validationFeatures);
        if (validationFeatures != featureCount)
        {
            throw new InvalidOperationException(
                $"The validation data has {validationFeatures} features in column '{validationSet.Schema.Feature!.Value.Name}'; the training data has {featureCount}.");
        }
        using var reader = new DataViewRowStream(_host, validationSet, network, "validation data", _classWeights, _options.SkipRowsWithNonFiniteFeatures, token);
        return reader.ReadDataset(channel);
    }

    /// <summary>
    /// The standardization maps of the features and (regression) the label, from the training rows weighted by their
    /// example weights: read from memory, or in one extra pass over a stream. The same pass refuses data that would
    /// train a silently useless model: every example weight 0, or binary labels of one class only.
    /// </summary>
    private (Standardization? Features, Standardization? Labels) MeasureScaling(Dataset? training, DataViewRowStream stream, string labelColumnName)
    {
        bool binary = _loss == LossFunction.BinaryCrossEntropy;
        if (training is null && !_options.StandardizeFeatures && !_standardizeLabel && !binary && !stream.HasWeights)
            return (null, null); // no extra pass over a stream that is not needed
        StandardizationBuilder features, labels;
        if (training is not null)
        {
            features = new StandardizationBuilder(training.FeatureCount);
            labels = new StandardizationBuilder(training.LabelWidth);
            if (_options.StandardizeFeatures) // the labels alone give the total weight
                features.Add(training.Features, training.Weights);
            labels.Add(training.Labels, training.Weights);
        }
        else
        {
            (features, labels) = StandardizedRowStream.Measure(stream, _options.StreamBlockRows);
        }
        long rows = training?.RowCount ?? stream.RowsRead;
        if (!(labels.TotalWeight > 0))
            throw TrainingDataChecks.ZeroWeights(rows, "training data", stream.WeightColumnName, _classWeights is not null);
        var labelMap = labels.Build(twoValuedToZeroOne: false)!;
        if (binary && labelMap.Mean[0] is 0.0 or 1.0)
            throw TrainingDataChecks.OneClass((float)labelMap.Mean[0], rows, labelColumnName, stream.HasWeights);
        return (_options.StandardizeFeatures ? features.Build(twoValuedToZeroOne: true) : null, _standardizeLabel ? labelMap : null);
    }

    /// <summary>Holds out a seeded, for classification stratified, share of the rows as validation data.</summary>
    private (Dataset Training, Dataset Validation) HoldOut(IChannel channel, Dataset data, int seed, NetworkDescription network)
    {
        float fraction = _options.ValidationFraction;
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

    /// <summary>The error for a loss or weight that became NaN or infinite: which epoch, and what to change.</summary>
    private InvalidOperationException Diverged(int epoch, Exception? inner) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged in epoch {epoch}: the training loss or the weights became NaN or infinite, so no model is returned. " +
            $"Lower {nameof(MlpTrainerOptionsBase.LearningRate)} (now {_options.LearningRate}), normalize the features " +
            $"(e.g. mlContext.Transforms.NormalizeMinMax), set {nameof(MlpTrainerOptionsBase.GradientClipNorm)}, or add " +
            $"{nameof(MlpTrainerOptionsBase.L2Regularization)}."), inner);
}
