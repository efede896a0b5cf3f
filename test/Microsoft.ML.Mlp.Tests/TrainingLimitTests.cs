using Mlp.Testing;
using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Sizes that used to be trusted: the epoch count as a list capacity, the host-side copies of the weights, the dense
/// copy of wide data and the predictor's packed copy are all checked in 64 bits, and refused before training starts;
/// data that would train a useless model (one class, all-zero weights) is an error whether it is cached or streamed.
/// </summary>
[TestClass]
public sealed class TrainingLimitTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void IntMaxValueEpochsTrainUntilCancelledWithoutAllocatingForThem(bool continued)
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 64, seed: 1);
        var start = continued ? ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2).Fit(data).Model.SubModel : null;
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report => { if (report.Record.Epoch == 3) cancellation.Cancel(); });
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [4], NumberOfEpochs = int.MaxValue, CancellationToken = cancellation.Token, Progress = progress,
        });

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<OperationCanceledException>(() => { _ = start is null ? trainer.Fit(data) : trainer.Fit(data, start); });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(3, progress.Epochs);
        Assert.IsLessThan(64L << 20, allocated, $"{allocated:N0} bytes allocated for 3 epochs");
    }

    [TestMethod]
    public void TheCoreTakesIntMaxValueEpochsToo()
    {
        var network = new NetworkDescription(2, [3], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var data = new Dataset([0, 1, 1, 0, 1, 1, 0, 0], 4, 2, [1, 1, 0, 0]);
        using var cancellation = new CancellationTokenSource();
        int epochs = 0;
        var options = CoreTestOptions.Training with
        {
            Epochs = int.MaxValue, BatchSize = 4, Device = MlpDevice.Cpu, CancellationToken = cancellation.Token,
            EpochCompleted = record => { epochs = record.Epoch; if (record.Epoch == 2) cancellation.Cancel(); },
        };
        Assert.Throws<OperationCanceledException>(() => NetworkTrainer.Train(network, ParameterInitializer.Create(network, 1), data, null, options));
        Assert.AreEqual(2, epochs);
    }

    [TestMethod]
    public void StreamedBinaryLabelsOfOneClassAreTheSameErrorAsCached()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 300).Select(i => new SyntheticData.BinaryRow { Features = Features(i), Label = true }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        string Error(bool stream) => Assert.ThrowsExactly<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Mlp(
            new MlpBinaryTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 2, StreamTrainingData = stream, StreamBlockRows = 64 }).Fit(data)).Message;

        string cached = Error(stream: false);
        Assert.Contains("has only true (positive) labels in its 300 usable row(s)", cached);
        Assert.AreEqual(cached, Error(stream: true));
    }

    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void AllZeroExampleWeightsAreAClearError(bool stream, bool regression)
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 200).Select(i => new WeightedRow { Features = Features(i), Label = i % 2, Weight = 0f }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        Action fit = regression
            ? () => ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
            {
                ExampleWeightColumnName = "Weight", HiddenLayerSizes = [4], NumberOfEpochs = 2, StreamTrainingData = stream,
            }).Fit(data)
            : () => ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                ExampleWeightColumnName = "Weight", HiddenLayerSizes = [4], NumberOfEpochs = 2, StreamTrainingData = stream,
            }).Fit(ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Boolean).Fit(data).Transform(data));

        var e = Assert.ThrowsExactly<InvalidOperationException>(fit);
        Assert.Contains("Every example weight of the training data is zero (the weight column 'Weight', 200 usable row(s))", e.Message);
        Assert.Contains("training would learn nothing", e.Message);

        // One positive weight in each class is enough to train (a class whose every weight is 0 is absent).
        rows[6].Weight = 1f;
        rows[7].Weight = 1f;
        data = ml.Data.LoadFromEnumerable(rows);
        fit();
    }

    [TestMethod]
    public void APredictorCopyThatCannotExistIsRefusedBeforeReadingTheData()
    {
        // One feature and 130,000,000 hidden units: 390 million parameters, within the trainers' maximum, but the
        // output layer's packed copy is padded to 16 rows: 2.2 billion values, more than one array holds.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new OneFeatureRow { Features = [i], Label = i % 2 == 0 }));
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [130_000_000], NumberOfEpochs = 1 });

        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("cannot be scored", e.Message);
        Assert.Contains("2,210,000,000 values, more than one array holds", e.Message);
        Assert.IsLessThan(64L << 20, allocated);
        Assert.IsLessThan(TimeSpan.FromSeconds(10), clock.Elapsed);
    }

    [TestMethod]
    public void WideSparseRowsAreRefusedBeforeTheirDenseCopyIsAllocated()
    {
        // 40 rows of 2^26-slot sparse vectors: 2.7 billion values densely, more than one array holds. Refused before
        // any row is copied, whether or not the data view knows its row count.
        const int slots = 1 << 26;
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 40).Select(i => new SparseRow
        {
            Features = new VBuffer<float>(slots, 2, [1f, i], [i, slots - 1 - i]), Label = i % 2 == 0,
        }).ToArray();
        foreach (var data in new[] { ml.Data.LoadFromEnumerable(rows), ml.Data.LoadFromEnumerable(rows.Select(r => r)) })
        {
            var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [], NumberOfEpochs = 1 });
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => trainer.Fit(data));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("The training data has 40 rows of 67,108,864 features (column 'Features'): 2,684,354,560 values", e.Message);
            Assert.Contains("StreamTrainingData = true", e.Message);
            Assert.IsLessThan(256L << 20, allocated, $"{allocated:N0} bytes allocated before the refusal");
        }
    }

    [TestMethod]
    public void TheHostCopiesAreCountedInTheEstimate()
    {
        // 10 -> 20 -> 3 (softmax), 283 parameters. Host copies: initial and trained parameters (a third with early
        // stopping), and the predictor's packed weights: 20 rows padded to 32 x 10 inputs, 3 rows padded to 16 x 20, 23 biases.
        var network = new NetworkDescription(10, [20], MlpActivation.Relu, 3, LossFunction.SoftmaxCrossEntropy);
        long packed = 32 * 10 + 16 * 20 + 23;
        Assert.AreEqual(packed, NetworkPredictor.PackedFloatCount(network));
        var estimate = MemoryEstimate.ForTraining(network, batchRows: 8, MlpOptimizer.Adam, dataRows: 100);
        Assert.AreEqual((2 * 283 + packed) * sizeof(float), estimate.WithHostCopies(network, earlyStopping: false).HostCopyBytes);
        Assert.AreEqual((3 * 283 + packed) * sizeof(float), estimate.WithHostCopies(network, earlyStopping: true).HostCopyBytes);
        Assert.AreEqual(estimate.TotalBytes + (2 * 283 + packed) * sizeof(float), estimate.WithHostCopies(network, false).TotalBytes);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void UnderAGcHeapLimitANetworkThatFitsOnlyWithoutItsHostCopiesIsRefused()
    {
        // A child process under a 1 GiB GC heap limit trains a network whose device-side buffers need about 0.7 of it
        // and whose host copies (initial and trained weights, the predictor) take it past the limit.
        var (exitCode, output) = MemoryLimitProcess.Run(heapLimitBytes: 1L << 30);
        Assert.AreEqual(MemoryLimitProcess.Refused, exitCode, output);
        Assert.Contains("host copies of the weights", output);
        Assert.Contains("but the host memory available to .NET has 1.0 GiB", output);
    }

    private static float[] Features(int i) => Enumerable.Range(0, SyntheticData.FeatureCount).Select(k => (float)Math.Sin(i * 0.7 + k)).ToArray();

    private sealed class WeightedRow
    {
        [VectorType(SyntheticData.FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public float Weight { get; set; }
    }

    private sealed class OneFeatureRow
    {
        [VectorType(1)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class SparseRow
    {
        [VectorType(1 << 26)]
        public VBuffer<float> Features { get; set; }

        public bool Label { get; set; }
    }
}
