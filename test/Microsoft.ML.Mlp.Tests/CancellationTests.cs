using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// A cancelled <see cref="MlpTrainerOptionsBase.CancellationToken"/> ends training within one minibatch, loses nothing
/// the caller had, and leaves the <see cref="MLContext"/> able to train again.
/// </summary>
[TestClass]
public sealed class CancellationTests
{
    private const int Rows = 16_384, BatchSize = 1024, FeatureCount = 8;

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void CancellingMidEpochEndsTrainingWithinOneMinibatch()
    {
        // Streamed in blocks of one minibatch, so the rows the trainer has pulled from the data view count the
        // minibatches it has started: minibatch i is trained while block i + 1 is read ahead. The cancellation comes
        // from the data view itself, at a fixed row of epoch 3, while block j = CancelRow / BatchSize is being read.
        // Afterwards at most minibatch j may still start (it was waiting for that block), and its read-ahead j + 1:
        // never more than (j + 2) blocks of the epoch. A trainer that noticed cancellation only per epoch would read
        // all 16 blocks; one that relied on the data view's own check (every 4096 rows) would read up to row 8192.
        const int CancelRow = 4096 + 100, LastAllowedRow = (CancelRow / BatchSize + 2) * BatchSize;
        var ml = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress();
        var rows = new CountingRows(row =>
        {
            if (progress.Epochs == 2 && row == CancelRow)
                cancellation.Cancel();
        });
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = [16], BatchSize = BatchSize, NumberOfEpochs = 1000, Shuffle = false, Device = MlpDevice.Cpu,
            StreamTrainingData = true, StreamBlockRows = BatchSize, CancellationToken = cancellation.Token, Progress = progress,
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.IsTrue(cancellation.IsCancellationRequested, "the cancellation row was never reached");
        Assert.AreEqual(2, progress.Epochs, "epoch 3 must not complete");
        Assert.IsGreaterThan(CancelRow, rows.RowsThisPass);
        Assert.IsLessThanOrEqualTo(LastAllowedRow, rows.RowsThisPass,
            $"Training went on reading epoch 3 up to row {rows.RowsThisPass} after the cancellation at row {CancelRow} " +
            $"({(rows.RowsThisPass - CancelRow) / BatchSize} whole minibatches of {BatchSize} rows).");
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

        foreach (string path in new[] { existing, fresh })
        {
            // The user's code: save whatever Fit returned. A Fit that swallowed the cancellation and returned a
            // half-trained model would overwrite the existing file or create the new one.
            using var cancellation = new CancellationTokenSource();
            var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [8], NumberOfEpochs = 1000, CancellationToken = cancellation.Token,
                Progress = new SynchronousProgress(report => cancellation.Cancel()),
            });
            ITransformer? model = null;
            try
            {
                model = trainer.Fit(data);
            }
            catch (OperationCanceledException)
            {
            }
            if (model is not null)
                ml.Model.Save(model, data.Schema, path);
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

    /// <summary>
    /// <see cref="Rows"/> rows (label x0 + x1 &gt; 1), the same on every pass; counts the rows handed out in the current
    /// pass (each epoch of streamed training is one pass) and calls back with each row's index as it goes.
    /// </summary>
    private sealed class CountingRows(Action<int> onRow) : IEnumerable<WideRow>
    {
        private int _rowsThisPass;

        public int RowsThisPass => Volatile.Read(ref _rowsThisPass);

        public IEnumerator<WideRow> GetEnumerator()
        {
            Volatile.Write(ref _rowsThisPass, 0);
            var random = new Random(33);
            for (int i = 0; i < Rows; i++)
            {
                var x = new float[FeatureCount];
                for (int j = 0; j < x.Length; j++)
                    x[j] = (float)random.NextDouble();
                onRow(i);
                Interlocked.Increment(ref _rowsThisPass);
                yield return new WideRow { Features = x, Label = x[0] + x[1] > 1 };
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
