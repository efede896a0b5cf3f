using System.IO.Compression;
using System.Reflection;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// Loads ML.NET model files that may be damaged (a truncated download, a flipped bit on disk) with one documented
/// failure: <see cref="InvalidDataException"/>. Use it instead of <c>mlContext.Model.Load</c> where a file comes from
/// outside the program.
/// </summary>
/// <remarks>
/// <para>
/// <c>MLContext.Model.Load</c> does not check the CRC-32 of the zip entries, so damaged bytes inside a compressed entry
/// reach ML.NET's readers as garbage; its schema reader can then loop for minutes or throw exceptions of many kinds.
/// <see cref="Load(MLContext, Stream, out DataViewSchema)"/> first reads every entry once, checking its size against
/// <see cref="MaxUncompressedBytes"/> and its CRC-32, and only then hands the file to ML.NET. Any failure, of the
/// check or of ML.NET's loading (for example a future format version, or another program's zip file), becomes an
/// <see cref="InvalidDataException"/> whose message names the cause and whose <see cref="Exception.InnerException"/>
/// is the original exception.
/// </para>
/// <para>
/// The check detects accidental damage, not a file crafted with valid checksums; the MLP's own part of a model file is
/// validated field by field whatever the loader (sizes are checked against their limits and the bytes present before
/// anything is allocated), but ML.NET's parts (schemas, transforms) are read by ML.NET's code. Load files from
/// untrusted sources in a separate, time-limited process.
/// </para>
/// </remarks>
public static class MlpModelFile
{
    /// <summary>Largest total uncompressed size of a model file's entries: 4 GiB (an MLP has at most 2^30 parameters).</summary>
    public const long MaxUncompressedBytes = 4L << 30;

    /// <summary>Checks and loads the model file at <paramref name="path"/>.</summary>
    /// <param name="mlContext">The context to load into.</param>
    /// <param name="path">A file written by <c>mlContext.Model.Save</c>.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, truncated, from a newer version, or not an ML.NET model.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Load(mlContext, stream, $"file '{path}'", out inputSchema);
    }

    /// <summary>Checks and loads a model from <paramref name="stream"/> (read from its current position; a stream that
    /// cannot seek is copied to memory first).</summary>
    /// <param name="mlContext">The context to load into.</param>
    /// <param name="stream">A model written by <c>mlContext.Model.Save</c>.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <exception cref="InvalidDataException">The model is damaged, truncated, from a newer version, or not an ML.NET model.</exception>
    public static ITransformer Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(stream);
        return Load(mlContext, stream, "stream", out inputSchema);
    }

    /// <param name="mlContext">The context to load into.</param>
    /// <param name="stream">The model.</param>
    /// <param name="source">Names the model in messages: "stream" or "file '...'".</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    private static ITransformer Load(MLContext mlContext, Stream stream, string source, out DataViewSchema inputSchema)
    {
        Stream seekable = stream;
        try
        {
            if (!stream.CanSeek)
            {
                seekable = new MemoryStream();
                CopyAtMost(stream, seekable, MaxUncompressedBytes);
                seekable.Position = 0;
            }
            long start = seekable.Position;
            CheckEntries(seekable);
            seekable.Position = start;
            return mlContext.Model.Load(seekable, out inputSchema);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidDataException or IOException
            or ArgumentException or NotSupportedException or TargetInvocationException)
        {
            var cause = e;
            while (cause.InnerException is not null)
                cause = cause.InnerException;
            throw new InvalidDataException(
                $"The model {source} could not be loaded: it is damaged, truncated, " +
                $"from a newer version, or not an ML.NET model. {cause.Message}", e);
        }
        finally
        {
            if (!ReferenceEquals(seekable, stream))
                seekable.Dispose();
        }
    }

    /// <summary>Reads every entry once: its size within the limit and its CRC-32 as the zip directory says.</summary>
    private static void CheckEntries(Stream stream)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        long total = 0;
        var buffer = new byte[81920];
        foreach (var entry in archive.Entries)
        {
            total += entry.Length;
            if (entry.Length < 0 || total > MaxUncompressedBytes)
                throw new InvalidDataException($"The zip entries are larger than {MaxUncompressedBytes:N0} bytes together.");
            using var content = entry.Open();
            uint crc = Crc32.Initial;
            long length = 0;
            for (int read; (read = content.Read(buffer)) > 0;)
            {
                length += read;
                if (length > entry.Length)
                    break;
                crc = Crc32.Append(crc, buffer.AsSpan(0, read));
            }
            if (length != entry.Length || Crc32.Finish(crc) != entry.Crc32)
                throw new InvalidDataException($"The zip entry '{entry.FullName}' is damaged (its size or CRC-32 does not match the zip directory).");
        }
    }

    private static void CopyAtMost(Stream source, Stream destination, long limit)
    {
        var buffer = new byte[81920];
        long copied = 0;
        for (int read; (read = source.Read(buffer)) > 0;)
        {
            copied += read;
            if (copied > limit)
                throw new InvalidDataException($"The model stream is larger than {limit:N0} bytes.");
            destination.Write(buffer, 0, read);
        }
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, as zip uses it).</summary>
    private static class Crc32
    {
        public const uint Initial = 0xFFFFFFFFu;

        private static readonly uint[] s_table = CreateTable();

        public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes)
                crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        public static uint Finish(uint crc) => ~crc;

        private static uint[] CreateTable()
        {
            var table = new uint[256];
            for (uint i = 0; i < table.Length; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[i] = c;
            }
            return table;
        }
    }
}
