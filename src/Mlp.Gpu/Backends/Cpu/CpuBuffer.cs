using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>A pinned managed array, so kernels take raw pointers without pinning on every call.</summary>
internal sealed class CpuBuffer<T> : DeviceBuffer<T>
    where T : unmanaged
{
    private GCHandle _pin;

    public CpuBuffer(int length)
        : base(length) => Array = GC.AllocateArray<T>(length, pinned: true);

    /// <summary>Wraps an existing array, pinning it until <see cref="Dispose"/>.</summary>
    public CpuBuffer(T[] array)
        : base(array.Length)
    {
        Array = array;
        _pin = GCHandle.Alloc(array, GCHandleType.Pinned);
    }

    /// <summary>The pinned storage.</summary>
    public T[] Array { get; }

    /// <summary>The storage as a span.</summary>
    public Span<T> Span => Array;

    /// <summary>Address of element 0 (stable: the array is pinned).</summary>
    public unsafe T* Pointer => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array));

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_pin.IsAllocated)
            _pin.Free();
    }
}
