namespace Mlp.CourseDemo;

/// <summary>What <see cref="CourseDemo.Run"/> does; the defaults are the lecture's settings.</summary>
public sealed record CourseDemoOptions
{
    /// <summary>The data set. Default: spirals.</summary>
    public TwoDimensionalShape Shape { get; init; } = TwoDimensionalShape.Spirals;

    /// <summary>Training points (half per class); the test set is as large, drawn with another seed. Default 600.</summary>
    public int Points { get; init; } = 600;

    /// <summary>Standard deviation of the Gaussian noise added to each coordinate. Default 0.05.</summary>
    public float Noise { get; init; } = 0.05f;

    /// <summary>Hidden layers of the MLP that is drawn. Default two layers of 32.</summary>
    public int[] HiddenLayerSizes { get; init; } = [32, 32];

    /// <summary>Epochs of every MLP (the drawn one and the sweep). Default 300.</summary>
    public int Epochs { get; init; } = 300;

    /// <summary>Adam's learning rate. Default 0.01 (the data is tiny; the library default 0.001 needs more epochs).</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>Widths of the single hidden layer tried in the sweep; empty skips it. Default 1, 2, 3, 4, 8, 16, 32, 64.</summary>
    public int[] SweepWidths { get; init; } = [1, 2, 3, 4, 8, 16, 32, 64];

    /// <summary>γ of the Gaussian kernel k(x, y) = exp(−γ‖x − y‖²) on the min–max normalised features. Default 30.</summary>
    public float KernelGamma { get; init; } = 30f;

    /// <summary>Random Fourier features of the kernel map. Default 512.</summary>
    public int KernelRank { get; init; } = 512;

    /// <summary>Grid cells per side of the decision-boundary pictures. Default 200.</summary>
    public int GridSize { get; init; } = 200;

    /// <summary>Width and height of the decision-boundary PNGs in pixels. Default 600.</summary>
    public int ImageSize { get; init; } = 600;

    /// <summary>Seed of the data and of the training. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where the PNGs and the results table go. Default ./out.</summary>
    public string OutputFolder { get; init; } = "out";
}
