using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.Serving;

/// <summary>
/// The rows of one request as an <see cref="IDataView"/> with the model's own input schema, built at run time from the
/// schema read from the model file (no CLR class per model). Each column holds an array of values, one per row;
/// columns the request did not give hold default values and are never read by the model (only the columns it
/// depends on are required).
/// </summary>
internal sealed class RequestDataView : IDataView
{
    private readonly ColumnValues[] _columns;
    private readonly int _rowCount;

    public RequestDataView(DataViewSchema schema, ColumnValues[] columns, int rowCount)
    {
        Schema = schema;
        _columns = columns;
        _rowCount = rowCount;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly RequestDataView _view;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(RequestDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            foreach (var column in columnsNeeded)
                _active[column.Index] = true;
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._rowCount)
            {
                _position = _view._rowCount;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
            return _view._columns[column.Index].GetGetter<TValue>(() => _position);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}

/// <summary>One input column's values for every row of a request.</summary>
internal abstract class ColumnValues
{
    /// <summary>The number of rows there is room for.</summary>
    public abstract int Length { get; }

    /// <summary>A copy with room for <paramref name="rows"/> rows, the values so far kept.</summary>
    public abstract ColumnValues Resized(int rows);

    public abstract ValueGetter<TValue> GetGetter<TValue>(Func<long> position);
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

    public override ValueGetter<TValue> GetGetter<TValue>(Func<long> position)
    {
        if (typeof(TValue) != typeof(T))
            throw new InvalidOperationException($"The column holds {typeof(T).Name}, not {typeof(TValue).Name}.");
        var values = (TValue[])(object)Values;
        return (ref TValue value) => value = values[position()];
    }
}

/// <summary>A vector column: one <see cref="VBuffer{T}"/> per row (dense); a row the request left out (a column the
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

    public override ValueGetter<TValue> GetGetter<TValue>(Func<long> position)
    {
        if (typeof(TValue) != typeof(VBuffer<T>))
            throw new InvalidOperationException($"The column holds VBuffer<{typeof(T).Name}>, not {typeof(TValue).Name}.");
        var getter = (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            var row = Values[position()] ?? new T[size];
            var editor = VBufferEditor.Create(ref value, row.Length);
            row.CopyTo(editor.Values);
            value = editor.Commit();
        });
        return (ValueGetter<TValue>)(object)getter;
    }
}

/// <summary>A column the request cannot fill (its type is not readable from JSON) and the model does not read.</summary>
internal sealed class NoValues(int rows) : ColumnValues
{
    public override int Length => rows;

    public override ColumnValues Resized(int rows) => new NoValues(rows);

    public override ValueGetter<TValue> GetGetter<TValue>(Func<long> position) => (ref TValue value) => value = default!;
}
