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
        s_rows = data.GetColumn<VBuffer<float>>(ServedModel.FeatureColumnName)
            .Select(v => v.DenseValues().ToArray()).Where(r => r.All(float.IsFinite)).Take(60).ToArray();
        var loaded = new MLContext().Model.Load(s_modelPath, out _);
        var rowsView = ml.Data.LoadFromEnumerable(s_rows.Select(r => new ModelInput { Features = r }),
            FeatureSchema(s_rows[0].Length));
        var scored = loaded.Transform(rowsView);
        s_expectedScores = scored.GetColumn<float>("Score").ToArray();
        s_expectedProbabilities = scored.GetColumn<float>("Probability").ToArray();
        s_expectedLabels = scored.GetColumn<bool>("PredictedLabel").ToArray();

        (s_app, s_client) = await StartAsync("--model", s_modelPath, "--maxRequestBodyBytes", "4096");
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
        Assert.AreEqual(9, info.FeatureCount);
        CollectionAssert.AreEqual(new[] { 9, 16, 1 }, info.LayerSizes);
        CollectionAssert.AreEqual(new[] { 16 }, info.HiddenLayerSizes);
        Assert.AreEqual(Path.GetFullPath(s_modelPath), info.Source);
        Assert.AreEqual(5, info.TrainingHistory.Epochs);
        Assert.IsNotNull(info.TrainingHistory.FinalValidationLoss);
        Assert.IsTrue(info.TrainingHistory.FinalTrainingLoss < info.TrainingHistory.FirstTrainingLoss);
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
    [DataRow("{\"features\": [1, 2, 3]}", "Expected 9 features; got 3")]
    [DataRow("{\"features\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}", "Expected 9 features; got 10")]
    [DataRow("{\"features\": [1e39, 1, 1, 1, 1, 1, 1, 1, 1]}", "features[0] must be a finite number")]
    [DataRow("{\"features\": [1, 1, 1, 1, 1, 1, 1, 1, -1e300]}", "features[8] must be a finite number")]
    [DataRow("{\"features\": [\"NaN\", 1, 1, 1, 1, 1, 1, 1, 1]}", "JSON")]
    [DataRow("{\"features\": [null, 1, 1, 1, 1, 1, 1, 1, 1]}", "JSON")]
    [DataRow("{\"values\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}", "\\\"features\\\"")]
    [DataRow("null", "\\\"features\\\"")]
    [DataRow("", "JSON")]
    public async Task BadInputGets400WithAShortMessage(string body, string expectedMessage)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await Client.PostAsync("/predict", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, expectedMessage);
        Assert.IsLessThan(200, text.Length, $"the message should be short: {text}");
        Assert.IsFalse(text.Contains(" at ", StringComparison.Ordinal), $"no stack trace: {text}");
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
            var answer = await response.Content.ReadFromJsonAsync<PredictResponse>(TestContext.CancellationToken);
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
            Content = JsonContent.Create(new { features = s_rows[0], model = "/etc/passwd" }),
        };
        request.Headers.Add("model", "/etc/passwd");
        var response = await Client.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        AssertMatches(0, (await response.Content.ReadFromJsonAsync<PredictResponse>())!);

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
        Assert.IsFalse(text.Contains(" at ", StringComparison.Ordinal), $"no stack trace: {text}");
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
        var svm = ml.Transforms.ReplaceMissingValues(ServedModel.FeatureColumnName)
            .Append(ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 2)).Fit(data);
        string svmPath = Path.Combine(s_folder.Path, "svm.zip");
        ml.Model.Save(svm, data.Schema, svmPath);
        var foreign = Assert.ThrowsExactly<InvalidOperationException>(() => ServingApp.Build(["--model", svmPath, "--urls", "http://127.0.0.1:0"]));
        StringAssert.Contains(foreign.Message, "not a binary MLP model");
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
            var prediction = await answer.Content.ReadFromJsonAsync<PredictResponse>();
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

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(params string[] args)
    {
        var app = ServingApp.Build([.. args, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning"]);
        await app.StartAsync();
        var address = app.Urls.Single(); // Kestrel reports the port it bound
        StringAssert.StartsWith(address, "http://127.0.0.1:");
        return (app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    private static async Task<PredictResponse> PredictAsync(float[] features, CancellationToken token)
    {
        var response = await Client.PostAsJsonAsync("/predict", new { features }, token);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(token));
        return await response.Content.ReadFromJsonAsync<PredictResponse>(token) ?? throw new AssertFailedException("empty answer");
    }

    private static void AssertMatches(int row, PredictResponse answer)
    {
        // The same saved model in two processes' worth of code: the JSON floats round-trip exactly.
        Assert.AreEqual(s_expectedScores[row], answer.Score, 1e-6f * Math.Max(1, Math.Abs(s_expectedScores[row])), $"score of row {row}");
        Assert.AreEqual(s_expectedProbabilities[row], answer.Probability, 1e-6f, $"probability of row {row}");
        Assert.AreEqual(s_expectedLabels[row], answer.PredictedLabel, $"label of row {row}");
    }

    private static SchemaDefinition FeatureSchema(int count)
    {
        var schema = SchemaDefinition.Create(typeof(ModelInput));
        schema[nameof(ModelInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, count);
        return schema;
    }
}
