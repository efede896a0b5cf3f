using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Bad options and bad data fail early with messages that name the culprit.</summary>
[TestClass]
public sealed class ErrorTests
{
    public static IEnumerable<object[]> BadOptions() =>
    [
        [nameof(MlpTrainerOptionsBase.NumberOfEpochs), (Action<MlpBinaryTrainer.Options>)(o => o.NumberOfEpochs = 0), "0"],
        [nameof(MlpTrainerOptionsBase.BatchSize), (Action<MlpBinaryTrainer.Options>)(o => o.BatchSize = -3), "-3"],
        [nameof(MlpTrainerOptionsBase.LearningRate), (Action<MlpBinaryTrainer.Options>)(o => o.LearningRate = float.NaN), "NaN"],
        [nameof(MlpTrainerOptionsBase.LearningRate), (Action<MlpBinaryTrainer.Options>)(o => o.LearningRate = -0.5f), "-0.5"],
        [nameof(MlpTrainerOptionsBase.HiddenLayerSizes), (Action<MlpBinaryTrainer.Options>)(o => o.HiddenLayerSizes = [16, 0]), "0"],
        [nameof(MlpTrainerOptionsBase.L2Regularization), (Action<MlpBinaryTrainer.Options>)(o => o.L2Regularization = -1), "-1"],
        [nameof(MlpTrainerOptionsBase.Momentum), (Action<MlpBinaryTrainer.Options>)(o => o.Momentum = 1), "1"],
        [nameof(MlpTrainerOptionsBase.Beta2), (Action<MlpBinaryTrainer.Options>)(o => o.Beta2 = 1.5f), "1.5"],
        [nameof(MlpTrainerOptionsBase.Epsilon), (Action<MlpBinaryTrainer.Options>)(o => o.Epsilon = 0), "0"],
        [nameof(MlpTrainerOptionsBase.WeightDecay), (Action<MlpBinaryTrainer.Options>)(o => o.WeightDecay = -0.1f), "-0.1"],
        [nameof(MlpTrainerOptionsBase.Activation), (Action<MlpBinaryTrainer.Options>)(o => o.Activation = (MlpActivation)42), "42"],
        [nameof(MlpTrainerOptionsBase.Optimizer), (Action<MlpBinaryTrainer.Options>)(o => o.Optimizer = (MlpOptimizer)42), "42"],
        [nameof(MlpTrainerOptionsBase.Device), (Action<MlpBinaryTrainer.Options>)(o => o.Device = (MlpDevice)42), "42"],
        [nameof(MlpTrainerOptionsBase.NumberOfThreads), (Action<MlpBinaryTrainer.Options>)(o => o.NumberOfThreads = 0), "0"],
        [nameof(MlpTrainerOptionsBase.LearningRateSchedule), (Action<MlpBinaryTrainer.Options>)(o => o.LearningRateSchedule = (MlpLearningRateSchedule)42), "42"],
        [nameof(MlpTrainerOptionsBase.LearningRateDecay), (Action<MlpBinaryTrainer.Options>)(o => o.LearningRateDecay = 1.5f), "1.5"],
        [nameof(MlpTrainerOptionsBase.LearningRateDecay), (Action<MlpBinaryTrainer.Options>)(o => { o.LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau; o.LearningRateDecay = 1; }), "1"],
        [nameof(MlpTrainerOptionsBase.LearningRateDecayEpochs), (Action<MlpBinaryTrainer.Options>)(o => o.LearningRateDecayEpochs = 0), "0"],
        [nameof(MlpTrainerOptionsBase.LearningRatePatience), (Action<MlpBinaryTrainer.Options>)(o => o.LearningRatePatience = -1), "-1"],
        [nameof(MlpTrainerOptionsBase.MinimumLearningRate), (Action<MlpBinaryTrainer.Options>)(o => o.MinimumLearningRate = -0.25f), "-0.25"],
        [nameof(MlpTrainerOptionsBase.ValidationFraction), (Action<MlpBinaryTrainer.Options>)(o => o.ValidationFraction = 1), "1"],
        [nameof(MlpTrainerOptionsBase.ValidationFraction), (Action<MlpBinaryTrainer.Options>)(o => o.ValidationFraction = float.NaN), "NaN"],
        [nameof(MlpTrainerOptionsBase.EarlyStoppingPatience), (Action<MlpBinaryTrainer.Options>)(o => o.EarlyStoppingPatience = 0), "0"],
        [nameof(MlpTrainerOptionsBase.EarlyStoppingMinDelta), (Action<MlpBinaryTrainer.Options>)(o => o.EarlyStoppingMinDelta = -0.5f), "-0.5"],
        [nameof(MlpTrainerOptionsBase.DropoutRate), (Action<MlpBinaryTrainer.Options>)(o => o.DropoutRate = 1), "1"],
        [nameof(MlpTrainerOptionsBase.GradientClipNorm), (Action<MlpBinaryTrainer.Options>)(o => o.GradientClipNorm = 0), "0"],
        [nameof(MlpBinaryTrainer.Options.PositiveClassWeight), (Action<MlpBinaryTrainer.Options>)(o => o.PositiveClassWeight = -2), "-2"],
    ];

