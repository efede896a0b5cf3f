using System.Runtime.Intrinsics;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Tests;

/// <summary>
/// The activation and loss-head structs that every backend and the predictor share: their scalar forms against float64
/// definitions, and their CPU-only forms (rows, 8-lane vectors) against the scalar ones.
/// </summary>
[TestClass]
internal sealed class ActivationAndLossHeadTests
{
    private static readonly float[] s_specials = [0f, -0f, 1e-30f, -1e-30f, 0.5f, -0.5f, 3f, -3f, 40f, -40f, 100f, -100f,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, -float.MaxValue, float.Epsilon];

    public static IEnumerable<object[]> EveryActivation() => Enum.GetValues<MlpActivation>().Select(a => new object[] { a });

    [TestMethod]
    [DynamicData(nameof(EveryActivation))]
    public void ScalarFormsMatchTheFloat64Definitions(MlpActivation activation)
    {
        for (double z = -6; z <= 6; z += 0.125)
        {
            var (a, slope) = Scalar.Apply(activation, (float)z, delta: 1f);
            double expected = ReferenceNetwork.Activate(activation, z);
            Assert.AreEqual(expected, a, 1e-6 + 1e-6 * Math.Abs(expected), $"s({z})");
            if (z == 0 && activation is MlpActivation.Relu or MlpActivation.LeakyRelu)
                continue; // the kink
            const double h = 1e-4;
            double numeric = (ReferenceNetwork.Activate(activation, z + h) - ReferenceNetwork.Activate(activation, z - h)) / (2 * h);
            Assert.AreEqual(numeric, slope, 1e-4, $"s'({z})");
        }
    }

