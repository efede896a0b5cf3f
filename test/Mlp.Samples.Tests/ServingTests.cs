using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Serving;

namespace Mlp.Samples.Tests;

/// <summary>Starts the real server (Kestrel on 127.0.0.1, a free port) in this process and talks HTTP to it.</summary>
[TestClass]
public sealed class ServingTests
{
    private static TempFolder? s_folder;
    private static string s_modelPath = "";
    private static WebApplication? s_app;
    private static HttpClient? s_client;
    private static float[][] s_rows = [];
    private static float[] s_expectedScores = [];
    private static float[] s_expectedProbabilities = [];
    private static bool[] s_expectedLabels = [];

    private static HttpClient Client => s_client ?? throw new InvalidOperationException("The server did not start.");

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartServer(TestContext context)
    {
        // A model file, trained here and saved, as a user would hand it to --model.
        s_folder = new TempFolder("mlp-serving-");
        var ml = new MLContext(seed: 1);
        var (model, schema) = DemoModel.Train(ml, DataFolder.Find(), epochs: 5);
        s_modelPath = Path.Combine(s_folder.Path, "model.zip");
        ml.Model.Save(model, schema, s_modelPath);

        // In-process predictions of the same file, loaded independently of the server's code.
        var data = DemoModel.LoadData(ml, DataFolder.Find());
        s_rows = data.GetColumn<VBuffer<float>>(DemoModel.FeatureColumnName)
            .Select(v => v.DenseValues().ToArray()).Where(r => r.All(float.IsFinite)).Take(60).ToArray();
        var loaded = new MLContext().Model.Load(s_modelPath, out _);
        var rowsView = ml.Data.LoadFromEnumerable(s_rows.Select(r => new DemoRow { Features = r }),
            FeatureSchema(s_rows[0].Length));
        var scored = loaded.Transform(rowsView);
        s_expectedScores = scored.GetColumn<float>("Score").ToArray();
        s_expectedProbabilities = scored.GetColumn<float>("Probability").ToArray();
        s_expectedLabels = scored.GetColumn<bool>("PredictedLabel").ToArray();

        (s_app, s_client) = await StartAsync("--model", s_modelPath, "--maxRequestBodyBytes", "4096", "--maxBatchRows", "8");
    }

    [ClassCleanup]
    public static async Task StopServer()
    {
        s_client?.Dispose();
        if (s_app is not null)
        {
            await s_app.StopAsync();
            await s_app.DisposeAsync();
        }
        s_folder?.Dispose();
    }

    [TestMethod]
    public async Task HealthAndModelDescribeTheLoadedFile()
    {
        var health = await Client.GetAsync("/health");
        Assert.AreEqual(HttpStatusCode.OK, health.StatusCode);

        var info = await Client.GetFromJsonAsync<ModelInfo>("/model");
        Assert.IsNotNull(info);
        Assert.AreEqual(ServingTask.BinaryClassification, info.Task);
        var features = info.Inputs.Single(i => i.Required);
        Assert.AreEqual(("Features", "Single", 9, "number"), (features.Name, features.Type, features.Size, features.JsonType));
        Assert.IsFalse(info.Inputs.Single(i => i.Name == "Label").Required, "the label is not needed to predict");
        CollectionAssert.AreEqual(new[] { "score", "probability", "predictedLabel" }, info.Outputs.Select(o => o.Name).ToArray());
        CollectionAssert.AreEqual(new[] { 9, 16, 1 }, info.LayerSizes);
        CollectionAssert.AreEqual(new[] { 16 }, info.HiddenLayerSizes);
        Assert.AreEqual(Path.GetFullPath(s_modelPath), info.Source);
        Assert.AreEqual(5, info.TrainingHistory.Epochs);
        Assert.IsNotNull(info.TrainingHistory.FinalValidationLoss);
        Assert.IsTrue(info.TrainingHistory.FinalTrainingLoss < info.TrainingHistory.FirstTrainingLoss);
        Assert.IsTrue(info.TrainingHistory.BestEpoch is >= 1 and <= 5);
    }

    [TestMethod]
    public async Task PredictionsMatchInProcessPredictions()
    {
        for (int i = 0; i < s_rows.Length; i++)
        {
            var answer = await PredictAsync(s_rows[i], CancellationToken.None);
            AssertMatches(i, answer);
        }
    }

