using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU.Runtime.Cuda;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// ILGPU.Algorithms 1.5.3 binds cuBLAS by versioned file name (libcublas.so.12/.11/.10, cublas64_12.dll, ...), but CUDA 13
/// ships libcublas.so.13 / cublas64_13.dll. This resolver, registered once on ILGPU.Algorithms' assembly, first loads
/// the name asked for and otherwise tries the newer majors and the plain name. cuBLAS keeps its _v2 entry points
/// across majors, so ILGPU's v12 bindings call the v13 library unchanged.
/// </summary>
internal static class CuBlasLibraryResolver
{
    private static readonly string[] s_linuxFallbacks = ["libcublas.so.13", "libcublas.so.12", "libcublas.so"];
    private static readonly string[] s_windowsFallbacks = ["cublas64_13.dll", "cublas64_12.dll"];
    private static int s_registered;

    /// <summary>Registers the resolver (idempotent, thread-safe).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) != 0)
            return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(CuBlas).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Someone else registered a resolver for ILGPU.Algorithms first; theirs wins, ILGPU's names still work.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        bool linux = libraryName.StartsWith("libcublas", StringComparison.Ordinal);
        bool windows = libraryName.StartsWith("cublas64", StringComparison.OrdinalIgnoreCase);
        if (!linux && !windows)
            return IntPtr.Zero; // not ours: the default probing handles it
        if (NativeLibrary.TryLoad(libraryName, assembly, searchPath, out var handle))
            return handle;
        foreach (var name in linux ? s_linuxFallbacks : s_windowsFallbacks)
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out handle))
                return handle;
        return IntPtr.Zero;
    }
}
