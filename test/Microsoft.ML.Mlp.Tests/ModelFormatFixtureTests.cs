using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Model files saved by an earlier release (format 0x00010002, when the binary model type was still called
/// MlpModelParameters) load in a fresh <see cref="MLContext"/> and score the saved rows bit for bit as they did then.
/// </summary>
[TestClass]
public sealed class ModelFormatFixtureTests
{
    private static readonly string s_folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [TestMethod]
    [DataRow("binary")]
    [DataRow("multiclass")]
    [DataRow("regression")]
    public void ModelsSavedByAnEarlierReleaseScoreBitIdentically(string task)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(Path.Combine(s_folder, $"{task}-v0x00010002.zip"), out _);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(ReadRows()));

        var actual = new List<string>();
        foreach (var column in scored.Schema.Where(c => c.Name is "Score" or "Probability"))
        {
            if (column.Type is VectorDataViewType)
            {
                foreach (var v in scored.GetColumn<VBuffer<float>>(column))
                    actual.Add(column.Name + " " + string.Join(" ", v.DenseValues().Select(Bits)));
            }
            else
            {
                foreach (float v in scored.GetColumn<float>(column))
                    actual.Add(column.Name + " " + Bits(v));
            }
        }
        var expected = File.ReadAllLines(Path.Combine(s_folder, $"{task}-v0x00010002.expected.txt"));
        Assert.AreEqual(task == "binary" ? 40 : 20, expected.Length);
        CollectionAssert.AreEqual(expected, actual);
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);

    private static List<FixtureRow> ReadRows() => File.ReadAllLines(Path.Combine(s_folder, "rows.csv")).Select(line =>
    {
        var f = line.Split(',');
        return new FixtureRow
        {
            Features = f[..4].Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray(),
            Binary = bool.Parse(f[4]),
            Class = uint.Parse(f[5], CultureInfo.InvariantCulture),
            Target = float.Parse(f[6], CultureInfo.InvariantCulture),
        };
    }).ToList();

    private sealed class FixtureRow
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Binary { get; set; }

        public uint Class { get; set; }

        public float Target { get; set; }
    }
}
