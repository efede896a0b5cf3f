namespace Mlp.Serving;

/// <summary>The body of <c>POST /predict</c>: one example's feature vector.</summary>
public sealed class PredictRequest
{
    /// <summary>The feature values, as many as the model's <c>featureCount</c>, all finite.</summary>
    public double[]? Features { get; set; }
}

/// <summary>The answer of <c>POST /predict</c>.</summary>
/// <param name="Score">The network's output logit z.</param>
/// <param name="Probability">P(positive) = 1 / (1 + e^−z).</param>
/// <param name="PredictedLabel">Whether the score is above the model's threshold.</param>
public sealed record PredictResponse(float Score, float Probability, bool PredictedLabel);

/// <summary>The body of every 4xx/5xx answer: one short message, never a stack trace.</summary>
/// <param name="Error">What was wrong with the request.</param>
public sealed record ErrorResponse(string Error);

/// <summary>The answer of <c>GET /model</c>.</summary>
/// <param name="Source">Where the model came from: a file path, or the demo model's description.</param>
/// <param name="FeatureCount">Length of the <c>features</c> array that <c>/predict</c> expects.</param>
/// <param name="LayerSizes">Widths of all layers: inputs, each hidden layer, outputs.</param>
/// <param name="HiddenLayerSizes">Widths of the hidden layers.</param>
/// <param name="Activation">Activation of the hidden layers.</param>
/// <param name="TrainingHistory">A summary of the epochs recorded in the model.</param>
public sealed record ModelInfo(string Source, int FeatureCount, int[] LayerSizes, int[] HiddenLayerSizes,
    string Activation, TrainingSummary TrainingHistory);

/// <summary>A summary of <c>MlpBinaryModelParameters.TrainingHistory</c>; losses are mean per-example losses (natural log).</summary>
public sealed record TrainingSummary(int Epochs, double? FirstTrainingLoss, double? FinalTrainingLoss,
    double? FinalValidationLoss, double? BestValidationLoss, int? BestValidationEpoch, double? FinalValidationAccuracy,
    double TrainingSeconds);

/// <summary>What the prediction engine reads: the model's input column <c>Features</c> (its size is set per model
/// through a schema definition).</summary>
public sealed class ModelInput
{
    /// <summary>The feature vector.</summary>
    public float[] Features { get; set; } = [];
}

/// <summary>What the prediction engine writes: the binary prediction transformer's columns.</summary>
public sealed class ModelOutput
{
    /// <summary>The logit z.</summary>
    public float Score { get; set; }

    /// <summary>The calibrated probability, sigmoid(z).</summary>
    public float Probability { get; set; }

    /// <summary>The predicted class.</summary>
    public bool PredictedLabel { get; set; }
}
