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
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .executable(name: "floe", targets: ["floe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
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
            dependencies: ["CCodecs"]
        ),
        .target(name: "JSON"),
        .target(name: "JSONSchema", dependencies: ["JSON"]),
        .target(name: "Firehose", dependencies: ["Parquet", "JSON", "JSONSchema", "CCodecs"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "Warehouse", dependencies: ["Firehose", "Parquet", "JSON"]),
        // Object storage (local folder, S3): no Floe imports; HTTP through async-http-client, SigV4 through swift-crypto.
        .target(
            name: "ObjectStore",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "floe",
            dependencies: [
                "Parquet", "JSON", "JSONSchema", "Firehose", "Warehouse", "ObjectStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "FirehoseTests", dependencies: ["Firehose", "Parquet", "JSON", "JSONSchema"], exclude: ["TestVectors"]),
        .testTarget(name: "ObjectStoreTests", dependencies: [
            "ObjectStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "Firehose", "Parquet", "JSON"], exclude: ["TestVectors"]),
    ]
)
