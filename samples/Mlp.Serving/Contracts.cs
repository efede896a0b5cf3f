using System.Text.Json.Serialization;

namespace Mlp.Serving;

/// <summary>The answer of <c>POST /predict</c> for a binary model.</summary>
/// <param name="Score">The network's output logit z.</param>
/// <param name="Probability">P(positive) = 1 / (1 + e^−z).</param>
/// <param name="PredictedLabel">Whether the score is above the model's threshold.</param>
public sealed record BinaryPrediction(float Score, float Probability, bool PredictedLabel);

/// <summary>The answer of <c>POST /predict</c> for a regression model.</summary>
/// <param name="Score">The predicted value.</param>
public sealed record RegressionPrediction(float Score);

/// <summary>The answer of <c>POST /predict</c> for a multiclass model. Labels are JSON strings, numbers or booleans,
/// as the label column of the training data was.</summary>
/// <param name="PredictedLabel">The most probable class, as the original label value.</param>
/// <param name="Probabilities">The probability of each class, keyed by the label written as a string.</param>
public sealed record MulticlassPrediction(System.Text.Json.JsonElement PredictedLabel, Dictionary<string, float> Probabilities);

/// <summary>The body of every 4xx/5xx answer: one short message, never a stack trace.</summary>
/// <param name="Error">What was wrong with the request.</param>
public sealed record ErrorResponse(string Error);

/// <summary>The answer of <c>GET /model</c>.</summary>
/// <param name="Source">Where the model came from: a full file path, or the demo model's description.</param>
/// <param name="Task">What the model predicts.</param>
/// <param name="Inputs">The input columns, read from the model file: the fields of a <c>/predict</c> request.</param>
/// <param name="Outputs">The fields of a <c>/predict</c> answer.</param>
/// <param name="Classes">The class labels, in output order (multiclass models only).</param>
/// <param name="LayerSizes">Widths of all layers of the MLP: its inputs, each hidden layer, its outputs.</param>
/// <param name="HiddenLayerSizes">Widths of the hidden layers.</param>
/// <param name="Activation">Activation of the hidden layers.</param>
/// <param name="TrainingHistory">A summary of the epochs recorded in the model.</param>
public sealed record ModelInfo(string Source, [property: JsonConverter(typeof(JsonStringEnumConverter<ServingTask>))] ServingTask Task,
    IReadOnlyList<InputColumnInfo> Inputs, IReadOnlyList<OutputInfo> Outputs, IReadOnlyList<string>? Classes,
    int[] LayerSizes, int[] HiddenLayerSizes, string Activation, TrainingSummary TrainingHistory);

/// <summary>One input column of the model as a request field.</summary>
/// <param name="Name">The column's name, which is the JSON field's name (matched exactly, else ignoring case).</param>
/// <param name="Type">The ML.NET type of one value: Single, Double, Boolean, String, Int32, ...</param>
/// <param name="Size">Null for a scalar; the length of a vector column's array (0: any length).</param>
/// <param name="JsonType">The JSON type of one value: number, integer, boolean or string.</param>
/// <param name="Required">Whether the model reads the column; fields it does not read (e.g. the label) may be left out.</param>
public sealed record InputColumnInfo(string Name, string Type, int? Size, string JsonType, bool Required);

/// <summary>One field of a <c>/predict</c> answer.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="JsonType">Its JSON type.</param>
/// <param name="Description">What it means.</param>
public sealed record OutputInfo(string Name, string JsonType, string Description);

/// <summary>A summary of the MLP's training history; losses are mean per-example losses (natural log).</summary>
/// <param name="Epochs">The number of epochs recorded.</param>
/// <param name="FirstTrainingLoss">The training loss of the first epoch.</param>
/// <param name="FinalTrainingLoss">The training loss of the last epoch.</param>
/// <param name="FinalValidationLoss">The validation loss of the last epoch, if validation data was given.</param>
/// <param name="BestValidationLoss">The lowest validation loss.</param>
/// <param name="BestValidationEpoch">The epoch of the lowest validation loss.</param>
/// <param name="FinalValidationAccuracy">The validation metric of the last epoch (accuracy for classifiers).</param>
/// <param name="TrainingSeconds">Wall time of training.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds.</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
public sealed record TrainingSummary(int Epochs, double? FirstTrainingLoss, double? FinalTrainingLoss,
    double? FinalValidationLoss, double? BestValidationLoss, int? BestValidationEpoch, double? FinalValidationAccuracy,
    double TrainingSeconds, int BestEpoch, bool StoppedEarly);
