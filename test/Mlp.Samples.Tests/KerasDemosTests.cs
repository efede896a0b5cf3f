using Mlp.KerasDemos;

namespace Mlp.Samples.Tests;

[TestClass]
public sealed class KerasDemosTests
{
    [TestMethod]
    public void SyntheticMlpBeatsLogisticRegressionAndReloads()
    {
        using var folder = new TempFolder("mlp-keras-");
        var log = new StringWriter();
        var result = SyntheticDemo.Run(new SyntheticOptions { TrainRows = 5000, TestRows = 500, Epochs = 15, OutputFolder = folder.Path }, log);

        var mlp = result.Models[0];
        var linear = result.Models[1];
        Assert.IsTrue(mlp.Accuracy > linear.Accuracy + 0.1, $"MLP {mlp.Accuracy} vs logistic regression {linear.Accuracy}\n{log}");
        Assert.IsTrue(linear.Accuracy < 0.65, $"no hyperplane separates a ball; got {linear.Accuracy}");
        Assert.HasCount(15, result.History);
        Assert.IsTrue(result.ReloadedPredictionsMatch, "the reloaded model must score exactly as before saving");
        Assert.IsTrue(File.Exists(result.ModelPath));
        Assert.IsTrue(result.ModelPath.StartsWith(folder.Path, StringComparison.Ordinal));
    }

    [TestMethod]
    public void MnistRunsOnASmallSlice()
    {
        using var folder = new TempFolder("mlp-keras-");
        var log = new StringWriter();
        var result = MnistDemo.Run(new MnistOptions { Rows = 1500, HiddenLayerSizes = [32], Epochs = 3, BatchSize = 32, OutputFolder = folder.Path }, log);

        Assert.IsTrue(result.Models[0].Accuracy is > 0.6 and <= 1, $"MLP accuracy {result.Models[0].Accuracy}\n{log}");
        Assert.HasCount(3, result.History);
        Assert.IsTrue(result.ReloadedPredictionsMatch);
        StringAssert.Contains(log.ToString(), "Confusion table");
        Assert.AreEqual("mnist-model.zip", Path.GetFileName(result.ModelPath));
    }

    [TestMethod]
    public void OptdigitsRuns()
    {
        using var folder = new TempFolder("mlp-keras-");
        var log = new StringWriter();
        var result = MnistDemo.Run(new MnistOptions { Dataset = DigitsDataset.Optdigits, HiddenLayerSizes = [64], Epochs = 5, BatchSize = 32, OutputFolder = folder.Path }, log);

        Assert.IsTrue(result.Models[0].Accuracy > 0.9, $"MLP accuracy {result.Models[0].Accuracy}\n{log}");
        Assert.IsTrue(result.ReloadedPredictionsMatch);
    }
}
