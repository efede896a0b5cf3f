using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>StreamTrainingData: the IDataView is read in blocks each epoch instead of being cached.</summary>
[TestClass]
public sealed class StreamingTests
{
    [TestMethod]
    public void WithoutShuffleAStreamedModelEqualsTheCachedOneBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 1000, seed: 3);
        MlpBinaryTrainer.Options Options(bool stream) => new()
        {
            HiddenLayerSizes = [16], NumberOfEpochs = 3, BatchSize = 32, Shuffle = false, Seed = 2,
            StreamTrainingData = stream, StreamBlockRows = 96,
        };
        var cached = ml.BinaryClassification.Trainers.Mlp(Options(stream: false)).Fit(data).Model.SubModel;
        var streamed = ml.BinaryClassification.Trainers.Mlp(Options(stream: true)).Fit(data).Model.SubModel;
        for (int l = 0; l < cached.LayerCount; l++)
        {
            CollectionAssert.AreEqual(cached.GetWeights(l).ToArray(), streamed.GetWeights(l).ToArray(), $"W{l}");
            CollectionAssert.AreEqual(cached.GetBiases(l).ToArray(), streamed.GetBiases(l).ToArray(), $"b{l}");
        }
        Assert.HasCount(3, streamed.TrainingHistory);
    }

    [TestMethod]
    public void ShuffledStreamingLearnsAsWellAsCaching()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Circles(ml, 1200, seed: 1);
        var test = SyntheticData.Circles(ml, 400, seed: 2);
        double Accuracy(bool stream)
        {
            var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [32], NumberOfEpochs = 40, LearningRate = 0.01f, Seed = 1,
                StreamTrainingData = stream, StreamBlockRows = 256,
            });
            return ml.BinaryClassification.Evaluate(trainer.Fit(train).Transform(test)).Accuracy;
        }
        double cached = Accuracy(stream: false), streamed = Accuracy(stream: true);
        Assert.IsGreaterThan(0.95, streamed, $"streamed {streamed}, cached {cached}");
        Assert.AreEqual(cached, streamed, 0.03);
    }

    [TestMethod]
    public void StreamingMulticlassWithClassWeightsAndAWeightColumn()
    {
        // Example weights from a column times per-class weights, streamed in blocks: the same model, bit for bit, as
        // from the cached data, and a different one from training without the weights.
        var ml = new MLContext(seed: 1);
        var random = new Random(4);
        var rows = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(SyntheticData.Multiclass(ml, 600, seed: 4), reuseRowObject: false)
            .Select(r => new WeightedFloatLabelRow { Features = r.Features, Label = r.Label, Weight = (float)(0.25 + 2 * random.NextDouble()) })
            .ToArray();
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        MlpMulticlassModelParameters Train(bool stream, bool weighted) => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = [16], NumberOfEpochs = 5, LearningRate = 0.01f, Seed = 1, Shuffle = false,
            StreamTrainingData = stream, StreamBlockRows = 128,
            ExampleWeightColumnName = weighted ? "Weight" : null, ClassWeights = weighted ? [1, 1, 1, 2] : null,
        }).Fit(data).Model;

        var cached = Train(stream: false, weighted: true);
        var streamed = Train(stream: true, weighted: true);
        var unweighted = Train(stream: true, weighted: false);
        for (int l = 0; l < cached.LayerCount; l++)
        {
            CollectionAssert.AreEqual(cached.GetWeights(l).ToArray(), streamed.GetWeights(l).ToArray(), $"W{l}");
            CollectionAssert.AreEqual(cached.GetBiases(l).ToArray(), streamed.GetBiases(l).ToArray(), $"b{l}");
        }
        Assert.AreEqual(cached.TrainingHistory[^1].TrainingLoss, streamed.TrainingHistory[^1].TrainingLoss);
        CollectionAssert.AreNotEqual(unweighted.GetWeights(0).ToArray(), streamed.GetWeights(0).ToArray(), "the weights must change the model");
    }

    [TestMethod]
    public void ANonFiniteFeatureIsNamedWhileStreaming()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 300).Select(i => new SyntheticData.BinaryRow
        {
            Features = Enumerable.Range(0, SyntheticData.FeatureCount).Select(j => i == 211 && j == 4 ? float.NaN : (float)Math.Sin(i + j)).ToArray(),
            Label = i % 2 == 0,
        }).ToArray();
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfEpochs = 2, StreamTrainingData = true, StreamBlockRows = 64 });
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "row 211");
        StringAssert.Contains(error.Message, "slot 4");
    }

    [TestMethod]
    public void StreamingRejectsAValidationFractionAndBadBlockSizes()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().BinaryClassification.Trainers.Mlp(
            new MlpBinaryTrainer.Options { StreamTrainingData = true, ValidationFraction = 0.2f }));
        Assert.AreEqual(nameof(MlpBinaryTrainer.Options.ValidationFraction), e.ParamName);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().BinaryClassification.Trainers.Mlp(
            new MlpBinaryTrainer.Options { StreamTrainingData = true, StreamBlockRows = 0 }));
        Assert.AreEqual(nameof(MlpBinaryTrainer.Options.StreamBlockRows), e.ParamName);
    }

    [TestMethod]
    public void AnEmptyStreamIsAClearError()
    {
        var ml = new MLContext(seed: 1);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<SyntheticData.BinaryRow>());
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { StreamTrainingData = true });
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => trainer.Fit(empty));
        StringAssert.Contains(error.Message, "no usable rows");

        // Without a measuring pass (regression, nothing to standardize), the first training epoch finds it.
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            StreamTrainingData = true, StandardizeFeatures = false, StandardizeLabel = false,
        });
        error = Assert.ThrowsExactly<InvalidOperationException>(() => regression.Fit(ml.Data.LoadFromEnumerable(Array.Empty<SyntheticData.FloatLabelRow>())));
        StringAssert.Contains(error.Message, "The training data has no usable rows: it is empty.");
    }

    private sealed class WeightedFloatLabelRow
    {
        [VectorType(SyntheticData.FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public float Weight { get; set; }
    }
}
