using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>A pinned managed array, so kernels take raw pointers without pinning on every call.</summary>
internal sealed class CpuBuffer<T> : DeviceBuffer<T>
    where T : unmanaged
{
    private const int CacheLine = 64;

    private readonly T[] _array;
    private readonly int _offset; // elements before element 0, which starts a cache line in buffers this class allocates
    private GCHandle _pin;

    /// <summary>
    /// A zero-filled buffer whose element 0 starts a cache line. Matrices in it then have their rows and the column
    /// ranges two cores write side by side (multiples of 16 floats) on lines of their own: unaligned, every row shares
    /// one line between the cores, and that line moves back and forth for each tile written.
    /// </summary>
    public unsafe CpuBuffer(int length)
        : base(length)
    {
        int size = Unsafe.SizeOf<T>();
        _array = GC.AllocateArray<T>(length + CacheLine / size, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _offset = (int)((CacheLine - (address & (CacheLine - 1))) & (CacheLine - 1)) / size;
    }

    /// <summary>Wraps an existing array (as is, unaligned), pinning it until <see cref="Dispose"/>.</summary>
    public CpuBuffer(T[] array)
        : base(array.Length)
    {
        _array = array;
        _pin = GCHandle.Alloc(array, GCHandleType.Pinned);
    }

    /// <summary>The storage as a span of <see cref="DeviceBuffer{T}.Length"/> elements.</summary>
    public Span<T> Span => _array.AsSpan(_offset, Length);

    /// <summary>Address of element 0 (stable: the array is pinned).</summary>
    public unsafe T* Pointer => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array)) + _offset;

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_pin.IsAllocated)
            _pin.Free();
    }
}
