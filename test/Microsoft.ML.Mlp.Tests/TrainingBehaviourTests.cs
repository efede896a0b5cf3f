using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Logging, history, validation data, seeds and cancellation.</summary>
[TestClass]
public sealed class TrainingBehaviourTests
{
    [TestMethod]
    public void EveryEpochIsLoggedAndKeptInTheHistory()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        var model = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 4).Fit(SyntheticData.Regression(ml, 100, seed: 1));

        lock (messages)
        {
            for (int epoch = 1; epoch <= 4; epoch++)
                Assert.IsTrue(messages.Any(m => m.Contains($"Epoch {epoch}/4: training loss", StringComparison.Ordinal)), $"No log line for epoch {epoch}.");
        }
        var history = model.Model.TrainingHistory;
        Assert.HasCount(4, history);
        Assert.IsTrue(history.Select(r => r.Epoch).SequenceEqual([1, 2, 3, 4]));
        Assert.IsTrue(history.All(r => r.TrainingLoss > 0 && double.IsFinite(r.TrainingLoss)));
        Assert.IsTrue(history.All(r => r.ValidationLoss is null && r.ValidationMetric is null));
        Assert.IsTrue(history.All(r => r.LearningRate > 0 && r.Elapsed >= TimeSpan.Zero));
        Assert.IsLessThan(history[0].TrainingLoss, history[^1].TrainingLoss, "The loss should fall.");
    }

    [TestMethod]
    public void ValidationDataFillsTheValidationLoss()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Binary(ml, 200, seed: 2);
        var validation = SyntheticData.Binary(ml, 100, seed: 3);

        var model = ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 3, learningRate: 0.01f).Fit(train, validation);

        var history = model.Model.SubModel.TrainingHistory;
        Assert.HasCount(3, history);
        foreach (var record in history)
        {
            Assert.IsNotNull(record.ValidationLoss);
            Assert.IsTrue(record.ValidationLoss > 0 && record.ValidationLoss < 2, $"validation loss {record.ValidationLoss}");
        }
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameModel()
    {
        float[] Weights(int? seed, int contextSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            var options = new MlpBinaryTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 2, Seed = seed };
            return ml.BinaryClassification.Trainers.Mlp(options).Fit(SyntheticData.Binary(ml, 100, seed: 1)).Model.SubModel.GetWeights(0).ToArray();
        }

        CollectionAssert.AreEqual(Weights(seed: 5, contextSeed: 1), Weights(seed: 5, contextSeed: 2), "An explicit seed wins over the context's.");
        CollectionAssert.AreEqual(Weights(seed: null, contextSeed: 3), Weights(seed: null, contextSeed: 3), "The context's seed governs when Seed is null.");
        CollectionAssert.AreNotEqual(Weights(seed: null, contextSeed: 3), Weights(seed: null, contextSeed: 4));
    }

    [TestMethod]
    public void TheThreadCountDoesNotChangeTheModel()
    {
        // Wide enough that the GEMMs, bias+activation and activation backward are split over the cores.
        float[][] Weights(int? threads)
        {
            var ml = new MLContext(seed: 1);
            var options = new MlpBinaryTrainer.Options { HiddenLayerSizes = [256, 256], BatchSize = 128, NumberOfEpochs = 2, NumberOfThreads = threads };
            var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(SyntheticData.Binary(ml, 600, seed: 1)).Model.SubModel;
            return Enumerable.Range(0, model.LayerCount).Select(l => model.GetWeights(l).ToArray()).ToArray();
        }

        var one = Weights(1);
        foreach (int? threads in new int?[] { 2, 3, null })
        {
            var other = Weights(threads);
            for (int l = 0; l < one.Length; l++)
                CollectionAssert.AreEqual(one[l], other[l], $"layer {l}, {threads?.ToString() ?? "all"} threads");
        }
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void ACancelledTokenStopsFitWithinAnEpoch()
    {
        var ml = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        int lastEpoch = 0;
        ml.Log += (_, e) =>
        {
            // Messages look like "[Source=MlpRegression; Training MLP, Kind=Info] Epoch 3/1000: training loss ...".
            var match = Regex.Match(e.Message, @"Epoch (\d+)/1000:");
            if (match.Success)
            {
                lastEpoch = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                if (lastEpoch == 1)
                    cancellation.Cancel();
            }
        };
        var trainer = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 1000, BatchSize = 4, CancellationToken = cancellation.Token,
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(SyntheticData.Regression(ml, 400, seed: 1)));
        Assert.AreEqual(1, lastEpoch, "Training must stop within one minibatch of the cancellation.");
    }

    [TestMethod]
    public void AnAlreadyCancelledTokenStopsBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { CancellationToken = new CancellationToken(canceled: true) });
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(SyntheticData.Binary(ml, 50, seed: 1)));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void MLContextCancellationStopsFit()
    {
        // MLContext.CancelExecution is internal in ML.NET 5.0.1; the trainer honours it all the same.
        var ml = new MLContext(seed: 1);
        var cancel = typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        Assert.IsNotNull(cancel, "MLContext.CancelExecution was not found.");
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("Epoch 1/", StringComparison.Ordinal))
                cancel.Invoke(ml, null);
        };
        var trainer = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 100_000, batchSize: 4);
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(SyntheticData.Regression(ml, 400, seed: 1)));
    }

    [TestMethod]
    public void ExampleWeightsAreHonouredAndInvalidWeightsSkipped()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(9);
        var rows = new List<WeightedRow>();
        for (int i = 0; i < 400; i++)
        {
            float x = (float)(random.NextDouble() * 2 - 1);
            bool label = x > 0;
            // Every third row is mislabelled but weighs nothing; a few more have weights ML.NET skips.
            bool noise = i % 3 == 0;
            float weight = noise ? 0f : i % 50 == 1 ? float.NaN : i % 50 == 2 ? -1f : 1f;
            rows.Add(new WeightedRow { Features = [x, 0.5f], Label = noise ? !label : label, Weight = weight });
        }
        var data = ml.Data.LoadFromEnumerable(rows);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };

        var model = ml.BinaryClassification.Trainers.Mlp(exampleWeightColumnName: "Weight", hiddenLayerSizes: [8], numberOfEpochs: 30, learningRate: 0.01f).Fit(data);

        var clean = ml.Data.LoadFromEnumerable(rows.Select(r => new WeightedRow { Features = r.Features, Label = r.Features[0] > 0, Weight = 1 }));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(clean));
        Assert.IsGreaterThan(0.95, metrics.Accuracy, "Zero-weight (mislabelled) rows must not be learned.");
        lock (warnings)
            Assert.IsTrue(warnings.Any(w => w.Contains("weight in column 'Weight' is negative or not finite", StringComparison.Ordinal)), string.Join("\n", warnings));
    }

    private sealed class WeightedRow
    {
        [Data.VectorType(2)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; }
    }
}
