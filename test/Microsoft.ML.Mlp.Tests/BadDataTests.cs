using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Bad training data gives a clear error that names the culprit, or trains a model whose weights are all finite:
/// never a crash, a hang or NaN weights.
/// </summary>
[TestClass]
public sealed class BadDataTests
{
    [TestMethod]
    public void InfiniteFeaturesNameTheColumnRowAndSlot()
    {
        var ml = new MLContext(seed: 1);
        var rows = BinaryRows(40, seed: 1);
        rows[7].Features[2] = float.PositiveInfinity;
        rows[9].Features[0] = float.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("training data", e.Message);
        Assert.Contains("row 7 ", e.Message);
        Assert.Contains("slot 2", e.Message);

        var validation = BinaryRows(20, seed: 2);
        validation[4].Features[5] = float.NegativeInfinity;
        var validationError = Assert.Throws<InvalidOperationException>(() =>
            Trainer(ml).Fit(ml.Data.LoadFromEnumerable(BinaryRows(40, seed: 1)), ml.Data.LoadFromEnumerable(validation)));
        Assert.Contains("validation data", validationError.Message);
        Assert.Contains("row 4 ", validationError.Message);
    }

    [TestMethod]
    [DataRow(false, DisplayName = "cached")]
    [DataRow(true, DisplayName = "streamed")]
    public void SkipRowsWithNonFiniteFeaturesSkipsAndCountsThem(bool stream)
    {
        var ml = new MLContext(seed: 1);
        var log = CollectWarnings(ml);
        var rows = BinaryRows(100, seed: 3);
        rows[3].Features[0] = float.NaN;
        rows[10].Features[4] = float.PositiveInfinity;
        rows[50].Features[5] = float.NegativeInfinity;
        var options = Options();
        options.SkipRowsWithNonFiniteFeatures = true;
        options.StreamTrainingData = stream;

        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(ml.Data.LoadFromEnumerable(rows));

        AssertFinite(model.Model.SubModel);
        Assert.IsTrue(log.Any(m => m.Contains("Skipped 3 row(s) of the training data", StringComparison.Ordinal)
            && m.Contains("NaN or infinite value in the feature column 'Features'", StringComparison.Ordinal)), string.Join("\n", log));
    }

    [TestMethod]
    public void SkippingEveryRowIsStillAClearError()
    {
        var ml = new MLContext(seed: 1);
        var rows = BinaryRows(10, seed: 4);
        foreach (var row in rows)
            row.Features[1] = float.NaN;
        var options = Options();
        options.SkipRowsWithNonFiniteFeatures = true;
        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Mlp(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("no usable rows", e.Message);
        Assert.Contains("all 10 row(s)", e.Message);
        Assert.Contains("non-finite feature", e.Message);
    }

    [TestMethod]
    public void MissingLabelValuesAreSkippedAndCounted()
    {
        var ml = new MLContext(seed: 1);
        var log = CollectWarnings(ml);
        var rows = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(SyntheticData.Regression(ml, 60, seed: 5), reuseRowObject: false).ToArray();
        rows[0].Label = float.NaN;
        rows[33].Label = float.NaN;
        var model = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2).Fit(ml.Data.LoadFromEnumerable(rows));
        AssertFinite(model.Model);
        Assert.IsTrue(log.Any(m => m.Contains("Skipped 2 row(s) of the training data whose label in column 'Label' is missing", StringComparison.Ordinal)),
            string.Join("\n", log));
    }

