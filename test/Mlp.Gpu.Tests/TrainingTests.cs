using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Testing;
namespace Mlp.Gpu.Tests;

/// <summary>The training loop learns the course's problems, deterministically, and fails loudly on bad input.</summary>
[TestClass]
internal sealed class TrainingTests
{
    [TestMethod]
    public void LearnsXor()
    {
        var data = TestData.Xor();
        var net = new NetworkDescription(2, [8], MlpActivation.Tanh, 1, LossFunction.BinaryCrossEntropy);
        var result = Train(net, data, epochs: 500, batchSize: 4, learningRate: 0.05f);
        Assert.AreEqual(1.0, TestData.Accuracy(new NetworkPredictor(net, result.Parameters), data));
        Assert.IsLessThan(0.05, result.History[^1].TrainingLoss);
    }

    [TestMethod]
    public void LearnsTwoInterleavedSpirals()
    {
        var data = TestData.Spirals(200, seed: 7);
        var net = new NetworkDescription(2, [64, 64], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var result = Train(net, data, epochs: 400, batchSize: 32, learningRate: 0.01f);
        double accuracy = TestData.Accuracy(new NetworkPredictor(net, result.Parameters), data);
        Assert.IsGreaterThanOrEqualTo(0.99, accuracy, $"training accuracy {accuracy}");
    }

    [TestMethod]
    public void LearnsThreeClasses()
    {
        var data = TestData.Blobs(300, features: 5, classes: 3, seed: 2);
        var net = new NetworkDescription(5, [16], MlpActivation.Relu, 3, LossFunction.SoftmaxCrossEntropy);
        var result = Train(net, data, epochs: 30, batchSize: 16, learningRate: 0.01f);
        Assert.IsGreaterThanOrEqualTo(0.98, TestData.Accuracy(new NetworkPredictor(net, result.Parameters), data));
        Assert.IsGreaterThanOrEqualTo(0.98, result.History[^1].TrainingMetric!.Value);
    }

    [TestMethod]
    [DataRow(LossFunction.Squared)]
    [DataRow(LossFunction.Huber)]
    public void LearnsASmoothRegression(LossFunction loss)
    {
        var data = TestData.SmoothRegression(1000, seed: 4);
        var valid = TestData.SmoothRegression(200, seed: 5);
        var net = new NetworkDescription(2, [32, 32], MlpActivation.Tanh, 1, loss);
        var result = NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), data, valid, CoreTestOptions.Training with
        {
            Epochs = 150, BatchSize = 32, Seed = 1, Optimizer = CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Adam, LearningRate = 0.01f },
        });

        // R² of the returned parameters, through the predictor, on the training and on unseen points.
        var predictor = new NetworkPredictor(net, result.Parameters);
        double trainR2 = RSquared(predictor, data), validR2 = RSquared(predictor, valid);
        Assert.IsGreaterThan(0.97, trainR2, $"training R² {trainR2}");
        Assert.IsGreaterThan(0.97, validR2, $"validation R² {validR2}");
        // The trainer's own figures for the last epoch are those of the same parameters.
        var last = result.History[^1];
        Assert.AreEqual(validR2, last.ValidationMetric!.Value, 1e-4, "reported validation R²");
        double validLoss = ReferenceNetwork.BatchLoss(net, Array.ConvertAll(result.Parameters, v => (double)v), valid);
        Assert.AreEqual(validLoss, last.ValidationLoss!.Value, 1e-4 * validLoss + 1e-7, $"reported validation {loss} loss");
    }

    [TestMethod]
    public void SameSeedGivesBitIdenticalParameters()
    {
        var data = TestData.Spirals(100, seed: 1);
        var net = new NetworkDescription(2, [32, 16], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var a = Train(net, data, epochs: 5, batchSize: 16, learningRate: 0.01f, seed: 3).Parameters;
        var b = Train(net, data, epochs: 5, batchSize: 16, learningRate: 0.01f, seed: 3).Parameters;
        var c = Train(net, data, epochs: 5, batchSize: 16, learningRate: 0.01f, seed: 4).Parameters;
        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreNotEqual(a, c);
    }

    [TestMethod]
    public void HistoryHasOneRecordPerEpochAndValidation()
    {
        var data = TestData.Blobs(100, 3, 2, seed: 1);
        var valid = TestData.Blobs(40, 3, 2, seed: 1);
        var net = new NetworkDescription(3, [8], MlpActivation.Relu, 2, LossFunction.SoftmaxCrossEntropy);
        var seen = new List<int>();
        TrainingResult Run(int epochs, Action<EpochRecord>? completed = null) => NetworkTrainer.Train(
            net, ParameterInitializer.Create(net, 1), data, valid, CoreTestOptions.Training with { Epochs = epochs, BatchSize = 30, EpochCompleted = completed });
        var result = Run(4, r => seen.Add(r.Epoch));
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, seen);
        Assert.HasCount(4, result.History);
        Assert.IsTrue(result.History.Zip(result.History.Skip(1)).All(p => p.Second.Elapsed >= p.First.Elapsed));

        // Record e holds the validation loss and accuracy of the parameters after e epochs: a run stopped after e
        // epochs returns those parameters, evaluated here with the float64 reference network.
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            var parameters = Array.ConvertAll(Run(epoch).Parameters, v => (double)v);
            double loss = ReferenceNetwork.BatchLoss(net, parameters, valid);
            double accuracy = Enumerable.Range(0, valid.RowCount).Count(r =>
            {
                var z = ReferenceNetwork.Forward(net, parameters, valid.Features.AsSpan(r * valid.FeatureCount, valid.FeatureCount));
                return Array.IndexOf(z, z.Max()) == (int)valid.Labels[r];
            }) / (double)valid.RowCount;
            var record = result.History[epoch - 1];
            Assert.AreEqual(epoch, record.Epoch);
            Assert.AreEqual(loss, record.ValidationLoss!.Value, 1e-5 * loss + 1e-7, $"validation loss of epoch {epoch}");
            Assert.AreEqual(accuracy, record.ValidationMetric!.Value, 1e-9, $"validation accuracy of epoch {epoch}");
        }
    }

    [TestMethod]
    public void DoesNotModifyTheCallersArrays()
    {
        var data = TestData.Spirals(50, seed: 1);
        var features = (float[])data.Features.Clone();
        var net = new NetworkDescription(2, [8], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var initial = ParameterInitializer.Create(net, 1);
        var initialCopy = (float[])initial.Clone();
        NetworkTrainer.Train(net, initial, data, null, CoreTestOptions.Training with { Epochs = 2 });
        CollectionAssert.AreEqual(features, data.Features);
        CollectionAssert.AreEqual(initialCopy, initial);
    }

    [TestMethod]
    public void DivergenceStopsWithTheEpoch()
    {
        var data = TestData.SmoothRegression(200, seed: 1);
        for (int i = 0; i < data.Labels.Length; i++)
            data.Labels[i] *= 1e18f;
        var net = new NetworkDescription(2, [16], MlpActivation.Relu, 1, LossFunction.Squared);
        var options = CoreTestOptions.Training with { Epochs = 20, Optimizer = CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Sgd, LearningRate = 10f } };
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() =>
            NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), data, null, options));
        Assert.IsGreaterThanOrEqualTo(1, error.Epoch);
        StringAssert.Contains(error.Message, "learning rate");
    }

    [TestMethod]
    public void CancellationStopsTraining()
    {
        var data = TestData.Spirals(100, seed: 1);
        var net = new NetworkDescription(2, [8], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        using var cts = new CancellationTokenSource();
        var seen = new List<int>();
        var options = CoreTestOptions.Training with
        {
            Epochs = 1000, BatchSize = 8, CancellationToken = cts.Token,
            EpochCompleted = r =>
            {
                seen.Add(r.Epoch);
                if (r.Epoch == 2)
                    cts.Cancel();
            },
        };
        Assert.ThrowsExactly<OperationCanceledException>(() =>
            NetworkTrainer.Train(net, ParameterInitializer.Create(net, 1), data, null, options));
        // Cancelled after epoch 2: the token is checked before every minibatch, so epoch 3 never completes.
        CollectionAssert.AreEqual(new[] { 1, 2 }, seen);
    }

    /// <summary>1 − Σ(y − ŷ)² / Σ(y − ȳ)² of a one-output regression network, computed in float64.</summary>
    private static double RSquared(NetworkPredictor predictor, Dataset data)
    {
        var output = new float[1];
        double mean = data.Labels.Average(v => (double)v), residual = 0, total = 0;
        for (int r = 0; r < data.RowCount; r++)
        {
            predictor.Predict(data.Features.AsSpan(r * data.FeatureCount, data.FeatureCount), output);
            residual += Math.Pow(data.Labels[r] - output[0], 2);
            total += Math.Pow(data.Labels[r] - mean, 2);
        }
        return 1 - residual / total;
    }

    internal static TrainingResult Train(NetworkDescription net, Dataset data, int epochs, int batchSize, float learningRate, int seed = 1) =>
        NetworkTrainer.Train(net, ParameterInitializer.Create(net, seed), data, null, CoreTestOptions.Training with
        {
            Epochs = epochs,
            BatchSize = batchSize,
            Seed = seed,
            Optimizer = CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Adam, LearningRate = learningRate },
        });
}
