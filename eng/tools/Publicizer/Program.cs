// Publicizer: writes compile-time reference copies of assemblies with non-public types and members widened.
//
//   usage: Publicizer <output-directory> <assembly.dll>...
//
// Each input is written to <output-directory>/<file name>. Only the compiler ever sees these copies: the
// original, signed assemblies are what the application loads and runs (see eng/Publicize.targets), and the
// consuming assembly declares [IgnoresAccessChecksTo] so the runtime allows the calls the compiler accepted.
namespace Mlp.Build.Publicizer;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: Publicizer <output-directory> <assembly.dll>...");
            return 2;
        }

        string outputDirectory = Path.GetFullPath(args[0]);
        string[] inputs = args[1..].Select(Path.GetFullPath).ToArray();
        foreach (string input in inputs)
        {
            if (!File.Exists(input))
            {
                Console.Error.WriteLine($"Publicizer: error: input assembly '{input}' does not exist.");
                return 1;
            }
        }

        Directory.CreateDirectory(outputDirectory);
        foreach (string input in inputs)
        {
            string output = Path.Combine(outputDirectory, Path.GetFileName(input));
            AssemblyPublicizer.Statistics stats = AssemblyPublicizer.Publicize(input, output);
            Console.WriteLine($"Publicizer: {Path.GetFileName(input)}: widened {stats.Types} types, {stats.Methods} methods, {stats.Fields} fields -> {output}");
        }
        return 0;
    }
}
