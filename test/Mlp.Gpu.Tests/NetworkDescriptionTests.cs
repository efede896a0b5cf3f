using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
namespace Mlp.Gpu.Tests;

[TestClass]
public sealed class NetworkDescriptionTests
{
    [TestMethod]
    public void LaysOutWeightsFirstThenBiases()
    {
        var net = new NetworkDescription(784, [256, 128], MlpActivation.Relu, 10, LossFunction.SoftmaxCrossEntropy);
        Assert.AreEqual(784 * 256 + 256 * 128 + 128 * 10, net.WeightCount);
        Assert.AreEqual(net.WeightCount + 256 + 128 + 10, net.ParameterCount);
        Assert.HasCount(3, net.Layers);
        Assert.AreEqual(0, net.Layers[0].WeightOffset);
        Assert.AreEqual(784 * 256, net.Layers[1].WeightOffset);
        Assert.AreEqual(net.WeightCount, net.Layers[0].BiasOffset);
        Assert.AreEqual(net.WeightCount + 256, net.Layers[1].BiasOffset);
        Assert.AreEqual(MlpActivation.Identity, net.Layers[2].Activation);
        Assert.AreEqual(MlpActivation.Relu, net.HiddenActivation);
        Assert.AreEqual(1, net.LabelWidth);
    }

    [TestMethod]
    public void PerLayerActivations()
    {
        var net = new NetworkDescription(3, [4, 5], [MlpActivation.Tanh, MlpActivation.Gelu], 2, LossFunction.Squared);
        Assert.AreEqual(MlpActivation.Tanh, net.Layers[0].Activation);
        Assert.AreEqual(MlpActivation.Gelu, net.Layers[1].Activation);
        Assert.AreEqual(2, net.LabelWidth);
    }

    [TestMethod]
    public void RejectsBadShapesWithTheValue()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new NetworkDescription(0, [], MlpActivation.Relu, 1, LossFunction.Squared));
        Assert.AreEqual("inputCount", e.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new NetworkDescription(2, [3, 0], MlpActivation.Relu, 1, LossFunction.Squared));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new NetworkDescription(2, [3], MlpActivation.Relu, 2, LossFunction.BinaryCrossEntropy));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new NetworkDescription(2, [3], MlpActivation.Relu, 1, LossFunction.SoftmaxCrossEntropy));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new NetworkDescription(100_000, [100_000], MlpActivation.Relu, 1, LossFunction.Squared));
    }

    [TestMethod]
    public void InitializerIsSeededAndScaledByActivation()
    {
        var relu = new NetworkDescription(100, [50], MlpActivation.Relu, 1, LossFunction.Squared);
        var a = ParameterInitializer.Create(relu, 1);
        CollectionAssert.AreEqual(a, ParameterInitializer.Create(relu, 1));
        CollectionAssert.AreNotEqual(a, ParameterInitializer.Create(relu, 2));
        float heLimit = MathF.Sqrt(6f / 100);
        var first = a.AsSpan(0, 5000).ToArray();
        Assert.IsTrue(first.All(w => MathF.Abs(w) <= heLimit));
        Assert.IsGreaterThan(0.9f * heLimit, first.Max(), "He-uniform should fill its range");
        Assert.IsTrue(a.AsSpan(relu.WeightCount).ToArray().All(b => b == 0f), "biases start at zero");
    }
}
