using Mlp.Onnx;

namespace Mlp.Samples.Tests;

[TestClass]
public sealed class OnnxDemoTests
{
    [TestMethod]
    public void ExportsTheMainDemoModelAndOnnxRuntimeScoresItAsMlNetDoes()
    {
        using var folder = new TempFolder("mlp-onnx-");
        var output = new StringWriter();
        var results = OnnxDemo.Run(epochs: 2, folder.Path, output);

        CollectionAssert.AreEqual(new[] { "Breast cancer", "Adult" }, results.Select(r => r.Dataset).ToArray());
        foreach (var result in results)
        {
            Assert.IsTrue(File.Exists(result.OnnxPath), result.OnnxPath);
            Assert.IsTrue(result.OnnxPath.StartsWith(folder.Path, StringComparison.Ordinal));
            Assert.IsGreaterThan(100, result.Rows);
            // Probabilities lie in [0, 1]: an absolute 1e-5 is at least as strict as a relative one near 1.
            Assert.IsLessThanOrEqualTo(1e-5, result.MaxProbabilityDifference, $"{result.Dataset}\n{output}");
            Assert.AreEqual(0, result.LabelMismatches, $"{result.Dataset}\n{output}");
        }
        StringAssert.Contains(output.ToString(), "Probability.output");
    }
}