    [TestMethod]
    [DynamicData(nameof(EveryActivation))]
    public void VectorBackwardEqualsTheScalarOneBitForBit(MlpActivation activation)
    {
        var z = s_specials.Concat(IlgpuParity.RandomValues(30, seed: 1, scale: 4)).ToArray();
        var delta = IlgpuParity.RandomValues(z.Length, seed: 2).Select((d, i) => i % 5 == 4 ? float.NaN : d).ToArray();
        var a = z.Select(v => Scalar.Apply(activation, v, 1f).A).ToArray();
        for (int i = 0; i + Vector256<float>.Count <= z.Length; i += Vector256<float>.Count)
        {
            var vector = Scalar.Backward(activation, Vector256.Create(delta, i), Vector256.Create(z, i), Vector256.Create(a, i));
            for (int lane = 0; lane < Vector256<float>.Count; lane++)
            {
                float scalar = Scalar.Apply(activation, z[i + lane], delta[i + lane]).DeltaTimesSlope;
                Assert.AreEqual(BitConverter.SingleToInt32Bits(scalar), BitConverter.SingleToInt32Bits(vector[lane]),
                    $"{activation}: z = {z[i + lane]}, delta = {delta[i + lane]}: vector {vector[lane]}, scalar {scalar}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(EveryActivation))]
    public void RowForwardMatchesTheScalarOne(MlpActivation activation)
    {
        var z = IlgpuParity.RandomValues(37, seed: 3, scale: 4); // vector bodies and a tail
        var row = new float[z.Length];
        Scalar.Forward(activation, z, row);
        IlgpuParity.AreClose(z.Select(v => Scalar.Apply(activation, v, 1f).A).ToArray(), row, 2e-6, 1e-7, activation.ToString());
    }

    [TestMethod]
    public void SoftmaxLossStaysExactForLargeCloseLogits()
    {
        // max + log Σ − z_y would round at the scale of the logits (ulp(1000) = 6e-5); (max − z_y) + log Σ does not.
        float[] z = [1000f, 1000.25f, 999.5f];
        double sum = z.Sum(v => Math.Exp(v - 1000.25));
        var (loss, gradient) = Scalar.Loss(LossFunction.SoftmaxCrossEntropy, z, [0f]);
        Assert.AreEqual(0.25 + Math.Log(sum), loss, 1e-6);
        Assert.AreEqual(Math.Exp(-0.25) / sum - 1, gradient[0], 1e-6);
    }

    [TestMethod]
    public void EveryHeadMatchesTheFloat64Loss()
    {
        var z = IlgpuParity.RandomValues(3, seed: 4, scale: 3);
        foreach (var loss in Enum.GetValues<LossFunction>())
        {
            int k = loss == LossFunction.BinaryCrossEntropy ? 1 : 3;
            var net = new NetworkDescription(1, [], MlpActivation.Identity, k, loss, huberDelta: 0.7f);
            float[] y = loss switch { LossFunction.BinaryCrossEntropy => [1f], LossFunction.SoftmaxCrossEntropy => [2f], _ => [0.5f, -1f, 4f] };
            var (actual, _) = Scalar.Loss(loss, z[..k], y, huberDelta: 0.7f);
            double expected = ReferenceNetwork.Loss(net, z[..k].Select(v => (double)v).ToArray(), y);
            Assert.AreEqual(expected, actual, 1e-6 + 1e-6 * expected, loss.ToString());
        }
    }

    [TestMethod]
    public void DispatchNamesAnUnknownEnumValue()
    {
        var activation = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Scalar.Apply((MlpActivation)99, 0f, 1f));
        StringAssert.Contains(activation.Message, "Unknown activation 99");
        var loss = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Scalar.Loss((LossFunction)42, [0f], [0f]));
        StringAssert.Contains(loss.Message, "Unknown loss 42");
    }

    /// <summary>Runs the structs of a runtime activation or loss on arrays.</summary>
    internal static class Scalar
    {
        public static (float A, float DeltaTimesSlope) Apply(MlpActivation activation, float z, float delta)
        {
            var call = new ScalarCall { Z = z, Delta = delta };
            Activations.Dispatch(activation, ref call);
            return (call.A, call.Result);
        }

        public static Vector256<float> Backward(MlpActivation activation, Vector256<float> delta, Vector256<float> z, Vector256<float> a)
        {
            var call = new VectorCall { Delta = delta, Z = z, A = a };
            Activations.Dispatch(activation, ref call);
            return call.Result;
        }

        public static void Forward(MlpActivation activation, float[] z, float[] a)
        {
            var call = new RowCall { Z = z, A = a };
            Activations.Dispatch(activation, ref call);
        }

        public static (float Loss, float[] Gradient) Loss(LossFunction loss, float[] z, float[] y, float huberDelta = 1f)
        {
            var call = new LossCall { Z = z, Y = y, G = new float[z.Length], HuberDelta = huberDelta };
            LossHeads.Dispatch(loss, ref call);
            return (call.Loss, call.G);
        }

        private struct ScalarCall : IActivationConsumer
        {
            public float Z, Delta, A, Result;

            public void Invoke<T>()
                where T : struct, IActivation
            {
                A = default(T).Forward(Z);
                Result = default(T).Backward(Delta, Z, A);
            }
        }

        private struct VectorCall : IActivationConsumer
        {
            public Vector256<float> Delta, Z, A, Result;

            public void Invoke<T>()
                where T : struct, IActivation => Result = default(T).Backward(Delta, Z, A);
        }

        private struct RowCall : IActivationConsumer
        {
            public float[] Z, A;

            public readonly void Invoke<T>()
                where T : struct, IActivation => default(T).Forward(Z, A);
        }

        private struct LossCall : ILossHeadConsumer
        {
            public float[] Z, Y, G;
            public float HuberDelta, Loss;

            public void Invoke<T>()
                where T : struct, ILossHead => Loss = default(T).Loss(new ArrayRow(Z, Y, G), Z.Length, HuberDelta, 1f, true, out _, out _);
        }

        private readonly struct ArrayRow(float[] z, float[] y, float[] g) : ILossRow
        {
            public float Output(int j) => z[j];

            public float Label(int j) => y[j];

            public void SetGradient(int j, float value) => g[j] = value;
        }
    }
}
