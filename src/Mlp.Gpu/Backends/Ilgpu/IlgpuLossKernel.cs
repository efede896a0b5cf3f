using ILGPU;
using ILGPU.Runtime;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Fused loss + output gradient, one thread per row (k is small), generic over the <see cref="ILossHead"/> struct that the
/// CPU kernel runs too; a head's kernel is compiled on its first use and kept. Each row adds w·L, w, w·correct and
/// w·squared error into the 4-float accumulator with atomics (so the sums' rounding order varies run to run on a GPU;
/// the values agree with the CPU backend within float tolerance).
/// </summary>
internal sealed class IlgpuLossKernel(Accelerator accelerator)
{
    private readonly Loader[] _kernels = new Loader[Enum.GetValues<LossFunction>().Length];

    /// <summary>Launches over <paramref name="rows"/> rows; a missing weights/gradient view is passed as null.</summary>
    public void LossGradient(AcceleratorStream stream, LossFunction loss, float huberDelta, ArrayView<float> output,
        ArrayView<float> labels, ArrayView<float>? weights, int rows, int columns, ArrayView<float>? gradient, float scale,
        ArrayView<float> accumulator)
    {
        if (rows == 0)
            return;
        var shape = new LossShape(huberDelta, columns, NetworkDescription.LabelWidthOf(loss, columns), scale, weights.HasValue ? 1 : 0, gradient.HasValue ? 1 : 0);
        ref var kernel = ref _kernels[(int)loss];
        if (kernel.Kernel is null)
        {
            kernel = new Loader(accelerator);
            LossHeads.Dispatch(loss, ref kernel);
        }
        // Absent buffers are replaced by a valid view that the kernel never touches.
        kernel.Kernel!(stream, rows, shape, output, labels, weights ?? output, gradient ?? output, accumulator);
    }

    /// <summary>The loss's scalars, passed to the kernel as one value (flags as ints: kernel arguments must be blittable).</summary>
    internal readonly record struct LossShape(float HuberDelta, int Columns, int LabelWidth, float Scale, int HasWeights, int HasGradient);

    private struct Loader(Accelerator accelerator) : ILossHeadConsumer
    {
        public Action<AcceleratorStream, Index1D, LossShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? Kernel;

        public void Invoke<THead>()
            where THead : struct, ILossHead => Kernel = accelerator.LoadAutoGroupedKernel<Index1D, LossShape, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Kernel<THead>);
    }

    private readonly struct Row(ArrayView<float> output, ArrayView<float> labels, ArrayView<float> gradient, long zBase, long yBase) : ILossRow
    {
        public float Output(int j) => output[zBase + j];

        public float Label(int j) => labels[yBase + j];

        public void SetGradient(int j, float value) => gradient[zBase + j] = value;
    }

    private static void Kernel<THead>(Index1D row, LossShape s, ArrayView<float> output, ArrayView<float> labels,
        ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> accumulator)
        where THead : struct, ILossHead
    {
        float w = s.HasWeights != 0 ? weights[row] : 1f;
        var access = new Row(output, labels, gradient, (long)row.X * s.Columns, (long)row.X * s.LabelWidth);
        float rowLoss = default(THead).Loss(access, s.Columns, s.HuberDelta, s.Scale * w, s.HasGradient != 0, out float correct, out float squared);
        Atomic.Add(ref accumulator[LossAccumulator.WeightedLoss], w * rowLoss);
        Atomic.Add(ref accumulator[LossAccumulator.Weight], w);
        if (correct != 0f)
            Atomic.Add(ref accumulator[LossAccumulator.WeightedCorrect], w * correct);
        if (squared != 0f)
            Atomic.Add(ref accumulator[LossAccumulator.WeightedSquaredError], w * squared);
    }
}
