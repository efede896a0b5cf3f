// The one copy of the data-folder lookup; samples link it with <Compile Include="../Shared/DataFolder.cs" />.
namespace Mlp.Samples;

/// <summary>Finds the shared data folder: MLP_DATA if set, else shared/data (or data) in the current or the
/// program's directory or any folder above them.</summary>
internal static class DataFolder
{
    /// <summary>The file every copy of the data folder holds; it tells the right folder from any other "data".</summary>
    private const string MarkerFile = "breast_cancer_wisconsin.csv";

    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MLP_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
            return fromEnvironment;
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
