using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.Serving;

/// <summary>
/// One input column of the served model as a JSON field: its name and type from the model file's input schema,
/// whether the model reads it, and how to read its value from a request (a scalar, or an array for a vector column).
/// </summary>
internal abstract class InputField
{
    protected InputField(DataViewSchema.Column column, int? size, bool required)
    {
        Column = column;
        Size = size;
        Required = required;
    }

    /// <summary>The model's input column.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>The column's (and the JSON field's) name.</summary>
    public string Name => Column.Name;

    /// <summary>Null for a scalar column; the number of values of a vector column (0: any number).</summary>
    public int? Size { get; }

    /// <summary>Whether the model's outputs depend on the column (a request must give it).</summary>
    public bool Required { get; }

    /// <summary>The JSON type of one value: "number", "integer", "boolean" or "string".</summary>
    public abstract string JsonType { get; }

    /// <summary>What a value must be, for error messages: e.g. "a finite number within the float range".</summary>
    public abstract string Expected { get; }

    /// <summary>The ML.NET type name of one value, e.g. "Single".</summary>
    public string ItemTypeName => (Column.Type is VectorDataViewType vector ? vector.ItemType : Column.Type).RawType switch
    {
        var t when t == typeof(ReadOnlyMemory<char>) => "String",
        var t => t.Name,
    };

    /// <summary>Creates the column's storage for <paramref name="rows"/> rows.</summary>
    public abstract ColumnValues CreateValues(int rows);

    /// <summary>Reads the field's value (the reader is on its first token) into row <paramref name="row"/>.</summary>
    /// <exception cref="RequestException">The value has the wrong type, is not finite, or has the wrong length.</exception>
    public abstract void Read(ref Utf8JsonReader reader, ColumnValues values, int row, string path);

    /// <summary>The field for <paramref name="column"/>, or null when the server cannot read its type from JSON.</summary>
    public static InputField? Create(DataViewSchema.Column column, bool required)
    {
        var itemType = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
        int? size = column.Type is VectorDataViewType v ? v.Size : null;
        if (itemType is KeyDataViewType)
            return null;
        return itemType.RawType switch
        {
            var t when t == typeof(float) => new InputField<float>(column, size, required, SingleReader.Instance),
            var t when t == typeof(double) => new InputField<double>(column, size, required, DoubleReader.Instance),
            var t when t == typeof(bool) => new InputField<bool>(column, size, required, BooleanReader.Instance),
            var t when t == typeof(ReadOnlyMemory<char>) => new InputField<ReadOnlyMemory<char>>(column, size, required, TextReader.Instance),
            var t when t == typeof(sbyte) => new InputField<sbyte>(column, size, required, IntegerReader<sbyte>.Instance),
            var t when t == typeof(byte) => new InputField<byte>(column, size, required, IntegerReader<byte>.Instance),
            var t when t == typeof(short) => new InputField<short>(column, size, required, IntegerReader<short>.Instance),
            var t when t == typeof(ushort) => new InputField<ushort>(column, size, required, IntegerReader<ushort>.Instance),
            var t when t == typeof(int) => new InputField<int>(column, size, required, IntegerReader<int>.Instance),
            var t when t == typeof(uint) => new InputField<uint>(column, size, required, IntegerReader<uint>.Instance),
            var t when t == typeof(long) => new InputField<long>(column, size, required, IntegerReader<long>.Instance),
            var t when t == typeof(ulong) => new InputField<ulong>(column, size, required, IntegerReader<ulong>.Instance),
            _ => null,
        };
    }

    /// <summary>The raw JSON token, shortened, to echo in a message.</summary>
    protected static string Echo(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartArray)
            return "an array";
        if (reader.TokenType is JsonTokenType.StartObject)
            return "an object";
        var raw = reader.ValueSpan; // the body is one span, never a sequence
        string text = Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 40)]);
        if (reader.TokenType is JsonTokenType.String)
            text = "\"" + text + "\"";
        return raw.Length > 40 ? text + "..." : text;
    }
}

