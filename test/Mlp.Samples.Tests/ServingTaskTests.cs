using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Serving;

namespace Mlp.Samples.Tests;

/// <summary>
/// The server with models of every task and with pipelines that start from named columns of several types: each model
/// is trained, saved and served from its file, and every answer is compared bit for bit with in-process
/// <c>Transform</c> of the same file.
/// </summary>
[TestClass]
public sealed class ServingTaskTests
{
    private static TempFolder? s_folder;

    private static string Folder => s_folder?.Path ?? throw new InvalidOperationException("no folder");

    [ClassInitialize]
    public static void CreateFolder(TestContext context) => s_folder = new TempFolder("mlp-serving-tasks-");

    [ClassCleanup]
    public static void DeleteFolder() => s_folder?.Dispose();

    /// <summary>The README's quick start: Age, Chol and Thalach concatenated and normalised in the pipeline.</summary>
    [TestMethod]
    public async Task TheQuickStartModelIsServedFromItsNamedColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<Patient>(DataFolder.PathOf("heart_train.csv"), separatorChar: ',', hasHeader: true);
        var model = ml.Transforms.Concatenate("Features", nameof(Patient.Age), nameof(Patient.Chol), nameof(Patient.Thalach))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [16, 8], numberOfEpochs: 5))
            .Fit(data);
        string path = Save(ml, model, data.Schema, "heart.zip");

        var test = ml.Data.LoadFromTextFile<Patient>(DataFolder.PathOf("heart_test.csv"), separatorChar: ',', hasHeader: true);
        var patients = ml.Data.CreateEnumerable<Patient>(test, reuseRowObject: false).ToArray();
        var expected = new MLContext().Model.Load(path, out _).Transform(test);
        var scores = expected.GetColumn<float>("Score").ToArray();
        var probabilities = expected.GetColumn<float>("Probability").ToArray();
        var labels = expected.GetColumn<bool>("PredictedLabel").ToArray();

        await using var server = await Server.StartAsync(path);
        var info = await server.Client.GetFromJsonAsync<ModelInfo>("/model");
        CollectionAssert.AreEqual(new[] { "Age", "Chol", "Thalach" }, info!.Inputs.Where(i => i.Required).Select(i => i.Name).ToArray());
        Assert.IsTrue(info.Inputs.All(i => i.Size is null));
        CollectionAssert.AreEqual(new[] { 3, 16, 8, 1 }, info.LayerSizes);

        var rows = patients.Select(p => new { p.Age, p.Chol, p.Thalach }).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var answer = await server.PostAsync<BinaryPrediction>(rows[i]);
            AssertBits(scores[i], answer.Score, $"score of row {i}");
            AssertBits(probabilities[i], answer.Probability, $"probability of row {i}");
            Assert.AreEqual(labels[i], answer.PredictedLabel, $"label of row {i}");
        }
        var batch = await server.PostAsync<BinaryPrediction[]>(rows);
        CollectionAssert.AreEqual(scores, batch.Select(b => b.Score).ToArray());

        // The label may be sent along (a whole data row), and is ignored; a missing input is named.
        var withLabel = await server.PostAsync<BinaryPrediction>(new { patients[0].Age, patients[0].Chol, patients[0].Thalach, patients[0].Label });
        AssertBits(scores[0], withLabel.Score, "score of row 0 sent with its label");
        Assert.AreEqual(labels[0], withLabel.PredictedLabel);
        await server.AssertErrorAsync(new { patients[0].Age, patients[0].Chol }, HttpStatusCode.BadRequest, "'Thalach' is missing");
        await server.AssertErrorAsync(new { features = new[] { 1f, 2f, 3f } }, HttpStatusCode.BadRequest,
            "'features' is not an input of the model; its inputs are: Age, Chol, Thalach");
    }

    /// <summary>String label mapped to a key and back, a one-hot encoded string input: labels come back as strings.</summary>
    [TestMethod]
    public async Task AMulticlassModelAnswersWithTheOriginalLabelsAndProbabilitiesByLabel()
    {
        var ml = new MLContext(seed: 1);
        var flowers = Flower.Generate(300, seed: 3);
        var data = ml.Data.LoadFromEnumerable(flowers);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Flower.Species))
            .Append(ml.Transforms.Categorical.OneHotEncoding("ColourCode", nameof(Flower.Colour)))
            .Append(ml.Transforms.Concatenate("Features", nameof(Flower.Length), nameof(Flower.Width), "ColourCode"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [12], numberOfEpochs: 8))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        string path = Save(ml, model, data.Schema, "flowers.zip");

        var test = Flower.Generate(25, seed: 4);
        var expected = new MLContext().Model.Load(path, out _).Transform(ml.Data.LoadFromEnumerable(test));
        var scores = expected.GetColumn<float[]>("Score").ToArray();
        var predicted = expected.GetColumn<string>("PredictedLabel").ToArray();

        await using var server = await Server.StartAsync(path);
        var info = await server.Client.GetFromJsonAsync<ModelInfo>("/model");
        Assert.AreEqual(ServingTask.MulticlassClassification, info!.Task);
        var classes = info.Classes!.ToArray();
        CollectionAssert.AreEquivalent(Flower.SpeciesNames, classes);
        CollectionAssert.AreEqual(new[] { "Length", "Width", "Colour" }, info.Inputs.Where(i => i.Required).Select(i => i.Name).ToArray());
        Assert.AreEqual("string", info.Inputs.Single(i => i.Name == "Colour").JsonType);

        var rows = test.Select(f => new { f.Length, f.Width, f.Colour }).ToArray();
        var answers = await server.PostAsync<MulticlassPrediction[]>(rows);
        Assert.HasCount(rows.Length, answers);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.AreEqual(predicted[i], answers[i].PredictedLabel.GetString(), $"label of row {i}");
            CollectionAssert.AreEqual(classes, answers[i].Probabilities.Keys.ToArray(), "probabilities in class order");
            for (int k = 0; k < classes.Length; k++)
                AssertBits(scores[i][k], answers[i].Probabilities[classes[k]], $"probability of {classes[k]}, row {i}");
        }
        var single = await server.PostAsync<MulticlassPrediction>(rows[3]);
        Assert.AreEqual(predicted[3], single.PredictedLabel.GetString());

        await server.AssertErrorAsync(new { Length = 1f, Width = 2f, Colour = 5 }, HttpStatusCode.BadRequest, "'colour' must be a string; got 5");
        await server.AssertErrorAsync(new { Length = 1f, Width = 2f, Colour = "red", Species = 1 }, HttpStatusCode.BadRequest, "'species' must be a string");
    }

    /// <summary>Without MapKeyToValue the predicted key is mapped through the key's values: numeric labels stay numbers.</summary>
    [TestMethod]
    public async Task AMulticlassKeyIsAnsweredThroughTheKeyValues()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 240).Select(_ =>
        {
            var x = new[] { (float)random.NextDouble() * 2 - 1, (float)random.NextDouble() * 2 - 1 };
            return new DigitRow { Features = x, Label = x[0] > 0 ? (x[1] > 0 ? 7f : 3f) : 5f };
        }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [8], numberOfEpochs: 5))
            .Fit(data);
        string path = Save(ml, model, data.Schema, "keys.zip");
        var expected = new MLContext().Model.Load(path, out _).Transform(data);
        var keys = expected.GetColumn<uint>("PredictedLabel").Take(20).ToArray();
        var scores = expected.GetColumn<float[]>("Score").Take(20).ToArray();
        var annotation = default(VBuffer<float>);
        expected.Schema["PredictedLabel"].Annotations.GetValue("KeyValues", ref annotation);
        var keyValues = annotation.DenseValues().ToArray();
        Assert.HasCount(3, keyValues);

        await using var server = await Server.StartAsync(path);
        var answers = await server.PostAsync<MulticlassPrediction[]>(rows.Take(20).Select(r => new { features = r.Features }));
        Assert.HasCount(20, answers);
        for (int i = 0; i < answers.Length; i++)
        {
            Assert.AreEqual(JsonValueKind.Number, answers[i].PredictedLabel.ValueKind);
            Assert.AreEqual(keyValues[keys[i] - 1], answers[i].PredictedLabel.GetSingle(), $"label of row {i}");
            for (int k = 0; k < keyValues.Length; k++)
                AssertBits(scores[i][k], answers[i].Probabilities[keyValues[k].ToString(System.Globalization.CultureInfo.InvariantCulture)], $"row {i}, class {k}");
        }
    }

    /// <summary>Double, integer and boolean inputs, converted to floats inside the pipeline.</summary>
    [TestMethod]
    public async Task ARegressionModelWithMixedTypesIsServed()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(7);
        var houses = Enumerable.Range(0, 300).Select(_ => House.Random(random)).ToArray();
        var data = ml.Data.LoadFromEnumerable(houses);
        var model = ml.Transforms.Conversion.ConvertType(
                [new InputOutputColumnPair("RoomsF", nameof(House.Rooms)), new InputOutputColumnPair("AgeF", nameof(House.Age)),
                 new InputOutputColumnPair("RiverF", nameof(House.River))], DataKind.Single)
            .Append(ml.Transforms.Concatenate("Features", "RoomsF", "AgeF", "RiverF"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.Regression.Trainers.Mlp(hiddenLayerSizes: [10], numberOfEpochs: 5))
            .Fit(data);
        string path = Save(ml, model, data.Schema, "houses.zip");
        var test = Enumerable.Range(0, 30).Select(_ => House.Random(random)).ToArray();
        var expected = new MLContext().Model.Load(path, out _).Transform(ml.Data.LoadFromEnumerable(test)).GetColumn<float>("Score").ToArray();

        await using var server = await Server.StartAsync(path);
        var info = await server.Client.GetFromJsonAsync<ModelInfo>("/model");
        Assert.AreEqual(ServingTask.Regression, info!.Task);
        CollectionAssert.AreEqual(new[] { "Double", "Int32", "Boolean" }, info.Inputs.Where(i => i.Required).Select(i => i.Type).ToArray());
        CollectionAssert.AreEqual(new[] { "number", "integer", "boolean" }, info.Inputs.Where(i => i.Required).Select(i => i.JsonType).ToArray());

        var rows = test.Select(h => new { h.Rooms, h.Age, h.River }).ToArray();
        var answers = await server.PostAsync<RegressionPrediction[]>(rows);
        for (int i = 0; i < rows.Length; i++)
            AssertBits(expected[i], answers[i].Score, $"score of row {i}");
        AssertBits(expected[0], (await server.PostAsync<RegressionPrediction>(rows[0])).Score, "single row");

        await server.AssertErrorAsync(new { Rooms = 5.5, Age = 1.5, River = true }, HttpStatusCode.BadRequest, "'age' must be an integer from -2147483648 to 2147483647; got 1.5");
        await server.AssertErrorAsync(new { Rooms = 5.5, Age = 3, River = "yes" }, HttpStatusCode.BadRequest, "'river' must be true or false");
        await server.AssertErrorAsync(new { Rooms = "5", Age = 3, River = true }, HttpStatusCode.BadRequest, "'rooms' must be a finite number");
        await server.AssertErrorAsync(new { Rooms = 5.5, Age = 3 }, HttpStatusCode.BadRequest, "'River' is missing");
        await server.AssertErrorAsync(new[] { new { Rooms = 5.5, Age = 3, River = true, Garden = 1 } }, HttpStatusCode.BadRequest,
            "'[0].garden' is not an input of the model");
        await server.AssertRawErrorAsync("{\"Rooms\": 1e309, \"Age\": 3, \"River\": true}", HttpStatusCode.BadRequest, "'Rooms' must be a finite number; got 1e309");
    }

    /// <summary>A FastTree model is "not an MLP model", both when ML.NET can load it and when it cannot (its
    /// component is unknown to the server), and never "damaged".</summary>
    [TestMethod]
    public void AForeignModelIsNotAnMlpModelEvenWhenItCannotBeLoaded()
    {
        var ml = new MLContext(seed: 1);
        var data = DemoModel.LoadData(ml, DataFolder.Find());
        var fastTree = ml.Transforms.ReplaceMissingValues(DemoModel.FeatureColumnName)
            .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 4, numberOfTrees: 3, minimumExampleCountPerLeaf: 5))
            .Fit(data);
        string path = Save(ml, fastTree, data.Schema, "fasttree.zip");
        var loadable = Assert.ThrowsExactly<InvalidOperationException>(() => ServedModel.Load(ml, path));
        StringAssert.Contains(loadable.Message, "is not an MLP model");
        StringAssert.Contains(loadable.Message, "FastTree");

        // A server without the FastTree assembly cannot load the step: rename its loader so that no one can.
        string unknown = Path.Combine(Folder, "unknown-component.zip");
        File.Copy(path, unknown);
        int patched = 0;
        using (var archive = ZipFile.Open(unknown, ZipArchiveMode.Update))
        {
            foreach (var entry in archive.Entries.Where(e => e.Name == "Model.key").ToList())
            {
                byte[] bytes;
                using (var stream = entry.Open())
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                string header = Encoding.ASCII.GetString(bytes, 0, Math.Min(256, bytes.Length));
                int at = header.IndexOf("FastTree", StringComparison.Ordinal);
                if (at < 0)
                    continue;
                bytes[at + 7] = (byte)'X';
                patched++;
                string name = entry.FullName;
                entry.Delete();
                using var rewritten = archive.CreateEntry(name).Open();
                rewritten.Write(bytes);
            }
        }
        Assert.IsGreaterThan(0, patched, "the FastTree step's header names its loader");
        var unloadable = Assert.ThrowsExactly<InvalidOperationException>(() => ServedModel.Load(ml, unknown));
        StringAssert.Contains(unloadable.Message, "is not an MLP model: none of its steps is an MLP");
        Assert.IsInstanceOfType<InvalidDataException>(unloadable.InnerException);
    }

    private static string Save(MLContext ml, ITransformer model, DataViewSchema schema, string name)
    {
        string path = Path.Combine(Folder, name);
        ml.Model.Save(model, schema, path);
        return path;
    }

    private static void AssertBits(float expected, float actual, string what) =>
        Assert.AreEqual(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual), $"{what}: {expected} vs {actual}");

    /// <summary>A server on a free loopback port with one model.</summary>
    private sealed class Server(WebApplication app, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client => client;

        public static async Task<Server> StartAsync(string modelPath)
        {
            var (app, client) = await ServingTests.StartAsync("--model", modelPath);
            return new Server(app, client);
        }

        public async Task<T> PostAsync<T>(object body)
        {
            var response = await client.PostAsJsonAsync("/predict", body);
            string text = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
            return JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web) ?? throw new AssertFailedException("empty answer");
        }

        public async Task AssertErrorAsync(object body, HttpStatusCode status, string message)
            => await AssertRawErrorAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), status, message);

        public async Task AssertRawErrorAsync(string body, HttpStatusCode status, string message)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = await client.PostAsync("/predict", content);
            var error = await response.Content.ReadFromJsonAsync<ErrorResponse>();
            Assert.AreEqual(status, response.StatusCode, error?.Error);
            StringAssert.Contains(error!.Error, message);
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed class Patient
    {
        [LoadColumn(0)] public float Age { get; set; }

        [LoadColumn(4)] public float Chol { get; set; }

        [LoadColumn(7)] public float Thalach { get; set; }

        [LoadColumn(13)] public bool Label { get; set; }
    }

    private sealed class Flower
    {
        public static readonly string[] SpeciesNames = ["setosa", "versicolor", "virginica"];

        public float Length { get; set; }

        public float Width { get; set; }

        public string Colour { get; set; } = "";

        public string Species { get; set; } = "";

        public static Flower[] Generate(int count, int seed)
        {
            var random = new Random(seed);
            string[] colours = ["red", "blue", "white"];
            return Enumerable.Range(0, count).Select(_ =>
            {
                int species = random.Next(3);
                return new Flower
                {
                    Length = 1 + species + (float)random.NextDouble(),
                    Width = 0.5f + 0.3f * species + (float)random.NextDouble() * 0.5f,
                    Colour = colours[(species + (random.Next(4) == 0 ? 1 : 0)) % 3],
                    Species = SpeciesNames[species],
                };
            }).ToArray();
        }
    }

    private sealed class DigitRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class House
    {
        public double Rooms { get; set; }

        public int Age { get; set; }

        public bool River { get; set; }

        public float Label { get; set; }

        public static House Random(Random random)
        {
            var house = new House { Rooms = 3 + random.NextDouble() * 5, Age = random.Next(0, 100), River = random.Next(2) == 0 };
            house.Label = (float)(10 * house.Rooms - 0.2 * house.Age + (house.River ? 15 : 0) + random.NextDouble());
            return house;
        }
    }
}
