import ArgumentParser
import Parquet

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print the schema of a Parquet file.")

    @Argument(help: "The Parquet file (a path or s3://bucket/key).") var file: String
    @OptionGroup var keys: DecryptionFlags
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let decryption = try keys.properties(file: file)
        do {
            let f = try Storage.openParquet(file, decryption: decryption)
            Output.write(json ? FileInspector.schemaJSON(f) + "\n" : f.schema.messageText)
        } catch let e as FloeExit {
            throw e
        } catch {
            throw Output.fail(file, error)
        }
    }
}
