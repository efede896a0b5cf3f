namespace Microsoft.ML.Trainers.Mlp.Models;

/// <summary>A model that holds a trained network: how the trainers reach it for warm start.</summary>
internal interface IMlpModel
{
    /// <summary>The trained network.</summary>
    MlpNetwork Network { get; }
}
