namespace Mlp.Gpu.Training;

/// <summary>Training produced a NaN or infinite loss; no model is returned.</summary>
internal sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception for the epoch (1-based) that diverged.</summary>
    public TrainingDivergedException(int epoch, double loss, float learningRate)
        : base($"Training diverged in epoch {epoch}: the loss became {loss}. Lower the learning rate (now {learningRate}), " +
               "normalize the features, or use a smaller network.")
    {
        Epoch = epoch;
    }

    /// <summary>1-based epoch in which the loss became non-finite.</summary>
    public int Epoch { get; }
}
