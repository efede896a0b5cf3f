using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.ML;
using Mlp.Samples;

namespace Mlp.Serving;

/// <summary>The server's limits (configuration keys <c>maxRequestBodyBytes</c>, <c>maxBatchRows</c>).</summary>
/// <param name="MaxRequestBodyBytes">Largest request body: default 64 KiB; larger is 413.</param>
/// <param name="MaxBatchRows">Most rows in one batch: default 1,000, at least 1; more is 413.</param>
public sealed record ServingLimits(long MaxRequestBodyBytes, int MaxBatchRows);

/// <summary>
/// The minimal API: <c>GET /health</c>, <c>GET /model</c>, <c>POST /predict</c>, <c>GET /openapi/v1.json</c>.
/// Configuration (command line, environment <c>MLP_SERVING_*</c> or appsettings) — <c>model</c>: path of a saved model
/// (relative to the working directory; else the demo model is trained at start-up); <c>demoEpochs</c>: epochs of the
/// demo model; <c>maxRequestBodyBytes</c>: request body limit (default 64 KiB); <c>maxBatchRows</c>: rows per batch
/// (default 1,000); <c>urls</c>: where to listen.
/// </summary>
public static class ServingApp
{
    /// <summary>Default request-body limit: 64 KiB, room for ~3,000 numbers written out in full.</summary>
    public const long DefaultMaxRequestBodyBytes = 64 * 1024;

    /// <summary>Default number of rows a batch may hold.</summary>
    public const int DefaultMaxBatchRows = 1000;

    // /model may describe a history with non-finite losses: written as "NaN"/"Infinity" rather than failing.
    private static readonly JsonSerializerOptions s_modelJson = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Builds the app: loads (or trains) the model, then maps the endpoints. Start it with
    /// <c>RunAsync</c>/<c>StartAsync</c>.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:5080 --model model.zip</c>.</param>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The model file is damaged, truncated, from a newer version, or not an ML.NET model.</exception>
    /// <exception cref="InvalidOperationException">The model is not an MLP model, or cannot be served; or a limit is out of range.</exception>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddEnvironmentVariables("MLP_SERVING_");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request
        var limits = new ServingLimits(
            builder.Configuration.GetValue("maxRequestBodyBytes", DefaultMaxRequestBodyBytes),
            builder.Configuration.GetValue("maxBatchRows", DefaultMaxBatchRows));
        if (limits.MaxRequestBodyBytes < 1)
            throw new InvalidOperationException($"maxRequestBodyBytes must be at least 1; got {limits.MaxRequestBodyBytes}.");
        if (limits.MaxBatchRows < 1)
            throw new InvalidOperationException($"maxBatchRows must be at least 1; got {limits.MaxBatchRows}.");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);

        var ml = new MLContext(seed: 1);
        var served = LoadModel(ml, builder.Configuration);
        builder.Services.AddSingleton(served);
        builder.Services.AddSingleton(limits);
        builder.Services.AddOpenApi(options => options.AddOperationTransformer(PredictOpenApi.Apply));

        var app = builder.Build();
        var description = served.Describe();
        app.Logger.LogInformation("Serving {Source}: {Task}, inputs {Inputs}, layers {Layers}.", served.Source, served.Task,
            string.Join(", ", description.Inputs.Where(i => i.Required).Select(i => i.Size is { } n ? $"{i.Name}[{n}]" : i.Name)),
            string.Join("-", description.LayerSizes));

        // Anything unexpected: 500 with a short message; the details go to the log, never to the client. Client
        // mistakes and aborted requests are answered inside the endpoints and never reach this.
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (error is BadHttpRequestException bad)
            {
                context.Response.StatusCode = bad.StatusCode;
                await context.Response.WriteAsJsonAsync(new ErrorResponse("Bad request."));
                return;
            }
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new ErrorResponse("Internal error."));
        }));

        app.MapGet("/health", (ServedModel model) => Results.Ok(new { status = "ok", task = model.Task.ToString() }));
        app.MapGet("/model", (ServedModel model) => Results.Json(model.Describe(), s_modelJson)).Produces<ModelInfo>();
        app.MapPost("/predict", PredictAsync);
        app.MapOpenApi();
        return app;
    }

    /// <summary>
    /// The program: builds and runs the server until it is stopped. A model file that is missing, damaged or unsuitable
    /// (or a bad limit) ends start-up with one line on <paramref name="error"/> and exit code 2, not a stack trace.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="error">Where the start-up error goes (standard error).</param>
    /// <returns>The process exit code: 0 after a normal stop, 2 when the server could not start.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or InvalidOperationException)
        {
            await error.WriteLineAsync("Mlp.Serving: " + OneLine(e.Message));
            return 2;
        }
        await app.RunAsync();
        return 0;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static ServedModel LoadModel(MLContext ml, IConfiguration configuration)
    {
        string? path = configuration["model"];
        if (!string.IsNullOrWhiteSpace(path))
            return ServedModel.Load(ml, path);
        int epochs = configuration.GetValue("demoEpochs", DemoModel.DefaultEpochs);
        var (model, schema) = DemoModel.Train(ml, DataFolder.Find(), epochs);
        return ServedModel.FromTrained(model, schema,
            $"demo: breast cancer (9 features: {string.Join(", ", DemoModel.FeatureNames)}), trained at start-up");
    }

    private static async Task<IResult> PredictAsync(HttpRequest request, ServedModel model, ServingLimits limits)
    {
        // A browser may post text/plain or a form cross-site without a preflight: only JSON is read.
        if (!request.HasJsonContentType())
            return Error(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON sent as Content-Type: application/json.");

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request, limits.MaxRequestBodyBytes);
        }
        catch (RequestException e)
        {
            return Error(e.StatusCode, e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"The request body is too large (limit {limits.MaxRequestBodyBytes} bytes).");
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // The client went away or sent a broken body: nothing to log, and no one may be listening for the answer.
            return Error(StatusCodes.Status400BadRequest, "The request body could not be read.");
        }

        try
        {
            return Results.Bytes(model.Predict(body, limits.MaxBatchRows), "application/json");
        }
        catch (RequestException e)
        {
            return Error(e.StatusCode, e.Message);
        }
    }

    /// <summary>Reads the whole body (at most <paramref name="limit"/> bytes): the JSON is then read token by token,
    /// so nothing larger than the body and the model's own input sizes is ever allocated.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
            throw new RequestException($"The request body is too large (limit {limit} bytes).", StatusCodes.Status413PayloadTooLarge);
        using var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? 4096, limit));
        var chunk = new byte[16 * 1024];
        for (int read; (read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0;)
        {
            if (buffer.Length + read > limit)
                throw new RequestException($"The request body is too large (limit {limit} bytes).", StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static IResult Error(int statusCode, string message) => Results.Json(new ErrorResponse(message), statusCode: statusCode);
}
