using System.Text.RegularExpressions;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Held-out validation data (given or split off), early stopping with best-weights restore, and progress.</summary>
[TestClass]
public sealed class ValidationAndEarlyStoppingTests
{
    /// <summary>A small noisy training set that a wide network overfits within a few dozen epochs.</summary>
    private static MlpBinaryTrainer.Options Overfitting(int epochs, int? patience) => new()
    {
        HiddenLayerSizes = [32, 32], NumberOfEpochs = epochs, BatchSize = 8, LearningRate = 0.02f, Seed = 7,
        EarlyStoppingPatience = patience,
    };

    [TestMethod]
    public void EarlyStoppingRestoresTheBestEpochsWeightsExactly()
    {
        var ml = new MLContext(seed: 1);
        var train = NoisyBinary(ml, rows: 48, seed: 1, flipped: 0.2);
        var validation = NoisyBinary(ml, rows: 200, seed: 2, flipped: 0.0);

        var stopped = ml.BinaryClassification.Trainers.Mlp(Overfitting(epochs: 150, patience: 3)).Fit(train, validation).Model.SubModel;

        var history = stopped.TrainingHistory;
        Assert.IsTrue(stopped.StoppedEarly, "The validation loss should stop improving on this data.");
        Assert.HasCount(stopped.BestEpoch + 3, history, "Training stops after patience epochs without improvement.");
        var bestByValidation = history.MinBy(r => r.ValidationLoss!.Value)!;
        Assert.AreEqual(bestByValidation.Epoch, stopped.BestEpoch, "Early stopping monitors the validation loss.");

        // Same seed and data, trained for exactly BestEpoch epochs: the same weights, bit for bit.
        var reference = ml.BinaryClassification.Trainers.Mlp(Overfitting(epochs: stopped.BestEpoch, patience: null)).Fit(train, validation).Model.SubModel;
        Assert.IsFalse(reference.StoppedEarly);
        Assert.AreEqual(stopped.BestEpoch, reference.BestEpoch);
        for (int layer = 0; layer < stopped.LayerCount; layer++)
        {
            CollectionAssert.AreEqual(reference.GetWeights(layer).ToArray(), stopped.GetWeights(layer).ToArray(), $"weights of layer {layer}");
            CollectionAssert.AreEqual(reference.GetBiases(layer).ToArray(), stopped.GetBiases(layer).ToArray(), $"biases of layer {layer}");
        }
    }

    [TestMethod]
    public void BestEpochAndStoppedEarlyAreSavedWithTheModel()
    {
        var ml = new MLContext(seed: 1);
        var train = NoisyBinary(ml, rows: 48, seed: 1, flipped: 0.2);
        var model = ml.BinaryClassification.Trainers.Mlp(Overfitting(epochs: 150, patience: 3)).Fit(train, NoisyBinary(ml, 200, seed: 2, flipped: 0));
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;

        var loaded = (MlpBinaryModelParameters)PredictionDump.FindMlpModel(new MLContext().Model.Load(stream, out _));

        var original = model.Model.SubModel;
        Assert.IsTrue(loaded.StoppedEarly);
        Assert.AreEqual(original.BestEpoch, loaded.BestEpoch);
        Assert.HasCount(original.TrainingHistory.Count, loaded.TrainingHistory);
        for (int i = 0; i < loaded.TrainingHistory.Count; i++)
        {
            var (a, b) = (original.TrainingHistory[i], loaded.TrainingHistory[i]);
            Assert.AreEqual(a.Epoch, b.Epoch);
            Assert.AreEqual(a.TrainingLoss, b.TrainingLoss);
            Assert.AreEqual(a.TrainingMetric, b.TrainingMetric);
            Assert.AreEqual(a.ValidationLoss, b.ValidationLoss);
            Assert.AreEqual(a.ValidationMetric, b.ValidationMetric);
            Assert.AreEqual(a.LearningRate, b.LearningRate);
            Assert.AreEqual(a.Elapsed, b.Elapsed);
        }
    }

