using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// A model file that declares more than the load budget (<see cref="MlpModelLoadLimits"/>) allows is refused before
/// anything is allocated for it; a model that is loaded allocates about what the budget estimated; every field of the
/// training history is range-checked. The hostile files are crafted here (<see cref="CraftedModel"/>), never committed.
/// </summary>
[TestClass]
public sealed class ModelLoadBudgetTests
{
    private const string MlpLoaderSignature = "MlpBinaryModel";
    private const long Slack = 16L << 20; // what ML.NET allocates around our loader (schema, transformer chain, buffers)

    private static readonly Lazy<(byte[] Zip, string Entry)> s_model = new(SaveSmallModel);
    private static readonly CraftedModel.Record s_goodRecord = new(1, 0.5, 0.9, 0.6, 0.8, 0.01f, 1000);

    [TestMethod]
    public void TheCraftedPayloadsAreWhatTheSerializerWrites()
    {
        // The rewriting is exact: the real entry, rebuilt from its own body, is the same bytes; a crafted body of the
        // same architecture (zero weights) loads with that architecture.
        var (zip, entry) = s_model.Value;
        byte[] original = ModelZip.ReadEntries(zip)[entry];
        CollectionAssert.AreEqual(original, CraftedModel.WithBody(original, CraftedModel.Body(original)));

        var crafted = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(SyntheticData.FeatureCount, [4, 3], 1, records: [s_goodRecord]));
        var model = (MlpBinaryModelParameters)PredictionDump.FindMlpModel(MlpModelFile.Load(new MLContext(), new MemoryStream(crafted), out _));
        CollectionAssert.AreEqual(new[] { 4, 3 }, model.HiddenLayerSizes.ToArray());
        Assert.AreEqual(0.5, model.TrainingHistory.Single().TrainingLoss);
    }

    [TestMethod]
    public void AHistoryLongerThanTheLimitIsRefusedBeforeAllocating()
    {
        var (zip, entry) = s_model.Value;
        // 10^8 records declared by a few hundred bytes: the load limit refuses it by its count, and the memory budget
        // (about 11 GiB) by its size, before the bytes are even looked for.
        byte[] hundredMillion = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(SyntheticData.FeatureCount, [4, 3], 1, declaredRecords: 100_000_000));
        var e = AssertRefused(hundredMillion, new MlpModelLoadLimits { MaxEpochRecords = 1000 });
        Assert.Contains("100,000,000 epoch records; the limit is 1,000 (MlpModelLoadLimits.MaxEpochRecords)", e.Message);
        e = AssertRefused(hundredMillion, new MlpModelLoadLimits { MaxMemoryBytes = 1L << 30 });
        Assert.Contains("for 100,000,000 epoch records), but MlpModelLoadLimits.MaxMemoryBytes is 1.0 GiB", e.Message);

        // Plain Model.Load applies the defaults: more than 100,000,000 is refused there too.
        byte[] tooMany = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(SyntheticData.FeatureCount, [4, 3], 1, declaredRecords: 100_000_001));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var plain = Assert.Throws<Exception>(() => new MLContext().Model.Load(new MemoryStream(tooMany), out _));
        Assert.IsLessThan(Slack, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.IsTrue(ModelFileTests.IsDocumented(plain), plain.ToString());
        Assert.Contains("the limit is 100,000,000", Causes(plain).OfType<FormatException>().Last().Message);
    }

    [TestMethod]
    public void AModelOverTheMemoryBudgetIsRefusedWithTheEstimateAndAModelWithinItAllocatesWhatWasEstimated()
    {
        // A valid 6-2000-2000-1 network (16 MB of weights): the predictor packs another 16 MB.
        var (zip, entry) = s_model.Value;
        const int width = 2000, features = SyntheticData.FeatureCount;
        byte[] body = CraftedModel.MlpBody(features, [width, width], 1, records: [s_goodRecord]);
        byte[] file = CraftedModel.Zip(zip, entry, body);
        long parameters = CraftedModel.ParameterCount(features, [width, width], 1);
        // W1 and W2 have 2000 rows (a multiple of 16), w3 is padded to 16 rows; then the biases.
        long packed = (long)width * features + (long)width * width + 16L * width + 2 * width + 1;
        long estimate = (parameters + packed) * sizeof(float) + 112;

        var e = AssertRefused(file, new MlpModelLoadLimits { MaxMemoryBytes = 24L << 20 });
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"needs about {estimate / (double)(1 << 20):F1} MiB"), e.Message);
        Assert.Contains("15.3 MiB for 4,018,001 parameters", e.Message);
        Assert.Contains("for the predictor's packed copy of the weights", e.Message);
        Assert.Contains("MlpModelLoadLimits.MaxMemoryBytes is 24.0 MiB", e.Message);

        // Within the budget: what loading allocates is the estimate (plus ML.NET's own), about twice the decompressed size.
        var ml = new MLContext();
        MlpModelFile.Load(ml, new MemoryStream(file), out _); // warm up ML.NET's catalogs
        long before = GC.GetAllocatedBytesForCurrentThread();
        var loaded = MlpModelFile.Load(ml, new MemoryStream(file), new MlpModelLoadLimits { MaxMemoryBytes = 40L << 20 }, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsNotNull(loaded);
        Assert.IsLessThan(estimate + Slack, allocated, $"allocated {allocated:N0} bytes; estimated {estimate:N0}");
        Assert.IsLessThan(2.1 * body.Length, (double)estimate, "the budget is a small multiple of the decompressed model");
    }

    [TestMethod]
    public void APredictorCopyThatCannotExistIsRefusedNotOverflowed()
    {
        // One input, 130,000,000 hidden units, one output: 390 million parameters (within the trainers' maximum), but
        // the output layer's packed copy is padded to 16 rows: 2.2 billion values, more than one array holds.
        var (zip, entry) = s_model.Value;
        byte[] file = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(1, [130_000_000], 1, writeParameters: false));
        var e = AssertRefused(file, MlpModelLoadLimits.Default);
        Assert.Contains("cannot be scored", e.Message);
        Assert.Contains("more than one array holds", e.Message);

        // 90,000,000 hidden units fit one array, but not a 1 GiB budget: refused with the estimate, never an OverflowException.
        file = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(1, [90_000_000], 1, writeParameters: false));
        e = AssertRefused(file, new MlpModelLoadLimits { MaxMemoryBytes = 1L << 30 });
        Assert.Contains("for 270,000,001 parameters", e.Message);

        // More parameters than a server allows.
        e = AssertRefused(CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(1000, [1000], 1, writeParameters: false)), new MlpModelLoadLimits { MaxParameterCount = 100_000 });
        Assert.Contains("1,002,001 parameters; the limit is 100,000 (MlpModelLoadLimits.MaxParameterCount)", e.Message);
    }

    [TestMethod]
    public void HistoryFieldsOutOfRangeAreRefused()
    {
        var (zip, entry) = s_model.Value;
        var good = s_goodRecord;
        (CraftedModel.Record[] Records, string Message)[] cases =
        [
            ([good with { Epoch = 0 }], "Invalid epoch number"),
            ([good with { Epoch = -5 }], "Invalid epoch number"),
            ([good with { Epoch = 2 }, good with { Epoch = 2 }], "Invalid epoch number"),
            ([good with { Epoch = 3 }, good with { Epoch = 1 }], "Invalid epoch number"),
            ([good with { TrainingLoss = double.NaN }], "Invalid training loss"),
            ([good with { TrainingLoss = double.PositiveInfinity }], "Invalid training loss"),
            ([good with { TrainingLoss = -1 }], "Invalid training loss"),
            ([good with { TrainingMetric = double.NaN }], "Invalid training metric"),
            ([good with { TrainingMetric = 1.5 }], "Invalid training metric"),
            ([good with { TrainingMetric = -0.1 }], "Invalid training metric"),
            ([good with { ValidationLoss = double.NegativeInfinity }], "Invalid validation loss"),
            ([good with { ValidationMetric = double.PositiveInfinity }], "Invalid validation metric"),
            ([good with { LearningRate = float.NaN }], "Invalid learning rate"),
            ([good with { LearningRate = -0.01f }], "Invalid learning rate"),
            ([good with { Ticks = -1 }], "Invalid elapsed time"),
            ([good with { Ticks = long.MaxValue }], "Invalid elapsed time"),
        ];
        foreach (var (records, message) in cases)
        {
            byte[] file = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(SyntheticData.FeatureCount, [4, 3], 1, records: records));
            var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(new MemoryStream(file), out _), message);
            Assert.IsTrue(ModelFileTests.IsDocumented(e), e.ToString());
            Assert.Contains(message, Causes(e).OfType<FormatException>().Last().Message, $"{records[^1]}");
        }

        // The edges of the ranges load: R² may be negative for regression; epochs may skip numbers.
        byte[] edges = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(SyntheticData.FeatureCount, [4, 3], 1,
            records: [good with { TrainingLoss = 0, TrainingMetric = 0, ValidationMetric = 1, LearningRate = 0, Ticks = 0 }, good with { Epoch = 7 }]));
        Assert.IsNotNull(new MLContext().Model.Load(new MemoryStream(edges), out _));
    }

    [TestMethod]
    public void ContinuingFromAHistoryThatEndsNearIntMaxValueIsAClearErrorNotANegativeEpoch()
    {
        var (zip, entry) = s_model.Value;
        var last = s_goodRecord with { Epoch = int.MaxValue - 1, Ticks = 100 * 365 * TimeSpan.TicksPerDay };
        byte[] file = CraftedModel.Zip(zip, entry, CraftedModel.MlpBody(SyntheticData.FeatureCount, [4, 3], 1, records: [last]));
        var ml = new MLContext(seed: 1);
        var loaded = (MlpBinaryModelParameters)PredictionDump.FindMlpModel(ml.Model.Load(new MemoryStream(file), out _));
        var data = SyntheticData.Binary(ml, 50, seed: 2);
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfEpochs = 3 });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => trainer.Fit(data, loaded));
        Assert.Contains("reached epoch 2,147,483,648", e.Message);
        Assert.Contains("epoch numbers stop at 2,147,483,647", e.Message);

        // One more epoch still fits.
        var continued = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfEpochs = 1 }).Fit(data, loaded).Model.SubModel;
        Assert.AreEqual(int.MaxValue, continued.TrainingHistory[^1].Epoch);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void FuzzedDeclaredSizesNeverAllocateBeyondTheBudget()
    {
        // Property: whatever sizes a file declares (features, layer widths, outputs, parameter count, record count, and
        // whether the bytes are there), MlpModelFile.Load either loads it or throws InvalidDataException with a
        // documented cause, and what it allocates stays under the budget (plus ML.NET's own allocations).
        const int iterations = 400;
        const long budget = 64L << 20;
        var limits = new MlpModelLoadLimits { MaxMemoryBytes = budget };
        var (zip, entry) = s_model.Value;
        var random = new Random(20261203);
        var ml = new MLContext(seed: 1);
        MlpModelFile.Load(ml, new MemoryStream(zip), out _); // warm up ML.NET's catalogs
        int loaded = 0, refusedByBudget = 0;
        long mostAllocated = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            int features = random.Next(2) == 0 ? SyntheticData.FeatureCount : PickSize(random); // the pipeline's 6 binds
            int[] hidden = Enumerable.Range(0, random.Next(0, 3)).Select(_ => PickSize(random)).ToArray();
            int outputs = random.Next(4) == 0 ? PickSize(random) : 1;
            long exact = CraftedModel.ParameterCount(Math.Max(features, 0), hidden.Select(h => Math.Max(h, 0)).ToArray(), Math.Max(outputs, 0));
            bool small = features > 0 && hidden.All(h => h > 0) && outputs > 0 && exact <= 1 << 20;
            long? declared = random.Next(5) == 0 ? PickSize(random) : null;
            int? records = random.Next(3) == 0 ? PickRecords(random) : null;
            byte[] body = small
                ? CraftedModel.MlpBody(features, hidden, outputs, declared, writeParameters: true, declaredRecords: records,
                    records: records is null ? [s_goodRecord] : [])
                : CraftedModel.MlpBody(features, hidden, outputs, declared ?? Math.Min(exact, int.MaxValue), writeParameters: false);
            string what = string.Create(CultureInfo.InvariantCulture,
                $"iteration {i}: {features}-[{string.Join(",", hidden)}]-{outputs}, declared parameters {declared?.ToString(CultureInfo.InvariantCulture) ?? "exact"}, records {records?.ToString(CultureInfo.InvariantCulture) ?? "1"}, bytes {(small ? "present" : "absent")}");
            byte[] file = CraftedModel.Zip(zip, entry, body);

            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                MlpModelFile.Load(ml, new MemoryStream(file), limits, out _);
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.IsTrue(e.InnerException is null || ModelFileTests.IsDocumented(e.InnerException), $"{what}: undocumented cause {e}");
                Assert.Contains("could not be loaded", e.Message, what);
                if (e.Message.Contains("exceeds the load limits", StringComparison.Ordinal))
                    refusedByBudget++;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            mostAllocated = Math.Max(mostAllocated, allocated);
            Assert.IsLessThan(budget + Slack, allocated, $"{what}: {allocated:N0} bytes allocated");
        }
        TestContext.WriteLine($"{loaded} loaded, {refusedByBudget} refused by the budget, {iterations - loaded - refusedByBudget} refused as invalid; " +
            $"at most {mostAllocated:N0} bytes allocated by one load; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.IsGreaterThan(0, loaded, "some declared sizes are valid");
        Assert.IsGreaterThan(iterations / 10, refusedByBudget, "many declared sizes exceed the budget");
    }

    public TestContext TestContext { get; set; } = null!;

    private static readonly int[] s_sizes = [0, -1, 1, 2, 15, 16, 17, 255, 1000, 1 << 16, 1 << 20, 1 << 24, 1 << 27, (1 << 29) + 1, (1 << 30) - 1, 1 << 30, int.MaxValue, int.MinValue];

    private static int PickSize(Random random) => random.Next(3) == 0 ? random.Next(1, 64) : s_sizes[random.Next(s_sizes.Length)];

    private static readonly int[] s_recordCounts = [0, 1, 1000, 1 << 20, 100_000_000, 100_000_001, int.MaxValue, -1];

    private static int PickRecords(Random random) => s_recordCounts[random.Next(s_recordCounts.Length)];

    private static InvalidDataException AssertRefused(byte[] file, MlpModelLoadLimits limits)
    {
        var ml = new MLContext();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => MlpModelFile.Load(ml, new MemoryStream(file), limits, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("exceeds the load limits", e.Message, e.ToString());
        Assert.IsLessThan(Slack, allocated, $"{allocated:N0} bytes allocated before the refusal");
        return e;
    }

    private static (byte[] Zip, string Entry) SaveSmallModel()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 60, seed: 3);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [4, 3], NumberOfEpochs = 2 }).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        byte[] zip = ModelZip.Write(ModelZip.ReadEntries(stream.ToArray()));
        return (zip, ModelZip.FindEntry(zip, MlpLoaderSignature));
    }

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            yield return current;
    }
}
