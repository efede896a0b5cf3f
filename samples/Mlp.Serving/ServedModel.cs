using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Serving;

/// <summary>What the served model predicts.</summary>
public enum ServingTask
{
    /// <summary>Binary classification: score (logit), probability, predicted label.</summary>
    BinaryClassification,

    /// <summary>Multiclass classification: predicted label and a probability per class.</summary>
    MulticlassClassification,

    /// <summary>Regression: score.</summary>
    Regression,
}

/// <summary>
/// A saved ML.NET pipeline that ends in an MLP (binary, multiclass or regression), served from its own input schema:
/// each input column of the model file is a JSON field; a request's rows are read into columns of that schema and
/// scored through the model's row mapper, the one <see cref="ITransformer.Transform"/> uses.
/// </summary>
/// <remarks>
/// The model (<see cref="ITransformer"/>) is immutable and shared; a row mapper with its getters is costly to build and
/// not thread-safe, so each request borrows a <c>Scorer</c> from a pool (as with a pool of prediction engines, but
/// for a schema known only at run time). Only the input columns the outputs depend on are required in a request (a
/// label column read only at training time is not); the others may be given and are type-checked, then ignored.
/// </remarks>
public sealed class ServedModel
{
    private static readonly string[] s_mlpLoaderSignatures = ["MlpBinaryModel", "MlpMulticlassModel", "MlpRegressionModel"];
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = true };

    private readonly InputField[] _fields;
    private readonly Dictionary<string, int> _exactNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _caseInsensitiveNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _featuresAlias = -1;
    private readonly DataViewSchema.Column[] _outputColumns;
    private readonly string[] _classLabels = [];
    private readonly object?[] _predictedLabelValues = [];
    private readonly MlpSummary _mlp;
    private readonly ObjectPool<Scorer> _scorers;

    private ServedModel(ITransformer model, DataViewSchema? inputSchema, string source)
    {
        Model = model;
        Source = source;
        if (inputSchema is null || inputSchema.Count == 0)
            throw new InvalidOperationException(
                $"The model {source} was saved without an input schema; save it with mlContext.Model.Save(model, data.Schema, path).");
        InputSchema = inputSchema;
        (Task, _mlp) = FindMlp(model, source);

        DataViewSchema outputSchema;
        try
        {
            outputSchema = model.GetOutputSchema(inputSchema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidOperationException($"The model {source} cannot score its own input schema: {e.Message}", e);
        }
        string[] outputNames = Task switch
        {
            ServingTask.BinaryClassification => ["Score", "Probability", "PredictedLabel"],
            ServingTask.MulticlassClassification => ["Score", "PredictedLabel"],
            _ => ["Score"],
        };
        _outputColumns = outputNames.Select(name => outputSchema.GetColumnOrNull(name) ?? throw new InvalidOperationException(
            $"The model {source} has no '{name}' output column; found: {string.Join(", ", outputSchema.Select(c => c.Name))}.")).ToArray();
        if (Task == ServingTask.MulticlassClassification)
            (_classLabels, _predictedLabelValues) = ReadClassLabels(_outputColumns[0], _outputColumns[1], _mlp.Outputs);

        var required = RequiredInputs(model, inputSchema, _outputColumns);
        _fields = new InputField[inputSchema.Count];
        foreach (var column in inputSchema)
        {
            bool isRequired = required.Contains(column.Name);
            _fields[column.Index] = InputField.Create(column, isRequired) ?? (isRequired
                ? throw new InvalidOperationException(
                    $"The model's input column '{column.Name}' has type {column.Type}, which cannot be read from JSON.")
                : new UnreadableField(column));
            _exactNames[column.Name] = column.Index;
            if (!_caseInsensitiveNames.TryAdd(column.Name, column.Index))
                _caseInsensitiveNames[column.Name] = -1; // two columns differ only in case: only exact names match
        }
        var requiredFields = _fields.Where(f => f.Required).ToList();
        if (requiredFields is [{ Size: not null } vector] && !_caseInsensitiveNames.ContainsKey("features"))
            _featuresAlias = vector.Column.Index;

        _scorers = new DefaultObjectPool<Scorer>(new ScorerPolicy(this), maximumRetained: Environment.ProcessorCount * 4);
        try
        {
            _scorers.Return(_scorers.Get()); // fail at start-up, not on the first request
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"The model {source} cannot score single rows: {e.Message}", e);
        }
    }

    /// <summary>The whole pipeline.</summary>
    public ITransformer Model { get; }

    /// <summary>The input schema read from the model file.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Where the model came from: a full file path, or the demo model's description.</summary>
    public string Source { get; }

    /// <summary>What the model predicts.</summary>
    public ServingTask Task { get; }

    /// <summary>The class labels, in the order of the model's outputs (multiclass only; else empty).</summary>
    public IReadOnlyList<string> ClassLabels => _classLabels;

    /// <summary>The input columns as JSON fields.</summary>
    internal IReadOnlyList<InputField> Fields => _fields;

    /// <summary>Loads a model saved with <c>mlContext.Model.Save</c> through <see cref="MlpModelFile"/> (the zip's
    /// checksums are verified first). A relative path is resolved against the working directory.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, truncated, from a newer version, or not an ML.NET model.</exception>
    /// <exception cref="InvalidOperationException">The file is an ML.NET model, but not one ending in an MLP, or
    /// its input cannot be read from JSON.</exception>
    public static ServedModel Load(MLContext ml, string path)
    {
        string fullPath = Path.GetFullPath(path);
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = MlpModelFile.Load(ml, fullPath, out inputSchema);
        }
        catch (InvalidDataException e) when (IsIntactModelWithoutMlp(fullPath))
        {
            // ML.NET could not load a step, and no step is ours: e.g. FastTree, whose assembly this server lacks.
            throw new InvalidOperationException(
                $"The model file '{fullPath}' is not an MLP model: none of its steps is an MLP from this library. ({e.Message})", e);
        }
        return new ServedModel(model, inputSchema, fullPath);
    }

    /// <summary>Serves a model trained in this process.</summary>
    public static ServedModel FromTrained(ITransformer model, DataViewSchema inputSchema, string source) => new(model, inputSchema, source);

    /// <summary>
    /// Answers one <c>/predict</c> body: a JSON object (one row) answered by an object, or an array of objects (a
    /// batch of at most <paramref name="maxBatchRows"/> rows) answered by an array in the same order.
    /// </summary>
    /// <returns>The answer, UTF-8 JSON.</returns>
    /// <exception cref="RequestException">400 for a body that is not such JSON or a field that is missing, unknown
    /// or ill-typed; 413 for too many rows; 422 when the model's output for a row is not a finite number.</exception>
    internal byte[] Predict(ReadOnlySpan<byte> body, int maxBatchRows)
    {
        var (columns, rowCount, isBatch) = Parse(body, maxBatchRows);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 * Math.Max(1, rowCount));
        var scorer = _scorers.Get();
        try
        {
            using var writer = new Utf8JsonWriter(buffer, s_writerOptions);
            if (isBatch)
                writer.WriteStartArray();
            for (int row = 0; row < rowCount; row++)
                scorer.Write(writer, columns, row, isBatch);
            if (isBatch)
                writer.WriteEndArray();
        }
        finally
        {
            _scorers.Return(scorer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private (ColumnValues[] Columns, int Rows, bool IsBatch) Parse(ReadOnlySpan<byte> body, int maxBatchRows)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
            throw new RequestException("The body is empty; send a JSON object of input fields (or an array of them).");
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            reader.Read();
            bool isBatch = reader.TokenType == JsonTokenType.StartArray;
            if (!isBatch && reader.TokenType != JsonTokenType.StartObject)
                throw new RequestException("The body must be a JSON object of input fields, or an array of such objects.");

            var columns = _fields.Select(f => f.CreateValues(isBatch ? Math.Min(maxBatchRows, 16) : 1)).ToArray();
            var seen = new bool[_fields.Length];
            int rows = 0;
            if (isBatch)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (rows == maxBatchRows)
                        throw new RequestException($"The batch has more than {maxBatchRows} rows, the server's limit.", StatusCodes.Status413PayloadTooLarge);
                    if (reader.TokenType != JsonTokenType.StartObject)
                        throw new RequestException($"Element [{rows}] of the batch must be a JSON object of input fields.");
                    if (rows == columns[0].Length)
                    {
                        int capacity = (int)Math.Min(maxBatchRows, 2L * rows);
                        for (int c = 0; c < columns.Length; c++)
                            columns[c] = columns[c].Resized(capacity);
                    }
                    ReadRow(ref reader, columns, rows, seen, rows);
                    rows++;
                }
            }
            else
            {
                ReadRow(ref reader, columns, 0, seen, -1);
                rows = 1;
            }
            reader.Read(); // only white space may follow the value; anything else is a JsonException
            return (columns, rows, isBatch);
        }
        catch (JsonException e)
        {
            throw new RequestException($"The body is not valid JSON (byte offset {reader.BytesConsumed}): {FirstSentence(e.Message)}");
        }
    }

    /// <summary>Reads one object (the reader is on its '{') into row <paramref name="row"/>.</summary>
    /// <param name="batchRow">The row's index in a batch, or -1 for a single object (names fields in messages).</param>
    private void ReadRow(ref Utf8JsonReader reader, ColumnValues[] columns, int row, bool[] seen, int batchRow)
    {
        string prefix = batchRow < 0 ? "" : $"[{batchRow}].";
        Array.Clear(seen);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            int index = FieldIndex(name, prefix);
            if (seen[index])
                throw new RequestException($"'{prefix}{name}' is given twice.");
            seen[index] = true;
            reader.Read();
            _fields[index].Read(ref reader, columns[index], row, prefix.Length == 0 ? name : prefix + name);
        }
        foreach (var field in _fields)
        {
            if (field.Required && !seen[field.Column.Index])
                throw new RequestException($"'{prefix}{field.Name}' is missing: the model needs it ({Describe(field)}).");
        }
    }

    private int FieldIndex(string name, string prefix)
    {
        if (_exactNames.TryGetValue(name, out int index) || (_caseInsensitiveNames.TryGetValue(name, out index) && index >= 0))
            return index;
        if (_featuresAlias >= 0 && name.Equals("features", StringComparison.OrdinalIgnoreCase))
            return _featuresAlias;
        string known = string.Join(", ", _fields.Where(f => f.Required).Take(8).Select(f => f.Name));
        string shown = name.Length > 40 ? name[..40] + "..." : name;
        throw new RequestException($"'{prefix}{shown}' is not an input of the model; its inputs are: {known}.");
    }

    /// <param name="row">The row of a batch, or -1 for a single object.</param>
    private static float Finite(float value, string output, int row) => float.IsFinite(value)
        ? value
        : throw new RequestException(
            $"The model's {output}{(row < 0 ? "" : $" of row [{row}]")} is {value.ToString(CultureInfo.InvariantCulture)}: the input is outside the range the model can score.",
            StatusCodes.Status422UnprocessableEntity);

    /// <summary>The original label value of the predicted class: through the key's values, or the value itself when the
    /// pipeline already maps the key back (MapKeyToValue), or the key number when the key has no values.</summary>
    private Func<object?> LabelGetter(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type is KeyDataViewType)
        {
            var key = (Func<ulong>)GetType().GetMethod(nameof(KeyGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(column.Type.RawType).Invoke(null, [row, column])!;
            return () =>
            {
                ulong k = key();
                if (k == 0 || k > (ulong)_predictedLabelValues.Length)
                    return k == 0 ? null : k;
                return _predictedLabelValues[k - 1];
            };
        }
        return (Func<object?>)GetType().GetMethod(nameof(ValueGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType).Invoke(null, [row, column])!;
    }

    private static Func<ulong> KeyGetter<T>(DataViewRow row, DataViewSchema.Column column) where T : struct, IConvertible
    {
        var getter = row.GetGetter<T>(column);
        T value = default;
        return () =>
        {
            getter(ref value);
            return value.ToUInt64(CultureInfo.InvariantCulture);
        };
    }

    private static Func<object?> ValueGetter<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return Plain(value);
        };
    }

    private static object? Plain(object? value) => value is ReadOnlyMemory<char> text ? text.ToString() : value;

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case IConvertible c when value is not (float or double):
                writer.WriteNumberValue(c.ToDecimal(CultureInfo.InvariantCulture));
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>The class labels by output index, as strings (for "probabilities") and as values (for "predictedLabel").</summary>
    private static (string[] Names, object?[] Values) ReadClassLabels(DataViewSchema.Column score, DataViewSchema.Column predictedLabel, int classes)
    {
        object?[]? values = null;
        if (predictedLabel.Type is KeyDataViewType)
            values = AnnotationValues(predictedLabel, "KeyValues");
        values ??= AnnotationValues(score, "TrainingLabelValues");
        var slotNames = AnnotationValues(score, "SlotNames");
        string[] names = (slotNames ?? values)?.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray()
            ?? Enumerable.Range(1, classes).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Length != classes || names.Distinct().Count() != names.Length)
            names = Enumerable.Range(1, classes).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        return (names, values is { } v && v.Length == classes ? v : names.Select(n => (object?)n).ToArray());
    }

    private static object?[]? AnnotationValues(DataViewSchema.Column column, string kind)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(kind);
        if (annotation is not { Type: VectorDataViewType vector })
            return null;
        var method = typeof(ServedModel).GetMethod(nameof(ReadAnnotation), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return (object?[])method.MakeGenericMethod(vector.ItemType.RawType).Invoke(null, [column, kind])!;
    }

    private static object?[] ReadAnnotation<T>(DataViewSchema.Column column, string kind)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue(kind, ref values);
        return values.DenseValues().Select(v => Plain(v)).ToArray();
    }

    /// <summary>The input columns the model's outputs depend on; all of them if the model cannot tell.</summary>
    private static HashSet<string> RequiredInputs(ITransformer model, DataViewSchema inputSchema, DataViewSchema.Column[] outputs)
    {
        try
        {
            var mapper = model.GetRowToRowMapper(inputSchema);
            var mapped = outputs.Select(o => mapper.OutputSchema[o.Name]);
            return mapper.GetDependencies(mapped).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return inputSchema.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        }
    }

    private static (ServingTask Task, MlpSummary Mlp) FindMlp(ITransformer model, string source)
    {
        if (MlpModel.TryGetModelParameters<MlpBinaryModelParameters>(model, out var binary))
            return (ServingTask.BinaryClassification, MlpSummary.Of(binary));
        if (MlpModel.TryGetModelParameters<MlpMulticlassModelParameters>(model, out var multiclass))
            return (ServingTask.MulticlassClassification, MlpSummary.Of(multiclass));
        if (MlpModel.TryGetModelParameters<MlpRegressionModelParameters>(model, out var regression))
            return (ServingTask.Regression, MlpSummary.Of(regression));
        string cause;
        try
        {
            MlpModel.GetModelParameters<MlpBinaryModelParameters>(model);
            cause = "";
        }
        catch (InvalidOperationException e)
        {
            cause = e.Message.Replace("The model holds no MlpBinaryModelParameters; ", "", StringComparison.Ordinal);
        }
        throw new InvalidOperationException($"The model {source} is not an MLP model: {cause}");
    }

    /// <summary>Whether the zip is an intact ML.NET model none of whose parts was written by an MLP of this library
    /// (the loader signature is in each part's 256-byte header).</summary>
    private static bool IsIntactModelWithoutMlp(string path)
    {
        try
        {
            using var archive = System.IO.Compression.ZipFile.OpenRead(path);
            var headers = archive.Entries.Where(e => e.Name == "Model.key").ToList();
            if (headers.Count == 0)
                return false;
            var buffer = new byte[256];
            foreach (var entry in headers)
            {
                using var stream = entry.Open();
                int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                string ascii = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
                if (s_mlpLoaderSignatures.Any(s => ascii.Contains(s, StringComparison.Ordinal)))
                    return false;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The model's architecture, inputs and outputs, and a summary of its training history.</summary>
    public ModelInfo Describe()
    {
        int[] layers = [_mlp.Features, .. _mlp.Hidden, _mlp.Outputs];
        var inputs = _fields.Where(f => f is not UnreadableField)
            .Select(f => new InputColumnInfo(f.Name, f.ItemTypeName, f.Size, f.JsonType, f.Required)).ToList();
        var outputs = Task switch
        {
            ServingTask.BinaryClassification => new List<OutputInfo>
            {
                new("score", "number", "The logit z of the positive class."),
                new("probability", "number", "P(positive) = 1 / (1 + e^-score)."),
                new("predictedLabel", "boolean", "Whether the score is above the model's threshold."),
            },
            ServingTask.MulticlassClassification =>
            [
                new("predictedLabel", "label", "The most probable class, as the original label value."),
                new("probabilities", "object", "The probability of each class, by label."),
            ],
            _ => [new("score", "number", "The predicted value.")],
        };
        return new ModelInfo(Source, Task, inputs, outputs, Task == ServingTask.MulticlassClassification ? _classLabels : null,
            layers, _mlp.Hidden, _mlp.Activation, Summarize(_mlp.History, _mlp.BestEpoch, _mlp.StoppedEarly));
    }

    internal static string Describe(InputField field) => field.Size switch
    {
        null => field.Expected,
        0 => $"an array, each value {field.Expected}",
        var n => $"an array of {n} values, each {field.Expected}",
    };

    internal static TrainingSummary Summarize(IReadOnlyList<MlpEpochRecord> history, int bestEpoch, bool stoppedEarly)
    {
        if (history.Count == 0)
            return new TrainingSummary(0, null, null, null, null, null, null, 0, bestEpoch, stoppedEarly);
        var last = history[^1];
        var best = history.Where(r => r.ValidationLoss is not null).MinBy(r => r.ValidationLoss!.Value);
        return new TrainingSummary(history.Count, history[0].TrainingLoss, last.TrainingLoss, last.ValidationLoss,
            best?.ValidationLoss, best?.Epoch, last.ValidationMetric, last.Elapsed.TotalSeconds, bestEpoch, stoppedEarly);
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        string first = end > 0 ? message[..(end + 1)] : message;
        return first.Length > 120 ? first[..120] + "..." : first;
    }

    /// <summary>
    /// Scores rows of requests: a <see cref="RequestRow"/> and the model's row mapper over it, with the output getters
    /// made once (as <see cref="PredictionEngine{TSrc, TDst}"/> does inside). Not thread-safe: a request borrows one
    /// from the pool. The mapper is the one <see cref="ITransformer.Transform"/> uses, so the answers are the same, bit
    /// for bit, as in-process <c>Transform</c> of the same model.
    /// </summary>
    private sealed class Scorer
    {
        private readonly ServedModel _model;
        private readonly RequestRow _input;
        private readonly ValueGetter<float>? _score;
        private readonly ValueGetter<float>? _probability;
        private readonly ValueGetter<bool>? _binaryLabel;
        private readonly ValueGetter<VBuffer<float>>? _scores;
        private readonly Func<object?>? _label;
        private VBuffer<float> _classScores;

        public Scorer(ServedModel model)
        {
            _model = model;
            _input = new RequestRow(model.InputSchema);
            var mapper = model.Model.GetRowToRowMapper(model.InputSchema);
            var outputs = model._outputColumns.Select(c => mapper.OutputSchema[c.Name]).ToArray();
            var row = mapper.GetRow(_input, outputs);
            switch (model.Task)
            {
                case ServingTask.BinaryClassification:
                    _score = row.GetGetter<float>(outputs[0]);
                    _probability = row.GetGetter<float>(outputs[1]);
                    _binaryLabel = row.GetGetter<bool>(outputs[2]);
                    break;
                case ServingTask.Regression:
                    _score = row.GetGetter<float>(outputs[0]);
                    break;
                default:
                    _scores = row.GetGetter<VBuffer<float>>(outputs[0]);
                    _label = model.LabelGetter(row, outputs[1]);
                    break;
            }
        }

        /// <summary>Scores row <paramref name="row"/> of <paramref name="columns"/> and writes its answer object.</summary>
        public void Write(Utf8JsonWriter writer, ColumnValues[] columns, int row, bool isBatch)
        {
            int where = isBatch ? row : -1;
            _input.MoveTo(columns, row);
            float value = 0, p = 0;
            bool predicted = false;
            writer.WriteStartObject();
            switch (_model.Task)
            {
                case ServingTask.BinaryClassification:
                    _score!(ref value);
                    _probability!(ref p);
                    _binaryLabel!(ref predicted);
                    writer.WriteNumber("score", Finite(value, "score", where));
                    writer.WriteNumber("probability", Finite(p, "probability", where));
                    writer.WriteBoolean("predictedLabel", predicted);
                    break;
                case ServingTask.Regression:
                    _score!(ref value);
                    writer.WriteNumber("score", Finite(value, "score", where));
                    break;
                default:
                    _scores!(ref _classScores);
                    var labels = _model._classLabels;
                    writer.WritePropertyName("predictedLabel");
                    WriteValue(writer, _label!());
                    writer.WriteStartObject("probabilities");
                    int k = 0;
                    foreach (float probability in _classScores.DenseValues())
                    {
                        if (k == labels.Length)
                            break;
                        writer.WriteNumber(labels[k], float.IsFinite(probability) ? probability : Finite(probability, $"probability of class '{labels[k]}'", where));
                        k++;
                    }
                    writer.WriteEndObject();
                    break;
            }
            writer.WriteEndObject();
        }
    }

    private sealed class ScorerPolicy(ServedModel model) : PooledObjectPolicy<Scorer>
    {
        public override Scorer Create() => new(model);

        public override bool Return(Scorer scorer) => true;
    }

    /// <summary>An input column whose type JSON cannot carry (e.g. a key) and that the model does not read.</summary>
    private sealed class UnreadableField(DataViewSchema.Column column) : InputField(column, null, required: false)
    {
        public override string JsonType => "none";

        public override string Expected => $"not given (the server cannot read {Column.Type} from JSON)";

        public override ColumnValues CreateValues(int rows) => new NoValues(rows);

        public override void Read(ref Utf8JsonReader reader, ColumnValues values, int row, string path)
            => throw new RequestException($"'{path}' cannot be given: the server cannot read {Column.Type} from JSON, and the model does not need it.");
    }

    /// <summary>The MLP's architecture and history, whichever task it was trained for.</summary>
    private sealed record MlpSummary(int Features, int[] Hidden, int Outputs, string Activation,
        IReadOnlyList<MlpEpochRecord> History, int BestEpoch, bool StoppedEarly)
    {
        public static MlpSummary Of<TOutput>(MlpModelParametersBase<TOutput> mlp) => new(mlp.NumberOfFeatures,
            mlp.HiddenLayerSizes.ToArray(), mlp.NumberOfOutputs, mlp.Activation.ToString(), mlp.TrainingHistory, mlp.BestEpoch, mlp.StoppedEarly);
    }
}
