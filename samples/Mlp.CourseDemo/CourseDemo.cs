using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.CourseDemo;

/// <summary>A model's accuracy on the training and the test points.</summary>
public sealed record ModelScore(string Model, double TrainAccuracy, double TestAccuracy, TimeSpan TrainingTime);

/// <summary>One row of the hidden-width sweep.</summary>
public sealed record SweepRow(int HiddenUnits, int Parameters, double TrainAccuracy, double TestAccuracy);

/// <summary>What <see cref="CourseDemo.Run"/> measured and wrote.</summary>
public sealed record CourseDemoResult(IReadOnlyList<ModelScore> Models, IReadOnlyList<SweepRow> Sweep,
    IReadOnlyList<MlpEpochRecord> MlpHistory, IReadOnlyList<string> Files);

/// <summary>
/// The lecture's motivating example. On a 2-D set that no line separates, a linear SVM stays near chance, an RBF
/// kernel (random Fourier features + LinearSvm) and the MLP bend the boundary. Writes one decision-boundary PNG per
/// model, the MLP's training curve, and a hidden-width sweep as a Markdown table.
/// </summary>
public static class CourseDemo
{
    /// <summary>Runs the demo, printing the tables to <paramref name="log"/>.</summary>
    public static CourseDemoResult Run(CourseDemoOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(options.OutputFolder);
        var ml = new MLContext(seed: options.Seed);
        var trainPoints = TwoDimensionalData.Generate(options.Shape, options.Points, options.Noise, options.Seed);
        var testPoints = TwoDimensionalData.Generate(options.Shape, options.Points, options.Noise, options.Seed + 1000);
        var train = ml.Data.LoadFromEnumerable(trainPoints);
        var test = ml.Data.LoadFromEnumerable(testPoints);
        string shape = options.Shape.ToString().ToLowerInvariant();
        var files = new List<string>();
        var scores = new List<ModelScore>();
        log.WriteLine($"# {options.Shape}: {options.Points} training and {options.Points} test points, noise {options.Noise}");
        log.WriteLine();

        // The normaliser is fitted on the training points and shared by every model.
        var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(train);
        var trainNormalized = normalizer.Transform(train);

        // A fifth of the training points is held out as validation data, so the history holds both loss curves and the
        // test points stay unseen until the evaluation.
        string mlpName = $"MLP {string.Join("-", options.HiddenLayerSizes)} ReLU (Adam)";
        var clock = Stopwatch.StartNew();
        var mlpOptions = MlpOptions(options, options.HiddenLayerSizes);
        mlpOptions.ValidationFraction = 0.2f;
        var mlp = ml.BinaryClassification.Trainers.Mlp(mlpOptions).Fit(trainNormalized);
        clock.Stop();
        var mlpModel = normalizer.Append(mlp);
        var history = mlp.Model.SubModel.TrainingHistory;
        scores.Add(Score(mlpName, mlpModel, train, test, clock.Elapsed));

        var baselines = new (string Name, IEstimator<ITransformer> Estimator)[]
        {
            ("LinearSvm", ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 20)),
            ($"RBF kernel map (γ = {options.KernelGamma.ToString(CultureInfo.InvariantCulture)}) + LinearSvm",
                ml.Transforms.ApproximatedKernelMap("Features", rank: options.KernelRank, generator: new GaussianKernel(options.KernelGamma))
                    .Append(ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 20))),
        };
        var models = new List<(string Name, string File, ITransformer Model)> { (mlpName, $"{shape}-mlp.png", mlpModel) };
        foreach (var (name, estimator) in baselines)
        {
            clock.Restart();
            var model = normalizer.Append(estimator.Fit(trainNormalized));
            clock.Stop();
            scores.Add(Score(name, model, train, test, clock.Elapsed));
            models.Add((name, name.StartsWith("LinearSvm", StringComparison.Ordinal) ? $"{shape}-linear-svm.png" : $"{shape}-rbf-svm.png", model));
        }

        log.WriteLine("| model | train accuracy | test accuracy | training time |");
        log.WriteLine("|---|---:|---:|---:|");
        foreach (var s in scores)
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Model} | {s.TrainAccuracy:P1} | {s.TestAccuracy:P1} | {s.TrainingTime.TotalSeconds:F2} s |"));
        log.WriteLine();

        foreach (var (name, file, model) in models)
        {
            var accuracy = scores.Single(s => s.Model == name).TestAccuracy;
            string path = Path.Combine(options.OutputFolder, file);
            Plots.DecisionBoundary(path, string.Create(CultureInfo.InvariantCulture, $"{name}: test accuracy {accuracy:P1}"),
                ScoreGrid(ml, model, trainPoints.Concat(testPoints), options.GridSize), testPoints, options.ImageSize);
            files.Add(path);
        }
        string curve = Path.Combine(options.OutputFolder, $"{shape}-mlp-training-curve.png");
        Plots.TrainingCurve(curve, $"{mlpName} on {shape}: loss per epoch", history, mlp.Model.SubModel.BestEpoch, 800, 500);
        files.Add(curve);

        var sweep = new List<SweepRow>();
        if (options.SweepWidths.Length > 0)
        {
            log.WriteLine("How many hidden units? One hidden layer of width h, same epochs:");
            log.WriteLine();
            log.WriteLine("| hidden units | parameters | train accuracy | test accuracy |");
            log.WriteLine("|---:|---:|---:|---:|");
            foreach (int width in options.SweepWidths)
            {
                var model = normalizer.Append(ml.BinaryClassification.Trainers.Mlp(MlpOptions(options, [width])).Fit(trainNormalized));
                var s = Score(width.ToString(CultureInfo.InvariantCulture), model, train, test, TimeSpan.Zero);
                var row = new SweepRow(width, (2 * width + width) + (width + 1), s.TrainAccuracy, s.TestAccuracy);
                sweep.Add(row);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row.HiddenUnits} | {row.Parameters} | {row.TrainAccuracy:P1} | {row.TestAccuracy:P1} |"));
            }
            log.WriteLine();
        }

        string table = Path.Combine(options.OutputFolder, $"{shape}-results.md");
        File.WriteAllText(table, Markdown(options, scores, sweep));
        files.Add(table);
        log.WriteLine($"Wrote {string.Join(", ", files.Select(Path.GetFileName))} to {Path.GetFullPath(options.OutputFolder)}");
        return new CourseDemoResult(scores, sweep, history, files);
    }

    private static MlpBinaryTrainer.Options MlpOptions(CourseDemoOptions options, int[] hidden) => new()
    {
        HiddenLayerSizes = hidden,
        Activation = MlpActivation.Relu,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = options.LearningRate,
        BatchSize = 32,
        NumberOfEpochs = options.Epochs,
        Seed = options.Seed,
    };

    /// <summary>Accuracy from the PredictedLabel column, the same rule for every model (score &gt; 0).</summary>
    private static ModelScore Score(string name, ITransformer model, IDataView train, IDataView test, TimeSpan time)
        => new(name, Accuracy(model.Transform(train)), Accuracy(model.Transform(test)), time);

    private static double Accuracy(IDataView scored)
    {
        var labels = scored.GetColumn<bool>("Label").ToArray();
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        return labels.Zip(predicted).Count(p => p.First == p.Second) / (double)labels.Length;
    }

    /// <summary>Scores a grid covering the points (plus a margin) and squashes each score with the sigmoid, so the
    /// colour is the MLP's probability and, for the SVMs, a monotone map of the margin; 0.5 is the boundary.</summary>
    private static DecisionGrid ScoreGrid(MLContext ml, ITransformer model, IEnumerable<Point2D> points, int size)
    {
        var all = points.ToArray();
        double xMin = all.Min(p => p.Features[0]) - 0.1, xMax = all.Max(p => p.Features[0]) + 0.1;
        double yMin = all.Min(p => p.Features[1]) - 0.1, yMax = all.Max(p => p.Features[1]) + 0.1;
        var cells = new List<Point2D>(size * size);
        for (int row = 0; row < size; row++)
        {
            double y = yMax - (row + 0.5) * (yMax - yMin) / size; // row 0 is the top of the picture
            for (int col = 0; col < size; col++)
            {
                double x = xMin + (col + 0.5) * (xMax - xMin) / size;
                cells.Add(new Point2D { Features = [(float)x, (float)y] });
            }
        }
        var scores = model.Transform(ml.Data.LoadFromEnumerable(cells)).GetColumn<float>("Score").ToArray();
        var grid = new double[size, size];
        for (int i = 0; i < scores.Length; i++)
            grid[i / size, i % size] = 1 / (1 + Math.Exp(-scores[i]));
        return new DecisionGrid(grid, xMin, xMax, yMin, yMax);
    }

    private static string Markdown(CourseDemoOptions options, List<ModelScore> scores, List<SweepRow> sweep)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {options.Shape}: {options.Points} training / {options.Points} test points, noise {options.Noise}, {options.Epochs} epochs");
        text.AppendLine();
        text.AppendLine("| model | train accuracy | test accuracy | training time |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var s in scores)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Model} | {s.TrainAccuracy:P1} | {s.TestAccuracy:P1} | {s.TrainingTime.TotalSeconds:F2} s |");
        if (sweep.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| hidden units | parameters | train accuracy | test accuracy |");
            text.AppendLine("|---:|---:|---:|---:|");
            foreach (var row in sweep)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.HiddenUnits} | {row.Parameters} | {row.TrainAccuracy:P1} | {row.TestAccuracy:P1} |");
        }
        return text.ToString();
    }
}
