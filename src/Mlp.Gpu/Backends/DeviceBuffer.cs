namespace Mlp.Gpu.Backends;

/// <summary>
/// A buffer owned by a backend (host memory for the CPU backend, device memory for ILGPU). Allocated once per
/// training run and reused by every minibatch.
/// </summary>
internal abstract class DeviceBuffer<T> : IDisposable
    where T : unmanaged
{
    protected DeviceBuffer(int length) => Length = length;

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <inheritdoc/>
    public abstract void Dispose();
}

/// <summary>A float buffer with an element offset: how kernels address one layer's W, b, z or a.</summary>
internal readonly record struct BufferView(DeviceBuffer<float> Buffer, int Offset)
{
    public static implicit operator BufferView(DeviceBuffer<float> buffer) => new(buffer, 0);
}
