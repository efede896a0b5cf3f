using Mlp.Gpu.Backends.Cpu;

namespace Mlp.Gpu.Backends;

/// <summary>Turns a <see cref="DeviceKind"/> into a backend.</summary>
internal static class BackendFactory
{
    /// <summary>Creates the backend for <paramref name="device"/>; asking for a device that is absent is an error, never a silent fallback.</summary>
    public static IBackend Create(DeviceKind device) => device switch
    {
        DeviceKind.Auto or DeviceKind.Cpu => new CpuBackend(),
        _ => throw new NotSupportedException(
            $"Device {device} was requested, but this build has no GPU backend yet; use {nameof(DeviceKind.Cpu)} or {nameof(DeviceKind.Auto)}."),
    };
}
