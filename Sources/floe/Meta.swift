import ArgumentParser
import Parquet

struct Meta: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the footer: row groups, column chunks, statistics, page index and bloom filters, key-value metadata.")

    @Argument(help: "The Parquet file (a path or s3://bucket/key).") var file: String
    @OptionGroup var keys: DecryptionFlags
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let decryption = try keys.properties(file: file)
        do {
            let f = try Storage.openParquet(file, decryption: decryption)
            Output.write(json ? FileInspector.metaJSON(f) + "\n" : FileInspector.metaText(f))
        } catch let e as FloeExit {
            throw e
        } catch {
            throw Output.fail(file, error)
        }
    }
}
