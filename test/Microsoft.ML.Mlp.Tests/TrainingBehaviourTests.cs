using Microsoft.ML.Data;
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
    [DataRow(MlpActivation.Identity, true)]
    [DataRow(MlpActivation.Tanh, false)]
    public void IdentityHiddenLayersComputeALinearFunction(MlpActivation activation, bool linear)
    {
        // Linear layers compose to one affine map: the score at the midpoint of two rows is the mean of their scores.
        // A tanh network fitted to the same curved target is not affine, which shows the check can fail.
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 300, seed: 4);
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [16, 16], Activation = activation, NumberOfEpochs = 20, LearningRate = 0.01f,
        }).Fit(data);
        Assert.AreEqual(activation, model.Model.Activation);

        var rows = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(data, reuseRowObject: false).Take(40).ToArray();
        var engine = ml.Model.CreatePredictionEngine<SyntheticData.FloatLabelRow, ScoreRow>(model);
        float Score(float[] x) => engine.Predict(new SyntheticData.FloatLabelRow { Features = x }).Score;
        double worst = 0;
        for (int i = 0; i < rows.Length; i += 2)
        {
            var (a, b) = (rows[i].Features, rows[i + 1].Features);
            float[] middle = a.Zip(b, (p, q) => (p + q) / 2).ToArray();
            worst = Math.Max(worst, Math.Abs(Score(middle) - (Score(a) + Score(b)) / 2));
        }
        if (linear)
            Assert.IsLessThan(1e-4, worst, "an Identity network is affine up to float rounding");
        else
            Assert.IsGreaterThan(0.05, worst, "a tanh network fitted to a curved target is not affine");

        // The activation survives a model file: the loaded model scores every row bit for bit as the trained one.
        using var file = new MemoryStream();
        ml.Model.Save(model, data.Schema, file);
        file.Position = 0;
        var loaded = new MLContext().Model.Load(file, out _);
        var loadedEngine = ml.Model.CreatePredictionEngine<SyntheticData.FloatLabelRow, ScoreRow>(loaded);
        foreach (var row in rows)
            Assert.AreEqual(Score(row.Features), loadedEngine.Predict(row).Score);
    }

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    [TestMethod]
    public void ValidationDataFillsTheValidationLoss()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Binary(ml, 200, seed: 2);
        var validation = SyntheticData.Binary(ml, 100, seed: 3);
        var labels = ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(validation, reuseRowObject: false).Select(r => r.Label).ToArray();

        // Trained for 1 and for 3 epochs: the last record's validation loss is the log-loss (in nats) of the model that
        // Fit returns, on the validation rows, computed here from the model's scores.
        foreach (int epochs in new[] { 1, 3 })
        {
            var model = new MLContext(seed: 1).BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: epochs, learningRate: 0.01f).Fit(train, validation);
            var history = model.Model.SubModel.TrainingHistory;
            Assert.HasCount(epochs, history);
            Assert.IsTrue(history.All(r => r.ValidationLoss is not null && r.ValidationMetric is not null));

            var scores = model.Transform(validation).GetColumn<float>("Score").ToArray();
            Assert.HasCount(labels.Length, scores);
            // −log σ(s) = log(1 + e^−s) for a positive row, −log(1 − σ(s)) = log(1 + e^s) for a negative one.
            double logLoss = scores.Zip(labels).Average(p => Math.Log(1 + Math.Exp(p.Second ? -p.First : p.First)));
            double accuracy = scores.Zip(labels).Count(p => p.First > 0 == p.Second) / (double)labels.Length;
            Assert.AreEqual(logLoss, history[^1].ValidationLoss!.Value, 1e-5 * logLoss, $"validation loss after {epochs} epoch(s)");
            Assert.AreEqual(accuracy, history[^1].ValidationMetric!.Value, 1e-9, $"validation accuracy after {epochs} epoch(s)");
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
        var progress = new SynchronousProgress();
        var epochLines = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("Epoch ", StringComparison.Ordinal)) lock (epochLines) epochLines.Add(e.Message); };
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            NumberOfEpochs = 5, CancellationToken = new CancellationToken(canceled: true), Progress = progress,
        });
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(SyntheticData.Binary(ml, 50, seed: 1)));
        Assert.IsEmpty(progress.Reports, "no epoch may be trained with a token that was cancelled before Fit");
        lock (epochLines)
            Assert.IsEmpty(epochLines, string.Join("\n", epochLines));
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
        // Label = x > 0 on [-1, 1]. On [0.4, 1] five times as many rows say the opposite but weigh nothing: a trainer
        // that ignored the weights would learn "false" there. A few correctly labelled rows have weights ML.NET skips.
        var ml = new MLContext(seed: 1);
        var random = new Random(9);
        var rows = new List<WeightedRow>();
        for (int i = 0; i < 400; i++)
        {
            float x = (float)(random.NextDouble() * 2 - 1);
            float weight = i % 50 == 1 ? float.NaN : i % 50 == 2 ? -1f : 1f;
            rows.Add(new WeightedRow { Features = [x, 0.5f], Label = x > 0, Weight = weight });
        }
        for (int i = 0; i < 600; i++)
            rows.Add(new WeightedRow { Features = [(float)(0.4 + 0.6 * random.NextDouble()), 0.5f], Label = false, Weight = 0 });
        var shuffled = rows.OrderBy(_ => random.Next()).ToList();
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };

        var model = ml.BinaryClassification.Trainers.Mlp(exampleWeightColumnName: "Weight", hiddenLayerSizes: [8], numberOfEpochs: 30, learningRate: 0.01f)
            .Fit(ml.Data.LoadFromEnumerable(shuffled));

        var region = Enumerable.Range(0, 61).Select(i => new WeightedRow { Features = [0.4f + 0.01f * i, 0.5f], Label = true, Weight = 1 }).ToArray();
        var predicted = model.Transform(ml.Data.LoadFromEnumerable(region)).GetColumn<bool>("PredictedLabel").ToArray();
        int wrong = predicted.Count(p => !p);
        Assert.AreEqual(0, wrong, $"{wrong} of {region.Length} points in [0.4, 1] follow the zero-weight labels.");
        var clean = ml.Data.LoadFromEnumerable(rows.Take(400).Select(r => new WeightedRow { Features = r.Features, Label = r.Label, Weight = 1 }));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(clean));
        Assert.IsGreaterThan(0.95, metrics.Accuracy);
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
