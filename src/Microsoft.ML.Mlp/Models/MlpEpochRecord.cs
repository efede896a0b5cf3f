using System.Globalization;
using System.Text;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>What one epoch of training produced; the records are saved with the model.</summary>
/// <remarks>
/// Losses are weighted means of the per-example losses in natural-log units: binary cross-entropy for
/// <see cref="MlpBinaryTrainer"/>, softmax cross-entropy for <see cref="MlpMulticlassTrainer"/>, the squared error (ŷ − y)² or the
/// Huber loss for <see cref="MlpRegressionTrainer"/>. Metrics are accuracy for classification and R² for regression.
/// </remarks>
public sealed class MlpEpochRecord
{
    /// <summary>Creates a record.</summary>
    /// <param name="epoch">1-based epoch number.</param>
    /// <param name="trainingLoss">Mean training loss over the epoch.</param>
    /// <param name="trainingMetric">Training accuracy or R², if measured.</param>
    /// <param name="validationLoss">Mean validation loss at the end of the epoch; null without validation data.</param>
    /// <param name="validationMetric">Validation accuracy or R²; null without validation data.</param>
    /// <param name="learningRate">Learning rate used during the epoch.</param>
    /// <param name="elapsed">Wall time from the start of training to the end of this epoch.</param>
    public MlpEpochRecord(int epoch, double trainingLoss, double? trainingMetric, double? validationLoss,
        double? validationMetric, float learningRate, TimeSpan elapsed)
    {
        Epoch = epoch;
        TrainingLoss = trainingLoss;
        TrainingMetric = trainingMetric;
        ValidationLoss = validationLoss;
        ValidationMetric = validationMetric;
        LearningRate = learningRate;
        Elapsed = elapsed;
    }

    /// <summary>1-based epoch number.</summary>
    public int Epoch { get; }

    /// <summary>Mean per-example training loss over the epoch (natural-log units), measured on the minibatches as the
    /// weights were while each batch was seen.</summary>
    public double TrainingLoss { get; }

    /// <summary>Training accuracy (classification) or R² (regression) over the epoch; null if not measured.</summary>
    public double? TrainingMetric { get; }

    /// <summary>Mean per-example loss on the validation data at the end of the epoch; null without validation data.</summary>
    public double? ValidationLoss { get; }

    /// <summary>Validation accuracy (classification) or R² (regression) at the end of the epoch; null without
    /// validation data.</summary>
    public double? ValidationMetric { get; }

    /// <summary>The learning rate used during the epoch.</summary>
    public float LearningRate { get; }

    /// <summary>Wall time from the start of training to the end of this epoch.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The record as one line, as the training log shows it ("epoch 3: training loss 0.41, ...").</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}: {Describe()}");

    /// <summary>The losses, metrics, learning rate and time of the epoch, as one line.</summary>
    internal string Describe()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(culture, $"training loss {TrainingLoss:G5}");
        if (TrainingMetric is { } trainingMetric)
            text.Append(culture, $", training metric {trainingMetric:F4}");
        if (ValidationLoss is { } validationLoss)
            text.Append(culture, $", validation loss {validationLoss:G5}");
        if (ValidationMetric is { } validationMetric)
            text.Append(culture, $", validation metric {validationMetric:F4}");
        text.Append(culture, $", learning rate {LearningRate:G3}, {Elapsed.TotalSeconds:F2} s");
        return text.ToString();
    }
}
