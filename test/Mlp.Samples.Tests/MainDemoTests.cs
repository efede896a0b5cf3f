using Mlp.Demo;

namespace Mlp.Samples.Tests;

[TestClass]
public sealed class MainDemoTests
{
    [TestMethod]
    public void ComparesTheMlpWithTheBaselinesAndRoundTripsTheModel()
    {
        var output = new StringWriter();
        var results = MainDemo.Run(epochs: 10, output);

        Assert.HasCount(10, results, "five models on each of two data sets");
        CollectionAssert.AreEquivalent(new[] { "Breast cancer", "Adult" }, results.Select(r => r.Dataset).Distinct().ToArray());
        foreach (var result in results)
            Assert.IsTrue(result.Accuracy is > 0.75 and <= 1 && result.Auc is > 0.8 and <= 1, $"{result.Dataset} / {result.Model}: {result}");
        var mlpCancer = results.Single(r => r.Dataset == "Breast cancer" && r.Model.StartsWith("Mlp", StringComparison.Ordinal));
        Assert.IsGreaterThan(0.93, mlpCancer.Accuracy);
        Assert.IsGreaterThanOrEqualTo(0.99, mlpCancer.Auc, "the MLP competes with the SVMs out of the box (the trainer standardizes its inputs)");
        var mlpAdult = results.Single(r => r.Dataset == "Adult" && r.Model.StartsWith("Mlp", StringComparison.Ordinal));
        Assert.IsGreaterThan(0.82, mlpAdult.Accuracy);
        StringAssert.Contains(output.ToString(), "reloaded it and predicted");
    }

    [TestMethod]
    public void TheRegressionDemoBeatsTheLinearBaselineWithoutScalingTheLabelByHand()
    {
        var results = BikeSharingDemo.Run(epochs: 10, new StringWriter());

        CollectionAssert.AreEqual(new[] { "Mlp 64-32 ReLU, Adam", "Sdca (linear)", "FastTree" }, results.Select(r => r.Model).ToArray());
        var mlp = results[0];
        var linear = results[1];
        // The label is in the hundreds; without the trainer's label standardization R² stays near 0 in 10 epochs.
        Assert.IsGreaterThan(0.85, mlp.RSquared, $"{mlp}");
        Assert.IsGreaterThan(linear.RSquared + 0.1, mlp.RSquared, $"{mlp} vs {linear}");
    }
}