/// <summary>An input field whose values are <typeparamref name="T"/>.</summary>
internal sealed class InputField<T>(DataViewSchema.Column column, int? size, bool required, ValueReader<T> reader)
    : InputField(column, size, required)
{
    public override string JsonType => reader.JsonType;

    public override string Expected => reader.Expected;

    public override ColumnValues CreateValues(int rows) =>
        Size is { } size ? new VectorValues<T>(new T[]?[rows], size) : new ScalarValues<T>(new T[rows]);

    public override void Read(ref Utf8JsonReader json, ColumnValues values, int row, string path)
    {
        if (Size is not { } size)
        {
            ((ScalarValues<T>)values).Values[row] = ReadOne(ref json, path, -1);
            return;
        }
        if (json.TokenType != JsonTokenType.StartArray)
            throw new RequestException($"'{path}' must be an array of {size} values, each {Expected}; got {Echo(ref json)}.");
        // Count while reading: an over-long array is refused at its first extra value, never materialised.
        var buffer = size > 0 ? new T[size] : [];
        var growing = size > 0 ? null : new List<T>();
        int count = 0;
        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
        {
            if (size > 0 && count == size)
                throw new RequestException($"'{path}' has more than {size} values; the model takes {size}.");
            var value = ReadOne(ref json, path, count);
            if (growing is null)
                buffer[count] = value;
            else
                growing.Add(value);
            count++;
        }
        if (size > 0 && count != size)
            throw new RequestException($"'{path}' has {count} values; the model takes {size}.");
        ((VectorValues<T>)values).Values[row] = growing?.ToArray() ?? buffer;
    }

    /// <param name="index">The element's index in a vector, or -1 for a scalar (the path is only composed for a message).</param>
    private T ReadOne(ref Utf8JsonReader json, string path, int index) =>
        reader.TryRead(ref json, out var value)
            ? value
            : throw new RequestException($"'{(index < 0 ? path : $"{path}[{index}]")}' must be {Expected}; got {Echo(ref json)}.");
}

/// <summary>Reads one JSON value as a <typeparamref name="T"/>.</summary>
internal abstract class ValueReader<T>
{
    public abstract string JsonType { get; }

    public abstract string Expected { get; }

    public abstract bool TryRead(ref Utf8JsonReader reader, out T value);
}

internal sealed class SingleReader : ValueReader<float>
{
    public static readonly SingleReader Instance = new();

    public override string JsonType => "number";

    public override string Expected => "a finite number within the float range";

    public override bool TryRead(ref Utf8JsonReader reader, out float value)
    {
        value = 0;
        // Parsed as a float directly (not through double): the value is the one float.Parse gives, bit for bit.
        return reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out value) && float.IsFinite(value);
    }
}

internal sealed class DoubleReader : ValueReader<double>
{
    public static readonly DoubleReader Instance = new();

    public override string JsonType => "number";

    public override string Expected => "a finite number";

    public override bool TryRead(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value) && double.IsFinite(value);
    }
}

internal sealed class IntegerReader<T> : ValueReader<T> where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    public static readonly IntegerReader<T> Instance = new();

    public override string JsonType => "integer";

    public override string Expected { get; } = string.Create(CultureInfo.InvariantCulture,
        $"an integer from {T.MinValue} to {T.MaxValue}");

    public override bool TryRead(ref Utf8JsonReader reader, out T value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out decimal d) || d != decimal.Truncate(d))
            return false;
        if (d < decimal.CreateTruncating(T.MinValue) || d > decimal.CreateTruncating(T.MaxValue))
            return false;
        value = T.CreateChecked(d);
        return true;
    }
}

internal sealed class BooleanReader : ValueReader<bool>
{
    public static readonly BooleanReader Instance = new();

    public override string JsonType => "boolean";

    public override string Expected => "true or false";

    public override bool TryRead(ref Utf8JsonReader reader, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
    }
}

internal sealed class TextReader : ValueReader<ReadOnlyMemory<char>>
{
    public static readonly TextReader Instance = new();

    public override string JsonType => "string";

    public override string Expected => "a string";

    public override bool TryRead(ref Utf8JsonReader reader, out ReadOnlyMemory<char> value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String)
            return false;
        value = reader.GetString().AsMemory();
        return true;
    }
}

/// <summary>A client mistake: answered with <see cref="StatusCode"/> and the message, never logged as an error.</summary>
internal sealed class RequestException(string message, int statusCode = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
