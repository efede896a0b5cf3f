using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.Serving;

/// <summary>
/// One row of a request as a <see cref="DataViewRow"/> with the model's own input schema, built at run time from the
/// schema read from the model file (no CLR class per model). It is the input of a row mapper (what
/// <see cref="PredictionEngine{TSrc, TDst}"/> uses inside): <see cref="MoveTo"/> points it at another row of another
/// request, and the mapper's output getters read through it. Columns a request did not give hold default values and
/// are never read by the model (only the columns its outputs depend on are required).
/// </summary>
internal sealed class RequestRow : DataViewRow
{
    private ColumnValues[] _columns = [];
    private int _row;
    private long _position = -1;

    public RequestRow(DataViewSchema schema) => Schema = schema;

    public override DataViewSchema Schema { get; }

    /// <summary>Grows by one at every <see cref="MoveTo"/>: ML.NET's getters cache their value per position.</summary>
    public override long Position => _position;

    public override long Batch => 0;

    /// <summary>Points the row at row <paramref name="row"/> of <paramref name="columns"/>.</summary>
    public void MoveTo(ColumnValues[] columns, int row)
    {
        _columns = columns;
        _row = row;
        _position++;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => true;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int index = column.Index;
        return (ref TValue value) => _columns[index].Read(_row, ref value);
    }

    public override ValueGetter<DataViewRowId> GetIdGetter()
        => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
}

/// <summary>One input column's values for every row of a request.</summary>
internal abstract class ColumnValues
{
    /// <summary>The number of rows there is room for.</summary>
    public abstract int Length { get; }

    /// <summary>A copy with room for <paramref name="rows"/> rows, the values so far kept.</summary>
    public abstract ColumnValues Resized(int rows);

    /// <summary>Copies row <paramref name="row"/>'s value into <paramref name="value"/>.</summary>
    public abstract void Read<TValue>(int row, ref TValue value);
}

/// <summary>A scalar column: one <typeparamref name="T"/> per row.</summary>
internal sealed class ScalarValues<T>(T[] values) : ColumnValues
{
    public T[] Values { get; } = values;

    public override int Length => Values.Length;

    public override ColumnValues Resized(int rows)
    {
        var values = Values;
        Array.Resize(ref values, rows);
        return new ScalarValues<T>(values);
    }

    public override void Read<TValue>(int row, ref TValue value)
    {
        if (typeof(TValue) != typeof(T))
            throw new InvalidOperationException($"The column holds {typeof(T).Name}, not {typeof(TValue).Name}.");
        value = ((TValue[])(object)Values)[row];
    }
}

/// <summary>A vector column: one dense <see cref="VBuffer{T}"/> per row; a row the request left out (a column the
/// model does not read) is all default values of the column's size.</summary>
internal sealed class VectorValues<T>(T[]?[] values, int size) : ColumnValues
{
    public T[]?[] Values { get; } = values;

    public override int Length => Values.Length;

    public override ColumnValues Resized(int rows)
    {
        var values = Values;
        Array.Resize(ref values, rows);
        return new VectorValues<T>(values, size);
    }

    public override void Read<TValue>(int row, ref TValue value)
    {
        if (typeof(TValue) != typeof(VBuffer<T>))
            throw new InvalidOperationException($"The column holds VBuffer<{typeof(T).Name}>, not {typeof(TValue).Name}.");
        ref var buffer = ref System.Runtime.CompilerServices.Unsafe.As<TValue, VBuffer<T>>(ref value);
        var source = Values[row] ?? new T[size];
        var editor = VBufferEditor.Create(ref buffer, source.Length);
        source.CopyTo(editor.Values);
        buffer = editor.Commit();
    }
}

/// <summary>A column the request cannot fill (its type is not readable from JSON) and the model does not read.</summary>
internal sealed class NoValues(int rows) : ColumnValues
{
    public override int Length => rows;

    public override ColumnValues Resized(int rows) => new NoValues(rows);

    public override void Read<TValue>(int row, ref TValue value) => value = default!;
}
