import ArgumentParser
import Parquet

struct Pages: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the page headers of column chunks.")

    @Argument(help: "The Parquet file (a path or s3://bucket/key).") var file: String
    @Option(name: .long, help: "Only the column at this dotted path.") var column: String?
    @OptionGroup var keys: DecryptionFlags
    @Flag(name: .long, help: "Print JSON (one object per page per line).") var json = false

    func run() throws {
        let decryption = try keys.properties(file: file)
        do {
            let f = try Storage.openParquet(file, decryption: decryption)
            let pages = try FileInspector.pages(f, column: column)
            Output.write(json ? FileInspector.pagesJSON(pages) : FileInspector.pagesText(pages))
        } catch let e as FloeExit {
            throw e
        } catch {
            throw Output.fail(file, error)
        }
    }
}
