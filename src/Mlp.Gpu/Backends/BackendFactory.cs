using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends.Ilgpu;

namespace Mlp.Gpu.Backends;

/// <summary>Turns a <see cref="MlpDevice"/> into a backend.</summary>
internal static class BackendFactory
{
    /// <summary>
    /// Creates the backend for <paramref name="device"/>. Auto takes a CUDA GPU, else an OpenCL GPU, else the SIMD CPU
    /// backend (never ILGPU's CPU simulator); asking for a GPU that is absent is an error, never a silent fallback.
    /// </summary>
    /// <param name="device">The device to train on.</param>
    /// <param name="cpuThreads">Cores the CPU backend may use (null: all); GPU backends ignore it.</param>
    /// <exception cref="InvalidOperationException">Cuda or OpenCL was requested and no such GPU exists; the message lists the devices seen.</exception>
    public static IBackend Create(MlpDevice device, int? cpuThreads = null) => device switch
    {
        MlpDevice.Cpu => new CpuBackend(cpuThreads),
        MlpDevice.Auto => (IBackend?)IlgpuDevices.TryCreateGpuBackend() ?? new CpuBackend(cpuThreads),
        MlpDevice.Cuda or MlpDevice.OpenCL => IlgpuDevices.CreateBackend(device),
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, $"Unknown device; expected one of {string.Join(", ", Enum.GetNames<MlpDevice>())}."),
    };
}
