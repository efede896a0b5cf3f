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

    /// <summary>Training and validation loss per epoch, from <see cref="MlpModelParametersBase{T}.TrainingHistory"/>.</summary>
    public static void TrainingCurve(string path, string title, IReadOnlyList<MlpEpochRecord> history, int width, int height)
    {
        var plot = new Plot();
        double[] epochs = history.Select(r => (double)r.Epoch).ToArray();
        var train = plot.Add.Scatter(epochs, history.Select(r => r.TrainingLoss).ToArray());
        train.LegendText = "training loss";
        train.MarkerSize = 0;
        train.LineWidth = 2;
        train.Color = s_class0;
        if (history.All(r => r.ValidationLoss is not null))
        {
            var validation = plot.Add.Scatter(epochs, history.Select(r => r.ValidationLoss!.Value).ToArray());
            validation.LegendText = "validation loss";
            validation.MarkerSize = 0;
            validation.LineWidth = 2;
            validation.Color = s_class1;
        }
        plot.Title(title, size: 14);
        plot.XLabel("epoch");
        plot.YLabel("binary cross-entropy (nats)");
        plot.Axes.SetLimitsY(0, Math.Max(0.75, history.Max(r => Math.Max(r.TrainingLoss, r.ValidationLoss ?? 0)) * 1.05));
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
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
