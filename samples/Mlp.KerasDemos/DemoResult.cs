using Microsoft.ML.Trainers.Mlp;

namespace Mlp.KerasDemos;

/// <summary>One model's test metrics.</summary>
/// <param name="Model">What was trained.</param>
/// <param name="Accuracy">Test accuracy (micro accuracy for multiclass).</param>
/// <param name="LogLoss">Test log-loss in nats.</param>
/// <param name="TrainingTime">Wall time of <c>Fit</c>.</param>
public sealed record ModelMetrics(string Model, double Accuracy, double LogLoss, TimeSpan TrainingTime);

/// <summary>What a demo measured and wrote.</summary>
/// <param name="Models">The MLP first, then the linear baseline.</param>
/// <param name="History">The MLP's per-epoch losses (validation = the test split).</param>
/// <param name="ModelPath">The saved MLP model.</param>
/// <param name="ReloadedPredictionsMatch">Whether the model loaded back from <paramref name="ModelPath"/> scores the
/// test rows exactly as before saving.</param>
public sealed record DemoResult(IReadOnlyList<ModelMetrics> Models, IReadOnlyList<MlpEpochRecord> History, string ModelPath,
    bool ReloadedPredictionsMatch);
