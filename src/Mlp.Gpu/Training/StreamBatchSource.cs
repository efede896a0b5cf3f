using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Training;

/// <summary>
/// Minibatches from an <see cref="IRowStream"/> with bounded memory: rows arrive in blocks; while the loop trains on
/// one block (shuffled within the block), the next is read on a worker thread (double buffering), so reading costs
/// little wall time as long as it is faster than training. Batches never span two blocks; block sizes are a whole
/// number of batches, so only the epoch's last batch can be partial.
/// </summary>
internal sealed class StreamBatchSource : IBatchSource
{
    private readonly IBackend _backend;
    private readonly NetworkDescription _network;
    private readonly IRowStream _stream;
    private readonly Block[] _blocks;
    private readonly float[] _batchFeatures;
    private readonly float[] _batchLabels;
    private readonly float[] _batchWeights;
    private readonly LabelMoments _moments;
    private Task<int>? _pending;
    private int _current;
    private int _position;
    private bool _ended;
    private Random _random = new(0);
    private bool _shuffle;

    public StreamBatchSource(IBackend backend, NetworkDescription network, IRowStream stream, int blockRows, int batchSize)
    {
        _backend = backend;
        _network = network;
        _stream = stream;
        int rows = (int)Math.Min(int.MaxValue / Math.Max(network.InputCount, 1), (long)Math.Max(1, (blockRows + batchSize - 1) / batchSize) * batchSize);
        _blocks = [new Block(rows, network, stream.HasWeights), new Block(rows, network, stream.HasWeights)];
        _batchFeatures = new float[batchSize * network.InputCount];
        _batchLabels = new float[batchSize * network.LabelWidth];
        _batchWeights = new float[batchSize];
        _moments = new LabelMoments(network.LabelWidth);
    }

    public bool Weighted => _stream.HasWeights;

    public double TotalSquares { get; private set; }

    public void StartEpoch(Random random, bool shuffle)
    {
        WaitPending();
        _random = random;
        _shuffle = shuffle;
        _moments.Clear();
        _stream.Reset();
        _ended = false;
        _current = 0;
        Fill(_blocks[0]);
        if (_blocks[0].Count == 0)
            throw new ArgumentException("The training stream has no rows.");
        Prepare(_blocks[0]);
        ReadAhead();
    }

    public void SkipEpoch(Random random, bool shuffle, long rowsPerEpoch)
    {
        // An epoch shuffles each block as it starts: full blocks, then the remainder (Fill reads to capacity).
        if (!shuffle)
            return;
        var order = _blocks[0].Order;
        for (long left = rowsPerEpoch; left > 0; left -= order.Length)
            random.Shuffle(order.AsSpan(0, (int)Math.Min(order.Length, left)));
    }

    public int LoadNext(NetworkWorkspace workspace, int batchSize)
    {
        var block = _blocks[_current];
        if (_position >= block.Count)
        {
            if (_pending is null)
            {
                TotalSquares = _moments.TotalSquares;
                return 0;
            }
            WaitPending();
            _current ^= 1;
            block = _blocks[_current];
            if (block.Count == 0)
            {
                TotalSquares = _moments.TotalSquares;
                return 0;
            }
            Prepare(block);
            ReadAhead();
        }

        int rows = Math.Min(batchSize, block.Count - _position);
        int d = _network.InputCount, k = _network.LabelWidth;
        for (int i = 0; i < rows; i++)
        {
            int row = block.Order[_position + i];
            block.Features.AsSpan(row * d, d).CopyTo(_batchFeatures.AsSpan(i * d, d));
            block.Labels.AsSpan(row * k, k).CopyTo(_batchLabels.AsSpan(i * k, k));
            if (Weighted)
                _batchWeights[i] = block.Weights[row];
        }
        _position += rows;
        _backend.Upload(_batchFeatures.AsSpan(0, rows * d), workspace.Input);
        _backend.Upload(_batchLabels.AsSpan(0, rows * k), workspace.Labels);
        if (Weighted)
            _backend.Upload(_batchWeights.AsSpan(0, rows), workspace.Weights);
        _moments.Add(_batchLabels.AsSpan(0, rows * k), Weighted ? _batchWeights.AsSpan(0, rows) : default);
        return rows;
    }

    public void Dispose() => WaitPending();

    // Draws the order of a block that is about to be trained on.
    private void Prepare(Block block)
    {
        for (int i = 0; i < block.Count; i++)
            block.Order[i] = i;
        if (_shuffle)
            _random.Shuffle(block.Order.AsSpan(0, block.Count));
        _position = 0;
    }

    private void ReadAhead()
    {
        if (_ended)
        {
            _pending = null;
            return;
        }
        var spare = _blocks[_current ^ 1];
        _pending = Task.Run(() =>
        {
            Fill(spare);
            return spare.Count;
        });
    }

    // Reads the next block (runs on the worker); the stream checked its rows as it read them.
    private void Fill(Block block)
    {
        int d = _network.InputCount, k = _network.LabelWidth, count = 0;
        while (count < block.Capacity)
        {
            int read = _stream.Read(block.Features.AsSpan(count * d), block.Labels.AsSpan(count * k),
                Weighted ? block.Weights.AsSpan(count) : default, block.Capacity - count);
            if (read <= 0)
            {
                _ended = true;
                break;
            }
            count += read;
        }
        block.Count = count;
    }

    private void WaitPending()
    {
        var pending = _pending;
        _pending = null;
        pending?.GetAwaiter().GetResult(); // rethrows the reader's exception, if any
    }

    private sealed class Block(int capacity, NetworkDescription network, bool weighted)
    {
        public int Capacity { get; } = capacity;

        public float[] Features { get; } = new float[(long)capacity * network.InputCount];

        public float[] Labels { get; } = new float[(long)capacity * network.LabelWidth];

        public float[] Weights { get; } = weighted ? new float[capacity] : [];

        public int[] Order { get; } = new int[capacity];

        public int Count { get; set; }
    }
}
