using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
namespace Mlp.Gpu.Tests;

[TestClass]
internal sealed class PredictorTests
{
    [TestMethod]
    [DataRow(LossFunction.BinaryCrossEntropy, 1)]
    [DataRow(LossFunction.SoftmaxCrossEntropy, 4)]
    [DataRow(LossFunction.Squared, 3)]
    [DataRow(LossFunction.Huber, 2)]
    public void MatchesTheReferenceForwardPass(LossFunction loss, int outputs)
    {
        foreach (var activation in Enum.GetValues<MlpActivation>())
        {
            var net = new NetworkDescription(7, [9, 5], activation, outputs, loss);
            var parameters = ParameterInitializer.Create(net, 3);
            var predictor = new NetworkPredictor(net, parameters);
            var data = TestData.Random(5, net, seed: 2, weighted: false);
            var output = new float[outputs];
            for (int r = 0; r < data.RowCount; r++)
            {
                var x = data.Features.AsSpan(r * 7, 7);
                predictor.Predict(x, output);
                var z = ReferenceNetwork.Forward(net, parameters.Select(p => (double)p).ToArray(), x);
                if (loss == LossFunction.SoftmaxCrossEntropy)
                {
                    double sum = z.Sum(Math.Exp);
                    z = z.Select(v => Math.Exp(v) / sum).ToArray();
                    Assert.AreEqual(1.0, output.Sum(), 1e-5);
                }
                for (int j = 0; j < outputs; j++)
                    Assert.AreEqual(z[j], output[j], 1e-5 + 1e-4 * Math.Abs(z[j]), $"{activation} row {r} output {j}");
            }
        }
    }

    [TestMethod]
    public void RejectsWrongFeatureCount()
    {
        var net = new NetworkDescription(3, [2], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);
        var predictor = new NetworkPredictor(net, ParameterInitializer.Create(net, 1));
        var error = Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(new float[4], new float[1]));
        StringAssert.Contains(error.Message, "Expected 3 features, got 4");
    }

    [TestMethod]
    public void IsThreadSafe()
    {
        var net = new NetworkDescription(20, [64, 32], MlpActivation.Tanh, 1, LossFunction.Squared);
        var predictor = new NetworkPredictor(net, ParameterInitializer.Create(net, 1));
        var data = TestData.Random(500, net, seed: 1, weighted: false);
        float[] Score()
        {
            var result = new float[data.RowCount];
            var output = new float[1];
            for (int r = 0; r < data.RowCount; r++)
            {
                predictor.Predict(data.Features.AsSpan(r * 20, 20), output);
                result[r] = output[0];
            }
            return result;
        }
        var expected = Score();
        var parallel = Enumerable.Range(0, 4).AsParallel().Select(_ => Score()).ToArray();
        foreach (var scores in parallel)
            CollectionAssert.AreEqual(expected, scores);
    }
}
