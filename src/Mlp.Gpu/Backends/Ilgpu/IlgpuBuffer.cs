using ILGPU;
using ILGPU.Runtime;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>A device buffer on one ILGPU accelerator, tagged with its owner so views from another backend are rejected.</summary>
internal sealed class IlgpuBuffer<T> : DeviceBuffer<T>
    where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _memory;

    public IlgpuBuffer(IlgpuBackend owner, Accelerator accelerator, int length)
        : base(length)
    {
        Owner = owner;
        // ILGPU rejects zero-length allocations on some accelerators; one element keeps every view valid.
        _memory = accelerator.Allocate1D<T>(Math.Max(length, 1));
    }

    /// <summary>The backend that allocated this buffer.</summary>
    public IlgpuBackend Owner { get; }

    /// <summary>The whole buffer (Length elements).</summary>
    public ArrayView<T> View => _memory.View.SubView(0, Length);

    /// <inheritdoc/>
    public override void Dispose() => _memory.Dispose();
}
