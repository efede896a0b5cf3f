using Microsoft.ML.Trainers.Mlp;
using ScottPlot;

namespace Mlp.CourseDemo;

/// <summary>The PNG pictures: decision regions with the data on top, and the MLP's training curve.</summary>
internal static class Plots
{
    private static readonly Color s_class0 = Color.FromHex("#1f4e9c");
    private static readonly Color s_class1 = Color.FromHex("#c0392b");

    /// <summary>Colours the plane by sigmoid(score) of a model (the boundary is where it crosses 0.5) and draws the
    /// test points on it.</summary>
    /// <param name="grid">The scored grid: <c>Probabilities[row, col]</c>, row 0 at the top (largest y).</param>
    public static void DecisionBoundary(string path, string title, DecisionGrid grid, IReadOnlyList<Point2D> points, int size)
    {
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(grid.Probabilities);
        heatmap.Colormap = new ScottPlot.Colormaps.Balance();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Opacity = 0.45; // light enough for the points to show on both sides
        heatmap.Rectangle = new CoordinateRect(grid.XMin, grid.XMax, grid.YMin, grid.YMax);
        AddPoints(plot, points, label: false, s_class0, "class 0");
        AddPoints(plot, points, label: true, s_class1, "class 1");
        plot.Axes.SetLimits(grid.XMin, grid.XMax, grid.YMin, grid.YMax);
        plot.Title(title, size: 14);
        plot.XLabel("x₁");
        plot.YLabel("x₂");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, size, size);
    }

    /// <summary>Training and validation loss per epoch, from <see cref="MlpModelParametersBase{T}.TrainingHistory"/>,
    /// with the best epoch (whose weights the model holds) marked. The y-axis fits the losses; when they span more than
    /// a factor of 10 it is logarithmic, so the late epochs are not a flat line at the bottom.</summary>
    public static void TrainingCurve(string path, string title, IReadOnlyList<MlpEpochRecord> history, int bestEpoch, int width, int height)
    {
        var plot = new Plot();
        double[] epochs = history.Select(r => (double)r.Epoch).ToArray();
        double[] training = history.Select(r => r.TrainingLoss).ToArray();
        double[]? validation = history.All(r => r.ValidationLoss is not null) ? history.Select(r => r.ValidationLoss!.Value).ToArray() : null;
        var (logScale, yMin, yMax) = LossAxis(validation is null ? training : [.. training, .. validation]);
        Func<double, double> y = logScale ? Math.Log10 : v => v;

        AddCurve(plot, epochs, training.Select(y).ToArray(), "training loss", s_class0);
        if (validation is not null)
            AddCurve(plot, epochs, validation.Select(y).ToArray(), "validation loss", s_class1);
        int best = history.ToList().FindIndex(r => r.Epoch == bestEpoch);
        if (best >= 0)
        {
            var line = plot.Add.VerticalLine(bestEpoch, width: 1, color: Colors.Gray, pattern: LinePattern.Dashed);
            line.LegendText = $"best epoch ({bestEpoch})";
            var marker = plot.Add.Marker(bestEpoch, y(validation?[best] ?? training[best]), MarkerShape.FilledCircle, size: 9, color: validation is null ? s_class0 : s_class1);
            marker.LegendText = "";
        }

        plot.Title(title, size: 14);
        plot.XLabel("epoch");
        plot.YLabel(logScale ? "binary cross-entropy (nats, log scale)" : "binary cross-entropy (nats)");
        if (logScale)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = v => Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
            plot.Axes.Left.TickGenerator = ticks;
        }
        plot.Axes.SetLimitsX(epochs.Length > 0 ? epochs[0] - 0.5 : 0, epochs.Length > 0 ? epochs[^1] + 0.5 : 1);
        plot.Axes.SetLimitsY(y(yMin), y(yMax));
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>The loss axis: logarithmic when the positive losses span more than a factor of 10, else linear; the
    /// limits are the data's range with a 5 % margin (a factor of 1.15 on a log axis).</summary>
    internal static (bool Log, double Min, double Max) LossAxis(IReadOnlyCollection<double> losses)
    {
        var finite = losses.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
            return (false, 0, 1);
        double min = finite.Min(), max = finite.Max();
        if (min > 0 && max / min > 10)
            return (true, min / 1.15, max * 1.15);
        double margin = Math.Max((max - min) * 0.05, Math.Max(Math.Abs(max), 1e-3) * 0.01);
        return (false, Math.Max(0, min - margin), max + margin);
    }

    private static void AddCurve(Plot plot, double[] xs, double[] ys, string legend, Color color)
    {
        var curve = plot.Add.Scatter(xs, ys);
        curve.LegendText = legend;
        curve.MarkerSize = 0;
        curve.LineWidth = 2;
        curve.Color = color;
    }

    private static void AddPoints(Plot plot, IReadOnlyList<Point2D> points, bool label, Color color, string legend)
    {
        var selected = points.Where(p => p.Label == label).ToArray();
        var scatter = plot.Add.Scatter(selected.Select(p => (double)p.Features[0]).ToArray(), selected.Select(p => (double)p.Features[1]).ToArray());
        scatter.LineWidth = 0;
        scatter.MarkerSize = 5;
        scatter.MarkerShape = label ? MarkerShape.FilledCircle : MarkerShape.FilledSquare;
        scatter.Color = color;
        scatter.LegendText = legend;
    }
}

/// <summary>A model's sigmoid(score) on a regular grid over the plane.</summary>
internal sealed record DecisionGrid(double[,] Probabilities, double XMin, double XMax, double YMin, double YMax);
