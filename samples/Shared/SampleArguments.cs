using System.Globalization;

namespace Mlp.Samples;

/// <summary>
/// The samples' tiny command line: positional words, then <c>--name value</c> pairs (and <c>--flag</c> alone).
/// Unknown options are an error that lists the known ones, so a typo never runs a long job with a default.
/// </summary>
internal sealed class SampleArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _known;

    public SampleArguments(string[] args, params string[] knownOptions)
    {
        _known = new HashSet<string>(knownOptions, StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Positional.Add(args[i]);
                continue;
            }
            string name = args[i][2..];
            if (!_known.Contains(name))
                throw new ArgumentException($"Unknown option --{name}; known: {string.Join(", ", _known.Select(k => "--" + k))}.");
            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _options[name] = hasValue ? args[++i] : null;
        }
    }

    public List<string> Positional { get; } = [];

    public bool Has(string name) => _options.ContainsKey(name);

    public string String(string name, string fallback) => _options.TryGetValue(name, out var v) && v is not null ? v : fallback;

    public int Int(string name, int fallback) => _options.TryGetValue(name, out var v) && v is not null
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"--{name} must be an integer; got '{v}'.")
        : fallback;

    public float Float(string name, float fallback) => _options.TryGetValue(name, out var v) && v is not null
        ? float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f : throw new ArgumentException($"--{name} must be a number; got '{v}'.")
        : fallback;

    public int[] Ints(string name, int[] fallback) => _options.TryGetValue(name, out var v) && v is not null
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"--{name} must be integers separated by commas; got '{v}'."))
            .ToArray()
        : fallback;
}
