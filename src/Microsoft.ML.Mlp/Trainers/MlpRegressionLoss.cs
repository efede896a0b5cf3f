namespace Microsoft.ML.Trainers.Mlp;

/// <summary>The loss that <see cref="MlpRegressionTrainer"/> minimizes.</summary>
/// <remarks>The numeric values are stored in model files: never renumber them.</remarks>
public enum MlpRegressionLoss
{
    /// <summary>Squared error (ŷ − y)², as ML.NET's L2 metric and Keras' "mse". The default.</summary>
    Squared = 0,

    /// <summary>Huber loss: squared within <see cref="MlpRegressionTrainer.Options.HuberDelta"/> of the label, linear
    /// beyond it, so outliers pull less.</summary>
    Huber = 1,
}
