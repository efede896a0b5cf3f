using ILGPU;
using ILGPU.Runtime.Cuda;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// GEMM through cuBLAS on a CUDA accelerator. cuBLAS is column-major: a row-major matrix X (r x c, ld) is the
/// column-major Xᵀ (c x r, ld), so row-major C = op(A)·op(B) is computed as the column-major
/// Cᵀ = op(B)ᵀ·op(A)ᵀ: B and A swap places, m and n swap, each keeps its own transpose flag.
/// </summary>
internal sealed class CuBlasGemm : IIlgpuGemm
{
    private readonly CuBlas _blas;

    public CuBlasGemm(CudaAccelerator accelerator)
    {
        CuBlasLibraryResolver.Register();
        _blas = new CuBlas(accelerator); // newest cuBLAS ILGPU knows (.so.12 first), bound to the default stream
        _blas.PointerMode = CuBlasPointerMode.Host; // α and β are host scalars
        _blas.MathMode = CuBlasMathMode.DefaultMath;    // plain FP32, no TF32 down-conversion: parity with the CPU backend
    }

    /// <inheritdoc/>
    public string Name => $"cuBLAS {_blas.Version}";

    /// <inheritdoc/>
    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc) =>
        _blas.Gemm(
            transposeB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            transposeA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);

    /// <inheritdoc/>
    public void Dispose() => _blas.Dispose();
}
