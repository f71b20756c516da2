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
        // `make docs`: the DocC catalogs of the library products (a plugin only; nothing of it is linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
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
        // Local files read and written safely (bounded regular-file reads, path containment, the one directory
        // walker): dependency-free so every module above the format core can use it.
        .target(name: "FileSafety"),
        .target(name: "JSONSchema", dependencies: ["JSON", "FileSafety"]),
        // YAML and TOML instances for `floe validate` (Yams, TOMLKit); kept out of JSON and JSONSchema so those and
        // everything above them (Firehose, Warehouse) stay free of libyaml, toml++ and Foundation.
        .target(name: "ConfigFormats", dependencies: [
            "JSON", "JSONSchema",
            .product(name: "Yams", package: "Yams"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ], resources: [.copy("BuiltinSchemas")]),
        .target(name: "Firehose", dependencies: ["Parquet", "JSON", "JSONSchema", "CCodecs", "FileSafety", "ObjectStore"]),
        .target(name: "Warehouse", dependencies: ["Firehose", "Parquet", "JSON", "FileSafety"]),
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
                "Parquet", "ParquetKeyManagement", "JSON", "JSONSchema", "ConfigFormats", "Firehose", "Warehouse",
                "FileSafety", "ObjectStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["FloeBuildInfo"]
        ),
        // The commit `floe --version` prints (a prebuild command running git; no unsafe flags).
        .plugin(name: "FloeBuildInfo", capability: .buildTool()),
        .testTarget(name: "FileSafetyTests", dependencies: ["FileSafety"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "ParquetKeyManagement"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "ConfigFormatsTests", dependencies: ["ConfigFormats", "JSONSchema", "JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "FirehoseTests", dependencies: ["Firehose", "Parquet", "JSON", "JSONSchema"], exclude: ["TestVectors"]),
        .testTarget(name: "ObjectStoreTests", dependencies: [
            "ObjectStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "Firehose", "Parquet", "JSON"], exclude: ["TestVectors"]),
    ]
)