    [TestMethod]
    public void AMissingLabelColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 20, seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(labelColumnName: "Outcome").Fit(data));
        Assert.Contains("'Outcome'", e.Message);
        Assert.Contains("Could not find label column", e.Message);
    }

    [TestMethod]
    public void AWrongLabelTypeNamesTheColumnTheTypeFoundAndTheTypesAccepted()
    {
        var ml = new MLContext(seed: 1);
        var floatLabels = SyntheticData.Regression(ml, 20, seed: 1);
        var binary = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp().Fit(floatLabels));
        AssertMentions(binary.Message, "'Label'", "Boolean", "Single");

        var multiclass = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp().Fit(floatLabels));
        AssertMentions(multiclass.Message, "'Label'", "Key", "Single");

        var boolLabels = SyntheticData.Binary(ml, 20, seed: 1);
        var regression = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp().Fit(boolLabels));
        AssertMentions(regression.Message, "'Label'", "Single", "Boolean");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void BinaryLabelsOfOneClassAreAClearError(bool label)
    {
        var ml = new MLContext(seed: 1);
        var rows = BinaryRows(30, seed: 6);
        foreach (var row in rows)
            row.Label = label;
        var e = Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(ml.Data.LoadFromEnumerable(rows)));
        AssertMentions(e.Message, "'Label'", label ? "only true (positive)" : "only false (negative)", "both classes");
    }

    [TestMethod]
    public void AMulticlassLabelOutsideTheKeyRangeIsAClearError()
    {
        var ml = new MLContext(seed: 1);
        // Classes 0-2 in training; the validation data was mapped by its own MapValueToKey and has a fourth class.
        var train = ml.Data.FilterRowsByColumn(SyntheticData.Multiclass(ml, 200, seed: 7), "Label", upperBound: 2.5);
        var trainMap = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var validation = SyntheticData.Multiclass(ml, 100, seed: 8);
        var validationMap = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(validation);
        var trainer = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 });

        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(trainMap.Transform(train), validationMap.Transform(validation)));
        AssertMentions(e.Message, "'Label'", "validation data", "class index 3", "3 classes");
    }

    [TestMethod]
    public void AVectorOfUnknownSizeIsRejectedEvenWhenEmpty()
    {
        // ML.NET has no known-size vector of length 0: Vector<Single, 0> is the variable-size type.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new VariableRow { Features = [], Label = true },
            new VariableRow { Features = [], Label = false },
        });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(ml).Fit(data));
        Assert.Contains("'Features'", e.Message);
    }

    [TestMethod]
    public void OneRowTrainsForRegressionAndIsAOneClassErrorForBinary()
    {
        var ml = new MLContext(seed: 1);
        var one = ml.Data.TakeRows(SyntheticData.Regression(ml, 10, seed: 9), 1);
        var model = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 3).Fit(one);
        AssertFinite(model.Model);
        Assert.AreEqual(3, model.Model.TrainingHistory.Count);

        var oneBinary = ml.Data.LoadFromEnumerable(BinaryRows(1, seed: 9));
        Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(oneBinary));

        var holdOut = Assert.Throws<InvalidOperationException>(() =>
            ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { ValidationFraction = 0.5f }).Fit(one));
        Assert.Contains("only 1 usable row", holdOut.Message);
    }

    [TestMethod]
    public void ConstantFeaturesTrainToFiniteWeightsRawAndNormalized()
    {
        var ml = new MLContext(seed: 1);
        var rows = BinaryRows(40, seed: 10);
        foreach (var row in rows)
            Array.Fill(row.Features, 3f);
        var data = ml.Data.LoadFromEnumerable(rows);
        foreach (var normalizer in new IEstimator<ITransformer>[]
        {
            new EstimatorChain<ITransformer>(),
            ml.Transforms.NormalizeMinMax("Features"),
            ml.Transforms.NormalizeMeanVariance("Features"),
        })
        {
            var model = normalizer.Append(Trainer(ml)).Fit(data);
            AssertFinite(model.LastTransformer.Model.SubModel);
            var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
            Assert.IsTrue(scores.All(float.IsFinite));
            Assert.AreEqual(1, scores.Distinct().Count(), "Identical inputs give identical scores.");
        }
    }

    [TestMethod]
    public void ValuesOf1e30TrainToFiniteWeightsOrFailAsDivergence()
    {
        var ml = new MLContext(seed: 1);
        var outcomes = new List<string>();
        void Try(string name, Func<IEnumerable<float[]>> fit)
        {
            try
            {
                var weights = fit().ToList();
                Assert.IsTrue(weights.All(layer => layer.All(float.IsFinite)), $"{name}: a weight is not finite");
                outcomes.Add($"{name}: trained");
            }
            catch (InvalidOperationException e)
            {
                Assert.Contains("Training diverged", e.Message, $"{name}: {e}");
                outcomes.Add($"{name}: diverged");
            }
        }

        var binary = BinaryRows(64, seed: 11);
        foreach (var row in binary.Where((_, i) => i % 3 == 0))
            row.Features[0] = 1e30f;
        Try("binary", () => Weights(Trainer(ml).Fit(ml.Data.LoadFromEnumerable(binary)).Model.SubModel));

        var regression = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(SyntheticData.Regression(ml, 64, seed: 12), reuseRowObject: false).ToArray();
        foreach (var row in regression)
            row.Features = row.Features.Select(x => x * 1e30f).ToArray();
        Try("regression, features", () => Weights(ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2).Fit(ml.Data.LoadFromEnumerable(regression)).Model));
        var targets = regression.Select(r => new SyntheticData.FloatLabelRow { Features = r.Features.Select(x => x / 1e30f).ToArray(), Label = r.Label * 1e30f });
        Try("regression, labels", () => Weights(ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2).Fit(ml.Data.LoadFromEnumerable(targets)).Model));

        var multiclass = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(SyntheticData.Multiclass(ml, 64, seed: 13), reuseRowObject: false)
            .Select(r => new SyntheticData.FloatLabelRow { Features = r.Features.Select(x => x * 1e30f).ToArray(), Label = r.Label });
        Try("multiclass", () => Weights(ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2))
            .Fit(ml.Data.LoadFromEnumerable(multiclass)).LastTransformer.Model));

        Assert.HasCount(4, outcomes);
    }

    internal static SyntheticData.BinaryRow[] BinaryRows(int count, int seed)
    {
        var ml = new MLContext(seed: seed);
        return ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(SyntheticData.Binary(ml, count, seed), reuseRowObject: false).ToArray();
    }

    private static MlpBinaryTrainer.Options Options() => new() { HiddenLayerSizes = [4], NumberOfEpochs = 2, BatchSize = 8 };

    private static MlpBinaryTrainer Trainer(MLContext ml) => ml.BinaryClassification.Trainers.Mlp(Options());

    internal static List<string> CollectWarnings(MLContext ml)
    {
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Runtime.ChannelMessageKind.Warning)
            {
                lock (messages)
                    messages.Add(e.Message);
            }
        };
        return messages;
    }

    internal static IEnumerable<float[]> Weights<T>(MlpModelParametersBase<T> model) =>
        Enumerable.Range(0, model.LayerCount).SelectMany(l => new[] { model.GetWeights(l).ToArray(), model.GetBiases(l).ToArray() });

    internal static void AssertFinite<T>(MlpModelParametersBase<T> model) =>
        Assert.IsTrue(Weights(model).All(layer => layer.All(float.IsFinite)), "Every weight and bias must be finite.");

    private static void AssertMentions(string message, params string[] parts)
    {
        foreach (string part in parts)
            Assert.Contains(part, message);
    }

    private sealed class VariableRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
