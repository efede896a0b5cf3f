using Mlp.Testing;
using System.Globalization;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Gpu.Backends.Ilgpu;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>A network whose parameters and activations cannot fit is refused before anything is allocated for it,
/// with the estimate in the message.</summary>
[TestClass]
public sealed class ResourceLimitTests
{
    private const int Batch = 1024;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(MlpDevice.Auto)]
    [DataRow(MlpDevice.Cpu)]
    public void ANetworkThatCannotFitInHostMemoryIsRefusedBeforeAllocating(MlpDevice device)
    {
        int width = WidthNeedingFourTimesTheMemory(MemoryEstimate.AvailableHostBytes);
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, Batch, seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [width], BatchSize = Batch, NumberOfEpochs = 1, Device = device,
        });
        var network = new NetworkDescription(SyntheticData.FeatureCount, [width], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        // The host also holds the initial and trained parameters and the model's predictor.
        var estimate = MemoryEstimate.ForTraining(network, Batch, MlpOptimizer.Adam, dataRows: Batch).WithHostCopies(network, earlyStopping: false);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.WriteLine(e.Message);

        Assert.IsGreaterThan(MemoryEstimate.AvailableHostBytes, estimate.TotalBytes);
        Assert.Contains($"needs about {GiB(estimate.TotalBytes)}", e.Message);
        Assert.Contains($"{Batch}-row batch", e.Message);
        Assert.Contains($"host memory available to .NET has {GiB(MemoryEstimate.AvailableHostBytes)}", e.Message);
        Assert.Contains("smaller hidden layers", e.Message);
        Assert.IsLessThan(64L << 20, allocated, $"Only the data may be read before the refusal; {allocated:N0} bytes were allocated.");
    }

    [TestMethod]
    public void TheCoreChecksTheIlgpuDeviceBeforeAllocatingOnIt()
    {
        // The same check runs inside NetworkTrainer against the backend's own memory (a GPU's MemorySize; ILGPU's CPU
        // accelerator, used here, lives in host memory).
        int width = WidthNeedingFourTimesTheMemory(MemoryEstimate.AvailableHostBytes);
        var network = new NetworkDescription(SyntheticData.FeatureCount, [width], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var data = new Dataset(new float[Batch * SyntheticData.FeatureCount], Batch, SyntheticData.FeatureCount,
            Enumerable.Range(0, Batch).Select(i => (float)(i % 2)).ToArray());
        var parameters = new float[network.ParameterCount];

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var simulator = IlgpuDevices.CreateSimulatorBackend();
        var e = Assert.Throws<InvalidOperationException>(() => NetworkTrainer.Train(simulator, network, parameters, data, null,
            CoreTestOptions.Training with { BatchSize = Batch, Epochs = 1 }));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("memory of the CPU device", e.Message);
        Assert.Contains("Nothing was allocated", e.Message);
        Assert.IsLessThan(64L << 20, allocated, $"{allocated:N0} bytes were allocated before the refusal.");
    }

    [TestMethod]
    public void TheEstimateCountsParametersOptimizerStateActivationsAndData()
    {
        // 10 -> 20 -> 3 (softmax): 10·20 + 20 + 20·3 + 3 = 283 parameters.
        var network = new NetworkDescription(10, [20], MlpActivation.Relu, 3, LossFunction.SoftmaxCrossEntropy);
        var adam = MemoryEstimate.ForTraining(network, batchRows: 8, MlpOptimizer.Adam, dataRows: 100);
        var sgd = MemoryEstimate.ForTraining(network, batchRows: 8, MlpOptimizer.Sgd, dropoutRate: 0.5f);

        Assert.AreEqual(283L * 4 * sizeof(float), adam.ParameterBytes, "parameters, gradients, two moments");
        Assert.AreEqual(283L * 2 * sizeof(float), sgd.ParameterBytes, "parameters, gradients");
        // Per row: input 10 + label 1 + weight 1; hidden 20 x (z, a, delta); output 3 x (z, delta).
        Assert.AreEqual(8L * (12 + 20 * 3 + 3 * 2) * sizeof(float), adam.ActivationBytes);
        Assert.AreEqual(8L * (12 + 20 * 5 + 3 * 2) * sizeof(float), sgd.ActivationBytes, "dropout adds the mask and the dropped activations");
        Assert.AreEqual(100L * (10 + 1 + 2) * sizeof(float), adam.DataBytes);
        Assert.AreEqual(adam.ParameterBytes + adam.ActivationBytes + adam.DataBytes, adam.TotalBytes);
    }

    /// <summary>One hidden layer wide enough that a batch's activations (z, a, delta) need 4x <paramref name="available"/>
    /// bytes, while the parameter count stays within the supported maximum.</summary>
    private static int WidthNeedingFourTimesTheMemory(long available) =>
        (int)Math.Min(NetworkDescription.MaxParameterCount / 16, 4 * available / (Batch * 3L * sizeof(float)));

    private static string GiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB");
}
