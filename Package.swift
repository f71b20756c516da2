// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Floe",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Parquet", targets: ["Parquet"]),
        // Key material and KMS wrapping of Parquet modular encryption (parquet-java / Arrow key tools).
        .library(name: "ParquetKeyManagement", targets: ["ParquetKeyManagement"]),
        .library(name: "JSON", targets: ["JSON"]),
        // Bounded reads, path containment and the one directory walk every module uses; public so that users of
        // Firehose and Warehouse can raise `BoundedRead.defaultLimit` as `--max-schema-size` does.
        .library(name: "FileSafety", targets: ["FileSafety"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        // YAML / TOML instances and the vendored schemas of `floe validate`, for validating configuration files
        // from Swift (links Yams and TOMLKit only into packages that use this product).
        .library(name: "ConfigFormats", targets: ["ConfigFormats"]),
        .library(name: "Firehose", targets: ["Firehose"]),
        .library(name: "Warehouse", targets: ["Warehouse"]),
        .library(name: "Iceberg", targets: ["Iceberg"]),
        .library(name: "FirehoseServer", targets: ["FirehoseServer"]),
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
        // Only its GRDBSQLite product (the system libsqlite3, a module map and no Swift code) for Iceberg's SQL
        // catalog: no compile cost, and the same SQLite the Debian-built peers use.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Log events of the long-running commands (`floe ingest`, `floe convert`) and of `floe serve`.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // File descriptors, paths and stat for local file work (FileSafety, the Parquet writer's output, NDJSON
        // files, Firehose delivery, the warehouse catalog); calls it lacks stay raw, each marked `raw syscall`.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // Iceberg's SQL catalog on PostgreSQL (`--catalog postgresql://…`), for many machines writing one table.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `floe serve` (FirehoseServer): HTTP/1.1 on SwiftNIO event loops, structured logs, Prometheus metrics.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `floe serve`'s GET /metrics: recorded through swift-metrics, emitted by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Parquet key-management tools (key material JSON, local KMS wrapping); the format core stays JSON-free.
        .target(name: "ParquetKeyManagement", dependencies: ["Parquet", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "JSON", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // Local files read and written safely (bounded regular-file reads, path containment, the one directory
        // walker): only swift-system below it, so every module above the format core can use it.
        .target(name: "FileSafety", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // Blocking threads and the stage profile of the parallel pipelines (issue 14); a module of its own so the
        // JSON module's inlining across modules stays as it was.
        .target(name: "Parallel"),
        .target(name: "JSONSchema", dependencies: ["JSON", "FileSafety", "Parallel"]),
        // YAML and TOML instances for `floe validate` (Yams, TOMLKit); kept out of JSON and JSONSchema so those and
        // everything above them (Firehose, Warehouse) stay free of libyaml, toml++ and Foundation.
        .target(name: "ConfigFormats", dependencies: [
            "JSON", "JSONSchema",
            .product(name: "Yams", package: "Yams"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ], resources: [.copy("BuiltinSchemas")]),
        .target(name: "Firehose", dependencies: ["Parquet", "JSON", "JSONSchema", "CCodecs", "FileSafety", "Parallel", "ObjectStore",
                                               .product(name: "SystemPackage", package: "swift-system")]),
        // Iceberg tables: metadata JSON, Avro manifests (Avro/), transforms, data files, the SQL catalog.
        .target(name: "Iceberg", dependencies: [
            "Parquet", "JSON", "CCodecs", "FileSafety", "ObjectStore", .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .target(name: "Warehouse", dependencies: ["Firehose", "Parquet", "JSON", "FileSafety", "ObjectStore", "Iceberg",
                                                  .product(name: "SystemPackage", package: "swift-system")]),
        // The Firehose API (AWS JSON 1.1 over HTTP/1.1): stream catalog, write-ahead log, per-stream buffers that
        // feed Firehose's converter, metrics.
        .target(name: "FirehoseServer", dependencies: [
            "Firehose", "Warehouse", "JSON", "FileSafety", "CCodecs", "ObjectStore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
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
                "Iceberg", "FileSafety", "Parallel", "ObjectStore", "FirehoseServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["FloeBuildInfo"]
        ),
        // The commit `floe --version` prints (a prebuild command running git; no unsafe flags).
        .plugin(name: "FloeBuildInfo", capability: .buildTool()),
        .testTarget(name: "FileSafetyTests", dependencies: ["FileSafety"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "ParquetKeyManagement"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSON", "Parallel"], exclude: ["TestVectors"]),
        .testTarget(name: "ConfigFormatsTests", dependencies: ["ConfigFormats", "JSONSchema", "JSON"], exclude: ["TestVectors"]),
        .testTarget(name: "FirehoseTests", dependencies: ["Firehose", "Parquet", "JSON", "JSONSchema"], exclude: ["TestVectors"]),
        .testTarget(name: "IcebergTests", dependencies: ["Iceberg", "Parquet", "JSON", "ObjectStore"]),
        .testTarget(name: "FirehoseServerTests", dependencies: ["FirehoseServer", "Firehose", "JSON", "Parquet"]),
        .testTarget(name: "ObjectStoreTests", dependencies: [
            "ObjectStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "Firehose", "Iceberg", "Parquet", "JSON"], exclude: ["TestVectors"]),
    ]
)
