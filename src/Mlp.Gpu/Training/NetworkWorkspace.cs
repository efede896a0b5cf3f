using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;

namespace Mlp.Gpu.Training;

/// <summary>
/// The device buffers of one training run and the forward/backward pass over them, written once against
/// <see cref="IBackend"/>. Per layer l it keeps z_l, a_l = s(z_l) and delta_l = ∂L/∂z_l for up to
/// <see cref="Capacity"/> rows; the flat parameter, gradient and optimizer-state buffers mirror the network's layout.
/// </summary>
internal sealed class NetworkWorkspace : IDisposable
{
    private readonly DeviceBuffer<float>[] _z;
    private readonly DeviceBuffer<float>?[] _a;
    private readonly DeviceBuffer<float>[] _delta;
    private readonly DeviceBuffer<float>?[] _mask;
    private readonly DeviceBuffer<float>?[] _dropped;
    private readonly int _seed;
    private bool _droppedInLastPass;

    /// <param name="backend">Where the buffers live and the kernels run.</param>
    /// <param name="network">The architecture.</param>
    /// <param name="capacity">Most rows one pass holds (the batch size).</param>
    /// <param name="optimizer">Decides which moment buffers exist.</param>
    /// <param name="dropoutRate">Probability p of dropping a hidden unit in training passes, in [0, 1); 0 allocates nothing for it.</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    public NetworkWorkspace(IBackend backend, NetworkDescription network, int capacity, MlpOptimizer optimizer,
        float dropoutRate = 0f, int seed = 0)
    {
        DropoutRate = dropoutRate;
        _seed = seed;
        Backend = backend;
        Network = network;
        Capacity = capacity;
        var layers = network.Layers;
        Parameters = backend.Allocate(network.ParameterCount);
        Gradients = backend.Allocate(network.ParameterCount);
        FirstMoment = OptimizerStep.NeedsFirstMoment(optimizer) ? backend.Allocate(network.ParameterCount) : null;
        SecondMoment = OptimizerStep.NeedsSecondMoment(optimizer) ? backend.Allocate(network.ParameterCount) : null;
        Input = backend.Allocate(capacity * network.InputCount);
        Labels = backend.Allocate(capacity * network.LabelWidth);
        Weights = backend.Allocate(capacity);
        Accumulator = backend.Allocate(LossAccumulator.Length);
        Scratch = backend.Allocate(1);
        _z = new DeviceBuffer<float>[layers.Count];
        _a = new DeviceBuffer<float>?[layers.Count];
        _delta = new DeviceBuffer<float>[layers.Count];
        _mask = new DeviceBuffer<float>?[layers.Count];
        _dropped = new DeviceBuffer<float>?[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            int size = capacity * layers[l].OutputCount;
            bool hidden = l < layers.Count - 1;
            _z[l] = backend.Allocate(size);
            _a[l] = hidden ? backend.Allocate(size) : null; // the output layer's a is its z (the loss applies the head)
            _delta[l] = backend.Allocate(size);
            if (hidden && dropoutRate > 0f)
            {
                _mask[l] = backend.Allocate(size);
                _dropped[l] = backend.Allocate(size);
            }
        }
    }

    /// <summary>Dropout probability of hidden units in training passes.</summary>
    public float DropoutRate { get; }

    public IBackend Backend { get; }

    public NetworkDescription Network { get; }

    /// <summary>Most rows one pass can hold.</summary>
    public int Capacity { get; }

    public DeviceBuffer<float> Parameters { get; }

    public DeviceBuffer<float> Gradients { get; }

    public DeviceBuffer<float>? FirstMoment { get; }

    public DeviceBuffer<float>? SecondMoment { get; }

    /// <summary>The minibatch's features [rows x inputs].</summary>
    public DeviceBuffer<float> Input { get; }

    /// <summary>The minibatch's labels [rows x label width].</summary>
    public DeviceBuffer<float> Labels { get; }

    /// <summary>The minibatch's example weights [rows].</summary>
    public DeviceBuffer<float> Weights { get; }

    /// <summary>Loss sums (see <see cref="LossAccumulator"/>).</summary>
    public DeviceBuffer<float> Accumulator { get; }

    /// <summary>One float of scratch for reductions (the squared gradient norm).</summary>
    public DeviceBuffer<float> Scratch { get; }

    /// <summary>The output layer's z (logits or regression outputs) of the last forward pass.</summary>
    public DeviceBuffer<float> Output => _z[^1];

    /// <summary>
    /// Forward pass over the first <paramref name="rows"/> rows of <see cref="Input"/>: z = a_prev·Wᵀ + b, a = s(z).
    /// With <paramref name="trainingStep"/> &gt; 0 and dropout on, hidden activations pass through that step's mask
    /// (inverted dropout); evaluation passes (step 0) use every unit.
    /// </summary>
    public void Forward(int rows, int trainingStep = 0)
    {
        var layers = Network.Layers;
        BufferView previous = Input;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            Backend.Gemm(false, true, rows, layer.OutputCount, layer.InputCount, 1f,
                previous, layer.InputCount, new BufferView(Parameters, layer.WeightOffset), layer.InputCount,
                0f, _z[l], layer.OutputCount);
            Backend.BiasActivation(_z[l], new BufferView(Parameters, layer.BiasOffset), View(_a[l]), rows, layer.OutputCount, layer.Activation);
            previous = _a[l] ?? _z[l];
            if (trainingStep > 0 && _dropped[l] is { } dropped)
            {
                Backend.Dropout(previous, _mask[l]!, dropped, rows * layer.OutputCount, DropoutRate, DropoutMath.StepSeed(_seed, trainingStep, l));
                previous = dropped;
            }
        }
        _droppedInLastPass = trainingStep > 0 && DropoutRate > 0f;
    }

    // The input of layer l as the last forward pass saw it (after dropout in training passes).
    private BufferView LayerInput(int l) =>
        l == 0 ? Input : _droppedInLastPass && _dropped[l - 1] is { } dropped ? dropped : _a[l - 1]!;

    /// <summary>
    /// Loss of the last forward pass added into <see cref="Accumulator"/>; with <paramref name="withGradient"/> also
    /// the output delta, scaled by 1/rows (the loss is the mean over the minibatch, as Keras' default reduction).
    /// </summary>
    public void Loss(int rows, bool weighted, bool withGradient)
    {
        Backend.LossGradient(Network.Loss, Network.HuberDelta, Output, Labels, weighted ? View(Weights) : null,
            rows, Network.OutputCount, withGradient ? View(_delta[^1]) : null, 1f / rows, Accumulator);
    }

    /// <summary>
    /// Backward pass from the output delta: dW_l = delta_lᵀ·a_{l−1}, db_l = Σ_rows delta_l,
    /// delta_{l−1} = (delta_l·W_l) ⊙ s'(z_{l−1}).
    /// </summary>
    public void Backward(int rows)
    {
        var layers = Network.Layers;
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var layer = layers[l];
            BufferView previous = LayerInput(l);
            Backend.Gemm(true, false, layer.OutputCount, layer.InputCount, rows, 1f,
                _delta[l], layer.OutputCount, previous, layer.InputCount,
                0f, new BufferView(Gradients, layer.WeightOffset), layer.InputCount);
            Backend.ColumnSums(_delta[l], rows, layer.OutputCount, new BufferView(Gradients, layer.BiasOffset));
            if (l == 0)
                break;
            Backend.Gemm(false, false, rows, layer.InputCount, layer.OutputCount, 1f,
                _delta[l], layer.OutputCount, new BufferView(Parameters, layer.WeightOffset), layer.InputCount,
                0f, _delta[l - 1], layer.InputCount);
            if (_droppedInLastPass && _mask[l - 1] is { } mask)
                Backend.Multiply(_delta[l - 1], mask, rows * layer.InputCount);
            Backend.ActivationBackward(_delta[l - 1], _z[l - 1], _a[l - 1]!, rows * layer.InputCount, layers[l - 1].Activation);
        }
    }

    /// <summary>Applies one optimizer update with the gradients of the last backward pass.</summary>
    public void Step(in OptimizerStep step) => Backend.OptimizerUpdate(step, Parameters, Gradients, FirstMoment, SecondMoment);

    private static BufferView? View(DeviceBuffer<float>? buffer) => buffer is null ? (BufferView?)null : new BufferView(buffer, 0);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var buffer in _z.Concat(_delta).Concat(_a.Concat(_mask).Concat(_dropped).OfType<DeviceBuffer<float>>()))
            buffer.Dispose();
        Parameters.Dispose();
        Gradients.Dispose();
        FirstMoment?.Dispose();
        SecondMoment?.Dispose();
        Input.Dispose();
        Labels.Dispose();
        Weights.Dispose();
        Accumulator.Dispose();
        Scratch.Dispose();
    }
}
