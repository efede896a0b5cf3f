using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Learning-rate schedules, dropout, gradient clipping, weight decay, class weights and divergence.</summary>
[TestClass]
public sealed class ScheduleAndRegularizationTests
{
    private static float[] Rates(MlpRegressionTrainer.Options options)
    {
        var ml = new MLContext(seed: 1);
        options.HiddenLayerSizes = [4];
        options.BatchSize = 64;
        var model = ml.Regression.Trainers.Mlp(options).Fit(SyntheticData.Regression(ml, 64, seed: 1)).Model;
        return model.TrainingHistory.Select(r => r.LearningRate).ToArray();
    }

    private static void AssertRates(IEnumerable<double> expected, float[] actual, string schedule)
    {
        var expectedRates = expected.ToArray();
        Assert.HasCount(expectedRates.Length, actual, schedule);
        for (int i = 0; i < actual.Length; i++)
            Assert.AreEqual(expectedRates[i], actual[i], 1e-6 * expectedRates[i] + 1e-12, $"{schedule}: epoch {i + 1}");
    }

    [TestMethod]
    public void AdamWDecaysByTheDocumentedDefaultAndTheOthersDoNot()
    {
        float[] Weights(MlpOptimizer optimizer, float? decay)
        {
            var ml = new MLContext(seed: 1);
            var options = new MlpRegressionTrainer.Options
            {
                HiddenLayerSizes = [4], NumberOfEpochs = 3, Optimizer = optimizer, WeightDecay = decay, LearningRate = 0.05f,
            };
            return ml.Regression.Trainers.Mlp(options).Fit(SyntheticData.Regression(ml, 64, seed: 1)).Model.GetWeights(0).ToArray();
        }

        CollectionAssert.AreEqual(Weights(MlpOptimizer.AdamW, 0.01f), Weights(MlpOptimizer.AdamW, null), "AdamW's default decay is 0.01");
        CollectionAssert.AreNotEqual(Weights(MlpOptimizer.AdamW, 0f), Weights(MlpOptimizer.AdamW, null), "AdamW decays by default");
        foreach (var other in Enum.GetValues<MlpOptimizer>().Where(o => o != MlpOptimizer.AdamW))
            CollectionAssert.AreEqual(Weights(other, 0f), Weights(other, null), $"{other} does not decay by default");
    }

    [TestMethod]
    public void SchedulesGiveTheDocumentedLearningRates()
    {
        const float eta = 0.01f;
        AssertRates(Enumerable.Repeat((double)eta, 4), Rates(new() { NumberOfEpochs = 4, LearningRate = eta }), "Constant");

        AssertRates(Enumerable.Range(1, 7).Select(e => eta * Math.Pow(0.5, (e - 1) / 3)), Rates(new()
        {
            NumberOfEpochs = 7, LearningRate = eta, LearningRateSchedule = MlpLearningRateSchedule.StepDecay, LearningRateDecay = 0.5f, LearningRateDecayEpochs = 3,
        }), "StepDecay");

        AssertRates(Enumerable.Range(1, 5).Select(e => eta * Math.Pow(0.1, (e - 1) / 10)), Rates(new()
        {
            NumberOfEpochs = 5, LearningRate = eta, LearningRateSchedule = MlpLearningRateSchedule.StepDecay,
        }), "StepDecay with the defaults (x0.1 every 10 epochs)");

        AssertRates(Enumerable.Range(1, 5).Select(e => eta * Math.Pow(0.8, e - 1)), Rates(new()
        {
            NumberOfEpochs = 5, LearningRate = eta, LearningRateSchedule = MlpLearningRateSchedule.Exponential, LearningRateDecay = 0.8f,
        }), "Exponential");

        AssertRates(Enumerable.Range(1, 5).Select(e => eta * Math.Pow(0.95, e - 1)), Rates(new()
        {
            NumberOfEpochs = 5, LearningRate = eta, LearningRateSchedule = MlpLearningRateSchedule.Exponential,
        }), "Exponential with the default 0.95");

        const double floor = 0.001;
        AssertRates(Enumerable.Range(1, 6).Select(e => floor + (eta - floor) * (1 + Math.Cos(Math.PI * (e - 1) / 6)) / 2), Rates(new()
        {
            NumberOfEpochs = 6, LearningRate = eta, LearningRateSchedule = MlpLearningRateSchedule.Cosine, MinimumLearningRate = (float)floor,
        }), "Cosine");
    }

