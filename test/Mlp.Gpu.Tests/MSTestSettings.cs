[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]

// Test classes whose data rows name the core's internal enums are internal too.
[assembly: DiscoverInternals]
