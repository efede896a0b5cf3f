using System.IO.Compression;
using System.Text;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Reads and rewrites the entries of a saved ML.NET model (a zip of streams with ML.NET's model header).</summary>
internal static class ModelZip
{
    /// <summary>Offset of the model header's ModelVerWritten field (ModelVerReadable follows at +4).</summary>
    public const int ModelVersionOffset = 0x48;

    /// <summary>Offset of the model header's 24-character loader signature.</summary>
    public const int LoaderSignatureOffset = 0x50;

    /// <summary>Size of ML.NET's model header; the component's own stream starts here.</summary>
    public const int HeaderSize = 0x100;

    /// <summary>The time stamp every rewritten entry gets, so that rewritten files are byte-for-byte repeatable.</summary>
    private static readonly DateTimeOffset s_timeStamp = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every entry's name and content.</summary>
    public static Dictionary<string, byte[]> ReadEntries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries[entry.FullName] = copy.ToArray();
        }
        return entries;
    }

    /// <summary>The name of the entry whose model header carries <paramref name="loaderSignature"/>.</summary>
    public static string FindEntry(byte[] zip, string loaderSignature)
    {
        foreach (var (name, content) in ReadEntries(zip))
        {
            if (LoaderSignatureOf(content) == loaderSignature)
                return name;
        }
        throw new AssertFailedException($"No entry with loader signature '{loaderSignature}' in: {string.Join(", ", ReadEntries(zip).Keys)}");
    }

    /// <summary>The loader signature in a model header, or null when the content is too short to have one.</summary>
    public static string? LoaderSignatureOf(byte[] content) =>
        content.Length < HeaderSize ? null : Encoding.ASCII.GetString(content, LoaderSignatureOffset, 24).TrimEnd('\0');

    /// <summary>Writes <paramref name="signature"/> (up to 24 ASCII characters) as the header's loader signature.</summary>
    public static void SetLoaderSignature(byte[] content, string signature)
    {
        var field = content.AsSpan(LoaderSignatureOffset, 24);
        field.Clear();
        Encoding.ASCII.GetBytes(signature, field);
    }

    /// <summary>The same zip with entry <paramref name="name"/> replaced by <paramref name="content"/> (deflated,
    /// valid CRC: the corruption is inside the stream, not the container).</summary>
    public static byte[] Replace(byte[] zip, string name, byte[] content)
    {
        var entries = ReadEntries(zip);
        entries[name] = content;
        return Write(entries);
    }

    /// <summary>A zip of the entries in their order, every time stamp fixed: the same entries give the same bytes.</summary>
    public static byte[] Write(IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = s_timeStamp;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }
}
