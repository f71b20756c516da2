import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct Floe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floe",
        abstract: "Floe: Parquet, JSON Schema and Firehose-style conversion on one machine.",
        version: FloeVersion.string,
        subcommands: [Cat.self, Head.self, SchemaCommand.self, Meta.self, Pages.self, Rewrite.self, Validate.self,
                      Convert.self, Ingest.self,
                      Bench.self, WarehouseCommand.self, TableCommand.self, PartitionsCommand.self,
                      AggregateCommand.self, MergeCommand.self]
    )
}

enum FloeVersion {
    static let string = "0.1.0"
}

@main
enum FloeMain {
    static func main() {
        do {
            var command = try Floe.parseAsRoot()
            try command.run()
        } catch let e as FloeExit {
            Output.flush()
            exit(e.code)
        } catch let e as ExitCode {
            // A command that has already reported its outcome.
            Output.flush()
            exit(e.rawValue)
        } catch {
            Output.flush()
            let code = Floe.exitCode(for: error)
            if code == .success {
                print(Floe.fullMessage(for: error))
                exit(0)
            }
            // Usage and configuration errors exit 2 (conventions/cli.md), never ArgumentParser's 64; one line
            // (issue 11: `--jobs -1` printed "Missing value" and the whole help).
            let first = Floe.message(for: error).split(separator: "\n").first.map(String.init) ?? "usage error"
            Output.diagnostic("floe: \(first) (see floe help)")
            exit(2)
        }
        Output.flush()
    }
}
