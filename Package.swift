// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Floe",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .library(name: "Firehose", targets: ["Firehose"]),
        .library(name: "Warehouse", targets: ["Warehouse"]),
        .executable(name: "floe", targets: ["floe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCodecs",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev", "libsnappy-dev", "zlib1g-dev", "liblz4-dev", "libbrotli-dev"])]
        ),
        .target(
            name: "Parquet",
            dependencies: ["CCodecs"]
        ),
        .target(name: "JSON"),
        // blocking threads and the stage profile of the parallel pipelines (issue 14); a module of its own so the
        // JSON module's inlining across modules stays as it was
        .target(name: "Parallel"),
        .target(name: "JSONSchema", dependencies: ["JSON", "Parallel"]),
        .target(name: "Firehose", dependencies: ["Parquet", "JSON", "JSONSchema", "CCodecs", "Parallel"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "Warehouse", dependencies: ["Firehose", "Parquet", "JSON"]),
        .executableTarget(
            name: "floe",
            dependencies: [
                "Parquet", "JSON", "JSONSchema", "Firehose", "Warehouse", "Parallel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSON", "Parallel"], exclude: ["TestVectors"]),
        .testTarget(name: "FirehoseTests", dependencies: ["Firehose", "Parquet", "JSON", "JSONSchema"], exclude: ["TestVectors"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "Firehose", "Parquet", "JSON"], exclude: ["TestVectors"]),
    ]
)
