using System.Runtime.Intrinsics;

namespace Mlp.Gpu.Network;

/// <summary>
/// One non-linearity a = s(z) as a tiny stateless struct that kernels are generic over (ILGPU's idiom, as its
/// <c>IScanReduceOperation&lt;T&gt;</c>): the CPU kernels, the ILGPU kernels and the predictor all call these members,
/// through <c>default(T)</c>. The scalar members are throw-free and float-only, because ILGPU kernels call them.
/// </summary>
internal interface IActivation
{
    /// <summary>a = s(z).</summary>
    float Forward(float z);

    /// <summary>a = s(z) over a row, on the CPU (a may be z): vectorized where System.Numerics.Tensors has s.</summary>
    void Forward(ReadOnlySpan<float> z, Span<float> a);

    /// <summary>delta·s'(z), given z and a = s(z) (sigmoid and tanh are cheaper from a).</summary>
    float Backward(float delta, float z, float a);

    /// <summary><see cref="Backward(float, float, float)"/> on 8 lanes, bit for bit the same per lane.</summary>
    Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a);
}

/// <summary>Code generic over the activation, called by <see cref="Activations.Dispatch"/> with the struct of a runtime value.</summary>
internal interface IActivationConsumer
{
    /// <summary>Runs with <typeparamref name="TActivation"/> as the activation.</summary>
    void Invoke<TActivation>()
        where TActivation : struct, IActivation;
}
