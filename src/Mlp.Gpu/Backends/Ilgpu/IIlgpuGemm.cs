using ILGPU;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Row-major C = α·op(A)·op(B) + β·C on the backend's stream, over views already checked by the backend
/// (op(A) m x k, op(B) k x n; β = 0 overwrites C without reading it).
/// </summary>
internal interface IIlgpuGemm : IDisposable
{
    /// <summary>Short name for logs ("cuBLAS", "tiled ILGPU kernel").</summary>
    string Name { get; }

    void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc);
}
