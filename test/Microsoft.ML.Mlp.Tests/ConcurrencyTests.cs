using Mlp.Testing;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Trained models are immutable and safe to share: scoring from several threads gives exactly the single-threaded
/// results, and neither scoring nor training changes a model or the caller's data.
/// </summary>
[TestClass]
public sealed class ConcurrencyTests
{
    private const int Threads = 8;

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void TransformFromSeveralThreadsGivesTheSingleThreadedResults()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.Cache(SyntheticData.Multiclass(ml, 2000, seed: 21));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = [16, 8], NumberOfEpochs = 3 }))
            .Fit(data);
        var weightsBefore = BadDataTests.Weights(model.LastTransformer.Model).ToArray();
        var expected = Scores(model.Transform(data));

        var results = new float[Threads][][];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t] = Scores(model.Transform(data)));

        foreach (var result in results)
            AssertIdentical(expected, result);
        CollectionAssert.AreEqual(weightsBefore.SelectMany(w => w).ToArray(), BadDataTests.Weights(model.LastTransformer.Model).SelectMany(w => w).ToArray(),
            "Scoring must not change the model.");
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void OnePredictionEnginePerThreadGivesTheSingleThreadedResults()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 1000, seed: 22);
        var model = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 3 }))
            .Fit(data);
        var rows = ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(data, reuseRowObject: false).ToArray();
        var scored = model.Transform(data);
        var expectedScores = scored.GetColumn<float>("Score").ToArray();
        var expectedProbabilities = scored.GetColumn<float>("Probability").ToArray();

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            using var engine = ml.Model.CreatePredictionEngine<SyntheticData.BinaryRow, BinaryPrediction>(model);
            // Each thread walks the rows from a different start so that threads score different rows at once.
            for (int n = 0; n < rows.Length; n++)
            {
                int i = (n + t * rows.Length / Threads) % rows.Length;
                var prediction = engine.Predict(rows[i]);
                Assert.AreEqual(expectedScores[i], prediction.Score, $"thread {t}, row {i}");
                Assert.AreEqual(expectedProbabilities[i], prediction.Probability, $"thread {t}, row {i}");
            }
        });
    }

    [TestMethod]
    [DataRow(false, DisplayName = "cached")]
    [DataRow(true, DisplayName = "streamed")]
    public void TrainingNeverChangesTheCallersData(bool stream)
    {
        var ml = new MLContext(seed: 1);
        var rows = BadDataTests.BinaryRows(300, seed: 23)
            .Select((r, i) => new WeightedRow { Features = r.Features, Label = r.Label, Weight = 1 + i % 3 }).ToArray();
        var before = rows.Select(r => (Features: (float[])r.Features.Clone(), r.Label, r.Weight)).ToArray();
        var validation = BadDataTests.BinaryRows(50, seed: 24);
        var validationBefore = validation.Select(r => (float[])r.Features.Clone()).ToArray();

        ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [8], NumberOfEpochs = 3, ExampleWeightColumnName = "Weight", PositiveClassWeight = 2,
                DropoutRate = 0.2f, StreamTrainingData = stream, StreamBlockRows = 64,
            }))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2, StreamTrainingData = stream })
            .Fit(ml.Data.LoadFromEnumerable(rows.Select(r => new SyntheticData.BinaryRow { Features = r.Features, Label = r.Label })),
                ml.Data.LoadFromEnumerable(validation));

        for (int i = 0; i < rows.Length; i++)
        {
            CollectionAssert.AreEqual(before[i].Features, rows[i].Features, $"row {i}");
            Assert.AreEqual(before[i].Label, rows[i].Label);
            Assert.AreEqual(before[i].Weight, rows[i].Weight);
        }
        for (int i = 0; i < validation.Length; i++)
            CollectionAssert.AreEqual(validationBefore[i], validation[i].Features, $"validation row {i}");
    }

    [TestMethod]
    public void TheCoreNeverChangesTheArraysItIsGiven()
    {
        // The CPU backend shares a Dataset's arrays instead of copying them: kernels must only read them.
        var network = new NetworkDescription(SyntheticData.FeatureCount, [8], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var random = new Random(25);
        var features = Enumerable.Range(0, 200 * SyntheticData.FeatureCount).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, 200).Select(i => (float)(i % 2)).ToArray();
        var weights = Enumerable.Range(0, 200).Select(i => 1f + i % 4).ToArray();
        var initial = ParameterInitializer.Create(network, seed: 1);
        var copies = new[] { (float[])features.Clone(), (float[])labels.Clone(), (float[])weights.Clone(), (float[])initial.Clone() };

        var result = NetworkTrainer.Train(network, initial, new Dataset(features, 200, SyntheticData.FeatureCount, labels, weights),
            new Dataset(features, 200, SyntheticData.FeatureCount, labels), CoreTestOptions.Training with { Epochs = 3, BatchSize = 16, Device = MlpDevice.Cpu, DropoutRate = 0.1f });

        CollectionAssert.AreNotEqual(initial, result.Parameters, "training ran");
        CollectionAssert.AreEqual(copies[0], features);
        CollectionAssert.AreEqual(copies[1], labels);
        CollectionAssert.AreEqual(copies[2], weights);
        CollectionAssert.AreEqual(copies[3], initial);
    }

    [TestMethod]
    public void ContinuingTrainingLeavesTheStartingModelUnchanged()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 200, seed: 26);
        var trainer = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 2);
        var first = trainer.Fit(data).Model;
        var weights = BadDataTests.Weights(first).SelectMany(w => w).ToArray();
        var history = first.TrainingHistory.ToArray();

        var second = trainer.Fit(data, first).Model;

        CollectionAssert.AreEqual(weights, BadDataTests.Weights(first).SelectMany(w => w).ToArray());
        CollectionAssert.AreEqual(history, first.TrainingHistory.ToArray());
        CollectionAssert.AreNotEqual(weights, BadDataTests.Weights(second).SelectMany(w => w).ToArray());
    }

    private static float[][] Scores(IDataView scored) =>
        scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();

    private static void AssertIdentical(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
    }

    private sealed class WeightedRow
    {
        [VectorType(SyntheticData.FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; }
    }

    private sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }
    }
}
