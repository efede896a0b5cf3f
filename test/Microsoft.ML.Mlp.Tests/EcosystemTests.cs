using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>ML.NET's own tools work on the MLP models as on built-in ones.</summary>
[TestClass]
public sealed class EcosystemTests
{
    private static MlpBinaryTrainer.Options SmallBinary() => new() { HiddenLayerSizes = [8], NumberOfEpochs = 10, LearningRate = 0.01f };

    [TestMethod]
    public void CrossValidateWorksForAllTasks()
    {
        var ml = new MLContext(seed: 1);
        var binary = ml.BinaryClassification.CrossValidate(SyntheticData.Binary(ml, 200, seed: 3),
            ml.BinaryClassification.Trainers.Mlp(SmallBinary()), numberOfFolds: 3);
        var multiclass = ml.MulticlassClassification.CrossValidate(SyntheticData.Multiclass(ml, 200, seed: 3),
            ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [16], numberOfEpochs: 40, learningRate: 0.01f)),
            numberOfFolds: 3);
        var regression = ml.Regression.CrossValidate(SyntheticData.Regression(ml, 200, seed: 3),
            ml.Regression.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 10, learningRate: 0.01f), numberOfFolds: 3);

        Assert.HasCount(3, binary);
        Assert.IsTrue(binary.All(fold => fold.Metrics.AreaUnderRocCurve > 0.7), "binary AUC " + string.Join(", ", binary.Select(f => f.Metrics.AreaUnderRocCurve)));
        Assert.IsTrue(multiclass.All(fold => fold.Metrics.MicroAccuracy > 0.5), "multiclass accuracy " + string.Join(", ", multiclass.Select(f => f.Metrics.MicroAccuracy)));
        Assert.IsTrue(regression.All(fold => fold.Metrics.RSquared > 0.3), "regression R² " + string.Join(", ", regression.Select(f => f.Metrics.RSquared)));
    }

    [TestMethod]
    public void PermutationFeatureImportanceRanksTheInformativeFeatureFirst()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 400, seed: 4);
        var model = ml.BinaryClassification.Trainers.Mlp(SmallBinary()).Fit(data);

        var importance = ml.BinaryClassification.PermutationFeatureImportance(model, data, permutationCount: 1);

        Assert.HasCount(SyntheticData.FeatureCount, importance);
        // Label = x0 + x1·x2 − x3 > 0: x0 and x3 matter, x4 and x5 are noise.
        double x0 = importance[0].AreaUnderRocCurve.Mean, x5 = importance[5].AreaUnderRocCurve.Mean;
        Assert.IsLessThan(-0.05, x0, "Permuting x0 must hurt AUC.");
        Assert.IsLessThan(Math.Abs(x0), Math.Abs(x5), "The noise feature must matter less than x0.");
    }

    [TestMethod]
    public void ChangeModelThresholdMovesPredictedLabel()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 200, seed: 5);
        var model = ml.BinaryClassification.Trainers.Mlp(SmallBinary()).Fit(data);

        int Positives(ITransformer transformer) =>
            ml.Data.CreateEnumerable<PredictionDump.BinaryPrediction>(transformer.Transform(data), reuseRowObject: false).Count(p => p.PredictedLabel);

        int atZero = Positives(model);
        int strict = Positives(ml.BinaryClassification.ChangeModelThreshold(model, threshold: 3f));
        int lenient = Positives(ml.BinaryClassification.ChangeModelThreshold(model, threshold: -3f));
        Assert.IsLessThan(atZero, strict);
        Assert.IsGreaterThan(atZero, lenient);
    }

    [TestMethod]
    public void ProbabilityIsTheSigmoidOfTheScore()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 200, seed: 6);
        var model = ml.BinaryClassification.Trainers.Mlp(SmallBinary()).Fit(data);

        foreach (var prediction in ml.Data.CreateEnumerable<PredictionDump.BinaryPrediction>(model.Transform(data), reuseRowObject: false))
        {
            double sigmoid = 1 / (1 + Math.Exp(-prediction.Score));
            Assert.AreEqual(sigmoid, prediction.Probability, 1e-6);
            Assert.AreEqual(prediction.Score > 0, prediction.PredictedLabel);
        }
    }

    [TestMethod]
    public void PredictionEngineAndMapKeyToValueWorkForMulticlass()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Multiclass(ml, 300, seed: 7);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [16], numberOfEpochs: 20, learningRate: 0.01f))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"))
            .Fit(data);

        using var engine = ml.Model.CreatePredictionEngine<SyntheticData.FloatLabelRow, PredictionDump.MulticlassPrediction>(model);
        int correct = 0, total = 0;
        foreach (var row in ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(data, reuseRowObject: false))
        {
            var prediction = engine.Predict(row);
            Assert.HasCount(4, prediction.Score);
            Assert.AreEqual(1.0, prediction.Score.Sum(), 1e-4);
            Assert.IsTrue(prediction.Score.All(p => p is >= 0 and <= 1));
            correct += prediction.PredictedLabelValue == row.Label ? 1 : 0;
            total++;
        }
        Assert.IsGreaterThan(0.7, (double)correct / total);
    }

    [TestMethod]
    public void ScoringAcceptsSparseFeatureVectors()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2).Fit(SyntheticData.Regression(ml, 100, seed: 8));
        var rows = ml.Data.LoadFromEnumerable(new[]
        {
            new VBufferRow { Features = new VBuffer<float>(SyntheticData.FeatureCount, [0f, 1.5f, 0f, 0f, -2f, 0f]) },
            new VBufferRow { Features = new VBuffer<float>(SyntheticData.FeatureCount, 2, [1.5f, -2f], [1, 4]) },
        });

        var scores = ml.Data.CreateEnumerable<PredictionDump.RegressionPrediction>(model.Transform(rows), reuseRowObject: false).ToArray();

        Assert.AreEqual(scores[0].Score, scores[1].Score);
        Assert.AreEqual(SyntheticData.FeatureCount, model.Model.NumberOfFeatures);
        Assert.AreEqual(MlpRegressionLoss.Squared, model.Model.Loss);
    }

    private sealed class VBufferRow
    {
        [VectorType(SyntheticData.FeatureCount)]
        public VBuffer<float> Features { get; set; }

        public float Label { get; set; }
    }
}
