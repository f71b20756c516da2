import ArgumentParser
import Parquet
import ParquetKeyManagement

/// The decryption flags every reading command takes (conventions/cli.md "Encryption").
struct DecryptionFlags: ParsableArguments {
    @Option(name: .long, help: "Footer key of an encrypted file: hex, or base64:….")
    var footerKey: String?
    @Option(name: .long, help: "PATH:KEY, the key of one encrypted column (repeatable).")
    var columnKey: [String] = []
    @Option(name: .long, help: "JSON object {\"key id\": KEY, …} matched against the key metadata in the file.")
    var keyFile: String?
    @Option(name: .long, help: "JSON object {\"master key id\": KEY, …}: local KMS master keys that unwrap the file's key material.")
    var kmsKeys: String?
    @Option(name: .long, help: "AAD prefix of a file written with one it does not store.")
    var aadPrefix: String?

    var isEmpty: Bool { footerKey == nil && columnKey.isEmpty && keyFile == nil && kmsKeys == nil && aadPrefix == nil }

    /// The decryption properties for reading `file`, or nil when no key flag was given. Bad flags: exit 2.
    func properties(file: String) throws -> FileDecryptionProperties? {
        if isEmpty { return nil }
        var p = FileDecryptionProperties()
        do {
            if let k = footerKey { p.footerKey = try parseKeyText(k) }
            for ck in columnKey {
                guard let colon = ck.firstIndex(of: ":"), colon != ck.startIndex else {
                    throw KeyManagementError("--column-key expects PATH:KEY, got '\(ck.prefix(40))'")
                }
                p.columnKeys[String(ck[..<colon])] = try parseKeyText(String(ck[ck.index(after: colon)...]))
            }
            var retrievers: [any DecryptionKeyRetriever] = []
            if let f = keyFile { retrievers.append(KeyIdRetriever(keys: try loadKeyMap(path: f))) }
            if let f = kmsKeys {
                let kms = LocalKMS(masterKeys: try loadKeyMap(path: f))
                retrievers.append(try KMSKeyRetriever(kms: kms, parquetFile: file))
            }
            if !retrievers.isEmpty { p.keyRetriever = ChainedKeyRetriever(retrievers) }
            if let a = aadPrefix { p.aadPrefix = Array(a.utf8) }
        } catch let e as KeyManagementError {
            Output.diagnostic("floe: \(e.description)")
            throw FloeExit.usageError
        }
        return p
    }
}
