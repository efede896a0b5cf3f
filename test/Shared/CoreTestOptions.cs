using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training.Schedules;
using Mlp.Gpu.Training;

namespace Mlp.Testing;

/// <summary>
/// The compute core's option records have no defaults of their own (the ML.NET face supplies them); tests and
/// benchmarks that drive the core directly start from these, the public options' defaults, and change what they test
/// with a <c>with</c> expression.
/// </summary>
internal static class CoreTestOptions
{
    /// <summary>Adam with the public defaults: η 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7, no decay or L2.</summary>
    public static OptimizerSettings Optimizer { get; } = new()
    {
        Kind = MlpOptimizer.Adam,
        LearningRate = 1e-3f,
        Momentum = 0.9f,
        Beta1 = 0.9f,
        Beta2 = 0.999f,
        Epsilon = 1e-7f,
    };

    /// <summary>10 epochs of batches of 32, shuffled, seed 0, constant rate, any device.</summary>
    public static TrainingOptions Training { get; } = new()
    {
        Epochs = 10,
        BatchSize = 32,
        Shuffle = true,
        Seed = 0,
        Optimizer = Optimizer,
        Schedule = LearningRateSchedule.Constant,
        StreamBlockRows = 65_536,
        Device = MlpDevice.Auto,
    };
}
