using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>GetOutputSchema before Fit describes exactly what the fitted transformer produces.</summary>
[TestClass]
public sealed class SchemaTests
{
    [TestMethod]
    public void BinarySchemaPropagates()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, rows: 64, seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 1);
        var shape = trainer.GetOutputSchema(Shape(data.Schema));

        AssertColumn(shape, "Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, isKey: false);
        AssertColumn(shape, "Probability", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, isKey: false);
        AssertColumn(shape, "PredictedLabel", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, isKey: false);
        AssertMatchesFittedSchema(shape, trainer.Fit(data).GetOutputSchema(data.Schema));
    }

    [TestMethod]
    public void MulticlassSchemaPropagatesWithKeyTypedPredictedLabel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(SyntheticData.Multiclass(ml, rows: 64, seed: 1))
            .Transform(SyntheticData.Multiclass(ml, rows: 64, seed: 1));
        var trainer = ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 1);
        var shape = trainer.GetOutputSchema(Shape(data.Schema));

        AssertColumn(shape, "Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, isKey: false);
        AssertColumn(shape, "PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, isKey: true);
        Assert.IsTrue(Find(shape, "PredictedLabel")!.Value.Annotations.Any(a => a.Name == "KeyValues"), "PredictedLabel keeps the label's key values.");

        var fitted = trainer.Fit(data).GetOutputSchema(data.Schema);
        AssertMatchesFittedSchema(shape, fitted);
        Assert.AreEqual(4, ((VectorDataViewType)fitted["Score"].Type).Size);
        Assert.AreEqual(4ul, ((KeyDataViewType)fitted["PredictedLabel"].Type).Count);
    }

    [TestMethod]
    public void RegressionSchemaPropagates()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, rows: 64, seed: 1);
        var trainer = ml.Regression.Trainers.Mlp(hiddenLayerSizes: [4], numberOfEpochs: 1);
        var shape = trainer.GetOutputSchema(Shape(data.Schema));

        AssertColumn(shape, "Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, isKey: false);
        Assert.IsNull(Find(shape, "PredictedLabel"));
        AssertMatchesFittedSchema(shape, trainer.Fit(data).GetOutputSchema(data.Schema));
    }

    [TestMethod]
    public void PipelineSchemaPropagatesThroughConcatenateNormalizeAndOneHot()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Heart(ml, "heart_train.csv");
        var pipeline = ml.Transforms.Categorical.OneHotEncoding("Encoded", "Features")
            .Append(ml.Transforms.Concatenate("All", "Features", "Encoded"))
            .Append(ml.Transforms.NormalizeMinMax("All"))
            .Append(ml.BinaryClassification.Trainers.Mlp(featureColumnName: "All", hiddenLayerSizes: [4], numberOfEpochs: 1));
        var shape = pipeline.GetOutputSchema(Shape(data.Schema));
        Assert.IsNotNull(Find(shape, "Probability"));
        AssertMatchesFittedSchema(shape, pipeline.Fit(data).GetOutputSchema(data.Schema));
    }

    /// <summary>ML.NET's SchemaShape.Create(DataViewSchema) is internal; GetOutputSchema needs its result.</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    private static SchemaShape.Column? Find(SchemaShape shape, string name) =>
        shape.Where(c => c.Name == name).Select(c => (SchemaShape.Column?)c).FirstOrDefault();

    private static void AssertColumn(SchemaShape shape, string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey)
    {
        var column = Find(shape, name);
        Assert.IsNotNull(column, $"Column {name} is missing.");
        Assert.AreEqual(kind, column.Value.Kind, name);
        Assert.AreEqual(itemType, column.Value.ItemType, name);
        Assert.AreEqual(isKey, column.Value.IsKey, name);
    }

    /// <summary>Every column the shape promised exists after Fit with the same kind, item type, key-ness and
    /// (at least) the promised annotations.</summary>
    private static void AssertMatchesFittedSchema(SchemaShape shape, DataViewSchema fitted)
    {
        foreach (var column in shape)
        {
            var actual = fitted.GetColumnOrNull(column.Name);
            Assert.IsNotNull(actual, $"The fitted model does not produce {column.Name}.");
            var type = actual.Value.Type;
            var kind = type is VectorDataViewType vector
                ? (vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector)
                : SchemaShape.Column.VectorKind.Scalar;
            var itemType = type is VectorDataViewType v ? v.ItemType : type;
            bool isKey = itemType is KeyDataViewType;
            Assert.AreEqual(column.Kind, kind, column.Name);
            Assert.AreEqual(column.IsKey, isKey, column.Name);
            Assert.AreEqual(column.ItemType, isKey ? NumberDataViewType.UInt32 : itemType, column.Name);
            var fittedAnnotations = actual.Value.Annotations.Schema.Select(a => a.Name).ToHashSet();
            foreach (var annotation in column.Annotations)
                Assert.Contains(annotation.Name, fittedAnnotations, $"{column.Name} lacks annotation {annotation.Name}.");
        }
    }
}
