namespace Microsoft.ML.Trainers.Mlp;

/// <summary>Where the network trains. Prediction always runs on the CPU.</summary>
/// <remarks>One enum from the trainer's options down to the backends; it lives in the compute core's assembly, which the
/// Mlp.MLNet package carries next to the trainers.</remarks>
public enum MlpDevice
{
    /// <summary>A CUDA GPU when one is present, else an OpenCL GPU, else the CPU. The default.</summary>
    Auto = 0,

    /// <summary>The CPU (SIMD code on all cores).</summary>
    Cpu = 1,

    /// <summary>An NVIDIA GPU through CUDA; training fails with a clear error when none is present.</summary>
    Cuda = 2,

    /// <summary>A GPU through OpenCL; training fails with a clear error when none is present.</summary>
    OpenCL = 3,
}
