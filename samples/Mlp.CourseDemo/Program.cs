// The lecture's motivating example: a linear classifier fails on a 2-D set that no line separates; an MLP succeeds.
//   dotnet run --project samples/Mlp.CourseDemo -c Release -- [--shape spirals|circles|xor] [--epochs 300]
//       [--points 600] [--hidden 32,32] [--sweep 1,2,3,4,8,16,32,64] [--gamma 30] [--seed 1] [--out out]
using Mlp.CourseDemo;
using Mlp.Samples;

try
{
    var a = new SampleArguments(args, "shape", "epochs", "points", "noise", "hidden", "sweep", "gamma", "lr", "grid", "seed", "out");
    var defaults = new CourseDemoOptions();
    var options = new CourseDemoOptions
    {
        Shape = Enum.Parse<TwoDimensionalShape>(a.String("shape", defaults.Shape.ToString()), ignoreCase: true),
        Epochs = a.Int("epochs", defaults.Epochs),
        Points = a.Int("points", defaults.Points),
        Noise = a.Float("noise", defaults.Noise),
        HiddenLayerSizes = a.Ints("hidden", defaults.HiddenLayerSizes),
        SweepWidths = a.Ints("sweep", defaults.SweepWidths),
        KernelGamma = a.Float("gamma", defaults.KernelGamma),
        LearningRate = a.Float("lr", defaults.LearningRate),
        GridSize = a.Int("grid", defaults.GridSize),
        Seed = a.Int("seed", defaults.Seed),
        OutputFolder = a.String("out", defaults.OutputFolder),
    };
    CourseDemo.Run(options, Console.Out);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
