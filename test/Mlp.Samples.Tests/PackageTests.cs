using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;

namespace Mlp.Samples.Tests;

/// <summary>
/// Packs src/Mlp.Gpu and src/Microsoft.ML.Mlp into a folder feed, then builds and runs a fresh console app that
/// references the package (not the project): train, save, load in a new MLContext, predict.
/// </summary>
/// <remarks>
/// The sources are copied to a temp folder first, so packing never touches the repository's bin/obj folders while
/// other test projects run. Each run uses a unique pre-release version, so NuGet's global cache can never hand back a
/// stale package; those versions are deleted from the cache afterwards.
/// </remarks>
[TestClass]
public sealed class PackageTests
{
    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromMinutes(5);

    [TestMethod]
    [TestCategory("Packaging")]
    public void PackagesInstallAndTrainSaveLoadPredictInAFreshApp()
    {
        using var work = new TempFolder("mlp-pack-");
        string repo = FindRepositoryRoot();
        string sources = Path.Combine(work.Path, "repo");
        string feed = Path.Combine(work.Path, "feed");
        string app = Path.Combine(work.Path, "app");
        string version = $"0.1.0-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        try
        {
            CopySources(repo, sources);
            foreach (var project in new[] { "src/Mlp.Gpu/Mlp.Gpu.csproj", "src/Microsoft.ML.Mlp/Microsoft.ML.Mlp.csproj" })
                Dotnet(sources, "pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}", "-nodeReuse:false", "--disable-build-servers");

            string mlpPackage = Path.Combine(feed, $"Microsoft.ML.Mlp.{version}.nupkg");
            string gpuPackage = Path.Combine(feed, $"Mlp.Gpu.{version}.nupkg");
            Assert.IsTrue(File.Exists(mlpPackage), $"no {mlpPackage}");
            Assert.IsTrue(File.Exists(gpuPackage), $"no {gpuPackage}");
            CheckPackage(mlpPackage, "Microsoft.ML.Mlp", dependencies: ["Microsoft.ML", "Mlp.Gpu"]);
            CheckPackage(gpuPackage, "Mlp.Gpu", dependencies: ["ILGPU"]);

            WriteConsoleApp(app, feed, version);
            string output = Dotnet(app, "run", "-c", "Release", "--disable-build-servers");
            StringAssert.Contains(output, "PACKAGE-OK", output);
        }
        finally
        {
            DeleteFromGlobalCache("microsoft.ml.mlp", version);
            DeleteFromGlobalCache("mlp.gpu", version);
        }
    }

    private static void CheckPackage(string path, string id, string[] dependencies)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.IsTrue(names.Contains($"lib/net10.0/{id}.dll"), $"{id}: no lib/net10.0/{id}.dll in {string.Join(", ", names)}");
        Assert.IsTrue(names.Contains($"lib/net10.0/{id}.xml"), $"{id}: the XML docs are not packed");
        Assert.IsTrue(names.Contains("README.md"), $"{id}: the package README is not packed");

        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspecEntry.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.AreEqual("MIT", metadata.Element(ns + "license")?.Value, $"{id}: licence expression");
        Assert.AreEqual("README.md", metadata.Element(ns + "readme")?.Value, $"{id}: package README");
        Assert.IsFalse(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{id}: description");
        var declared = metadata.Descendants(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!, d => (string?)d.Attribute("version"));
        foreach (var dependency in dependencies)
            Assert.IsTrue(declared.ContainsKey(dependency), $"{id}: no dependency on {dependency}; has {string.Join(", ", declared.Keys)}");
        if (declared.TryGetValue("Microsoft.ML", out var range))
            Assert.AreEqual("[5.0.1]", range, $"{id}: ML.NET must be pinned to the tested version");
        Assert.IsFalse(declared.ContainsKey("Publicizer"), $"{id}: the build-time publicizer must not become a dependency");
    }

    private static void WriteConsoleApp(string folder, string feed, string version)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "PackageConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.ML.Mlp" Version="{version}" />
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
                .Append(ml.BinaryClassification.Trainers.Mlp(hiddenLayerSizes: [16], numberOfEpochs: 30, learningRate: 0.01f))
                .Fit(data);
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
            string path = Path.Combine(AppContext.BaseDirectory, "model.zip");
            ml.Model.Save(model, data.Schema, path);

            var loaded = new MLContext().Model.Load(path, out _);
            var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(loaded);
            var before = model.Transform(data).GetColumn<float>("Probability").First();
            var after = engine.Predict(rows[0]).Probability;
            if (before != after || metrics.Accuracy < 0.8)
            {
                Console.WriteLine($"FAILED: accuracy {metrics.Accuracy}, probability {before} before saving, {after} after");
                return 1;
            }
            Console.WriteLine($"PACKAGE-OK accuracy {metrics.Accuracy:F3}, P(row 0) = {after}");
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
