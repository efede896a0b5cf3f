using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary><c>Fit(trainData, modelParameters)</c> continues training from a trained or loaded model.</summary>
[TestClass]
public sealed class WarmStartTests
{
    [TestMethod]
    public void ContinuingFromALoadedModelContinuesTheLossCurve()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 300, seed: 5);
        var first = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 5, LearningRate = 0.01f }).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(first, data.Schema, stream);
        stream.Position = 0;
        var loaded = (MlpRegressionModelParameters)PredictionDump.FindMlpModel(new MLContext().Model.Load(stream, out _));
        var weightsBefore = loaded.GetWeights(0).ToArray();

        // A new context, a lower learning rate and a different architecture in the options (the model's wins).
        var ml2 = new MLContext(seed: 2);
        var continued = ml2.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = [3, 3], NumberOfEpochs = 5, LearningRate = 0.003f })
            .Fit(data, loaded).Model;

        CollectionAssert.AreEqual(weightsBefore, loaded.GetWeights(0).ToArray(), "The model continued from is not modified.");
        CollectionAssert.AreEqual(new[] { 16 }, continued.HiddenLayerSizes.ToArray());
        var history = continued.TrainingHistory;
        Assert.HasCount(10, history);
        Assert.IsTrue(history.Select(r => r.Epoch).SequenceEqual(Enumerable.Range(1, 10)), "Epochs continue from the model's history.");
        for (int i = 0; i < 5; i++)
            Assert.AreEqual(loaded.TrainingHistory[i].TrainingLoss, history[i].TrainingLoss);
        Assert.IsTrue(history.Take(5).All(r => r.LearningRate == 0.01f) && history.Skip(5).All(r => r.LearningRate == 0.003f));
        for (int i = 1; i < history.Count; i++)
            Assert.IsGreaterThanOrEqualTo(history[i - 1].Elapsed, history[i].Elapsed, "Wall time adds up across continued training.");
        Assert.AreEqual(10, continued.BestEpoch);

        // The curve goes on from where it was, far below a fresh start, and keeps falling.
        double before = history[4].TrainingLoss;
        Assert.IsLessThan(history[0].TrainingLoss * 0.8, history[5].TrainingLoss, $"first continued epoch {history[5].TrainingLoss} vs first epoch {history[0].TrainingLoss}");
        Assert.IsLessThan(before, history[^1].TrainingLoss, $"loss after continuing {history[^1].TrainingLoss} vs before {before}");
    }

    [TestMethod]
    public void BinaryAndMulticlassModelsContinueToo()
    {
        var ml = new MLContext(seed: 1);
        var binaryData = SyntheticData.Binary(ml, 200, seed: 6);
        var binaryTrainer = ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 3, learningRate: 0.01f);
        var binary = binaryTrainer.Fit(binaryData).Model.SubModel;
        var binaryContinued = binaryTrainer.Fit(binaryData, binary).Model.SubModel;
        Assert.IsTrue(binaryContinued.TrainingHistory.Select(r => r.Epoch).SequenceEqual(Enumerable.Range(1, 6)));
        Assert.IsLessThan(binary.TrainingHistory[^1].TrainingLoss, binaryContinued.TrainingHistory[^1].TrainingLoss);

        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(SyntheticData.Multiclass(ml, 200, seed: 6));
        var multiclassData = keys.Transform(SyntheticData.Multiclass(ml, 200, seed: 6));
        var multiclassTrainer = ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 3, learningRate: 0.01f);
        var multiclass = multiclassTrainer.Fit(multiclassData).Model;
        var multiclassContinued = multiclassTrainer.Fit(multiclassData, multiclass).Model;
        Assert.IsTrue(multiclassContinued.TrainingHistory.Select(r => r.Epoch).SequenceEqual(Enumerable.Range(1, 6)));
        Assert.IsLessThan(multiclass.TrainingHistory[^1].TrainingLoss, multiclassContinued.TrainingHistory[^1].TrainingLoss);
    }

    [TestMethod]
    public void AModelWithOtherFeaturesIsRejectedNamingBothCounts()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 1).Fit(SyntheticData.Binary(ml, 50, seed: 1)).Model.SubModel;

        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(numberOfEpochs: 1).Fit(SyntheticData.Circles(ml, 50, seed: 1), model));

        Assert.AreEqual("modelParameters", e.ParamName);
        Assert.Contains($"takes {SyntheticData.FeatureCount} features", e.Message);
        Assert.Contains("'Features' of the training data has 2", e.Message);
    }

    [TestMethod]
    public void AModelWithOtherClassesIsRejectedNamingBothCounts()
    {
        var ml = new MLContext(seed: 1);
        var four = ml.Transforms.Conversion.MapValueToKey("Label").Fit(SyntheticData.Multiclass(ml, 200, seed: 1)).Transform(SyntheticData.Multiclass(ml, 200, seed: 1));
        var model = ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 1).Fit(four).Model;
        Assert.AreEqual(4, model.NumberOfClasses);
        var threeRows = ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(SyntheticData.Multiclass(ml, 200, seed: 2), reuseRowObject: false).Where(r => r.Label != 3);
        var three = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(threeRows)).Transform(ml.Data.LoadFromEnumerable(threeRows));

        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(numberOfEpochs: 1).Fit(three, model));

        Assert.AreEqual("modelParameters", e.ParamName);
        Assert.Contains("has 4 classes", e.Message);
        Assert.Contains("has 3", e.Message);
    }

    [TestMethod]
    public void ContinuingWithEarlyStoppingNumbersTheBestEpochOn()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 200, seed: 8);
        var first = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 4, learningRate: 0.01f).Fit(data).Model;

        var continued = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = [8], NumberOfEpochs = 3, LearningRate = 0.001f, ValidationFraction = 0.2f, EarlyStoppingPatience = 5,
        }).Fit(data, first).Model;

        Assert.HasCount(7, continued.TrainingHistory);
        Assert.IsTrue(continued.TrainingHistory.Take(4).All(r => r.ValidationLoss is null));
        Assert.IsTrue(continued.TrainingHistory.Skip(4).All(r => r.ValidationLoss is not null));
        Assert.IsTrue(continued.BestEpoch is >= 5 and <= 7, $"best epoch {continued.BestEpoch}");
        Assert.AreEqual(continued.TrainingHistory.Skip(4).MinBy(r => r.ValidationLoss!.Value)!.Epoch, continued.BestEpoch);
    }
}
