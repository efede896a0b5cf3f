using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Testing;

namespace Mlp.Gpu.Tests;

/// <summary>Inverted dropout: the mask's statistics, the backward pass through it, and that inference never drops.</summary>
[TestClass]
internal sealed class DropoutTests
{
    [TestMethod]
    public void MaskDropsTheRateAndScalesTheRest()
    {
        const int n = 100_000;
        const float rate = 0.3f;
        var masks = Enumerable.Range(0, n).Select(i => DropoutMath.Mask(DropoutMath.StepSeed(1, 1, 0), i, rate)).ToArray();
        double dropped = masks.Count(m => m == 0f) / (double)n;
        Assert.AreEqual(rate, dropped, 0.01, "fraction dropped");
        Assert.IsTrue(masks.Where(m => m != 0f).All(m => m == 1f / (1f - rate)), "kept units are scaled by 1/(1-p)");
        Assert.AreEqual(1.0, masks.Average(), 0.02, "the expected activation is unchanged");
        var otherStep = Enumerable.Range(0, n).Select(i => DropoutMath.Mask(DropoutMath.StepSeed(1, 2, 0), i, rate)).ToArray();
        // Independent masks agree with probability p² + (1−p)² = 0.58; identical ones would agree everywhere.
        Assert.AreEqual(0.58, Agreement(masks, otherStep), 0.01, "each step draws a new, independent mask");
    }

    [TestMethod]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.Sigmoid)]
    public void BackwardThroughTheMaskMatchesFiniteDifferences(MlpActivation activation)
    {
        const float rate = 0.4f;
        const int rows = 6, step = 3, seed = 9;
        var net = new NetworkDescription(4, [7, 5], activation, 2, LossFunction.SoftmaxCrossEntropy);
        var data = TestData.Random(rows, net, seed: 2, weighted: true);
        var parameters = ParameterInitializer.Create(net, seed: 4);

        using var backend = new CpuBackend();
        using var workspace = new NetworkWorkspace(backend, net, rows, MlpOptimizer.Sgd, rate, seed);
        backend.Upload(parameters, workspace.Parameters);
        backend.Upload(data.Features, workspace.Input);
        backend.Upload(data.Labels, workspace.Labels);
        backend.Upload(data.Weights!, workspace.Weights);
        workspace.Forward(rows, trainingStep: step);
        workspace.Loss(rows, weighted: true, withGradient: true);
        workspace.Backward(rows);
        var analytic = new float[net.ParameterCount];
        backend.Download(workspace.Gradients, analytic);

        // The reference applies the same masks: element (r, j) of hidden layer l has index r·width + j in its buffer.
        double Loss(double[] p)
        {
            double total = 0;
            for (int r = 0; r < rows; r++)
            {
                var a = data.Features.AsSpan(r * 4, 4).ToArray().Select(v => (double)v).ToArray();
                for (int l = 0; l < net.Layers.Count; l++)
                {
                    var layer = net.Layers[l];
                    var next = new double[layer.OutputCount];
                    for (int j = 0; j < layer.OutputCount; j++)
                    {
                        double z = p[layer.BiasOffset + j];
                        for (int i = 0; i < layer.InputCount; i++)
                            z += p[layer.WeightOffset + j * layer.InputCount + i] * a[i];
                        next[j] = ReferenceNetwork.Activate(layer.Activation, z);
                        if (l < net.Layers.Count - 1)
                            next[j] *= DropoutMath.Mask(DropoutMath.StepSeed(seed, step, l), r * layer.OutputCount + j, rate);
                    }
                    a = next;
                }
                total += data.Weights![r] * ReferenceNetwork.Loss(net, a, data.Labels.AsSpan(r, 1));
            }
            return total / rows;
        }

        var theta = parameters.Select(v => (double)v).ToArray();
        const double h = 1e-4;
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = theta[i];
            theta[i] = saved + h;
            double plus = Loss(theta);
            theta[i] = saved - h;
            double minus = Loss(theta);
            theta[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            Assert.IsLessThanOrEqualTo(2e-4 + 2e-3 * Math.Abs(numeric), Math.Abs(analytic[i] - numeric), $"dL/dθ[{i}]: analytic {analytic[i]} vs numeric {numeric}");
        }
    }

    [TestMethod]
    public void DropoutChangesTrainingButNotInference()
    {
        var data = TestData.Blobs(200, 5, 3, seed: 1);
        var valid = TestData.Blobs(60, 5, 3, seed: 2);
        var net = new NetworkDescription(5, [32], MlpActivation.Relu, 3, LossFunction.SoftmaxCrossEntropy);
        var initial = ParameterInitializer.Create(net, 1);
        var plain = NetworkTrainer.Train(net, initial, data, valid, CoreTestOptions.Training with { Epochs = 3 });
        var dropped = NetworkTrainer.Train(net, initial, data, valid, CoreTestOptions.Training with { Epochs = 3, DropoutRate = 0.5f });
        CollectionAssert.AreNotEqual(plain.Parameters, dropped.Parameters, "dropout changes what is learned");

        // The recorded validation loss is the loss of the full network (no units dropped, no rescaling).
        var predictor = new NetworkPredictor(net, dropped.Parameters);
        var output = new float[3];
        double loss = 0;
        for (int r = 0; r < valid.RowCount; r++)
        {
            predictor.Predict(valid.Features.AsSpan(r * 5, 5), output);
            loss -= Math.Log(output[(int)valid.Labels[r]]);
        }
        Assert.AreEqual(loss / valid.RowCount, dropped.History[^1].ValidationLoss!.Value, 1e-4);
    }

    private static double Agreement(float[] a, float[] b) => a.Zip(b).Count(p => p.First == p.Second) / (double)a.Length;
}
