namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// What <see cref="MlpTrainerOptionsBase.Progress"/> receives after every epoch: where training is and how it goes.
/// </summary>
/// <remarks>
/// <see cref="Epoch"/> and <see cref="Elapsed"/> count within the current call to <c>Fit</c>, so that
/// <see cref="Epoch"/> / <see cref="NumberOfEpochs"/> is the fraction done; when training continues from a model, the
/// records of <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/> number the epochs on from the model's
/// history instead. Losses are mean per-example losses in natural-log units; metrics are accuracy for classification
/// and R² for regression.
/// </remarks>
public sealed class MlpEpochReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="epoch">The epoch just completed, 1-based within this call to <c>Fit</c>.</param>
    /// <param name="numberOfEpochs">The epochs this call trains at most (early stopping may end it sooner).</param>
    /// <param name="trainingLoss">Mean training loss over the epoch.</param>
    /// <param name="trainingMetric">Training accuracy or R², if measured.</param>
    /// <param name="validationLoss">Mean validation loss at the end of the epoch; null without validation data.</param>
    /// <param name="validationMetric">Validation accuracy or R²; null without validation data.</param>
    /// <param name="learningRate">Learning rate used during the epoch.</param>
    /// <param name="elapsed">Wall time from the start of this call's training to the end of the epoch.</param>
    public MlpEpochReport(int epoch, int numberOfEpochs, double trainingLoss, double? trainingMetric, double? validationLoss,
        double? validationMetric, float learningRate, TimeSpan elapsed)
    {
        Epoch = epoch;
        NumberOfEpochs = numberOfEpochs;
        TrainingLoss = trainingLoss;
        TrainingMetric = trainingMetric;
        ValidationLoss = validationLoss;
        ValidationMetric = validationMetric;
        LearningRate = learningRate;
        Elapsed = elapsed;
    }

    /// <summary>The epoch just completed, 1-based within this call to <c>Fit</c>.</summary>
    public int Epoch { get; }

    /// <summary>The epochs this call trains at most (<see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>); early
    /// stopping may end training sooner.</summary>
    public int NumberOfEpochs { get; }

    /// <summary>Mean per-example training loss over the epoch.</summary>
    public double TrainingLoss { get; }

    /// <summary>Training accuracy (classification) or R² (regression) over the epoch; null if not measured.</summary>
    public double? TrainingMetric { get; }

    /// <summary>Mean per-example validation loss at the end of the epoch; null without validation data.</summary>
    public double? ValidationLoss { get; }

    /// <summary>Validation accuracy (classification) or R² (regression); null without validation data.</summary>
    public double? ValidationMetric { get; }

    /// <summary>The learning rate used during the epoch.</summary>
    public float LearningRate { get; }

    /// <summary>Wall time from the start of this call's training to the end of the epoch.</summary>
    public TimeSpan Elapsed { get; }

    /// <inheritdoc/>
    public override string ToString() => $"Epoch {Epoch}/{NumberOfEpochs}: " +
        MlpTrainingSession.Describe(new MlpEpochRecord(Epoch, TrainingLoss, TrainingMetric, ValidationLoss, ValidationMetric, LearningRate, Elapsed));
}
