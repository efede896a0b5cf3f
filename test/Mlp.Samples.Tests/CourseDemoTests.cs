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
            TempFolder.AssertPng(png, png.EndsWith("-curve.png", StringComparison.Ordinal) ? 800 : 300, png.EndsWith("-curve.png", StringComparison.Ordinal) ? 500 : 300);
        Assert.HasCount(4, result.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)));
        Assert.IsTrue(result.Files.All(f => f.StartsWith(folder.Path, StringComparison.Ordinal)), "everything goes under --out");
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder.Path, "circles-results.md")), "| hidden units |");
    }

    [TestMethod]
    [DataRow(TwoDimensionalShape.Xor, 0.95)]
    [DataRow(TwoDimensionalShape.Spirals, 0.95)]
    public void OnEveryShapeTheMlpBeatsTheLinearModelAndThePicturesAreImages(TwoDimensionalShape shape, double mlpAccuracy)
    {
        using var folder = new TempFolder("mlp-course-");
        var log = new StringWriter();
        var result = Mlp.CourseDemo.CourseDemo.Run(new CourseDemoOptions
        {
            Shape = shape,
            Points = 200,
            Epochs = 40,
            HiddenLayerSizes = [32, 32],
            LearningRate = 0.02f,
            SweepWidths = [],
            GridSize = 20,
            ImageSize = 200,
            OutputFolder = folder.Path,
        }, log);

        Assert.HasCount(3, result.Models);
        Assert.IsEmpty(result.Sweep);
        var mlp = result.Models[0];
        var linear = result.Models.Single(m => m.Model == "LinearSvm");
        Assert.IsGreaterThan(mlpAccuracy, mlp.TestAccuracy, $"MLP test accuracy on {shape}\n{log}");
        Assert.IsLessThan(0.75, linear.TestAccuracy, $"no line separates {shape}\n{log}");
        Assert.IsGreaterThan(linear.TestAccuracy + 0.2, mlp.TestAccuracy, $"the MLP must beat LinearSvm clearly on {shape}\n{log}");

        string name = shape.ToString().ToLowerInvariant();
        foreach (string picture in new[] { "mlp", "linear-svm", "rbf-svm" })
            TempFolder.AssertPng(Path.Combine(folder.Path, $"{name}-{picture}.png"), 200, 200);
        TempFolder.AssertPng(Path.Combine(folder.Path, $"{name}-mlp-training-curve.png"), 800, 500);
        Assert.HasCount(4, result.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)));
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
