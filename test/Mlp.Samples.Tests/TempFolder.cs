namespace Mlp.Samples.Tests;

/// <summary>A fresh folder under the system temp directory, deleted on dispose: samples never write into the repository
/// during tests.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow file system: leave it to the OS's temp cleanup.
        }
    }

    /// <summary>Asserts that <paramref name="path"/> is a non-trivial PNG file.</summary>
    public static void AssertPng(string path)
    {
        Assert.IsTrue(File.Exists(path), $"{path} was not written.");
        var bytes = File.ReadAllBytes(path);
        Assert.IsGreaterThan(1000, bytes.Length, $"{path} is suspiciously small.");
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4], $"{path} is not a PNG.");
    }
}
