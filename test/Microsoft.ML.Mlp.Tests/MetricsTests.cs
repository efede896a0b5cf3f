using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Evaluate on real data (shared/data): the MLP is at least as good as ML.NET's linear baselines on each set, and
/// clearly better on a non-linear problem. Bounds are ranges, not one machine's floats.
/// </summary>
[TestClass]
public sealed class MetricsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void BreastCancerMatchesLinearSvm()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(TestData.BreastCancer(ml), testFraction: 0.25, seed: 7);
        var features = ml.Transforms.ReplaceMissingValues("Features")
            .Append(ml.Transforms.NormalizeMinMax("Features"));

        var mlp = features.Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [16], NumberOfEpochs = 30, LearningRate = 0.01f, Seed = 1,
        })).Fit(split.TrainSet);
        var svm = features.Append(ml.BinaryClassification.Trainers.LinearSvm()).Fit(split.TrainSet);

        var mlpMetrics = ml.BinaryClassification.Evaluate(mlp.Transform(split.TestSet));
        var svmMetrics = ml.BinaryClassification.EvaluateNonCalibrated(svm.Transform(split.TestSet));
        Log("breast cancer", mlpMetrics.AreaUnderRocCurve, svmMetrics.AreaUnderRocCurve, mlpMetrics.Accuracy, svmMetrics.Accuracy);

        Assert.IsTrue(mlpMetrics.AreaUnderRocCurve is > 0.97 and <= 1, $"AUC {mlpMetrics.AreaUnderRocCurve}");
        Assert.IsTrue(mlpMetrics.Accuracy is > 0.93 and <= 1, $"accuracy {mlpMetrics.Accuracy}");
        Assert.IsTrue(mlpMetrics.LogLoss is > 0 and < 0.3, $"log-loss {mlpMetrics.LogLoss}");
        Assert.IsGreaterThanOrEqualTo(svmMetrics.AreaUnderRocCurve - 0.01, mlpMetrics.AreaUnderRocCurve);
        Assert.IsGreaterThanOrEqualTo(svmMetrics.Accuracy - 0.015, mlpMetrics.Accuracy);
    }

    [TestMethod]
    public void HeartCrossValidatedMatchesLinearSvm()
    {
        // 303 rows: 5-fold cross-validation gives a steadier comparison than the 20-row test file.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(
            ml.Data.CreateEnumerable<HeartRow>(TestData.Heart(ml, "heart_train.csv"), reuseRowObject: false)
                .Concat(ml.Data.CreateEnumerable<HeartRow>(TestData.Heart(ml, "heart_test.csv"), reuseRowObject: false)));
        var normalize = ml.Transforms.NormalizeMeanVariance("Features");

        var mlp = ml.BinaryClassification.CrossValidate(data, normalize.Append(ml.BinaryClassification.Trainers.Mlp(
            new MlpBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 20, LearningRate = 0.003f, L2Regularization = 1e-3f })),
            numberOfFolds: 5);
        var svm = ml.BinaryClassification.CrossValidateNonCalibrated(data, normalize.Append(ml.BinaryClassification.Trainers.LinearSvm()),
            numberOfFolds: 5);
        double mlpAuc = mlp.Average(fold => fold.Metrics.AreaUnderRocCurve);
        double svmAuc = svm.Average(fold => fold.Metrics.AreaUnderRocCurve);
        double mlpAccuracy = mlp.Average(fold => fold.Metrics.Accuracy);
        double svmAccuracy = svm.Average(fold => fold.Metrics.Accuracy);
        Log("heart (5-fold)", mlpAuc, svmAuc, mlpAccuracy, svmAccuracy);

        Assert.HasCount(5, mlp);
        Assert.IsTrue(mlpAuc is > 0.8 and <= 1, $"AUC {mlpAuc}");
        Assert.IsGreaterThanOrEqualTo(svmAuc - 0.02, mlpAuc);
        Assert.IsGreaterThanOrEqualTo(svmAccuracy - 0.03, mlpAccuracy);
    }

    [TestMethod]
    public void OptDigitsMatchesLbfgsMaximumEntropy()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(TestData.OptDigits(ml), testFraction: 0.25, seed: 7);
        var features = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"));

        var mlp = features.Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = [64], NumberOfEpochs = 15, LearningRate = 0.003f, Seed = 1,
        })).Fit(split.TrainSet);
        var maxEnt = features.Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()).Fit(split.TrainSet);

        var mlpMetrics = ml.MulticlassClassification.Evaluate(mlp.Transform(split.TestSet));
        var maxEntMetrics = ml.MulticlassClassification.Evaluate(maxEnt.Transform(split.TestSet));
        Log("optdigits", mlpMetrics.MicroAccuracy, maxEntMetrics.MicroAccuracy, mlpMetrics.LogLoss, maxEntMetrics.LogLoss);

        Assert.IsTrue(mlpMetrics.MicroAccuracy is > 0.95 and <= 1, $"micro-accuracy {mlpMetrics.MicroAccuracy}");
        Assert.IsTrue(mlpMetrics.MacroAccuracy is > 0.95 and <= 1, $"macro-accuracy {mlpMetrics.MacroAccuracy}");
        Assert.IsTrue(mlpMetrics.LogLoss is > 0 and < 0.25, $"log-loss {mlpMetrics.LogLoss}");
        Assert.IsGreaterThanOrEqualTo(maxEntMetrics.MicroAccuracy - 0.005, mlpMetrics.MicroAccuracy);
    }

    [TestMethod]
    public void BikeSharingBeatsSdcaRegression()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.BikeSharing(ml, "bike_sharing_hour_train.csv");
        var test = TestData.BikeSharing(ml, "bike_sharing_hour_test.csv");
        var features = ml.Transforms.NormalizeMeanVariance("Features");

        var mlp = features.Append(ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [64, 32], NumberOfEpochs = 20, BatchSize = 64, LearningRate = 0.01f, Seed = 1,
        })).Fit(train);
        var sdca = features.Append(ml.Regression.Trainers.Sdca()).Fit(train);

        var mlpMetrics = ml.Regression.Evaluate(mlp.Transform(test));
        var sdcaMetrics = ml.Regression.Evaluate(sdca.Transform(test));
        Log("bike sharing", mlpMetrics.RSquared, sdcaMetrics.RSquared, mlpMetrics.RootMeanSquaredError, sdcaMetrics.RootMeanSquaredError);

        Assert.IsTrue(mlpMetrics.RSquared is > 0.6 and <= 1, $"R² {mlpMetrics.RSquared}");
        Assert.IsGreaterThan(sdcaMetrics.RSquared, mlpMetrics.RSquared);
        Assert.IsLessThan(sdcaMetrics.RootMeanSquaredError, mlpMetrics.RootMeanSquaredError);
    }

    [TestMethod]
    public void CirclesClearlyBeatLinearSvm()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Circles(ml, rows: 600, seed: 21);
        var test = SyntheticData.Circles(ml, rows: 400, seed: 22);

        var mlp = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [16, 16], Activation = MlpActivation.Tanh, NumberOfEpochs = 60, BatchSize = 16, LearningRate = 0.01f,
        }).Fit(train);
        var svm = ml.BinaryClassification.Trainers.LinearSvm().Fit(train);

        var mlpMetrics = ml.BinaryClassification.Evaluate(mlp.Transform(test));
        var svmMetrics = ml.BinaryClassification.EvaluateNonCalibrated(svm.Transform(test));
        Log("circles", mlpMetrics.Accuracy, svmMetrics.Accuracy, mlpMetrics.AreaUnderRocCurve, svmMetrics.AreaUnderRocCurve);

        Assert.IsTrue(mlpMetrics.Accuracy is > 0.95 and <= 1, $"accuracy {mlpMetrics.Accuracy}");
        Assert.IsLessThan(0.7, svmMetrics.Accuracy);
        Assert.IsGreaterThan(svmMetrics.Accuracy + 0.25, mlpMetrics.Accuracy);
    }

    private void Log(string data, double mlp, double baseline, double mlpSecond, double baselineSecond) =>
        TestContext.WriteLine($"{data}: MLP {mlp:F4} vs baseline {baseline:F4}; second metric MLP {mlpSecond:F4} vs baseline {baselineSecond:F4}");

    private sealed class HeartRow
    {
        [Data.VectorType(13)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
