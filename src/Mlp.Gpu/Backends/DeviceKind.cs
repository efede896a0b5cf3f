namespace Mlp.Gpu.Backends;

/// <summary>Where a network trains.</summary>
internal enum DeviceKind
{
    /// <summary>A CUDA GPU when one is present, else an OpenCL GPU, else the SIMD CPU backend.</summary>
    Auto,

    /// <summary>The managed SIMD CPU backend (all cores).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through ILGPU and cuBLAS; an error when none is present.</summary>
    Cuda,

    /// <summary>An OpenCL GPU through ILGPU; an error when none is present.</summary>
    OpenCL,
}
