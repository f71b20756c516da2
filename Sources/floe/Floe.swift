import ArgumentParser

@main
struct Floe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floe",
        abstract: "Floe: Parquet, JSON Schema and Firehose-style conversion on one machine.",
        version: FloeVersion.string,
        subcommands: []
    )
}

enum FloeVersion {
    static let string = "0.1.0"
}
