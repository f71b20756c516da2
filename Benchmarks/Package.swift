// swift-tools-version: 6.1
// Floe benchmarks: a package of its own so the main build never pulls in ordo-one/benchmark.
//   cd Benchmarks && swift package --disable-sandbox benchmark            (all targets, release)
//   swift package --disable-sandbox benchmark --target Encodings --filter 'PLAIN'
import PackageDescription

let benchmarkDeps: [Target.Dependency] = [
    .product(name: "Parquet", package: "Floe"),
    .product(name: "Benchmark", package: "benchmark"),
    "BenchSupport",
]
let benchmarkPlugins: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "FloeBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Floe", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "BenchSupport", path: "Sources/BenchSupport"),
        .executableTarget(
            name: "Encodings",
            dependencies: benchmarkDeps,
            path: "Benchmarks/Encodings",
            plugins: benchmarkPlugins
        ),
        .executableTarget(
            name: "Codecs",
            dependencies: benchmarkDeps,
            path: "Benchmarks/Codecs",
            plugins: benchmarkPlugins
        ),
        .executableTarget(
            name: "FileRead",
            dependencies: benchmarkDeps,
            path: "Benchmarks/FileRead",
            plugins: benchmarkPlugins
        ),
    ]
)
