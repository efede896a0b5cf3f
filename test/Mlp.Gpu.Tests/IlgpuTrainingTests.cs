using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Testing;
using static Mlp.Gpu.Tests.IlgpuParity;

namespace Mlp.Gpu.Tests;

/// <summary>
/// The one training loop on the ILGPU backend against the CPU backend, from the same initial weights and minibatches:
/// parameters after each of the first steps agree closely, and whole runs learn the same models.
/// </summary>
[TestClass]
internal sealed class IlgpuTrainingTests
{
    private static IlgpuTargets _targets = null!;
    private static CpuBackend _cpu = null!;

    [ClassInitialize]
    public static void Initialize(TestContext context)
    {
        _targets = new IlgpuTargets();
        _cpu = new CpuBackend();
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _targets.Dispose();
        _cpu.Dispose();
    }

    public static IEnumerable<object[]> StepCases()
    {
        foreach (var target in new[] { IlgpuTarget.CpuSimulator, IlgpuTarget.Cuda, IlgpuTarget.OpenCL })
        {
            yield return [target, LossFunction.BinaryCrossEntropy, MlpActivation.Relu, MlpOptimizer.Momentum, false];
            yield return [target, LossFunction.SoftmaxCrossEntropy, MlpActivation.Tanh, MlpOptimizer.Adam, true];
            yield return [target, LossFunction.Huber, MlpActivation.Gelu, MlpOptimizer.Nesterov, true];
        }
    }

    [TestMethod]
    [DynamicData(nameof(StepCases))]
    public void EachStepMatchesTheCpuBackend(IlgpuTarget target, LossFunction loss, MlpActivation activation, MlpOptimizer optimizer, bool weighted)
    {
        var gpu = _targets.Get(target);
        int outputs = loss == LossFunction.SoftmaxCrossEntropy ? 3 : loss == LossFunction.BinaryCrossEntropy ? 1 : 2;
        var net = new NetworkDescription(6, [20, 9], activation, outputs, loss);
        var data = TestData.Random(45, net, seed: 3, weighted);
        var initial = ParameterInitializer.Create(net, seed: 4);
        var settings = CoreTestOptions.Optimizer with { Kind = optimizer, LearningRate = 0.02f, Momentum = 0.9f, L2Regularization = 1e-3f };
        const int batch = 16, steps = 6; // the third batch of each epoch is partial (13 rows)

        using var cpuRun = new StepRun(_cpu, net, data, initial, batch, optimizer);
        using var gpuRun = new StepRun(gpu, net, data, initial, batch, optimizer);
        for (int t = 1; t <= steps; t++)
        {
            int start = (t - 1) * batch % (data.RowCount + 2), rows = Math.Min(batch, data.RowCount - start);
            var step = OptimizerStep.Create(settings, t, settings.LearningRate, net.WeightCount);
            var expected = cpuRun.Step(start, rows, step);
            var actual = gpuRun.Step(start, rows, step);
            AreClose(expected.Parameters, actual.Parameters, 2e-4, 2e-5, $"{gpu.Name}: parameters after step {t}");
            AreClose(expected.Sums, actual.Sums, 1e-4, 1e-5, $"{gpu.Name}: loss sums after step {t}");
        }
    }

    [TestMethod]
    [DataRow(IlgpuTarget.CpuSimulator)]
    [DataRow(IlgpuTarget.Cuda)]
    [DataRow(IlgpuTarget.OpenCL)]
    public void WholeRunLearnsTheSameModel(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        var data = TestData.Blobs(150, features: 4, classes: 3, seed: 5);
        var valid = TestData.Blobs(60, features: 4, classes: 3, seed: 5); // same centres (the seed draws them)
        var net = new NetworkDescription(4, [16], MlpActivation.Relu, 3, LossFunction.SoftmaxCrossEntropy);
        var initial = ParameterInitializer.Create(net, seed: 7);
        var options = CoreTestOptions.Training with { Epochs = 8, BatchSize = 32, Seed = 8, Optimizer = CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Adam, LearningRate = 0.02f } };

        var expected = NetworkTrainer.Train(_cpu, net, initial, data, valid, options);
        var actual = NetworkTrainer.Train(gpu, net, initial, data, valid, options);

        double expectedAccuracy = TestData.Accuracy(new NetworkPredictor(net, expected.Parameters), data);
        double actualAccuracy = TestData.Accuracy(new NetworkPredictor(net, actual.Parameters), data);
        Assert.IsGreaterThanOrEqualTo(0.95, expectedAccuracy, $"CPU backend accuracy {expectedAccuracy}");
        Assert.AreEqual(expectedAccuracy, actualAccuracy, 1.0 / data.RowCount + 1e-9, $"{gpu.Name} vs CPU training accuracy");
        for (int e = 0; e < options.Epochs; e++)
        {
            Assert.AreEqual(expected.History[e].TrainingLoss, actual.History[e].TrainingLoss, 1e-3 * Math.Abs(expected.History[e].TrainingLoss) + 1e-5, $"training loss, epoch {e + 1}");
            Assert.AreEqual(expected.History[e].ValidationLoss!.Value, actual.History[e].ValidationLoss!.Value, 1e-3 * expected.History[e].ValidationLoss!.Value + 1e-5, $"validation loss, epoch {e + 1}");
        }
        AreClose(expected.Parameters, actual.Parameters, 1e-2, 1e-3, $"{gpu.Name}: final parameters");
    }

    /// <summary>One training run driven step by step over fixed minibatches (no shuffle), reading back after each step.</summary>
    private sealed class StepRun : IDisposable
    {
        private readonly NetworkWorkspace _workspace;
        private readonly DeviceDataset _data;
        private readonly float[] _parameters;
        private readonly float[] _sums = new float[LossAccumulator.Length];

        public StepRun(IBackend backend, NetworkDescription net, Dataset data, float[] initial, int batch, MlpOptimizer optimizer)
        {
            _workspace = new NetworkWorkspace(backend, net, batch, optimizer);
            _data = new DeviceDataset(backend, data);
            _parameters = new float[net.ParameterCount];
            backend.Upload(initial, _workspace.Parameters);
        }

        public (float[] Parameters, float[] Sums) Step(int start, int rows, in OptimizerStep step)
        {
            var backend = _workspace.Backend;
            backend.Fill(_workspace.Accumulator, 0f);
            _data.LoadBatch(_workspace, start, rows);
            _workspace.Forward(rows);
            _workspace.Loss(rows, _data.Weights is not null, withGradient: true);
            _workspace.Backward(rows);
            _workspace.Step(step);
            backend.Download(_workspace.Parameters, _parameters);
            backend.Download(_workspace.Accumulator, _sums);
            return ((float[])_parameters.Clone(), (float[])_sums.Clone());
        }

        public void Dispose()
        {
            _data.Dispose();
            _workspace.Dispose();
        }
    }
}
