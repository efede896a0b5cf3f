using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Inference;
using Mlp.Gpu.Network;
using Mlp.Gpu.Training;
namespace Mlp.Gpu.Tests;

/// <summary>Standardization statistics and their folding into the first and last layers.</summary>
[TestClass]
internal sealed class StandardizationTests
{
    [TestMethod]
    [DataRow(new int[0], LossFunction.Squared)]
    [DataRow(new[] { 6, 4 }, LossFunction.Squared)]
    [DataRow(new[] { 5 }, LossFunction.BinaryCrossEntropy)]
    public void AFoldedNetworkOnRawInputsPredictsWhatTheTrainedNetworkPredictsOnStandardizedInputs(int[] hidden, LossFunction loss)
    {
        var net = new NetworkDescription(4, hidden, MlpActivation.Tanh, 1, loss);
        var trained = ParameterInitializer.Create(net, seed: 5);
        // Offsets up to 300 standard deviations from zero: the folded bias b' = b − W'·μ then cancels terms 300 times the
        // output's own spread, which float rounding must survive.
        var features = new Standardization([300, -3, 0.5, 40], [1, 0.01, 1, 900]);
        var label = loss == LossFunction.Squared ? new Standardization([250], [80]) : null;
        var folded = (float[])trained.Clone();
        features.FoldIntoFirstLayer(net, folded);
        label?.FoldIntoOutputLayer(net, folded);
        var trainedWeights = Array.ConvertAll(trained, v => (double)v);
        var foldedWeights = Array.ConvertAll(folded, v => (double)v);

        var random = new Random(4);
        var raw = new float[4];
        double worst = 0;
        for (int row = 0; row < 50; row++)
        {
            for (int j = 0; j < 4; j++)
                raw[j] = (float)(features.Mean[j] + features.Scale[j] * (random.NextDouble() * 4 - 2));
            var standardized = (float[])raw.Clone();
            features.Apply(standardized);
            // Evaluated in double, so the only differences left are the float rounding of the folded weights and of x̂.
            double expected = ReferenceNetwork.Forward(net, trainedWeights, standardized)[0];
            if (label is not null)
                expected = expected * label.Scale[0] + label.Mean[0];
            double actual = ReferenceNetwork.Forward(net, foldedWeights, raw)[0];
            worst = Math.Max(worst, Math.Abs(expected - actual) / (label?.Scale[0] ?? 1));
        }
        // In units of the output's scale: float rounding of terms up to 300x larger is a few 1e-5; a fold that forgets
        // the shift, the scale or the label map is off by 1 or more.
        Assert.IsLessThan(1e-4, worst, $"largest difference {worst:G3} of the output's scale");
    }

    [TestMethod]
    public void UnfoldingUndoesFolding()
    {
        var net = new NetworkDescription(3, [4], MlpActivation.Relu, 1, LossFunction.Squared);
        var parameters = ParameterInitializer.Create(net, seed: 2);
        var features = new Standardization([10, -2, 0], [3, 0.5, 1]);
        var label = new Standardization([7], [2]);
        var copy = (float[])parameters.Clone();
        features.FoldIntoFirstLayer(net, copy);
        label.FoldIntoOutputLayer(net, copy);
        CollectionAssert.AreNotEqual(parameters, copy);
        label.UnfoldFromOutputLayer(net, copy);
        features.UnfoldFromFirstLayer(net, copy);
        for (int i = 0; i < copy.Length; i++)
            Assert.AreEqual(parameters[i], copy[i], 1e-5 * (1 + Math.Abs(parameters[i])), $"parameter {i}");
    }

