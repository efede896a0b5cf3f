using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training.Schedules;
using Mlp.Gpu.Training;
using Mlp.Testing;
namespace Mlp.Gpu.Tests;

/// <summary>Schedules, early stopping with best-weights restore, and the stratified validation split.</summary>
[TestClass]
public sealed class TrainingControlTests
{
    [TestMethod]
    public void SchedulesGiveTheDocumentedRates()
    {
        var none = Array.Empty<EpochRecord>();
        Assert.AreEqual(0.1f, LearningRateSchedule.Constant.GetRate(7, 0.1f, none));
        var step = new StepDecaySchedule(StepSize: 3, Gamma: 0.5f);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.25f }, Enumerable.Range(1, 7).Select(e => step.GetRate(e, 1f, none)).ToArray());
        var exponential = new ExponentialSchedule(0.9f);
        Assert.AreEqual(0.81f, exponential.GetRate(3, 1f, none), 1e-6f);
        var cosine = new CosineSchedule(PeriodEpochs: 10, MinimumRate: 0.1f);
        Assert.AreEqual(1f, cosine.GetRate(1, 1f, none), 1e-6f);
        Assert.AreEqual(0.55f, cosine.GetRate(6, 1f, none), 1e-6f);   // halfway: (1 + 0.1)/2
        Assert.AreEqual(0.1f, cosine.GetRate(11, 1f, none), 1e-6f);
        Assert.AreEqual(0.1f, cosine.GetRate(50, 1f, none), 1e-6f);
    }

    [TestMethod]
    public void ReduceOnPlateauReducesAfterPatienceEpochsWithoutImprovement()
    {
        var schedule = new ReduceOnPlateauSchedule(Factor: 0.5f, Patience: 2, MinDelta: 0f, MinimumRate: 0.2f);
        double[] losses = [1.0, 0.9, 0.95, 0.92, 0.8, 0.85, 0.85, 0.85, 0.85];
        var history = losses.Select((l, i) => new EpochRecord { Epoch = i + 1, TrainingLoss = l }).ToList();
        float[] expected = [1f, 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.2f];
        for (int epoch = 1; epoch <= history.Count + 1; epoch++)
            Assert.AreEqual(expected[epoch - 1], schedule.GetRate(epoch, 1f, history.Take(epoch - 1).ToList()), 1e-6f, $"epoch {epoch}");
    }

    [TestMethod]
    public void TheLoopUsesTheScheduleAndRecordsIt()
    {
        var data = TestData.Blobs(64, 3, 2, seed: 1);
        var net = new NetworkDescription(3, [8], MlpActivation.Relu, 2, LossFunction.SoftmaxCrossEntropy);
        var options = CoreTestOptions.Training with { Epochs = 5, Schedule = new StepDecaySchedule(2, 0.1f), Optimizer = CoreTestOptions.Optimizer with { LearningRate = 0.01f } };
        var result = NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), data, null, options);
        float[] rates = result.History.Select(r => r.LearningRate).ToArray();
        Assert.AreEqual(5, rates.Length);
        Assert.AreEqual(0.01f, rates[0], 1e-9f);
        Assert.AreEqual(0.01f, rates[1], 1e-9f);
        Assert.AreEqual(0.001f, rates[2], 1e-9f);
        Assert.AreEqual(0.0001f, rates[4], 1e-9f);
    }

    [TestMethod]
    public void EarlyStoppingRestoresTheBestEpochsWeightsExactly()
    {
        // A wide net on few noisy points overfits fast, so the validation loss turns up.
        var all = TestData.Spirals(60, seed: 3, noise: 0.3f);
        var (train, valid) = ValidationSplit.Split(all, 0.5, seed: 1, stratify: true);
        var net = new NetworkDescription(2, [128, 128], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var initial = ParameterInitializer.Create(net, 2);
        TrainingOptions Options(int epochs, int? patience) => CoreTestOptions.Training with
        {
            Epochs = epochs, BatchSize = 8, Seed = 5, EarlyStoppingPatience = patience,
            Optimizer = CoreTestOptions.Optimizer with { LearningRate = 0.01f },
        };

        var stopped = NetworkTrainer.Train(net, initial, train, valid, Options(300, patience: 5));
        Assert.IsTrue(stopped.StoppedEarly, "the validation loss should have stopped improving");
        double bestLoss = stopped.History.Min(r => r.ValidationLoss!.Value);
        Assert.AreEqual(bestLoss, stopped.History[stopped.BestEpoch - 1].ValidationLoss);
        Assert.AreEqual(stopped.BestEpoch + 5, stopped.History.Count, "stops exactly `patience` epochs after the best");

        // Training only up to the best epoch (same seed, so the same minibatches) must give the very same parameters.
        var upToBest = NetworkTrainer.Train(net, initial, train, valid, Options(stopped.BestEpoch, patience: null));
        CollectionAssert.AreEqual(upToBest.Parameters, stopped.Parameters);
    }

    [TestMethod]
    public void EarlyStoppingWithoutValidationMonitorsTheTrainingLoss()
    {
        var data = TestData.Xor();
        var net = new NetworkDescription(2, [8], MlpActivation.Tanh, 1, LossFunction.BinaryCrossEntropy);
        var options = CoreTestOptions.Training with { Epochs = 50, BatchSize = 4, EarlyStoppingPatience = 3, Optimizer = CoreTestOptions.Optimizer with { LearningRate = 0.05f } };
        var result = NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), data, null, options);
        Assert.AreEqual(result.History.Min(r => r.TrainingLoss), result.History[result.BestEpoch - 1].TrainingLoss);
    }

    [TestMethod]
    public void StratifiedSplitKeepsClassRatios()
    {
        // 90 % class 0 sorted first: taking the tail would give a one-class validation set.
        int rows = 1000;
        var labels = Enumerable.Range(0, rows).Select(r => r < 900 ? 0f : 1f).ToArray();
        var data = new Dataset(Enumerable.Range(0, rows).Select(r => (float)r).ToArray(), rows, 1, labels);
        var (train, valid) = ValidationSplit.Split(data, 0.2, seed: 1, stratify: true);
        Assert.AreEqual(800, train.RowCount);
        Assert.AreEqual(200, valid.RowCount);
        Assert.AreEqual(20, valid.Labels.Count(y => y == 1f));
        Assert.AreEqual(80, train.Labels.Count(y => y == 1f));
        // Every row lands on exactly one side.
        CollectionAssert.AreEquivalent(data.Features, train.Features.Concat(valid.Features).ToArray());
        // The held-out rows are spread over the data, not a contiguous block.
        Assert.IsGreaterThan(500f, valid.Features.Where((_, i) => valid.Labels[i] == 0f).Max() - valid.Features.Min());
    }

    [TestMethod]
    public void SplitRejectsBadFractions()
    {
        var data = TestData.Xor();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ValidationSplit.Split(data, 0, 1, true));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ValidationSplit.Split(data, 1, 1, true));
    }

    [TestMethod]
    public void GradientClippingBoundsEveryStep()
    {
        // With plain SGD a clipped step moves the parameters by at most η·c.
        var data = TestData.SmoothRegression(64, seed: 1);
        for (int i = 0; i < data.Labels.Length; i++)
            data.Labels[i] *= 1000f; // huge residuals, huge gradients
        var net = new NetworkDescription(2, [8], MlpActivation.Tanh, 1, LossFunction.Squared);
        var initial = ParameterInitializer.Create(net, 1);
        var options = CoreTestOptions.Training with { Epochs = 1, BatchSize = 64, GradientClipNorm = 0.5f, Optimizer = CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Sgd, LearningRate = 0.1f } };
        var result = NetworkTrainer.Train(net, initial, data, null, options);
        double moved = Math.Sqrt(initial.Zip(result.Parameters).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
        Assert.AreEqual(0.1 * 0.5, moved, 1e-4, "one full-batch step of length exactly η·c");
    }
}
