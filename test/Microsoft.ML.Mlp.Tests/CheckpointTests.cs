using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>CheckpointDirectory: training resumes after a kill or a cancellation to the model of an uninterrupted run,
/// bit for bit; damaged and foreign checkpoints are refused with the file named.</summary>
[TestClass]
public sealed class CheckpointTests
{
    private static string NewDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "mlp-checkpoint-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static string CheckpointFile(string directory) => Path.Combine(directory, TrainingCheckpoint.FileName);

    [TestMethod]
    [DataRow("cached")]
    [DataRow("streamed")]
    public void AProcessKilledAtRandomPointsResumesToTheUninterruptedModelBitForBit(string mode)
    {
        string root = NewDirectory(), checkpoints = Path.Combine(root, "checkpoints");
        string reference = Path.Combine(root, "reference.txt"), resumed = Path.Combine(root, "resumed.txt");
        try
        {
            CheckpointProcess.RunToEnd(mode, "-", reference);

            int seed = Environment.TickCount;
            var random = new Random(seed);
            var kills = new List<string>();
            int lastEpoch = 0, resumable = 0;
            while (kills.Count < 4 && lastEpoch < CheckpointProcess.Epochs - 2)
            {
                int target = Math.Min(CheckpointProcess.Epochs - 2, lastEpoch + random.Next(1, 8));
                int delay = random.Next(0, 25); // 0 lands in the checkpoint write that follows the report
                lastEpoch = CheckpointProcess.RunAndKill(mode, checkpoints, resumed, target, delay);
                bool exists = File.Exists(CheckpointFile(checkpoints));
                resumable += exists ? 1 : 0;
                kills.Add($"after epoch {lastEpoch} + {delay} ms (checkpoint {(exists ? "present" : "absent")})");
            }
            CheckpointProcess.RunToEnd(mode, checkpoints, resumed);

            string story = $"seed {seed}, kills: " + string.Join(", ", kills);
            Assert.IsGreaterThanOrEqualTo(2, resumable, story);
            CollectionAssert.AreEqual(File.ReadAllLines(reference), File.ReadAllLines(resumed), story);
            Assert.IsEmpty(Directory.GetFiles(checkpoints), "A successful Fit leaves the checkpoint directory clean.");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Trains until the options' token is cancelled after <paramref name="cancelAfter"/> epochs (null: never);
    /// <paramref name="reported"/> receives every epoch record the Fit reports (a resumed Fit first reports the
    /// checkpoint's records again, with the times they were measured at).</summary>
    private static IEnumerable<string> Train(string task, bool stream, string? directory, int? cancelAfter, Action<MlpTrainerOptionsBase>? change = null,
        List<MlpEpochRecord>? reported = null)
    {
        var ml = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report =>
        {
            reported?.Add(report.Record);
            if (report.Record.Epoch == cancelAfter)
                cancellation.Cancel();
        });
        void Configure(MlpTrainerOptionsBase options)
        {
            options.HiddenLayerSizes = [16, 8];
            options.NumberOfEpochs = 12;
            options.BatchSize = 16;
            options.Seed = 3;
            options.DropoutRate = 0.1f;
            options.StreamTrainingData = stream;
            options.StreamBlockRows = 100;
            options.Device = MlpDevice.Cpu; // bit-identical resume is promised for the CPU backend
            options.CheckpointDirectory = directory;
            options.CancellationToken = cancellation.Token;
            options.Progress = progress;
            change?.Invoke(options);
        }
        if (task == "binary")
        {
            // Early stopping on a held-out validation set (training loss when streamed), ReduceOnPlateau, Nesterov.
            var options = new MlpBinaryTrainer.Options
            {
                Optimizer = MlpOptimizer.Nesterov, LearningRate = 0.05f, LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau,
                LearningRatePatience = 2, EarlyStoppingPatience = 4, ValidationFraction = stream ? 0f : 0.2f,
            };
            Configure(options);
            var data = SyntheticData.Binary(ml, 700, seed: 4);
            var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(data);
            return CheckpointProcess.Dump(model.Transform(data), model.Model.SubModel);
        }
        else
        {
            // A standardized regression label, Adam with weight decay, step decay.
            var options = new MlpRegressionTrainer.Options
            {
                Optimizer = MlpOptimizer.AdamW, LearningRate = 0.01f, LearningRateSchedule = MlpLearningRateSchedule.StepDecay, LearningRateDecayEpochs = 3,
            };
            Configure(options);
            var data = SyntheticData.Regression(ml, 700, seed: 4);
            var model = ml.Regression.Trainers.Mlp(options).Fit(data);
            return CheckpointProcess.Dump(model.Transform(data), model.Model);
        }
    }

    [TestMethod]
    [DataRow("binary", false)]
    [DataRow("binary", true)]
    [DataRow("regression", false)]
    [DataRow("regression", true)]
    public void ACancelledFitLeavesItsCheckpointAndTheNextFitResumesExactly(string task, bool stream)
    {
        string directory = NewDirectory();
        try
        {
            var uninterrupted = Train(task, stream, directory: null, cancelAfter: null).ToList();
            var previous = new List<MlpEpochRecord>();
            foreach (int? cancelAfter in new int?[] { 2, 5, null })
            {
                var reported = new List<MlpEpochRecord>();
                var model = new List<string>();
                if (cancelAfter is null)
                    model = Train(task, stream, directory, cancelAfter, reported: reported).ToList();
                else
                    Assert.ThrowsExactly<OperationCanceledException>(() => Train(task, stream, directory, cancelAfter, reported: reported).ToList());
                // The epochs of the last checkpoint are not trained again: their records come back with the times they
                // were first measured at, to the tick; the rest are new.
                for (int e = 0; e < previous.Count; e++)
                    Assert.AreEqual(previous[e].Elapsed, reported[e].Elapsed, $"epoch {e + 1} comes from the checkpoint");
                Assert.IsGreaterThan(previous.Count, reported.Count);
                if (cancelAfter is null)
                {
                    CollectionAssert.AreEqual(uninterrupted, model);
                    break;
                }
                Assert.IsTrue(File.Exists(CheckpointFile(directory)), $"checkpoint after cancelling in epoch {cancelAfter + 1}");
                Assert.AreEqual(cancelAfter, reported[^1].Epoch);
                previous = reported;
            }
            Assert.IsEmpty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointOfOtherOptionsIsRefusedNamingTheFileAndTheOption()
    {
        string directory = NewDirectory();
        try
        {
            Assert.ThrowsExactly<OperationCanceledException>(() => Train("binary", false, directory, cancelAfter: 3).ToList());
            var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
                Train("binary", false, directory, cancelAfter: null, o => o.LearningRate = 0.02f).ToList());
            StringAssert.Contains(e.Message, CheckpointFile(directory));
            StringAssert.Contains(e.Message, "LearningRate is '0.05' in the checkpoint but '0.02' in this run");
            StringAssert.Contains(e.Message, "delete the file");

            // Other data (more rows) is refused too, and the checkpoint is left as it was.
            e = Assert.ThrowsExactly<InvalidOperationException>(() =>
                Train("binary", false, directory, cancelAfter: null, o => o.ValidationFraction = 0.25f).ToList());
            StringAssert.Contains(e.Message, "ValidationFraction");
            StringAssert.Contains(e.Message, "Training data rows is '560' in the checkpoint but '525' in this run");
            Assert.IsTrue(File.Exists(CheckpointFile(directory)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void AStreamOfOtherRowsIsRefusedBeforeTrainingOnThem()
    {
        string directory = NewDirectory();
        try
        {
            var ml = new MLContext(seed: 1);
            var options = new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [8], NumberOfEpochs = 6, Seed = 1, StreamTrainingData = true, StreamBlockRows = 64,
                CheckpointDirectory = directory, KeepLastCheckpoint = true,
            };
            ml.BinaryClassification.Trainers.Mlp(options).Fit(SyntheticData.Binary(ml, 300, seed: 1));
            var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
                ml.BinaryClassification.Trainers.Mlp(options).Fit(SyntheticData.Binary(ml, 300, seed: 2)));
            StringAssert.Contains(e.Message, "Training data (SHA-256 of the first 64 rows)");
            StringAssert.Contains(e.Message, CheckpointFile(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    [DataRow(100, "checksum")]
    [DataRow(-1, "bytes of state")]
    [DataRow(0, "header")]
    public void ADamagedCheckpointIsRefusedNamingTheFile(int offset, string reason)
    {
        string directory = NewDirectory();
        try
        {
            Assert.ThrowsExactly<OperationCanceledException>(() => Train("regression", false, directory, cancelAfter: 3).ToList());
            string file = CheckpointFile(directory);
            var bytes = File.ReadAllBytes(file);
            if (offset > 0)
                bytes[offset] ^= 0x10;          // one flipped bit in the state
            else if (offset < 0)
                bytes = bytes[..(bytes.Length / 2)]; // a torn file
            else
                bytes[0] = (byte)'X';          // not a checkpoint
            File.WriteAllBytes(file, bytes);

            var e = Assert.ThrowsExactly<InvalidOperationException>(() => Train("regression", false, directory, cancelAfter: null).ToList());
            StringAssert.Contains(e.Message, $"The checkpoint file '{file}' is damaged");
            StringAssert.Contains(e.Message, reason);
            StringAssert.Contains(e.Message, "Delete the file");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void KeepLastCheckpointLeavesItAndTheSameFitThenReturnsTheSameModel()
    {
        string directory = NewDirectory();
        try
        {
            var firstReports = new List<MlpEpochRecord>();
            var first = Train("binary", false, directory, cancelAfter: null, o => o.KeepLastCheckpoint = true, firstReports).ToList();
            Assert.IsTrue(File.Exists(CheckpointFile(directory)));
            Assert.HasCount(1, Directory.GetFiles(directory), "only the checkpoint, no temporary file");
            var againReports = new List<MlpEpochRecord>();
            var again = Train("binary", false, directory, cancelAfter: null, o => o.KeepLastCheckpoint = true, againReports).ToList();
            CollectionAssert.AreEqual(first, again);
            // Nothing is trained again: every record is the checkpoint's, with the time first measured, to the tick.
            CollectionAssert.AreEqual(firstReports.Select(r => r.Elapsed).ToList(), againReports.Select(r => r.Elapsed).ToList());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void AStateLargerThanOneCheckpointFileIsRefusedBeforeTraining()
    {
        // 1 input, 300 million hidden units, 1 output: 900 million parameters, four copies with Adam and early stopping.
        var network = new NetworkDescription(1, [300_000_000], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var settings = new CheckpointSettings(Path.Combine(Path.GetTempPath(), "mlp-checkpoint-never-created"), false, []);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new CheckpointSession(settings, network, null, [], [], copies: 4));
        StringAssert.Contains(e.Message, "900,000,001 parameters");
        StringAssert.Contains(e.Message, "Train without a checkpoint directory");
        Assert.IsFalse(Directory.Exists(settings.Directory));
        string directory = NewDirectory();
        using (new CheckpointSession(settings with { Directory = directory }, new NetworkDescription(1, [1000], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy), null, [], []))
            Directory.Delete(directory, recursive: true); // a small network is accepted
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("  ")]
    public void ABlankCheckpointDirectoryIsRefused(string value)
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { CheckpointDirectory = value }));
        StringAssert.Contains(e.Message, "CheckpointDirectory must name a directory");
    }
}
