using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>A pinned managed array, so kernels take raw pointers without pinning on every call.</summary>
internal sealed class CpuBuffer<T> : DeviceBuffer<T>
    where T : unmanaged
{
    public CpuBuffer(int length)
        : base(length) => Array = GC.AllocateArray<T>(length, pinned: true);

    /// <summary>The pinned storage.</summary>
    public T[] Array { get; }

    /// <summary>The storage as a span.</summary>
    public Span<T> Span => Array;

    /// <summary>Address of element 0 (stable: the array is pinned).</summary>
    public unsafe T* Pointer => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array));

    /// <inheritdoc/>
    public override void Dispose()
    {
    }
}
