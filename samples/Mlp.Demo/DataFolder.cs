namespace Mlp.Demo;

/// <summary>Finds the shared data folder (shared/data beside the repository, or MLP_DATA).</summary>
internal static class DataFolder
{
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
                    if (File.Exists(Path.Combine(candidate, "breast_cancer_wisconsin.csv")))
                        return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            "Could not find the data folder (shared/data beside the repository). Set MLP_DATA to the folder holding breast_cancer_wisconsin.csv.");
    }
}
