using Microsoft.ML.Data;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Locates and loads the real data sets in <c>shared/data</c> beside the repository.</summary>
internal static class TestData
{
    private static readonly Lazy<string> s_directory = new(FindDataDirectory);

    /// <summary>The <c>shared/data</c> directory: the first ancestor of the test assembly's directory that has one.</summary>
    public static string Directory => s_directory.Value;

    public static string PathOf(string fileName)
    {
        string path = Path.Combine(Directory, fileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file '{fileName}' is missing from {Directory}.", path);
        return path;
    }

    /// <summary>Breast Cancer Wisconsin: Label (bool) and 9 features; bare_nuclei has missing values ('?' → NaN).</summary>
    public static IDataView BreastCancer(MLContext ml) => ml.Data.LoadFromTextFile(PathOf("breast_cancer_wisconsin.csv"),
    [
        new TextLoader.Column("Label", DataKind.Boolean, 0),
        new TextLoader.Column("Features", DataKind.Single, 1, 9),
    ], separatorChar: ',', hasHeader: true);

    /// <summary>UCI heart disease (Cleveland), train and test files together: 13 features, Label (bool).</summary>
    public static IDataView Heart(MLContext ml, string fileName) => ml.Data.LoadFromTextFile(PathOf(fileName),
    [
        new TextLoader.Column("Features", DataKind.Single, 0, 12),
        new TextLoader.Column("Label", DataKind.Boolean, 13),
    ], separatorChar: ',', hasHeader: true);

    /// <summary>Optdigits (training part): 64 features, Label (float digit 0-9).</summary>
    public static IDataView OptDigits(MLContext ml) => ml.Data.LoadFromTextFile(PathOf("optdigits_train.csv"),
    [
        new TextLoader.Column("Features", DataKind.Single, 0, 63),
        new TextLoader.Column("Label", DataKind.Single, 64),
    ], separatorChar: ',', hasHeader: true);

    /// <summary>Bike sharing (hourly): the 12 columns season..windspeed as features and cnt as Label; instant,
    /// dteday, casual and registered are not loaded (casual + registered = cnt would leak the label).</summary>
    public static IDataView BikeSharing(MLContext ml, string fileName) => ml.Data.LoadFromTextFile(PathOf(fileName),
    [
        new TextLoader.Column("Features", DataKind.Single, 2, 13),
        new TextLoader.Column("Label", DataKind.Single, 16),
    ], separatorChar: ',', hasHeader: true);

    private static string FindDataDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "shared", "data");
            if (System.IO.Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No 'shared/data' directory was found in any ancestor of {AppContext.BaseDirectory}. The tests expect the " +
            "shared folder (with data/) beside the repository clone, e.g. <parent>/main and <parent>/shared/data.");
    }
}
