using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;
using Mlp.Testing;
namespace Mlp.Gpu.Tests;

/// <summary>Training from an <see cref="IRowStream"/>: same results as cached data, bounded reads, clear errors.</summary>
[TestClass]
public sealed class StreamingTests
{
    [TestMethod]
    public void WithoutShuffleStreamingEqualsCachedTrainingBitForBit()
    {
        var data = TestData.SmoothRegression(1000, seed: 2);
        var net = new NetworkDescription(2, [16], MlpActivation.Tanh, 1, LossFunction.Squared);
        var initial = ParameterInitializer.Create(net, 1);
        var options = CoreTestOptions.Training with { Epochs = 3, BatchSize = 32, Shuffle = false, StreamBlockRows = 100 };
        var cached = NetworkTrainer.Train(net, initial, data, null, options);
        var stream = new ArrayRowStream(data);
        var streamed = NetworkTrainer.Train(net, initial, stream, null, options);
        CollectionAssert.AreEqual(cached.Parameters, streamed.Parameters);
        for (int e = 0; e < 3; e++)
        {
            Assert.AreEqual(cached.History[e].TrainingLoss, streamed.History[e].TrainingLoss, 1e-6);
            Assert.AreEqual(cached.History[e].TrainingMetric!.Value, streamed.History[e].TrainingMetric!.Value, 1e-6, "R² from streamed label moments");
        }
        Assert.AreEqual(3, stream.Resets, "one pass per epoch");
        Assert.IsLessThanOrEqualTo(128, stream.LargestRead, "reads never exceed a block (100 rows rounded up to whole batches)");
    }

    [TestMethod]
    public void ShuffledStreamingLearnsTheSpirals()
    {
        var data = TestData.Spirals(200, seed: 7);
        var net = new NetworkDescription(2, [64, 64], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var options = CoreTestOptions.Training with { Epochs = 400, BatchSize = 32, StreamBlockRows = 128, Optimizer = CoreTestOptions.Optimizer with { LearningRate = 0.01f }, Seed = 1 };
        var result = NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), new ArrayRowStream(data), null, options);
        Assert.IsGreaterThanOrEqualTo(0.98, TestData.Accuracy(new NetworkPredictor(net, result.Parameters), data));
    }

    [TestMethod]
    public void EmptyOrMismatchedStreamsAreRejected()
    {
        var net = new NetworkDescription(3, [4], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var wrongWidth = new ArrayRowStream(TestData.Spirals(10, seed: 1));
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), wrongWidth, null, CoreTestOptions.Training));
        StringAssert.Contains(error.Message, "2 features");

        var twoFeatures = new NetworkDescription(2, [4], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var empty = new ArrayRowStream(TestData.Spirals(10, seed: 1), take: 0);
        error = Assert.ThrowsExactly<ArgumentException>(() =>
            NetworkTrainer.Train(twoFeatures, ParameterInitializer.Create(twoFeatures, 1), empty, null, CoreTestOptions.Training));
        StringAssert.Contains(error.Message, "no rows");
    }
}
