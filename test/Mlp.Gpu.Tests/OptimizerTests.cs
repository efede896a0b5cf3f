using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Optimizers;
using Mlp.Testing;

namespace Mlp.Gpu.Tests;

/// <summary>
/// The fused optimizer kernel against values computed by hand. 19 parameters (11 weights, 8 biases) exercise both
/// the vector body and the scalar tail, and the weights-only rule for L2 and decoupled decay.
/// </summary>
[TestClass]
public sealed class OptimizerTests
{
    private const int Count = 19;
    private const int Weights = 11;

    [TestMethod]
    public void SgdStep() =>
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Sgd, LearningRate = 0.1f }, [0.5f], weight: 0.95, bias: 0.95);

    [TestMethod]
    public void MomentumTwoSteps() =>
        // v1 = 0.5, w1 = 0.95; v2 = 0.9·0.5 + 0.5 = 0.95, w2 = 0.95 − 0.095 = 0.855
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Momentum, LearningRate = 0.1f, Momentum = 0.9f }, [0.5f, 0.5f], 0.855, 0.855);

    [TestMethod]
    public void NesterovTwoSteps() =>
        // v1 = 0.5, w1 = 1 − 0.1·(0.5 + 0.45) = 0.905; v2 = 0.95, w2 = 0.905 − 0.1·(0.5 + 0.855) = 0.7695
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Nesterov, LearningRate = 0.1f, Momentum = 0.9f }, [0.5f, 0.5f], 0.7695, 0.7695);

    [TestMethod]
    public void AdamFirstStepIsBiasCorrected() =>
        // m̂ = 0.5, v̂ = 0.25: the first step is lr·sign(g) whatever the gradient's size
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Adam, LearningRate = 0.1f }, [0.5f], 0.90000002, 0.90000002);

    [TestMethod]
    public void AdamSecondStep() =>
        // m2 = 0.02, v2 = 0.00031225; m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999 (worked in float64)
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Adam, LearningRate = 0.1f }, [0.5f, -0.25f], 0.8733663228, 0.8733663228);

    [TestMethod]
    public void AdamWDecaysWeightsNotBiases() =>
        // weights: w ← 1 − 0.1·0.01·1 = 0.999, then the Adam step −0.1 ⇒ 0.899; biases skip the decay
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.AdamW, LearningRate = 0.1f, WeightDecay = 0.01f }, [0.5f], 0.89900002, 0.90000002);

    [TestMethod]
    public void DecoupledDecayAppliesToSgdToo() =>
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Sgd, LearningRate = 0.1f, WeightDecay = 0.5f }, [0.5f], 1 - 0.05 - 0.05, 0.95);

    [TestMethod]
    public void L2AddsToTheWeightGradientOnly() =>
        // g' = 0.5 + 0.1·1 = 0.6 ⇒ w = 0.94; bias g = 0.5 ⇒ 0.95
        AssertSteps(CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Sgd, LearningRate = 0.1f, L2Regularization = 0.1f }, [0.5f], 0.94, 0.95);

    private static void AssertSteps(OptimizerSettings settings, float[] gradients, double weight, double bias)
    {
        using var backend = new CpuBackend();
        using var w = backend.Allocate(Count);
        using var g = backend.Allocate(Count);
        using var m = backend.Allocate(Count);
        using var v = backend.Allocate(Count);
        backend.Fill(w, 1f);
        for (int t = 1; t <= gradients.Length; t++)
        {
            backend.Fill(g, gradients[t - 1]);
            backend.OptimizerUpdate(OptimizerStep.Create(settings, t, settings.LearningRate, Weights), w, g, m, v);
        }
        var result = new float[Count];
        backend.Download(w, result);
        for (int i = 0; i < Count; i++)
            Assert.AreEqual(i < Weights ? weight : bias, result[i], 1e-6, $"parameter {i} ({(i < Weights ? "weight" : "bias")})");
    }
}