    [TestMethod]
    public void ValidationFractionHoldsOutAStratifiedShareOfSortedData()
    {
        // 180 negatives then 20 positives: the tail (Keras' validation_split) would be all positive.
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 200).Select(i => new SyntheticData.BinaryRow
        {
            Features = [i / 200f, 0, 0, 0, 0, 1],
            Label = i >= 180,
        });
        var data = ml.Data.LoadFromEnumerable(rows);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [4], NumberOfEpochs = 2, ValidationFraction = 0.1f,
        }).Fit(data).Model.SubModel;

        Assert.IsTrue(model.TrainingHistory.All(r => r.ValidationLoss is not null && r.ValidationMetric is not null));
        string held;
        lock (messages)
            held = messages.Single(m => m.Contains("for validation, stratified", StringComparison.Ordinal));
        StringAssert.Contains(held, "Held out 20 of 200 rows for validation, stratified by label (class 0: 18, class 1: 2)");
    }

    [TestMethod]
    public void ValidationFractionWorksForRegressionAndDrivesEarlyStopping()
    {
        var ml = new MLContext(seed: 1);
        var reports = new SynchronousProgress();
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 4, ValidationFraction = 0.25f, EarlyStoppingPatience = 10, Progress = reports,
        }).Fit(SyntheticData.Regression(ml, 200, seed: 1)).Model;

        Assert.HasCount(4, model.TrainingHistory);
        Assert.IsTrue(model.TrainingHistory.All(r => r.ValidationLoss is > 0 && r.ValidationMetric is not null));
        Assert.IsFalse(model.StoppedEarly);
        Assert.AreEqual(model.TrainingHistory.MinBy(r => r.ValidationLoss!.Value)!.Epoch, model.BestEpoch);
        Assert.IsTrue(reports.Reports.All(r => r.Record.ValidationLoss is not null));
    }

    [TestMethod]
    public void ValidationFractionAndValidationDataTogetherAreAnError()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { ValidationFraction = 0.2f, NumberOfEpochs = 1 });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(SyntheticData.Binary(ml, 50, 1), SyntheticData.Binary(ml, 20, 2)));
        Assert.Contains("ValidationFraction", e.Message);
        Assert.Contains("0.2", e.Message);
    }

    [TestMethod]
    public void ProgressIsReportedOncePerEpochAndMatchesTheHistory()
    {
        var ml = new MLContext(seed: 1);
        var reports = new SynchronousProgress();
        var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 5, Progress = reports,
        });
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(SyntheticData.Multiclass(ml, 120, seed: 1)).Transform(SyntheticData.Multiclass(ml, 120, seed: 1));

        var history = model.Fit(data, data).Model.TrainingHistory;

        Assert.HasCount(5, reports.Reports);
        for (int i = 0; i < 5; i++)
        {
            var (report, record) = (reports.Reports[i], history[i]);
            Assert.AreEqual(i + 1, report.Record.Epoch);
            Assert.AreEqual(5, report.NumberOfEpochs);
            Assert.AreEqual(record.TrainingLoss, report.Record.TrainingLoss);
            Assert.AreEqual(record.TrainingMetric, report.Record.TrainingMetric);
            Assert.AreEqual(record.ValidationLoss, report.Record.ValidationLoss);
            Assert.AreEqual(record.ValidationMetric, report.Record.ValidationMetric);
            Assert.AreEqual(record.LearningRate, report.Record.LearningRate);
            Assert.AreEqual(record.Elapsed, report.Record.Elapsed);
        }
        Assert.IsTrue(reports.Reports.All(r => r.Record.TrainingMetric is >= 0 and <= 1), "The metric of classification is accuracy.");
        Assert.MatchesRegex(new Regex(@"^Epoch 3/5: training loss "), reports.Reports[2].ToString());
    }

    /// <summary><see cref="SyntheticData.Binary"/>'s rule with a share of the labels flipped.</summary>
    internal static IDataView NoisyBinary(MLContext ml, int rows, int seed, double flipped)
    {
        var random = new Random(seed);
        var clean = ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(SyntheticData.Binary(ml, rows, seed), reuseRowObject: false);
        return ml.Data.LoadFromEnumerable(clean.Select(r => new SyntheticData.BinaryRow
        {
            Features = r.Features,
            Label = random.NextDouble() < flipped ? !r.Label : r.Label,
        }).ToList());
    }
}
