using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
namespace Mlp.Gpu.Backends;

/// <summary>
/// The kernels one training step needs, over backend-owned buffers. All matrices are row-major; minibatches are
/// [rows x width]; weights [out x in]. The one training loop (<see cref="Mlp.Gpu.Training.NetworkWorkspace"/>,
/// <see cref="Mlp.Gpu.Training.NetworkTrainer"/>) is written against this interface, so backends differ only here.
/// </summary>
internal interface IBackend : IDisposable
{
    /// <summary>Human-readable device name (for logs and benchmarks).</summary>
    string Name { get; }

    /// <summary>Bytes this device can hold: the host's available memory for the CPU, the accelerator's memory for a
    /// GPU. <see cref="Mlp.Gpu.Training.MemoryEstimate"/> is checked against it before a training run allocates.</summary>
    long MemoryBytes { get; }

    /// <summary>Names the memory in messages, e.g. "host memory".</summary>
    string MemoryName { get; }

    /// <summary>A zero-filled float buffer.</summary>
    DeviceBuffer<float> Allocate(int length);

    /// <summary>A zero-filled int buffer (row indices).</summary>
    DeviceBuffer<int> AllocateIndices(int length);

    /// <summary>
    /// A read-only device buffer with <paramref name="source"/>'s values for the life of a training run. The CPU backend
    /// shares the array itself (pinned, no copy), so training data is held once; GPU backends allocate and upload.
    /// </summary>
    DeviceBuffer<float> Share(float[] source);

    /// <summary>Copies host data into the start of <paramref name="destination"/>.</summary>
    void Upload(ReadOnlySpan<float> source, DeviceBuffer<float> destination);

    /// <summary>Copies host indices into the start of <paramref name="destination"/>.</summary>
    void Upload(ReadOnlySpan<int> source, DeviceBuffer<int> destination);

    /// <summary>Copies the first destination.Length values of <paramref name="source"/> to the host.</summary>
    void Download(DeviceBuffer<float> source, Span<float> destination);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(DeviceBuffer<float> buffer, float value);

    /// <summary>destination[i, :] = source[indices[start + i], :] for i &lt; count; rows are <paramref name="width"/> wide.</summary>
    void GatherRows(DeviceBuffer<float> source, int width, DeviceBuffer<int> indices, int start, int count, DeviceBuffer<float> destination);

    /// <summary>C = α·op(A)·op(B) + β·C with op(A) m x k, op(B) k x n; β = 0 overwrites C.</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        BufferView a, int lda, BufferView b, int ldb, float beta, BufferView c, int ldc);

    /// <summary>z[r, :] += b; a = s(z) (skipped when s is the identity and <paramref name="a"/> is null).</summary>
    void BiasActivation(BufferView z, BufferView bias, BufferView? a, int rows, int columns, MlpActivation activation);

    /// <summary>delta ⊙= s'(z), given z and a = s(z), over <paramref name="count"/> elements.</summary>
    void ActivationBackward(BufferView delta, BufferView z, BufferView a, int count, MlpActivation activation);

    /// <summary>
    /// Inverted dropout over <paramref name="count"/> elements: mask[i] = <see cref="DropoutMath.Mask"/>(seed, i, rate),
    /// output[i] = input[i]·mask[i].
    /// </summary>
    void Dropout(BufferView input, BufferView mask, BufferView output, int count, float rate, uint seed);

    /// <summary>target[i] ·= factor[i] over <paramref name="count"/> elements (dropout's backward pass).</summary>
    void Multiply(BufferView target, BufferView factor, int count);

    /// <summary>destination[j] = Σ_r source[r, j] (the bias gradient).</summary>
    void ColumnSums(BufferView source, int rows, int columns, BufferView destination);

    /// <summary>
    /// Fused loss and output gradient for <paramref name="rows"/> rows of <paramref name="columns"/> logits:
    /// gradient = scale·w_r·∂L_r/∂z (skipped when null); adds [Σw·L, Σw, Σw·correct, Σw·squared error] into
    /// <paramref name="accumulator"/> (see <see cref="LossAccumulator"/>).
    /// </summary>
    void LossGradient(LossFunction loss, float huberDelta, BufferView output, BufferView labels, BufferView? weights,
        int rows, int columns, BufferView? gradient, float scale, DeviceBuffer<float> accumulator);

    /// <summary>
    /// Scales the first <paramref name="count"/> gradients by min(1, maxNorm/‖g‖) (clipping by global norm) without
    /// reading the norm back to the host; <paramref name="scratch"/> (at least 1 element) receives ‖g‖².
    /// </summary>
    void ClipGradientNorm(DeviceBuffer<float> gradients, int count, float maxNorm, DeviceBuffer<float> scratch);

    /// <summary>One fused optimizer update over the flat buffers (moment buffers may be null when the rule has none).</summary>
    void OptimizerUpdate(in OptimizerStep step, DeviceBuffer<float> parameters, DeviceBuffer<float> gradients,
        DeviceBuffer<float>? firstMoment, DeviceBuffer<float>? secondMoment);
}
