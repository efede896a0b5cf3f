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
        var mlpAdult = results.Single(r => r.Dataset == "Adult" && r.Model.StartsWith("Mlp", StringComparison.Ordinal));
        Assert.IsGreaterThan(0.82, mlpAdult.Accuracy);
        StringAssert.Contains(output.ToString(), "reloaded it and predicted");
    }
}
