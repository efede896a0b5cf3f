using System.Diagnostics;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// A cancelled <see cref="MlpTrainerOptionsBase.CancellationToken"/> ends training within one minibatch, loses nothing
/// the caller had, and leaves the <see cref="MLContext"/> able to train again.
/// </summary>
[TestClass]
public sealed class CancellationTests
{
    private const int Rows = 16_384, BatchSize = 1024, BatchesPerEpoch = Rows / BatchSize, FeatureCount = 64;

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void CancellingMidEpochEndsTrainingWithinOneMinibatch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(WideRows());
        using var cancellation = new CancellationTokenSource();
        long cancelledAt = 0;
        var clock = Stopwatch.StartNew();
        TimeSpan firstEpoch = default, batchTime = default;
        Thread? canceller = null;
        var progress = new SynchronousProgress(report =>
        {
            if (report.Record.Epoch == 1)
                firstEpoch = report.Record.Elapsed;
            if (report.Record.Epoch != 2)
                return;
            // The second epoch's minibatch time (the first includes warm-up); cancel 5.5 minibatches into epoch 3.
            batchTime = (report.Record.Elapsed - firstEpoch) / BatchesPerEpoch;
            canceller = new Thread(() =>
            {
                Thread.Sleep(batchTime * 5.5);
                Volatile.Write(ref cancelledAt, clock.Elapsed.Ticks);
                cancellation.Cancel();
            });
            canceller.Start();
        });
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [512, 512], BatchSize = BatchSize, NumberOfEpochs = 1000, Shuffle = false, Device = MlpDevice.Cpu,
            CancellationToken = cancellation.Token, Progress = progress,
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(data));
        var latency = clock.Elapsed - TimeSpan.FromTicks(Volatile.Read(ref cancelledAt));
        canceller?.Join();

        Assert.IsGreaterThanOrEqualTo(2, progress.Epochs);
        // The minibatch in flight finishes; the next one does not start. Whole minibatch times that passed between the
        // cancellation and Fit's exception: 0 unless the machine stalls, and never more than the one in flight.
        int minibatchesAfterCancel = (int)(latency / batchTime);
        Assert.IsLessThanOrEqualTo(1, minibatchesAfterCancel,
            $"Fit ended {latency.TotalMilliseconds:F1} ms after the cancellation; one minibatch takes {batchTime.TotalMilliseconds:F1} ms.");
    }

    [TestMethod]
    public void ACancelledFitLeavesTheUsersModelFileUntouched()
    {
        using var folder = new TempDirectory();
        string existing = Path.Combine(folder.Path, "model.zip"), fresh = Path.Combine(folder.Path, "new-model.zip");
        byte[] oldModel = [1, 2, 3, 4];
        File.WriteAllBytes(existing, oldModel);
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 200, seed: 31);
        using var cancellation = new CancellationTokenSource();
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 1000, CancellationToken = cancellation.Token,
            Progress = new SynchronousProgress(report => cancellation.Cancel()),
        });

        foreach (string path in new[] { existing, fresh })
        {
            Assert.ThrowsExactly<OperationCanceledException>(() =>
            {
                var model = trainer.Fit(data);
                ml.Model.Save(model, data.Schema, path); // the user's code after Fit: never reached
            });
        }

        CollectionAssert.AreEqual(oldModel, File.ReadAllBytes(existing));
        Assert.IsFalse(File.Exists(fresh));
        CollectionAssert.AreEqual(new[] { existing }, Directory.GetFileSystemEntries(folder.Path), "no temporary files are left");
    }

    [TestMethod]
    public void TheContextTrainsAgainAfterACancelledFit()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 200, seed: 32);
        using var cancellation = new CancellationTokenSource();
        var options = new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 1000, CancellationToken = cancellation.Token,
            Progress = new SynchronousProgress(_ => cancellation.Cancel()),
        };
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Mlp(options).Fit(data));

        options.CancellationToken = CancellationToken.None;
        options.Progress = null;
        options.NumberOfEpochs = 20;
        options.LearningRate = 0.01f;
        var model = ml.Transforms.NormalizeMinMax("Features").Append(ml.BinaryClassification.Trainers.Mlp(options)).Fit(data);

        var mlp = model.LastTransformer.Model.SubModel;
        Assert.HasCount(20, mlp.TrainingHistory);
        BadDataTests.AssertFinite(mlp);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
        Assert.IsTrue(metrics.AreaUnderRocCurve is > 0.7 and <= 1, $"AUC {metrics.AreaUnderRocCurve}");
    }

    private static IEnumerable<WideRow> WideRows()
    {
        var random = new Random(33);
        for (int i = 0; i < Rows; i++)
        {
            var x = new float[FeatureCount];
            for (int j = 0; j < x.Length; j++)
                x[j] = (float)random.NextDouble();
            yield return new WideRow { Features = x, Label = x[0] + x[1] > 1 };
        }
    }

    private sealed class WideRow
    {
        [Data.VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mlp-cancel-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
