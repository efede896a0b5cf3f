using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;

namespace Mlp.Samples.Tests;

/// <summary>
/// Packs src/Microsoft.ML.Mlp into a folder feed (the one package, Mlp.MLNet, with Mlp.Gpu.dll inside), checks its
/// contents and metadata, then builds and runs fresh console apps that reference the package (not the project):
/// train, evaluate, save, load in a new MLContext, predict. One app takes the ML.NET that the package's range resolves
/// to by itself (the oldest supported release), one asks for ML.NET 6.0.0; both build with warnings as errors.
/// </summary>
/// <remarks>
/// The sources are copied to a temp folder first, so packing never touches the repository's bin/obj folders while
/// other test projects run. Each run uses a unique pre-release version, so NuGet's global cache can never hand back a
/// stale package; that version is deleted from the cache afterwards.
/// </remarks>
[TestClass]
public sealed class PackageTests
{
    private const string PackageId = "Mlp.MLNet";
    private const string MlNetRange = "[5.0.1, 7.0.0)";
    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromMinutes(5);

    [TestMethod]
    [TestCategory("Packaging")]
    public void PackageInstallsAndTrainsSavesLoadsPredictsInAFreshAppOnEachSupportedMlNet()
    {
        using var work = new TempFolder("mlp-pack-");
        string repo = FindRepositoryRoot();
        string sources = Path.Combine(work.Path, "repo");
        string feed = Path.Combine(work.Path, "feed");
        string version = $"0.1.0-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        try
        {
            CopySources(repo, sources);
            Dotnet(sources, "pack", "src/Microsoft.ML.Mlp/Microsoft.ML.Mlp.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}", "-nodeReuse:false", "--disable-build-servers");

            string package = Path.Combine(feed, $"{PackageId}.{version}.nupkg");
            string symbols = Path.Combine(feed, $"{PackageId}.{version}.snupkg");
            Assert.IsTrue(File.Exists(package), $"no {package}; the feed has {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
            Assert.IsTrue(File.Exists(symbols), $"no symbol package {symbols}");
            Assert.HasCount(2, Directory.GetFiles(feed), $"one package and its symbols, not {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
            CheckPackage(package);
            CheckSymbols(symbols);

            // Without a reference of its own, the app gets the lowest ML.NET in the package's range: the oldest supported.
            string oldest = RunConsoleApp(Path.Combine(work.Path, "app-default"), feed, version, mlNetVersion: null);
            StringAssert.Contains(oldest, "ML.NET 5.0.1", oldest);
            string current = RunConsoleApp(Path.Combine(work.Path, "app-mlnet6"), feed, version, mlNetVersion: "6.0.0");
            StringAssert.Contains(current, "ML.NET 6.0.0", current);
        }
        finally
        {
            DeleteFromGlobalCache(PackageId.ToLowerInvariant(), version);
        }
    }

    private static void CheckPackage(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        string listing = string.Join(", ", names);
        // Both assemblies, under their own names: saved models name the assembly Microsoft.ML.Mlp.
        foreach (string file in new[] { "Microsoft.ML.Mlp.dll", "Microsoft.ML.Mlp.xml", "Mlp.Gpu.dll", "Mlp.Gpu.xml" })
            Assert.Contains($"lib/net10.0/{file}", names, $"lib/net10.0/{file} is not packed: {listing}");
        Assert.Contains("README.md", names, $"the package README is not packed: {listing}");
        Assert.IsFalse(names.Any(n => n.EndsWith(".pdb", StringComparison.Ordinal)), $"symbols belong in the .snupkg: {listing}");

        var metadata = Nuspec(zip, out XNamespace ns);
        Assert.AreEqual(PackageId, metadata.Element(ns + "id")?.Value);
        Assert.AreEqual("MIT", metadata.Element(ns + "license")?.Value, "licence expression");
        Assert.AreEqual("expression", (string?)metadata.Element(ns + "license")?.Attribute("type"), "licence type");
        Assert.AreEqual("README.md", metadata.Element(ns + "readme")?.Value, "package README");
        Assert.IsNull(metadata.Element(ns + "icon"), "no icon is shipped");
        Assert.IsNull(metadata.Element(ns + "iconUrl"), "no icon is shipped");
        StringAssert.Contains(metadata.Element(ns + "description")?.Value ?? "", "ML.NET", "description");
        StringAssert.Contains(metadata.Element(ns + "tags")?.Value ?? "", "ml.net", "tags");
        Assert.AreEqual("git", (string?)metadata.Element(ns + "repository")?.Attribute("type"), "repository metadata");

        var declared = metadata.Descendants(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!, d => (string?)d.Attribute("version"));
        string dependencies = string.Join(", ", declared.Select(d => $"{d.Key} {d.Value}"));
        Assert.AreEqual(MlNetRange, declared.GetValueOrDefault("Microsoft.ML"), $"the ML.NET range: {dependencies}");
        foreach (string id in new[] { "ILGPU", "ILGPU.Algorithms", "System.Numerics.Tensors" })
            Assert.IsTrue(declared.ContainsKey(id), $"no dependency on {id} (Mlp.Gpu.dll needs it): {dependencies}");
        Assert.HasCount(4, declared, $"nothing else, least of all Mlp.Gpu or the build-time publicizer: {dependencies}");
    }

    private static void CheckSymbols(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        foreach (string file in new[] { "Microsoft.ML.Mlp.pdb", "Mlp.Gpu.pdb" })
            Assert.Contains($"lib/net10.0/{file}", names, $"{file} is not in the symbol package: {string.Join(", ", names)}");
    }

    private static XElement Nuspec(ZipArchive zip, out XNamespace ns)
    {
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        var nuspec = XDocument.Load(stream);
        ns = nuspec.Root!.Name.Namespace;
        return nuspec.Root.Element(ns + "metadata")!;
    }

    /// <summary>Writes, builds (warnings as errors: an ML.NET outside the package's range would fail NU1608) and runs
    /// the quick start against the package; returns its output, which names the ML.NET it ran on.</summary>
    private static string RunConsoleApp(string folder, string feed, string version, string? mlNetVersion)
    {
        WriteConsoleApp(folder, feed, version, mlNetVersion);
        string output = Dotnet(folder, "run", "-c", "Release", "--disable-build-servers");
        StringAssert.Contains(output, "PACKAGE-OK", output);
        return output;
    }

    private static void WriteConsoleApp(string folder, string feed, string version, string? mlNetVersion)
    {
        Directory.CreateDirectory(folder);
        string mlNetReference = mlNetVersion is null ? "" : $"""<PackageReference Include="Microsoft.ML" Version="{mlNetVersion}" />""";
        File.WriteAllText(Path.Combine(folder, "PackageConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackageId}" Version="{version}" />
                {mlNetReference}
              </ItemGroup>
            </Project>
            """);
        // The folder feed goes first; the user's own sources (nuget.org) still supply Microsoft.ML and ILGPU.
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-mlp-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), """
            using System.Reflection;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Microsoft.ML.Trainers.Mlp;

            var ml = new MLContext(seed: 1);
            var random = new Random(1);
            var rows = Enumerable.Range(0, 400).Select(_ =>
            {
                float x = (float)random.NextDouble() * 2 - 1, y = (float)random.NextDouble() * 2 - 1;
                return new Row { Features = [x, y], Label = x * x + y * y < 0.5f };
            }).ToList();
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.NormalizeMinMax("Features")
                .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
                {
                    HiddenLayerSizes = [16], NumberOfEpochs = 30, LearningRate = 0.01f,
                    // The option enums are defined in Mlp.Gpu.dll: the package must give the compiler both assemblies.
                    Activation = MlpActivation.Relu, Optimizer = MlpOptimizer.Adam, Device = MlpDevice.Cpu,
                }))
                .Fit(data);
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
            string path = Path.Combine(AppContext.BaseDirectory, "model.zip");
            ml.Model.Save(model, data.Schema, path);

            var loaded = new MLContext().Model.Load(path, out _);
            var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(loaded);
            var before = model.Transform(data).GetColumn<float>("Probability").First();
            var after = engine.Predict(rows[0]).Probability;
            string mlNet = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
            if (before != after || metrics.Accuracy < 0.8)
            {
                Console.WriteLine($"FAILED on ML.NET {mlNet}: accuracy {metrics.Accuracy}, probability {before} before saving, {after} after");
                return 1;
            }
            Console.WriteLine($"PACKAGE-OK on ML.NET {mlNet}: accuracy {metrics.Accuracy:F3}, P(row 0) = {after}");
            return 0;

            public sealed class Row
            {
                [VectorType(2)] public float[] Features { get; set; } = [];
                public bool Label { get; set; }
            }

            public sealed class Prediction
            {
                public float Probability { get; set; }
            }
            """);
    }

    private static string Dotnet(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Don't let the test host's MSBuild/test-platform settings leak into the child builds.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(s_stepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} ran over {s_stepTimeout}:\n{output}");
        }
        process.WaitForExit();
        string text;
        lock (output) text = output.ToString();
        Assert.AreEqual(0, process.ExitCode, $"dotnet {string.Join(' ', arguments)} failed:\n{Tail(text)}");
        return text;
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : "...\n" + text[^6000..];

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mlp.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Mlp.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Copies what packing needs (src, eng, the root props, global.json, licence, README), without bin/obj.</summary>
    private static void CopySources(string repo, string destination)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "LICENSE", "README.md" })
            if (File.Exists(Path.Combine(repo, file)))
                CopyFile(Path.Combine(repo, file), Path.Combine(destination, file));
        foreach (var folder in new[] { "src", "eng" })
            CopyTree(Path.Combine(repo, folder), Path.Combine(destination, folder));
    }

    private static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
            CopyFile(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var folder in Directory.EnumerateDirectories(source))
        {
            string name = Path.GetFileName(folder);
            if (name is "bin" or "obj" or "TestResults" or ".vs")
                continue;
            CopyTree(folder, Path.Combine(destination, name));
        }
    }

    private static void CopyFile(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(source, destination, overwrite: true);
    }

    private static void DeleteFromGlobalCache(string id, string version)
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string folder = Path.Combine(root, id, version);
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
            string idFolder = Path.GetDirectoryName(folder)!;
            if (Directory.Exists(idFolder) && !Directory.EnumerateFileSystemEntries(idFolder).Any())
                Directory.Delete(idFolder);
        }
        catch (IOException)
        {
            // Harmless: a unique version nobody else will ask for.
        }
    }
}
