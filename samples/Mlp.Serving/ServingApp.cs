using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.ML;
using Mlp.Samples;

namespace Mlp.Serving;

/// <summary>
/// The minimal API: <c>GET /health</c>, <c>GET /model</c>, <c>POST /predict</c>. Configuration (command line,
/// environment <c>MLP_SERVING_*</c> or appsettings) — <c>model</c>: path of a saved model (else the demo model is
/// trained at start-up); <c>demoEpochs</c>: epochs of the demo model; <c>maxRequestBodyBytes</c>: request body limit
/// (default 64 KiB); <c>urls</c>: where to listen.
/// </summary>
public static class ServingApp
{
    /// <summary>Default request-body limit: 64 KiB, room for ~3,000 features written out in full.</summary>
    public const long DefaultMaxRequestBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions s_requestJson = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict, // no "1.5" strings, no "NaN"/"Infinity"
    };

    /// <summary>Builds the app: loads (or trains) the model, then maps the endpoints. Start it with
    /// <c>RunAsync</c>/<c>StartAsync</c>.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:5080 --model model.zip</c>.</param>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddEnvironmentVariables("MLP_SERVING_");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request
        long maxBody = builder.Configuration.GetValue("maxRequestBodyBytes", DefaultMaxRequestBodyBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);

        var ml = new MLContext(seed: 1);
        var served = LoadModel(ml, builder.Configuration);
        builder.Services.AddSingleton(served);

        var app = builder.Build();
        app.Logger.LogInformation("Serving {Source}: {Features} features, layers {Layers}.",
            served.Source, served.FeatureCount, string.Join("-", served.Describe().LayerSizes));

        // Anything unexpected: 500 with a short message; the details go to the log, never to the client.
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

        app.MapGet("/health", (ServedModel model) => Results.Ok(new { status = "ok", featureCount = model.FeatureCount }));
        app.MapGet("/model", (ServedModel model) => Results.Ok(model.Describe()));
        app.MapPost("/predict", PredictAsync);
        return app;
    }

    private static ServedModel LoadModel(MLContext ml, IConfiguration configuration)
    {
        string? path = configuration["model"];
        if (!string.IsNullOrWhiteSpace(path))
            return ServedModel.Load(ml, path);
        int epochs = configuration.GetValue("demoEpochs", DemoModel.DefaultEpochs);
        var (model, schema) = DemoModel.Train(ml, DataFolder.Find(), epochs);
        return ServedModel.FromTrained(ml, model, schema,
            $"demo: breast cancer (9 features: {string.Join(", ", DemoModel.FeatureNames)}), trained at start-up");
    }

    private static async Task<IResult> PredictAsync(HttpRequest request, ServedModel model)
    {
        PredictRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PredictRequest>(request.Body, s_requestJson, request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return BadRequest("The body must be JSON like {\"features\": [1.0, 2.0]}.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.Json(new ErrorResponse("The request body is too large."), statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (body?.Features is not { } values)
            return BadRequest("The body must have a \"features\" array of numbers.");
        if (values.Length != model.FeatureCount)
            return BadRequest($"Expected {model.FeatureCount} features; got {values.Length}.");
        var features = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            features[i] = (float)values[i];
            if (!float.IsFinite(features[i]))
                return BadRequest($"features[{i}] must be a finite number within the float range; got {values[i]}.");
        }

        var output = model.Predict(features);
        return Results.Ok(new PredictResponse(output.Score, output.Probability, output.PredictedLabel));
    }

    private static IResult BadRequest(string message) => Results.BadRequest(new ErrorResponse(message));
}