    [TestMethod]
    [DynamicData(nameof(BadOptions))]
    public void BadOptionsThrowNamingTheOptionAndValue(string option, Action<MlpBinaryTrainer.Options> spoil, string value)
    {
        var options = new MlpBinaryTrainer.Options();
        spoil(options);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().BinaryClassification.Trainers.Mlp(options));
        Assert.AreEqual(option, e.ParamName);
        Assert.AreEqual(value, Convert.ToString(e.ActualValue, CultureInfo.InvariantCulture), "the value is carried by the exception");
        // Our own sentence, not the "Actual value was ..." that ArgumentOutOfRangeException appends: it starts with the
        // option and ends by echoing the value (a bare "0" or "1" would match almost any message).
        string sentence = e.Message.Split(" (Parameter '")[0];
        StringAssert.StartsWith(sentence, option);
        StringAssert.EndsWith(sentence, $"; got {value}.");
    }

    [TestMethod]
    public void SimpleOverloadsAndOtherTasksValidateToo()
    {
        var ml = new MLContext();
        Assert.AreEqual("NumberOfEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(numberOfEpochs: 0)).ParamName);
        Assert.AreEqual("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(batchSize: 0)).ParamName);
        Assert.AreEqual("HuberDelta", Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HuberDelta = 0 })).ParamName);
        Assert.AreEqual("FeatureColumnName", Assert.Throws<ArgumentException>(
            () => ml.BinaryClassification.Trainers.Mlp(featureColumnName: "")).ParamName);
        Assert.AreEqual("HiddenLayerSizes", Assert.Throws<ArgumentNullException>(
            () => ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = null! })).ParamName);
        Assert.Throws<ArgumentNullException>(() => ml.BinaryClassification.Trainers.Mlp((MlpBinaryTrainer.Options)null!));
        Assert.AreEqual("ClassWeights", Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { ClassWeights = [1, float.NaN] })).ParamName);
        Assert.AreEqual("ClassWeights", Assert.Throws<ArgumentException>(
            () => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { ClassWeights = [0, 0] })).ParamName);
    }

    [TestMethod]
    public void AScalarFeatureColumnIsRejectedNamingColumnAndType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new ScalarRow { X = 1, Label = true }, new ScalarRow { X = 2, Label = false } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(featureColumnName: "X").Fit(data));
        Assert.Contains("'X'", e.Message);
        Assert.Contains("Single", e.Message);
    }

    [TestMethod]
    public void ANonFloatOrVariableSizeFeatureVectorIsRejectedNamingColumnAndType()
    {
        var ml = new MLContext();
        var doubles = ml.Data.LoadFromEnumerable(new[] { new DoubleRow { Features = [1, 2], Label = 1 } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp().Fit(doubles));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("Double", e.Message);

        var variable = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [1, 2], Label = 1 } });
        var variableError = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp().Fit(variable));
        Assert.Contains("'Features'", variableError.Message);
    }

    [TestMethod]
    public void AWrongLabelTypeIsRejectedAsMlNetTrainersDo()
    {
        var ml = new MLContext();
        var floatLabels = SyntheticData.Regression(ml, 20, seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp().Fit(floatLabels));
        Assert.Contains("'Label'", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp().Fit(floatLabels));
    }

    [TestMethod]
    public void NaNFeaturesNameTheColumnAndTheFirstBadRow()
    {
        var ml = new MLContext(seed: 1);
        // bare_nuclei (slot 5) is '?' in some rows; without ReplaceMissingValues the trainer must say where.
        var data = TestData.BreastCancer(ml);
        int firstMissing = ml.Data.CreateEnumerable<BreastCancerRow>(data, reuseRowObject: false)
            .Select((row, index) => (row, index)).First(x => x.row.Features.Any(float.IsNaN)).index;

        var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Mlp(numberOfEpochs: 1).Fit(data));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains($"row {firstMissing} ", e.Message);
        Assert.Contains("slot 5", e.Message);
    }

    [TestMethod]
    public void EmptyDataIsAClearError()
    {
        var ml = new MLContext();
        var empty = ml.Data.FilterRowsByColumn(SyntheticData.Regression(ml, 20, seed: 1), "Label", lowerBound: 1e9);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Mlp().Fit(empty));
        Assert.Contains("no usable rows", e.Message);
    }

    [TestMethod]
    public void ASingleClassLabelIsAClearError()
    {
        var ml = new MLContext();
        var oneClass = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new SyntheticData.FloatLabelRow { Features = new float[SyntheticData.FeatureCount], Label = 7 }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Mlp());
        var e = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(oneClass));
        Assert.Contains("at least 2", e.Message);
    }

    [TestMethod]
    public void ACorruptModelFileFailsToLoadWithoutAllocatingItsClaims()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 50, seed: 1);
        var model = ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [3], numberOfEpochs: 1).Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);

        // Make the stored feature count (the first int of the MLP's own stream) absurd.
        byte[] corrupted = CorruptMlpStream(saved.ToArray());
        // ML.NET wraps loader failures in "Error during class instantiation"; the cause is our decode error.
        var e = Assert.Throws<InvalidOperationException>(() => ml.Model.Load(new MemoryStream(corrupted), out _));
        var cause = Causes(e).OfType<FormatException>().FirstOrDefault();
        Assert.IsNotNull(cause, e.ToString());
        Assert.Contains("Invalid number of features", cause.Message);
    }

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            yield return current;
    }

    private static byte[] CorruptMlpStream(byte[] zip)
    {
        using var buffer = new MemoryStream();
        buffer.Write(zip);
        using (var archive = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.Entries.SingleOrDefault(e => e.FullName.Replace('\\', '/').EndsWith("Model/Predictor/Model.key", StringComparison.Ordinal))
                ?? throw new AssertFailedException("No Model/Predictor/Model.key in: " + string.Join(", ", archive.Entries.Select(e => e.FullName)));
            byte[] content;
            using (var stream = entry.Open())
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                content = copy.ToArray();
            }
            // The body starts with ModelParametersBase's int (sizeof(float) = 4), then the MLP's feature count (6),
            // hidden layer count (1) and width (3): find that sequence and replace the feature count.
            byte[] pattern = [4, 0, 0, 0, SyntheticData.FeatureCount, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0];
            int offset = content.AsSpan().IndexOf(pattern);
            Assert.IsGreaterThanOrEqualTo(0, offset, "The MLP stream was not found in the model file.");
            BitConverter.TryWriteBytes(content.AsSpan(offset + sizeof(int)), int.MaxValue);
            entry.Delete();
            using var rewritten = archive.CreateEntry(entry.FullName).Open();
            rewritten.Write(content);
        }
        return buffer.ToArray();
    }

    private sealed class ScalarRow
    {
        public float X { get; set; }

        public bool Label { get; set; }
    }

    private sealed class DoubleRow
    {
        [VectorType(2)]
        public double[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class VariableRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class BreastCancerRow
    {
        [VectorType(9)]
        public float[] Features { get; set; } = [];
    }
}
