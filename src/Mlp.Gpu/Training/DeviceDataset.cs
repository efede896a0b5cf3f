using Mlp.Gpu.Backends;

namespace Mlp.Gpu.Training;

/// <summary>A <see cref="Dataset"/> uploaded once to a backend, with the row order of the current epoch.</summary>
internal sealed class DeviceDataset : IBatchSource
{
    private readonly IBackend _backend;
    private readonly int[] _order;
    private int _next;

    public DeviceDataset(IBackend backend, Dataset data)
    {
        _backend = backend;
        Data = data;
        // Shared, not copied, on the CPU: the cached data set is held once. Kernels only read these buffers.
        Features = backend.Share(data.Features);
        Labels = backend.Share(data.Labels);
        Weights = data.Weights is null ? null : backend.Share(data.Weights);
        Order = backend.AllocateIndices(data.RowCount);
        _order = new int[data.RowCount];
        for (int i = 0; i < _order.Length; i++)
            _order[i] = i;
        backend.Upload(_order, Order);
        var moments = new LabelMoments(data.LabelWidth);
        moments.Add(data.Labels, data.Weights);
        TotalSquares = moments.TotalSquares;
    }

    public Dataset Data { get; }

    public DeviceBuffer<float> Features { get; }

    public DeviceBuffer<float> Labels { get; }

    public DeviceBuffer<float>? Weights { get; }

    /// <inheritdoc/>
    public bool Weighted => Weights is not null;

    /// <summary>Row indices in the order of the current epoch.</summary>
    public DeviceBuffer<int> Order { get; }

    /// <summary>Σ_i w_i·Σ_j (y_ij − ȳ_j)², the denominator of R².</summary>
    public double TotalSquares { get; }

    /// <inheritdoc/>
    public void StartEpoch(Random random, bool shuffle)
    {
        if (shuffle)
            Shuffle(random);
        _next = 0;
    }

    /// <inheritdoc/>
    public void SkipEpoch(Random random, bool shuffle, long rowsPerEpoch)
    {
        if (shuffle)
            ShuffleOrder(random); // the next shuffle continues from this order and uploads it
    }

    /// <inheritdoc/>
    public int LoadNext(NetworkWorkspace workspace, int batchSize)
    {
        int rows = Math.Min(batchSize, Data.RowCount - _next);
        if (rows <= 0)
            return 0;
        LoadBatch(workspace, _next, rows);
        _next += rows;
        return rows;
    }

    /// <summary>Fisher–Yates shuffle of the row order, continuing from the current order (as scikit-learn does).</summary>
    private void Shuffle(Random random)
    {
        ShuffleOrder(random);
        _backend.Upload(_order, Order);
    }

    private void ShuffleOrder(Random random)
    {
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>Copies rows [start, start + count) of the current order into the workspace's minibatch buffers.</summary>
    public void LoadBatch(NetworkWorkspace workspace, int start, int count)
    {
        _backend.GatherRows(Features, Data.FeatureCount, Order, start, count, workspace.Input);
        _backend.GatherRows(Labels, Data.LabelWidth, Order, start, count, workspace.Labels);
        if (Weights is not null)
            _backend.GatherRows(Weights, 1, Order, start, count, workspace.Weights);
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
        Weights?.Dispose();
        Order.Dispose();
    }
}
