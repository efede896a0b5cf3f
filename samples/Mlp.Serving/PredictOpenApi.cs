using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mlp.Serving;

/// <summary>
/// Writes the loaded model's schema into the OpenAPI document (<c>GET /openapi/v1.json</c>): the request body of
/// <c>POST /predict</c> is an object with one property per input column (type, array length, required ones) or an
/// array of such objects, and the answer is the task's output object. The endpoint reads its body itself, so
/// nothing of this can be inferred from a CLR type.
/// </summary>
internal static class PredictOpenApi
{
    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath != "predict")
            return Task.CompletedTask;
        var model = context.ApplicationServices.GetRequiredService<ServedModel>();
        var limits = context.ApplicationServices.GetRequiredService<ServingLimits>();

        var row = RowSchema(model);
        operation.Summary = $"Scores rows with the {model.Task} model.";
        operation.Description = "A JSON object whose fields are the model's input columns is one row, answered by one object; " +
            $"an array of up to {limits.MaxBatchRows} such objects is a batch, answered by an array in the same order. " +
            "A model whose only needed input is one vector also takes {\"features\": [...]}.";
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        OneOf = [row, new OpenApiSchema { Type = JsonSchemaType.Array, Items = row, MaxItems = limits.MaxBatchRows }],
                    },
                },
            },
        };
        var answer = AnswerSchema(model);
        operation.Responses = new OpenApiResponses
        {
            ["200"] = Json("The prediction (an array of them for a batch).",
                new OpenApiSchema { OneOf = [answer, new OpenApiSchema { Type = JsonSchemaType.Array, Items = answer }] }),
            ["400"] = Json("A field is missing, unknown or ill-typed, a number is not finite, or the body is not JSON.", ErrorSchema()),
            ["413"] = Json($"The body is over {limits.MaxRequestBodyBytes} bytes or the batch over {limits.MaxBatchRows} rows.", ErrorSchema()),
            ["415"] = Json("The body is not declared as application/json.", ErrorSchema()),
            ["422"] = Json("The model's output for a row is not a finite number (the input is outside what it can score).", ErrorSchema()),
        };
        return Task.CompletedTask;
    }

    private static OpenApiSchema RowSchema(ServedModel model)
    {
        var properties = new Dictionary<string, IOpenApiSchema>();
        var required = new HashSet<string>();
        foreach (var field in model.Fields)
        {
            if (field.JsonType == "none")
                continue;
            var value = ValueSchema(field.JsonType);
            properties[field.Name] = field.Size switch
            {
                null => value,
                0 => new OpenApiSchema { Type = JsonSchemaType.Array, Items = value },
                int n => new OpenApiSchema { Type = JsonSchemaType.Array, Items = value, MinItems = n, MaxItems = n },
            };
            if (field.Required)
                required.Add(field.Name);
        }
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = properties,
            Required = required,
            AdditionalPropertiesAllowed = false,
        };
    }

    private static OpenApiSchema ValueSchema(string jsonType) => jsonType switch
    {
        "number" => new OpenApiSchema { Type = JsonSchemaType.Number, Format = "float" },
        "integer" => new OpenApiSchema { Type = JsonSchemaType.Integer },
        "boolean" => new OpenApiSchema { Type = JsonSchemaType.Boolean },
        _ => new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiSchema AnswerSchema(ServedModel model)
    {
        var number = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "float" };
        var properties = model.Task switch
        {
            ServingTask.BinaryClassification => new Dictionary<string, IOpenApiSchema>
            {
                ["score"] = number,
                ["probability"] = number,
                ["predictedLabel"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            },
            ServingTask.MulticlassClassification => new Dictionary<string, IOpenApiSchema>
            {
                ["predictedLabel"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean,
                    Enum = null,
                    Description = "One of: " + string.Join(", ", model.ClassLabels),
                },
                ["probabilities"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = model.ClassLabels.ToDictionary(label => label, IOpenApiSchema (_) => number),
                },
            },
            _ => new Dictionary<string, IOpenApiSchema> { ["score"] = number },
        };
        return new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties, Required = properties.Keys.ToHashSet() };
    }

    private static OpenApiSchema ErrorSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema> { ["error"] = new OpenApiSchema { Type = JsonSchemaType.String } },
        Required = new HashSet<string> { "error" },
    };

    private static OpenApiResponse Json(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
    };
}