    [TestMethod]
    public void ReduceOnPlateauLowersTheRateWhenTheLossStalls()
    {
        // With plain SGD and a tiny rate the loss moves by far less than 1e-4 per epoch: every epoch after the first is
        // a plateau, so with patience 1 the rate halves every epoch from the third on, down to the floor.
        var ml = new MLContext(seed: 1);
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [4], NumberOfEpochs = 6, BatchSize = 64, Optimizer = MlpOptimizer.Sgd, LearningRate = 1e-7f,
            LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau, LearningRateDecay = 0.5f, LearningRatePatience = 1,
            MinimumLearningRate = 2e-8f,
        }).Fit(SyntheticData.Regression(ml, 64, seed: 1)).Model;

        AssertRates([1e-7, 1e-7, 5e-8, 2.5e-8, 2e-8, 2e-8], model.TrainingHistory.Select(r => r.LearningRate).ToArray(), "ReduceOnPlateau");
    }

    [TestMethod]
    public void DropoutChangesTrainingButNotInference()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 200, seed: 3);
        MlpBinaryTrainer.Options Options(float dropout) => new() { HiddenLayerSizes = [16, 8], NumberOfEpochs = 3, Seed = 3, DropoutRate = dropout, LearningRate = 0.01f };
        var plain = ml.BinaryClassification.Trainers.Mlp(Options(0)).Fit(data).Model.SubModel;
        var dropout = ml.BinaryClassification.Trainers.Mlp(Options(0.5f)).Fit(data);
        var network = dropout.Model.SubModel;
        CollectionAssert.AreNotEqual(plain.GetWeights(0).ToArray(), network.GetWeights(0).ToArray(), "Dropout changes the training.");

        using var engine = ml.Model.CreatePredictionEngine<SyntheticData.BinaryRow, PredictionDump.BinaryPrediction>(dropout);
        foreach (var row in ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(data, reuseRowObject: false).Take(20))
        {
            float first = engine.Predict(row).Score;
            Assert.AreEqual(first, engine.Predict(row).Score, "Inference is deterministic.");
            double expected = Forward(network, row.Features);
            Assert.AreEqual(expected, first, 1e-4 * (1 + Math.Abs(expected)), "Inference uses every unit, unscaled.");
        }
    }

    /// <summary>The network's output z computed from its public weights: a = relu(W·a′ + b) per hidden layer, no dropout.</summary>
    private static double Forward(MlpModelParametersBase<float> model, float[] features)
    {
        double[] a = features.Select(x => (double)x).ToArray();
        for (int layer = 0; layer < model.LayerCount; layer++)
        {
            var w = model.GetWeights(layer).Span;
            var b = model.GetBiases(layer).Span;
            var z = new double[b.Length];
            for (int j = 0; j < z.Length; j++)
            {
                double sum = b[j];
                for (int i = 0; i < a.Length; i++)
                    sum += w[j * a.Length + i] * a[i];
                z[j] = layer < model.LayerCount - 1 ? Math.Max(0, sum) : sum;
            }
            a = z;
        }
        return a[0];
    }

    [TestMethod]
    public void GradientClippingAndWeightDecayChangeTraining()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 200, seed: 4);
        MlpRegressionModelParameters Train(Action<MlpRegressionTrainer.Options> configure)
        {
            var options = new MlpRegressionTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 3, Seed = 4, Optimizer = MlpOptimizer.Sgd, LearningRate = 0.01f };
            configure(options);
            return ml.Regression.Trainers.Mlp(options).Fit(data).Model;
        }
        double Norm(MlpModelParametersBase<float> model) =>
            Enumerable.Range(0, model.LayerCount).Sum(l => model.GetWeights(l).ToArray().Sum(w => (double)w * w));

        var plain = Train(_ => { });
        var clipped = Train(o => o.GradientClipNorm = 1e-3f);
        var decayed = Train(o => o.WeightDecay = 5f);

        Assert.IsGreaterThan(plain.TrainingHistory[^1].TrainingLoss, clipped.TrainingHistory[^1].TrainingLoss, "Tiny clipped steps learn less.");
        Assert.IsLessThan(Norm(plain), Norm(decayed), "Decoupled weight decay shrinks the weights.");
    }

    [TestMethod]
    public void PositiveClassWeightMovesPredictionsTowardThePositiveClass()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Binary(ml, 300, seed: 5);
        var test = SyntheticData.Binary(ml, 300, seed: 6);
        double PositiveShare(float weight)
        {
            var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [8], NumberOfEpochs = 10, LearningRate = 0.01f, Seed = 5, PositiveClassWeight = weight,
            }).Fit(train);
            return ml.Data.CreateEnumerable<PredictionDump.BinaryPrediction>(model.Transform(test), reuseRowObject: false).Average(p => p.PredictedLabel ? 1.0 : 0.0);
        }

        double plain = PositiveShare(1), heavy = PositiveShare(10), light = PositiveShare(0.1f);
        Assert.IsGreaterThan(plain + 0.05, heavy, $"positive share {plain} unweighted, {heavy} with weight 10");
        Assert.IsLessThan(plain - 0.05, light, $"positive share {plain} unweighted, {light} with weight 0.1");
    }

    [TestMethod]
    public void ClassWeightsMovePredictionsTowardTheHeavierClass()
    {
        var ml = new MLContext(seed: 1);
        // Keys in label order, so class index k is label k.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(SyntheticData.Multiclass(ml, 300, seed: 7));
        var train = keys.Transform(SyntheticData.Multiclass(ml, 300, seed: 7));
        var test = keys.Transform(SyntheticData.Multiclass(ml, 300, seed: 8));
        double ShareOfClass3(float[]? weights)
        {
            var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                HiddenLayerSizes = [8], NumberOfEpochs = 10, LearningRate = 0.01f, Seed = 7, ClassWeights = weights,
            }).Fit(train);
            var predicted = model.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
            return predicted.Average(k => k == 4 ? 1.0 : 0.0);
        }

        double plain = ShareOfClass3(null), heavy = ShareOfClass3([1, 1, 1, 10]);
        Assert.IsGreaterThan(plain + 0.05, heavy, $"class-3 share {plain} unweighted, {heavy} with weight 10");

        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { ClassWeights = [1, 2] }).Fit(train));
        Assert.AreEqual("ClassWeights", e.ParamName);
        Assert.Contains("2 weights", e.Message);
        Assert.Contains("4 classes", e.Message);
    }

    [TestMethod]
    public void DivergenceIsAClearErrorNamingTheEpochAndTheLearningRate()
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(SyntheticData.Regression(ml, 100, seed: 9), reuseRowObject: false)
            .Select(r => new SyntheticData.FloatLabelRow { Features = r.Features.Select(x => x * 100).ToArray(), Label = r.Label * 100 });
        var trainer = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [16], NumberOfEpochs = 20, Optimizer = MlpOptimizer.Sgd, LearningRate = 10,
        });

        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.MatchesRegex(new System.Text.RegularExpressions.Regex(@"Training diverged in epoch \d+"), e.Message);
        Assert.Contains("Lower LearningRate (now 10)", e.Message);
        Assert.IsInstanceOfType<global::Mlp.Gpu.Training.TrainingDivergedException>(e.InnerException);
    }
}
