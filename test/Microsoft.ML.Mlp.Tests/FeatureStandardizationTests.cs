using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>What the trainer's own feature standardisation does to the model a pipeline gets.</summary>
[TestClass]
public sealed class FeatureStandardizationTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ZeroOneColumnsAreLeftAsTheyAre(bool stream)
    {
        // Every feature is a 0/1 indicator, one of them rare: standardisation must leave them all as they are, so the
        // model is the one trained without it, bit for bit. Scaled, the rare column's 1 would become about 7.
        var (ml, data) = Indicators();

        float[] Scores(bool standardize) => Trainer(ml, standardize, stream).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();

        CollectionAssert.AreEqual(Scores(standardize: false), Scores(standardize: true));

        // The control: with one numeric column among them, the option changes the model.
        var numeric = ml.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(data, reuseRowObject: false)
            .Select((row, i) => new SyntheticData.BinaryRow { Features = [.. row.Features[..^1], 1000f * (i % 13)], Label = row.Label }));
        float[] NumericScores(bool standardize) => Trainer(ml, standardize, stream).Fit(numeric).Transform(numeric).GetColumn<float>("Score").ToArray();
        CollectionAssert.AreNotEqual(NumericScores(standardize: false), NumericScores(standardize: true));
    }

    [TestMethod]
    public void APipelineNormaliserDoesNotHideTheIndicators()
    {
        // NormalizeMeanVariance on the whole vector turns each 0/1 column into {0, 1/σ}; the trainer maps every
        // two-valued column back to 0/1, so it trains on exactly the inputs of the unnormalised pipeline. Only the
        // folding of the map into the first layer rounds differently.
        var (ml, data) = Indicators();
        var plain = Trainer(ml, standardize: false, stream: false).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();
        var normalized = ml.Transforms.NormalizeMeanVariance("Features").Append(Trainer(ml, standardize: true, stream: false))
            .Fit(data).Transform(data).GetColumn<float>("Score").ToArray();

        for (int i = 0; i < plain.Length; i++)
            Assert.AreEqual(plain[i], normalized[i], 1e-5 * (1 + Math.Abs(plain[i])), $"row {i}");
    }

    private static MlpBinaryTrainer Trainer(MLContext ml, bool standardize, bool stream) =>
        ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 5, Seed = 3, StandardizeFeatures = standardize, StreamTrainingData = stream,
        });

    private static (MLContext Ml, IDataView Data) Indicators()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 400).Select(_ =>
        {
            float[] x = [.. Enumerable.Range(0, SyntheticData.FeatureCount).Select(j => random.NextDouble() < (j == 0 ? 0.02 : 0.5) ? 1f : 0f)];
            return new SyntheticData.BinaryRow { Features = x, Label = x[0] + x[1] + x[2] * x[3] > 1 };
        }).ToArray();
        return (ml, ml.Data.LoadFromEnumerable(rows));
    }
}
