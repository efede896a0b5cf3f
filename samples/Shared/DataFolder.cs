// The one copy of the data-folder lookup; samples link it with <Compile Include="../Shared/DataFolder.cs" />.
namespace Mlp.Samples;

/// <summary>Finds the shared data folder: MLP_DATA if set (a folder that must exist: a mistyped value is an error,
/// not a silent fallback), else shared/data (or data) in the current or the program's directory or any folder above
/// them.</summary>
internal static class DataFolder
{
    /// <summary>The file every copy of the data folder holds; it tells the right folder from any other "data".</summary>
    private const string MarkerFile = "breast_cancer_wisconsin.csv";

    public static string Find() => Find(Environment.GetEnvironmentVariable("MLP_DATA"));

    /// <summary>The data folder, given the value of MLP_DATA (null or empty: not set).</summary>
    /// <exception cref="DirectoryNotFoundException">MLP_DATA names no folder, or it is not set and no data folder is found.</exception>
    public static string Find(string? fromEnvironment)
    {
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? fromEnvironment
                : throw new DirectoryNotFoundException(
                    $"MLP_DATA is set to '{fromEnvironment}', which is not a folder. Set it to the folder holding {MarkerFile}, or unset it.");
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "data") })
                    if (File.Exists(Path.Combine(candidate, MarkerFile)))
                        return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"Could not find the data folder (shared/data beside the repository). Set MLP_DATA to the folder holding {MarkerFile}.");
    }

    /// <summary>The path of <paramref name="fileName"/> in the data folder; a clear error if it is missing.</summary>
    public static string PathOf(string fileName)
    {
        string path = Path.Combine(Find(), fileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file {fileName} is not in the data folder {Path.GetDirectoryName(path)}.", path);
        return path;
    }
}