    [TestMethod]
    public void WeightedStatisticsEqualThoseOfRepeatedRows()
    {
        float[] rows = [1, 100, 2, 100, 4, 100];
        var weighted = new StandardizationBuilder(2);
        weighted.Add(rows, [1f, 0f, 3f]);
        var repeated = new StandardizationBuilder(2);
        repeated.Add([1, 100, 4, 100, 4, 100, 4, 100], default);
        var a = weighted.Build(twoValuedToZeroOne: false)!;
        var b = repeated.Build(twoValuedToZeroOne: false)!;
        Assert.AreEqual(3.25, a.Mean[0], 1e-12);
        Assert.AreEqual(b.Mean[0], a.Mean[0], 1e-12);
        Assert.AreEqual(Math.Sqrt(27.0 / 16), a.Scale[0], 1e-12);
        Assert.AreEqual(b.Scale[0], a.Scale[0], 1e-12);
        Assert.AreEqual(100, a.Mean[1]);
        Assert.AreEqual(1, a.Scale[1], "a constant column is centred, not scaled");
        Assert.IsNull(new StandardizationBuilder(2).Build(twoValuedToZeroOne: false), "no rows of positive weight: no statistics");
    }

    [TestMethod]
    public void TwoValuedColumnsMapToZeroAndOneWhenAsked()
    {
        // Columns: a rare one-hot category (one 1 in 100 rows); the same after a normaliser that divides by its sd
        // ({0, 9.95}); a flag coded 3/5; a 0/1 column with one 5; a constant 1.
        var builder = new StandardizationBuilder(5);
        for (int r = 0; r < 100; r++)
            builder.Add([r == 7 ? 1f : 0f, r == 7 ? 9.95f : 0f, r % 2 == 0 ? 3f : 5f, r % 2, 1f], default);
        builder.Add([0f, 0f, 3f, 5f, 1f], [1f]);
        builder.Add([5f, 5f, 4f, 0f, 5f], [0f]); // a row of weight 0 does not count, here as in the statistics
        var map = builder.Build(twoValuedToZeroOne: true)!;
        var plain = builder.Build(twoValuedToZeroOne: false)!;

        Assert.AreEqual((0.0, 1.0), (map.Mean[0], map.Scale[0]), "a rare 0/1 column stays 0/1");
        Assert.AreEqual(0.1, plain.Scale[0], 0.01, "standardised, its one 1 would become ~10");
        Assert.AreEqual((0.0, (double)9.95f), (map.Mean[1], map.Scale[1]), "{0, 9.95} maps back to {0, 1}");
        Assert.AreEqual((3.0, 2.0), (map.Mean[2], map.Scale[2]), "3/5 maps to 0/1");
        Assert.AreEqual((plain.Mean[3], plain.Scale[3]), (map.Mean[3], map.Scale[3]), "three values: standardised");
        Assert.AreEqual((1.0, 1.0), (map.Mean[4], map.Scale[4]), "a constant is only centred, as without the rule");
        Assert.AreEqual((1.0, 1.0), (plain.Mean[4], plain.Scale[4]));

        float[] values = [1f, 9.95f, 5f, 0f, 1f, 0f, 0f, 3f, 1f, 1f];
        map.Apply(values);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f }, values[..3]);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f }, values[5..8]);
    }

    [TestMethod]
    public void LargeOffsetsKeepTheirSpread()
    {
        var builder = new StandardizationBuilder(1);
        var values = Enumerable.Range(0, 1000).Select(i => (float)(1e6 + (i % 2 == 0 ? -1 : 1))).ToArray();
        builder.Add(values, default);
        var map = builder.Build(twoValuedToZeroOne: false)!;
        Assert.AreEqual(1e6, map.Mean[0], 1e-6);
        Assert.AreEqual(1.0, map.Scale[0], 1e-9);
    }

    [TestMethod]
    public void AStreamIsMeasuredExactlyAsTheSameRowsInMemory()
    {
        var data = TestData.Random(300, new NetworkDescription(5, [3], MlpActivation.Relu, 1, LossFunction.Squared), seed: 9, weighted: true);
        for (int r = 0; r < data.RowCount; r++)
            data.Features[r * 5] = r % 7 == 0 ? 2f : -1f; // a two-valued column
        var inMemory = new StandardizationBuilder(5);
        inMemory.Add(data.Features, data.Weights);
        var (streamed, _) = StandardizedRowStream.Measure(new ArrayRowStream(data), blockRows: 64);
        foreach (bool twoValued in new[] { false, true })
        {
            var a = inMemory.Build(twoValued)!;
            var b = streamed.Build(twoValued)!;
            CollectionAssert.AreEqual(a.Mean, b.Mean);
            CollectionAssert.AreEqual(a.Scale, b.Scale);
        }
    }
}
