using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Save with <c>mlContext.Model.Save</c>, load in a NEW PROCESS with a new MLContext and no registration call:
/// predictions (bulk Transform and PredictionEngine) and the saved training history must be bit-identical.
/// </summary>
[TestClass]
public sealed class RoundTripTests
{
    private readonly List<string> _directories = [];

    public TestContext TestContext { get; set; } = null!;

    [TestCleanup]
    public void DeleteDirectories()
    {
        foreach (string directory in _directories)
            Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    public void BinaryModelRoundTripsThroughAnotherProcess()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, rows: 300, seed: 11);
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 5, LearningRate = 0.01f }));
        RoundTrip(ml, "binary", pipeline.Fit(data), data);
    }

    [TestMethod]
    public void MulticlassModelRoundTripsThroughAnotherProcess()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Multiclass(ml, rows: 300, seed: 12);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = [8, 8], Activation = MlpActivation.Tanh, NumberOfEpochs = 5 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        RoundTrip(ml, "multiclass", pipeline.Fit(data), data);
    }

    [TestMethod]
    public void RegressionModelRoundTripsThroughAnotherProcess()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, rows: 300, seed: 13);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 5, Loss = MlpRegressionLoss.Huber }));
        RoundTrip(ml, "regression", pipeline.Fit(data), data);
    }

    [TestMethod]
    public void ReloadedModelKeepsArchitectureWeightsAndHistory()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, rows: 200, seed: 14);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.3, seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [5, 3], Activation = MlpActivation.Gelu, NumberOfEpochs = 3 });
        var model = trainer.Fit(split.TrainSet, split.TestSet);
        string path = Path.Combine(NewDirectory(), "model.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = (MlpBinaryModelParameters)PredictionDump.FindMlpModel(new MLContext().Model.Load(path, out _));
        var original = model.Model.SubModel;
        CollectionAssert.AreEqual(new[] { 5, 3 }, loaded.HiddenLayerSizes.ToArray());
        Assert.AreEqual(MlpActivation.Gelu, loaded.Activation);
        Assert.AreEqual(SyntheticData.FeatureCount, loaded.NumberOfFeatures);
        Assert.AreEqual(3, loaded.LayerCount);
        for (int layer = 0; layer < loaded.LayerCount; layer++)
        {
            CollectionAssert.AreEqual(original.GetWeights(layer).ToArray(), loaded.GetWeights(layer).ToArray());
            CollectionAssert.AreEqual(original.GetBiases(layer).ToArray(), loaded.GetBiases(layer).ToArray());
        }
        Assert.AreEqual(3, loaded.TrainingHistory.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.AreEqual(i + 1, loaded.TrainingHistory[i].Epoch);
            Assert.AreEqual(original.TrainingHistory[i].TrainingLoss, loaded.TrainingHistory[i].TrainingLoss);
            Assert.IsNotNull(loaded.TrainingHistory[i].ValidationLoss);
            Assert.AreEqual(original.TrainingHistory[i].ValidationLoss, loaded.TrainingHistory[i].ValidationLoss);
        }
    }

    private void RoundTrip(MLContext ml, string task, ITransformer model, IDataView data)
    {
        string directory = NewDirectory();
        string modelPath = Path.Combine(directory, "model.zip");
        string dataPath = Path.Combine(directory, "data.idv");
        string outputPath = Path.Combine(directory, "predictions.txt");
        ml.Model.Save(model, data.Schema, modelPath);
        using (var stream = File.Create(dataPath))
            ml.Data.SaveAsBinary(data, stream);

        var expected = new List<string> { "[transform]" };
        expected.AddRange(PredictionDump.FromDataView(model.Transform(data)));
        expected.Add("[engine]");
        expected.AddRange(PredictionDump.FromPredictionEngine(ml, model, data, task));
        expected.Add("[model]");
        expected.AddRange(PredictionDump.DescribeModel(model));

        var actual = ModelLoaderProcess.RunInChildProcess(task, modelPath, dataPath, outputPath);

        Assert.IsGreaterThan(300, expected.Count);
        Assert.AreEqual(expected.Count, actual.Count, "The other process produced a different number of lines.");
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], $"Line {i} differs after loading in another process.");
    }

    private string NewDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "mlp-tests", $"{TestContext.TestName}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }
}
