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
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCodecs",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev", "libsnappy-dev", "zlib1g-dev", "liblz4-dev", "libbrotli-dev"])]
        ),
        .target(
            name: "Parquet",
            dependencies: [
                "CCodecs",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Parquet key-management tools (key material JSON, local KMS wrapping); the format core stays JSON-free.
        .target(name: "ParquetKeyManagement", dependencies: ["Parquet", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "JSON"),
        .target(name: "JSONSchema", dependencies: ["JSON"]),
        .target(name: "Firehose", dependencies: ["Parquet", "JSON", "JSONSchema", "CCodecs"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "Warehouse", dependencies: ["Firehose", "Parquet", "JSON"]),
        .executableTarget(
            name: "floe",
            dependencies: [
                "Parquet", "ParquetKeyManagement", "JSON", "JSONSchema", "Firehose", "Warehouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "ParquetKeyManagement"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "FirehoseTests", dependencies: ["Firehose", "Parquet", "JSON", "JSONSchema"], exclude: ["TestVectors"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "Firehose", "Parquet", "JSON"], exclude: ["TestVectors"]),
    ]
)
