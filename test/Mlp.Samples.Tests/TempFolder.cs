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

    /// <summary>
    /// Asserts that <paramref name="path"/> is a PNG that decodes (see <see cref="PngImage.Decode"/>), of the given size when
    /// one is given, and shows a picture rather than one flat colour.
    /// </summary>
    public static PngImage AssertPng(string path, int? width = null, int? height = null)
    {
        Assert.IsTrue(File.Exists(path), $"{path} was not written.");
        var image = PngImage.Decode(File.ReadAllBytes(path), path);
        if (width is not null)
            Assert.AreEqual(width.Value, image.Width, $"{path}: width");
        if (height is not null)
            Assert.AreEqual(height.Value, image.Height, $"{path}: height");
        Assert.IsGreaterThanOrEqualTo(16, image.DistinctColours, $"{path}: {image.DistinctColours} colour(s) is no plot.");
        return image;
    }
}

/// <summary>A decoded 8-bit, non-interlaced PNG: enough of the format to prove a file is a whole, readable image.</summary>
internal sealed class PngImage
{
    private static readonly uint[] s_crcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private PngImage(int width, int height, int bytesPerPixel, byte[] pixels)
    {
        (Width, Height, BytesPerPixel, Pixels) = (width, height, bytesPerPixel, pixels);
    }

    public int Width { get; }

    public int Height { get; }

    public int BytesPerPixel { get; }

    /// <summary>Row-major, unfiltered samples.</summary>
    public byte[] Pixels { get; }

    public int DistinctColours
    {
        get
        {
            var colours = new HashSet<long>();
            for (int i = 0; i < Pixels.Length; i += BytesPerPixel)
            {
                long key = 0;
                for (int b = 0; b < BytesPerPixel; b++)
                    key = (key << 8) | Pixels[i + b];
                colours.Add(key);
            }
            return colours.Count;
        }
    }

    /// <summary>
    /// Checks the signature, every chunk's CRC-32, IHDR first and IEND last, inflates the IDAT stream to exactly
    /// height·(1 + width·bytes per pixel) bytes and undoes the five row filters; fails naming <paramref name="what"/>.
    /// </summary>
    public static PngImage Decode(byte[] bytes, string what)
    {
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.IsGreaterThan(signature.Length, bytes.Length, $"{what}: too short for a PNG");
        CollectionAssert.AreEqual(signature, bytes[..signature.Length], $"{what}: not a PNG signature");
        int width = 0, height = 0, bytesPerPixel = 0, offset = signature.Length;
        var idat = new MemoryStream();
        var chunks = new List<string>();
        while (offset < bytes.Length)
        {
            Assert.IsLessThanOrEqualTo(bytes.Length, offset + 12, $"{what}: truncated chunk at byte {offset}");
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            Assert.IsTrue(length >= 0 && offset + 12 + length <= bytes.Length, $"{what}: chunk at byte {offset} runs past the end");
            string type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var data = bytes.AsSpan(offset + 8, length);
            uint crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8 + length));
            Assert.AreEqual(Crc(bytes.AsSpan(offset + 4, 4 + length)), crc, $"{what}: bad CRC in chunk {type}");
            chunks.Add(type);
            if (type == "IHDR")
            {
                width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data);
                height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.AreEqual(8, data[8], $"{what}: bit depth");
                bytesPerPixel = data[9] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
                Assert.AreNotEqual(0, bytesPerPixel, $"{what}: colour type {data[9]}");
                Assert.AreEqual(0, data[12], $"{what}: interlaced");
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            offset += 12 + length;
        }
        Assert.AreEqual("IHDR", chunks.FirstOrDefault(), $"{what}: chunks {string.Join(",", chunks)}");
        Assert.AreEqual("IEND", chunks.LastOrDefault(), $"{what}: chunks {string.Join(",", chunks)}");
        Assert.IsTrue(width > 0 && height > 0, $"{what}: {width} x {height}");

        int stride = width * bytesPerPixel;
        var raw = new byte[height * (stride + 1)];
        idat.Position = 0;
        using (var inflate = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress))
        {
            inflate.ReadExactly(raw);
            Assert.AreEqual(-1, inflate.ReadByte(), $"{what}: more image data than {width} x {height} pixels");
        }
        var pixels = new byte[height * stride];
        var zeros = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var current = pixels.AsSpan(y * stride, stride);
            Span<byte> previous = y == 0 ? zeros : pixels.AsSpan((y - 1) * stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int left = i >= bytesPerPixel ? current[i - bytesPerPixel] : 0, up = previous[i];
                int upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new AssertFailedException($"{what}: row {y} has filter type {filter}"),
                };
                current[i] = (byte)(line[i] + predictor);
            }
        }
        return new PngImage(width, height, bytesPerPixel, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
            c = s_crcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
