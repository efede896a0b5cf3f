namespace Mlp.Samples.Tests;

/// <summary>The samples' data-folder lookup: MLP_DATA wins when it names a folder, and a mistyped one is an error.</summary>
[TestClass]
public sealed class DataFolderTests
{
    [TestMethod]
    public void AMistypedMlpDataIsAnErrorNamingTheValue()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-mlp-data-folder");
        var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => DataFolder.Find(missing));
        StringAssert.Contains(error.Message, $"MLP_DATA is set to '{missing}', which is not a folder");
    }

    [TestMethod]
    public void MlpDataNamingAFolderWinsAndUnsetSearchesUpwards()
    {
        using var folder = new TempFolder("mlp-data-");
        Assert.AreEqual(folder.Path, DataFolder.Find(folder.Path));
        string found = DataFolder.Find("");
        Assert.IsTrue(File.Exists(Path.Combine(found, "breast_cancer_wisconsin.csv")), found);
    }
}
