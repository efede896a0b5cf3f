// The Keras course demos in ML.NET (see README.md for the Keras code side by side):
//   dotnet run --project samples/Mlp.KerasDemos -c Release -- synthetic [--epochs 30] [--rows 5000] [--out out]
//   dotnet run --project samples/Mlp.KerasDemos -c Release -- mnist [--dataset mnist|optdigits] [--epochs 20] [--rows 0] [--hidden 512,512] [--dropout 0.2] [--out out]
using Mlp.KerasDemos;
using Mlp.Samples;

try
{
    var a = new SampleArguments(args, "epochs", "rows", "hidden", "batch", "lr", "seed", "out", "dataset", "dropout");
    string demo = a.Positional.FirstOrDefault()?.ToLowerInvariant() ?? "synthetic";
    switch (demo)
    {
        case "synthetic" or "keras_demo_synthetic":
        {
            var d = new SyntheticOptions();
            SyntheticDemo.Run(new SyntheticOptions
            {
                TrainRows = a.Int("rows", d.TrainRows),
                Epochs = a.Int("epochs", d.Epochs),
                HiddenLayerSizes = a.Ints("hidden", d.HiddenLayerSizes),
                BatchSize = a.Int("batch", d.BatchSize),
                LearningRate = a.Float("lr", d.LearningRate),
                Seed = a.Int("seed", d.Seed),
                OutputFolder = a.String("out", d.OutputFolder),
            }, Console.Out);
            return 0;
        }
        case "mnist" or "keras_demo_mnist":
        {
            var d = new MnistOptions();
            MnistDemo.Run(new MnistOptions
            {
                Dataset = Enum.Parse<DigitsDataset>(a.String("dataset", d.Dataset.ToString()), ignoreCase: true),
                Rows = a.Int("rows", d.Rows),
                Epochs = a.Int("epochs", d.Epochs),
                HiddenLayerSizes = a.Ints("hidden", d.HiddenLayerSizes),
                DropoutRate = a.Float("dropout", d.DropoutRate),
                BatchSize = a.Int("batch", d.BatchSize),
                LearningRate = a.Float("lr", d.LearningRate),
                Seed = a.Int("seed", d.Seed),
                OutputFolder = a.String("out", d.OutputFolder),
            }, Console.Out);
            return 0;
        }
        default:
            Console.Error.WriteLine($"Unknown demo '{demo}': use synthetic or mnist.");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
