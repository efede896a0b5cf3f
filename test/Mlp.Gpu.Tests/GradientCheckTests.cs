using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;

namespace Mlp.Gpu.Tests;

/// <summary>
/// The backward pass against central finite differences of the float64 reference loss, for every activation x
/// every output head x 0/1/3 hidden layers, with and without example weights.
/// </summary>
[TestClass]
internal sealed class GradientCheckTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var activation in Enum.GetValues<MlpActivation>())
            foreach (var loss in Enum.GetValues<LossFunction>())
                foreach (int depth in new[] { 0, 1, 3 })
                    yield return [activation, loss, depth];
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void BackwardMatchesFiniteDifferences(MlpActivation activation, LossFunction loss, int depth)
    {
        int[] hidden = depth switch { 0 => [], 1 => [6], _ => [6, 5, 4] };
        int outputs = loss switch { LossFunction.BinaryCrossEntropy => 1, LossFunction.SoftmaxCrossEntropy => 3, _ => 2 };
        var net = new NetworkDescription(4, hidden, activation, outputs, loss, huberDelta: 0.8f);
        foreach (bool weighted in new[] { false, true })
        {
            var data = TestData.Random(7, net, seed: 11 + depth, weighted);
            var parameters = ParameterInitializer.Create(net, seed: 5);
            for (int i = net.WeightCount; i < parameters.Length; i++)
                parameters[i] = 0.1f * (i % 5 - 2); // non-zero biases exercise db

            var analytic = AnalyticGradient(net, parameters, data);

            var p = parameters.Select(v => (double)v).ToArray();
            const double h = 1e-4;
            for (int i = 0; i < p.Length; i++)
            {
                double saved = p[i];
                p[i] = saved + h;
                double plus = ReferenceNetwork.BatchLoss(net, p, data);
                p[i] = saved - h;
                double minus = ReferenceNetwork.BatchLoss(net, p, data);
                p[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                double error = Math.Abs(analytic[i] - numeric);
                Assert.IsLessThanOrEqualTo(2e-4 + 2e-3 * Math.Abs(numeric), error,
                    $"{net}, weighted={weighted}: dL/dθ[{i}] analytic {analytic[i]} vs numeric {numeric}");
            }
        }
    }

    [TestMethod]
    public void ExampleWeightsScaleTheGradient()
    {
        var net = new NetworkDescription(3, [4], MlpActivation.Tanh, 1, LossFunction.BinaryCrossEntropy);
        var plain = TestData.Random(5, net, seed: 3, weighted: false);
        var doubled = new Dataset(plain.Features, plain.RowCount, plain.FeatureCount, plain.Labels, Enumerable.Repeat(2f, 5).ToArray());
        var parameters = ParameterInitializer.Create(net, seed: 1);
        var g1 = AnalyticGradient(net, parameters, plain);
        var g2 = AnalyticGradient(net, parameters, doubled);
        for (int i = 0; i < g1.Length; i++)
            Assert.AreEqual(2 * g1[i], g2[i], 1e-6 + 1e-5 * Math.Abs(g1[i]));
        Assert.IsTrue(g1.Any(g => Math.Abs(g) > 1e-3), "the gradient should not vanish");
    }

    internal static float[] AnalyticGradient(NetworkDescription net, float[] parameters, Dataset data)
    {
        using var backend = new CpuBackend();
        using var workspace = new NetworkWorkspace(backend, net, data.RowCount, MlpOptimizer.Sgd);
        backend.Upload(parameters, workspace.Parameters);
        backend.Upload(data.Features, workspace.Input);
        backend.Upload(data.Labels, workspace.Labels);
        if (data.Weights is not null)
            backend.Upload(data.Weights, workspace.Weights);
        workspace.Forward(data.RowCount);
        workspace.Loss(data.RowCount, data.Weights is not null, withGradient: true);
        workspace.Backward(data.RowCount);
        var gradient = new float[net.ParameterCount];
        backend.Download(workspace.Gradients, gradient);

        var sums = new float[LossAccumulator.Length];
        backend.Download(workspace.Accumulator, sums);
        double expected = ReferenceNetwork.BatchLoss(net, parameters.Select(v => (double)v).ToArray(), data) * data.RowCount;
        Assert.AreEqual(expected, sums[LossAccumulator.WeightedLoss], 1e-4 * Math.Max(1, Math.Abs(expected)), "loss kernel vs reference");
        return gradient;
    }
}
