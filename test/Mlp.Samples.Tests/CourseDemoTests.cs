using Mlp.CourseDemo;

namespace Mlp.Samples.Tests;

[TestClass]
public sealed class CourseDemoTests
{
    [TestMethod]
    public void CirclesLinearFailsMlpSucceedsAndPicturesAreWritten()
    {
        using var folder = new TempFolder("mlp-course-");
        var log = new StringWriter();
        var result = Mlp.CourseDemo.CourseDemo.Run(new CourseDemoOptions
        {
            Shape = TwoDimensionalShape.Circles,
            Points = 300,
            Epochs = 60,
            HiddenLayerSizes = [16, 16],
            SweepWidths = [1, 16],
            GridSize = 40,
            ImageSize = 300,
            OutputFolder = folder.Path,
        }, log);

        var mlp = result.Models[0];
        var linear = result.Models.Single(m => m.Model == "LinearSvm");
        var kernel = result.Models.Single(m => m.Model.StartsWith("RBF", StringComparison.Ordinal));
        Assert.IsTrue(mlp.TestAccuracy is > 0.9 and <= 1, $"MLP test accuracy {mlp.TestAccuracy}\n{log}");
        Assert.IsTrue(linear.TestAccuracy < 0.75, $"LinearSvm should fail on circles; got {linear.TestAccuracy}\n{log}");
        Assert.IsTrue(kernel.TestAccuracy > 0.85, $"RBF kernel test accuracy {kernel.TestAccuracy}\n{log}");

        Assert.HasCount(60, result.MlpHistory);
        Assert.IsTrue(result.MlpHistory.All(r => r.ValidationLoss is not null), "the curve needs validation losses");
        Assert.IsTrue(result.MlpHistory[^1].TrainingLoss < result.MlpHistory[0].TrainingLoss, "training loss should fall");

        Assert.HasCount(2, result.Sweep);
        Assert.IsTrue(result.Sweep[1].TestAccuracy > result.Sweep[0].TestAccuracy, "16 hidden units should beat 1");

        foreach (var png in result.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
            TempFolder.AssertPng(png);
        Assert.HasCount(4, result.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)));
        Assert.IsTrue(result.Files.All(f => f.StartsWith(folder.Path, StringComparison.Ordinal)), "everything goes under --out");
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder.Path, "circles-results.md")), "| hidden units |");
    }

    [TestMethod]
    [DataRow(TwoDimensionalShape.Xor)]
    [DataRow(TwoDimensionalShape.Spirals)]
    public void EveryShapeRuns(TwoDimensionalShape shape)
    {
        using var folder = new TempFolder("mlp-course-");
        var result = Mlp.CourseDemo.CourseDemo.Run(new CourseDemoOptions
        {
            Shape = shape,
            Points = 100,
            Epochs = 3,
            SweepWidths = [],
            GridSize = 20,
            ImageSize = 200,
            OutputFolder = folder.Path,
        }, TextWriter.Null);
        Assert.HasCount(3, result.Models);
        Assert.IsEmpty(result.Sweep);
        Assert.IsTrue(File.Exists(Path.Combine(folder.Path, $"{shape.ToString().ToLowerInvariant()}-mlp.png")));
    }

    [TestMethod]
    public void GeneratedDataIsBalancedAndRepeatable()
    {
        foreach (var shape in Enum.GetValues<TwoDimensionalShape>())
        {
            var a = TwoDimensionalData.Generate(shape, 200, 0.05f, seed: 7);
            var b = TwoDimensionalData.Generate(shape, 200, 0.05f, seed: 7);
            Assert.AreEqual(100, a.Count(p => p.Label), shape.ToString());
            Assert.IsTrue(a.Zip(b).All(p => p.First.Features.SequenceEqual(p.Second.Features)), shape.ToString());
            Assert.IsTrue(a.All(p => p.Features.All(float.IsFinite)), shape.ToString());
        }
    }
}
