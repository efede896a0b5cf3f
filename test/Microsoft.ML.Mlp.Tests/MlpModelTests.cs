using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary><see cref="MlpModel"/> finds the MLP in trained and loaded models of every task, and warm start continues
/// a loaded model with validation data.</summary>
[TestClass]
public sealed class MlpModelTests
{
    [TestMethod]
    public void FindsTheBinaryMlpInATrainedAndInALoadedPipeline()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 120, seed: 3);
        var trained = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [5], numberOfEpochs: 2))
            .Fit(data);

        var direct = MlpModel.GetModelParameters<MlpBinaryModelParameters>(trained);
        Assert.AreSame(trained.LastTransformer.Model.SubModel, direct);
        Assert.IsTrue(MlpModel.TryGetModelParameters<MlpBinaryModelParameters>(trained.LastTransformer, out var fromStep));
        Assert.AreSame(direct, fromStep);
        Assert.IsTrue(MlpModel.TryGetModelParameters<MlpModelParametersBase<float>>(trained, out var asBase));
        Assert.AreSame(direct, asBase);

        var loaded = SaveAndLoad(ml, trained, data);
        var mlp = MlpModel.GetModelParameters<MlpBinaryModelParameters>(loaded);
        CollectionAssert.AreEqual(direct.GetWeights(0).ToArray(), mlp.GetWeights(0).ToArray());
        Assert.HasCount(2, mlp.TrainingHistory);
        // The calibrated wrapper is a prediction step's model too, and can be asked for directly.
        Assert.IsTrue(MlpModel.TryGetModelParameters<CalibratedModelParametersBase>(loaded, out _));
    }

    [TestMethod]
    public void FindsTheMulticlassMlpBeforeAKeyToValueStepAndTheRegressionMlp()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Multiclass(ml, 150, seed: 4);
        var multiclass = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [6], numberOfEpochs: 2))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        var loadedMulticlass = SaveAndLoad(ml, multiclass, data);
        var found = MlpModel.GetModelParameters<MlpMulticlassModelParameters>(loadedMulticlass);
        Assert.AreEqual(4, found.NumberOfClasses);
        Assert.IsFalse(MlpModel.TryGetModelParameters<MlpBinaryModelParameters>(loadedMulticlass, out var none));
        Assert.IsNull(none);

        var regressionData = SyntheticData.Regression(ml, 150, seed: 4);
        var regression = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [3], numberOfEpochs: 2).Fit(regressionData);
        var loadedRegression = SaveAndLoad(ml, regression, regressionData);
        Assert.AreEqual(SyntheticData.FeatureCount, MlpModel.GetModelParameters<MlpRegressionModelParameters>(loadedRegression).NumberOfFeatures);
    }

    [TestMethod]
    public void AMissingMlpIsAnErrorNamingWhatTheModelHolds()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 60, seed: 5);
        var svm = ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 1).Fit(data);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => MlpModel.GetModelParameters<MlpBinaryModelParameters>(svm));
        Assert.Contains("holds no MlpBinaryModelParameters", e.Message);
        Assert.Contains("LinearBinaryModelParameters", e.Message);

        var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(data);
        var none = Assert.ThrowsExactly<InvalidOperationException>(() => MlpModel.GetModelParameters<MlpRegressionModelParameters>(normalizer));
        Assert.Contains("no prediction step", none.Message);
        Assert.ThrowsExactly<ArgumentNullException>(() => MlpModel.TryGetModelParameters<MlpBinaryModelParameters>(null!, out _));
    }

    [TestMethod]
    public void ALoadedModelContinuesWithValidationData()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Regression(ml, 200, seed: 6);
        var validation = SyntheticData.Regression(ml, 80, seed: 7);
        var trainer = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 3, LearningRate = 0.01f });
        var first = trainer.Fit(train);
        var loaded = MlpModel.GetModelParameters<MlpRegressionModelParameters>(SaveAndLoad(ml, first, train));
        Assert.IsTrue(loaded.TrainingHistory.All(r => r.ValidationLoss is null));

        var continued = trainer.Fit(train, validation, loaded).Model;

        Assert.IsTrue(continued.TrainingHistory.Select(r => r.Epoch).SequenceEqual(Enumerable.Range(1, 6)), "epochs continue");
        Assert.IsTrue(continued.TrainingHistory.Skip(3).All(r => r.ValidationLoss is > 0), "the continued epochs report the validation loss");
        Assert.IsLessThan(loaded.TrainingHistory[^1].TrainingLoss, continued.TrainingHistory[^1].TrainingLoss);
        Assert.ThrowsExactly<ArgumentNullException>(() => trainer.Fit(train, validation, null!));

        var binaryData = SyntheticData.Binary(ml, 120, seed: 8);
        var binaryTrainer = ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2);
        var binary = MlpModel.GetModelParameters<MlpBinaryModelParameters>(SaveAndLoad(ml, binaryTrainer.Fit(binaryData), binaryData));
        var binaryContinued = binaryTrainer.Fit(binaryData, SyntheticData.Binary(ml, 40, seed: 9), binary).Model.SubModel;
        Assert.IsTrue(binaryContinued.TrainingHistory.Skip(2).All(r => r.ValidationLoss is not null));

        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(SyntheticData.Multiclass(ml, 120, seed: 8));
        var multiclassData = keys.Transform(SyntheticData.Multiclass(ml, 120, seed: 8));
        var multiclassTrainer = ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 2);
        var multiclass = MlpModel.GetModelParameters<MlpMulticlassModelParameters>(SaveAndLoad(ml, multiclassTrainer.Fit(multiclassData), multiclassData));
        var multiclassContinued = multiclassTrainer.Fit(multiclassData, keys.Transform(SyntheticData.Multiclass(ml, 40, seed: 9)), multiclass).Model;
        Assert.HasCount(4, multiclassContinued.TrainingHistory);
        Assert.IsTrue(multiclassContinued.TrainingHistory.Skip(2).All(r => r.ValidationLoss is not null));
    }

    /// <summary>The user guide's warm start from a saved file, line for line.</summary>
    [TestMethod]
    public void TheGuidesWarmStartFromAFileRuns()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Binary(ml, 160, seed: 10);
        var newTrain = SyntheticData.Binary(ml, 160, seed: 11);
        var newValidation = SyntheticData.Binary(ml, 60, seed: 12);
        string path = Path.Combine(Path.GetTempPath(), $"mlp-warm-{Guid.NewGuid():N}.zip");
        string continuedPath = path.Replace(".zip", "-continued.zip", StringComparison.Ordinal);
        try
        {
            ml.Model.Save(ml.Transforms.NormalizeMinMax("Features")
                .Append(ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [6], numberOfEpochs: 3)).Fit(train), train.Schema, path);

            var loaded = (TransformerChain<ITransformer>)ml.Model.Load(path, out var schema);
            var previous = MlpModel.GetModelParameters<MlpBinaryModelParameters>(loaded);
            var featurizer = new TransformerChain<ITransformer>(loaded.Take(loaded.Count() - 1).ToArray());
            var trainer = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfEpochs = 2, LearningRate = 1e-4f });
            var continued = trainer.Fit(featurizer.Transform(newTrain), featurizer.Transform(newValidation), previous);
            ml.Model.Save(featurizer.Append(continued), schema, continuedPath);

            var reloaded = MlpModel.GetModelParameters<MlpBinaryModelParameters>(new MLContext().Model.Load(continuedPath, out _));
            Assert.HasCount(5, reloaded.TrainingHistory);
            Assert.IsTrue(reloaded.TrainingHistory.Skip(3).All(r => r.ValidationLoss is not null && r.LearningRate == 1e-4f));
            CollectionAssert.AreEqual(new[] { 6 }, reloaded.HiddenLayerSizes.ToArray());
        }
        finally
        {
            File.Delete(path);
            File.Delete(continuedPath);
        }
    }

    private static ITransformer SaveAndLoad(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        return new MLContext().Model.Load(stream, out _);
    }
}