    [TestMethod]
    public async Task ConcurrentClientsGetCorrectAnswers()
    {
        const int clients = 8, requestsPerClient = 50;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (int r = 0; r < requestsPerClient; r++)
            {
                int row = (client * requestsPerClient + r) % s_rows.Length;
                AssertMatches(row, await PredictAsync(s_rows[row], deadline.Token));
            }
        }, deadline.Token));
        await Task.WhenAll(tasks);
    }

    [TestMethod]
    [DataRow("{\"features\": [1, 2", "JSON")]
    [DataRow("not json at all", "JSON")]
    [DataRow("{\"features\": [1, 2, 3]}", "'features' has 3 values; the model takes 9")]
    [DataRow("{\"features\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}", "'features' has more than 9 values; the model takes 9")]
    [DataRow("{\"features\": [1e39, 1, 1, 1, 1, 1, 1, 1, 1]}", "'features[0]' must be a finite number within the float range; got 1e39")]
    [DataRow("{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, -1e300]}", "'features[8]' must be a finite number")]
    [DataRow("{\"features\": [\"NaN\", 1, 1, 1, 1, 1, 1, 1, 1]}", "'features[0]' must be a finite number within the float range; got \\\"NaN\\\"")]
    [DataRow("{\"features\": [null, 1, 1, 1, 1, 1, 1, 1, 1]}", "'features[0]' must be a finite number within the float range; got null")]
    [DataRow("{\"features\": 5}", "'features' must be an array of 9 values")]
    [DataRow("{\"values\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}", "'values' is not an input of the model; its inputs are: Features")]
    [DataRow("{}", "'Features' is missing")]
    [DataRow("{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, 1], \"Features\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}", "given twice")]
    [DataRow("{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, 1], \"Label\": 1}", "'Label' must be true or false; got 1")]
    [DataRow("null", "must be a JSON object of input fields")]
    [DataRow("[{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}, 3]", "Element [1] of the batch must be a JSON object")]
    [DataRow("[{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}, {\"features\": [1]}]", "'[1].features' has 1 values")]
    [DataRow("{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, 1]} {}", "after a single JSON value")]
    [DataRow("", "The body is empty")]
    public async Task BadInputGets400WithAShortMessage(string body, string expectedMessage)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await Client.PostAsync("/predict", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, expectedMessage);
        Assert.IsLessThan(200, text.Length, $"the message should be short: {text}");
        Assert.IsFalse(text.Contains("   at ", StringComparison.Ordinal), $"no stack trace: {text}");
    }

    /// <summary>
    /// 32 concurrent clients (one connection each) on loopback: no errors, every answer bit-identical to in-process
    /// scoring of the same file. 20,000 requests (about 1.5 s on 2 cores; MLP_LOAD_TEST_REQUESTS=n changes the count),
    /// and MLP_LOAD_TEST_REPORT=path appends the measured line to that file (the numbers in docs/benchmarks.md).
    /// </summary>
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task UnderLoadEveryAnswerIsCorrect()
    {
        const int clients = 32;
        int total = int.TryParse(Environment.GetEnvironmentVariable("MLP_LOAD_TEST_REQUESTS"), out int requests) && requests > 0 ? requests : 20_000;
        var bodies = s_rows.Select(r => JsonSerializer.SerializeToUtf8Bytes(new { features = r })).ToArray();
        var connections = Enumerable.Range(0, clients)
            .Select(_ => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) })
            .ToArray();
        var latencies = new double[total];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int next = -1;

        async Task<string?> SendAsync(HttpClient client, int row)
        {
            using var content = new ByteArrayContent(bodies[row]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync("/predict", content, TestContext.CancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
                return $"row {row}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.CancellationToken)}";
            var answer = await response.Content.ReadFromJsonAsync<BinaryPrediction>(TestContext.CancellationToken);
            return answer is not null && answer.Score == s_expectedScores[row] && answer.Probability == s_expectedProbabilities[row]
                && answer.PredictedLabel == s_expectedLabels[row] ? null : $"row {row}: {answer} differs from the in-process prediction";
        }

        try
        {
            // One untimed request per client opens its connection.
            foreach (var failure in await Task.WhenAll(connections.Select((c, i) => SendAsync(c, i % s_rows.Length))))
                Assert.IsNull(failure);

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(connections.Select(client => Task.Run(async () =>
            {
                for (int i = Interlocked.Increment(ref next); i < total; i = Interlocked.Increment(ref next))
                {
                    long start = Stopwatch.GetTimestamp();
                    string? failure = await SendAsync(client, i % s_rows.Length);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (failure is not null)
                        failures.Enqueue(failure);
                }
            })));
            clock.Stop();

            Array.Sort(latencies);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{total} requests, {clients} clients: {total / clock.Elapsed.TotalSeconds:F0} requests/s, p50 {latencies[total / 2]:F2} ms, " +
                $"p99 {latencies[total * 99 / 100]:F2} ms, max {latencies[^1]:F2} ms, {failures.Count} errors, {clock.Elapsed.TotalSeconds:F2} s");
            TestContext.WriteLine(line);
            if (Environment.GetEnvironmentVariable("MLP_LOAD_TEST_REPORT") is { Length: > 0 } report)
                File.AppendAllText(report, line + Environment.NewLine);
            Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures.Take(10)));
        }
        finally
        {
            foreach (var connection in connections)
                connection.Dispose();
        }
    }

    [TestMethod]
    public async Task TheModelPathComesOnlyFromConfiguration()
    {
        // Nothing in a request (query, header, body, another verb) can point the server at another file.
        var before = await Client.GetFromJsonAsync<ModelInfo>("/model");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict?model=/etc/passwd")
        {
            Content = JsonContent.Create(new { features = s_rows[0] }),
        };
        request.Headers.Add("model", "/etc/passwd");
        var response = await Client.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        AssertMatches(0, (await response.Content.ReadFromJsonAsync<BinaryPrediction>())!);
        var inBody = await Client.PostAsJsonAsync("/predict", new { features = s_rows[0], model = "/etc/passwd" });
        Assert.AreEqual(HttpStatusCode.BadRequest, inBody.StatusCode);
        StringAssert.Contains(await inBody.Content.ReadAsStringAsync(), "'model' is not an input of the model");

        using var post = JsonContent.Create(new { model = "/etc/passwd" });
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, (await Client.PostAsync("/model?model=/etc/passwd", post)).StatusCode);
        var after = await Client.GetFromJsonAsync<ModelInfo>("/model?model=/etc/passwd");
        Assert.AreEqual(before!.Source, after!.Source);
        Assert.AreEqual(Path.GetFullPath(s_modelPath), after.Source);
    }

    [TestMethod]
    public async Task DeeplyNestedJsonGets400()
    {
        using var content = new StringContent(new string('[', 3000), Encoding.UTF8, "application/json");
        var response = await Client.PostAsync("/predict", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        Assert.IsFalse(text.Contains("   at ", StringComparison.Ordinal), $"no stack trace: {text}");
    }

    [TestMethod]
    public void ADamagedOrForeignModelFileStopsStartUpWithAClearMessage()
    {
        string damaged = Path.Combine(s_folder!.Path, "damaged.zip");
        File.WriteAllBytes(damaged, File.ReadAllBytes(s_modelPath)[..1000]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ServingApp.Build(["--model", damaged, "--urls", "http://127.0.0.1:0"]));
        StringAssert.Contains(error.Message, "damaged.zip");
        Assert.IsNotNull(error.InnerException);

        var ml = new MLContext(seed: 1);
        var data = DemoModel.LoadData(ml, DataFolder.Find());
        var svm = ml.Transforms.ReplaceMissingValues(DemoModel.FeatureColumnName)
            .Append(ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 2)).Fit(data);
        string svmPath = Path.Combine(s_folder.Path, "svm.zip");
        ml.Model.Save(svm, data.Schema, svmPath);
        var foreign = Assert.ThrowsExactly<InvalidOperationException>(() => ServingApp.Build(["--model", svmPath, "--urls", "http://127.0.0.1:0"]));
        StringAssert.Contains(foreign.Message, "not an MLP model");
        StringAssert.Contains(foreign.Message, "LinearBinaryModelParameters");
    }

    [TestMethod]
    public async Task StartUpErrorsAreOneLineAndANonZeroExitCode()
    {
        string damaged = Path.Combine(s_folder!.Path, "damaged-for-exit.zip");
        File.WriteAllBytes(damaged, File.ReadAllBytes(s_modelPath)[..1000]);
        foreach (var (path, expected) in new[]
        {
            (Path.Combine(s_folder.Path, "no-such-model.zip"), "does not exist"),
            (damaged, "damaged"),
        })
        {
            using var error = new StringWriter();
            int exitCode = await ServingApp.RunAsync(["--model", path, "--urls", "http://127.0.0.1:0"], error);
            Assert.AreEqual(2, exitCode, path);
            string text = error.ToString();
            Assert.AreEqual(1, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, $"one line: {text}");
            StringAssert.StartsWith(text, "Mlp.Serving: ");
            StringAssert.Contains(text, Path.GetFileName(path));
            StringAssert.Contains(text, expected);
            Assert.IsFalse(text.Contains("   at ", StringComparison.Ordinal), $"no stack trace: {text}");
        }

        using var limitError = new StringWriter();
        Assert.AreEqual(2, await ServingApp.RunAsync(["--model", s_modelPath, "--maxBatchRows", "0", "--urls", "http://127.0.0.1:0"], limitError));
        StringAssert.Contains(limitError.ToString(), "maxBatchRows must be at least 1; got 0");
    }

    [TestMethod]
    public void ARelativeModelPathMeansTheWorkingDirectory()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, s_modelPath);
        Assert.IsFalse(Path.IsPathRooted(relative), relative);
        var model = ServedModel.Load(new MLContext(), relative);
        Assert.AreEqual(Path.GetFullPath(s_modelPath), model.Source);
    }

    [TestMethod]
    public async Task ABatchIsAnsweredInOrderUpToTheRowLimit()
    {
        var batch = Enumerable.Range(0, 8).Select(i => new { features = s_rows[i] }).ToArray();
        var response = await Client.PostAsJsonAsync("/predict", batch);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        var answers = await response.Content.ReadFromJsonAsync<BinaryPrediction[]>();
        Assert.HasCount(8, answers!);
        for (int i = 0; i < answers!.Length; i++)
            AssertMatches(i, answers[i]);

        var empty = await Client.PostAsJsonAsync("/predict", Array.Empty<object>());
        Assert.AreEqual("[]", await empty.Content.ReadAsStringAsync());

        var tooMany = await Client.PostAsJsonAsync("/predict", Enumerable.Range(0, 9).Select(i => new { features = s_rows[i] }));
        string text = await tooMany.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode, text);
        StringAssert.Contains(text, "more than 8 rows");
    }

    [TestMethod]
    [DataRow("text/plain")]
    [DataRow("application/x-www-form-urlencoded")]
    [DataRow(null)]
    public async Task ABodyThatIsNotDeclaredJsonGets415(string? contentType)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { features = s_rows[0] }));
        if (contentType is not null)
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await Client.PostAsync("/predict", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, response.StatusCode, text);
        StringAssert.Contains(text, "application/json");
    }

    [TestMethod]
    public async Task AScoreThatOverflowsGets422NotA500()
    {
        // Finite inputs near float.MaxValue overflow the network's score to infinity.
        float[] huge = Enumerable.Repeat(3.4e38f, 9).ToArray();
        var loaded = new MLContext().Model.Load(s_modelPath, out _);
        var view = new MLContext().Data.LoadFromEnumerable([new DemoRow { Features = huge }], FeatureSchema(9));
        float expected = loaded.Transform(view).GetColumn<float>("Score").Single();
        Assert.IsFalse(float.IsFinite(expected), $"the in-process score {expected} should overflow for this test to mean anything");

        var response = await Client.PostAsJsonAsync("/predict", new { features = huge });
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, text);
        StringAssert.Contains(text, "The model's score is ");
        StringAssert.Contains(text, "Infinity");

        var batch = await Client.PostAsJsonAsync("/predict", new[] { new { features = s_rows[0] }, new { features = huge } });
        StringAssert.Contains(await batch.Content.ReadAsStringAsync(), "score of row [1]");
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, batch.StatusCode);
    }

    [TestMethod]
    public async Task TheOpenApiDocumentDescribesTheLoadedSchema()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        var predict = document.RootElement.GetProperty("paths").GetProperty("/predict").GetProperty("post");
        var oneOf = predict.GetProperty("requestBody").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("oneOf");
        var row = oneOf[0];
        var features = row.GetProperty("properties").GetProperty("Features");
        Assert.AreEqual(9, features.GetProperty("minItems").GetInt32());
        Assert.AreEqual(9, features.GetProperty("maxItems").GetInt32());
        Assert.AreEqual("number", features.GetProperty("items").GetProperty("type").GetString());
        Assert.AreEqual("boolean", row.GetProperty("properties").GetProperty("Label").GetProperty("type").GetString());
        CollectionAssert.AreEqual(new[] { "Features" }, row.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual(8, oneOf[1].GetProperty("maxItems").GetInt32());
        foreach (string status in new[] { "200", "400", "413", "415", "422" })
            Assert.IsTrue(predict.GetProperty("responses").TryGetProperty(status, out _), status);
        Assert.IsTrue(document.RootElement.GetProperty("paths").TryGetProperty("/model", out _));
    }

    [TestMethod]
    public async Task OversizedBodyIsRefused()
    {
        string body = "{\"features\": [" + string.Join(", ", Enumerable.Repeat("1.0", 2000)) + "]}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await Client.PostAsync("/predict", content);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "too large");
    }

    [TestMethod]
    public async Task WithoutModelTheDemoModelIsTrainedAtStartUp()
    {
        var (app, client) = await StartAsync("--demoEpochs", "3");
        try
        {
            Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            var info = await client.GetFromJsonAsync<ModelInfo>("/model");
            Assert.IsNotNull(info);
            StringAssert.StartsWith(info.Source, "demo:");
            Assert.AreEqual(3, info.TrainingHistory.Epochs);
            var answer = await client.PostAsJsonAsync("/predict", new { features = new[] { 5, 1, 1, 1, 2, 1, 3, 1, 1 } });
            Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode);
            var prediction = await answer.Content.ReadFromJsonAsync<BinaryPrediction>();
            Assert.IsNotNull(prediction);
            Assert.AreEqual(1 / (1 + Math.Exp(-prediction.Score)), prediction.Probability, 1e-5);
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [TestMethod]
    public void AMissingModelFileFailsAtStartUp()
    {
        var error = Assert.ThrowsExactly<FileNotFoundException>(() =>
            ServingApp.Build(["--model", Path.Combine(Path.GetTempPath(), "no-such-model.zip"), "--urls", "http://127.0.0.1:0"]));
        StringAssert.Contains(error.Message, "no-such-model.zip");
    }

    internal static async Task<(WebApplication App, HttpClient Client)> StartAsync(params string[] args)
    {
        var app = ServingApp.Build([.. args, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning"]);
        await app.StartAsync();
        var address = app.Urls.Single(); // Kestrel reports the port it bound
        StringAssert.StartsWith(address, "http://127.0.0.1:");
        return (app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    private static async Task<BinaryPrediction> PredictAsync(float[] features, CancellationToken token)
    {
        var response = await Client.PostAsJsonAsync("/predict", new { features }, token);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(token));
        return await response.Content.ReadFromJsonAsync<BinaryPrediction>(token) ?? throw new AssertFailedException("empty answer");
    }

    private static void AssertMatches(int row, BinaryPrediction answer)
    {
        // The same saved model scored through the same Transform: the JSON floats round-trip bit for bit.
        Assert.AreEqual(BitConverter.SingleToInt32Bits(s_expectedScores[row]), BitConverter.SingleToInt32Bits(answer.Score), $"score of row {row}");
        Assert.AreEqual(BitConverter.SingleToInt32Bits(s_expectedProbabilities[row]), BitConverter.SingleToInt32Bits(answer.Probability), $"probability of row {row}");
        Assert.AreEqual(s_expectedLabels[row], answer.PredictedLabel, $"label of row {row}");
    }

    private static SchemaDefinition FeatureSchema(int count)
    {
        var schema = SchemaDefinition.Create(typeof(DemoRow));
        schema[nameof(DemoRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, count);
        return schema;
    }

    /// <summary>A row of the demo model's input, for in-process scoring.</summary>
    private sealed class DemoRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
