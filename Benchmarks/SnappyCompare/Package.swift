// swift-tools-version:6.0
// Side-by-side check of Floe's pure-Swift SnappyEncoder against the system libsnappy (sizes, speed, callgrind
// instruction counts). A package of its own: it compiles SnappyEncoder.swift (symlinked from the Parquet target)
// with a two-line shim instead of depending on Floe, so it builds in seconds. See README.md.
import PackageDescription

let package = Package(
    name: "SnappyCompare",
    targets: [
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy"),
        .target(name: "SnappyKit", path: "Sources/SnappyKit"),
        .executableTarget(name: "snappy-compare", dependencies: ["SnappyKit", "CSnappy"], path: "Sources/snappy-compare"),
    ]
)
