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
                let (path, key) = try splitPathKey(ck, "--column-key")
                p.columnKeys[path] = try parseKeyText(key)
            }
            var retrievers: [any DecryptionKeyRetriever] = []
            if let f = keyFile { retrievers.append(KeyIdRetriever(keys: try loadKeyMap(path: f))) }
            if let f = kmsKeys {
                let kms = LocalKMS(masterKeys: try loadKeyMap(path: f))
                // External key material lies beside a local file; an object's key material is in its footer.
                retrievers.append(try KMSKeyRetriever(kms: kms, parquetFile: file.hasPrefix("s3://") ? nil : file))
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

/// `floe rewrite --encrypt`: how OUT is encrypted. Keys come from the shared key flags: explicit
/// (`--footer-key`, `--column-key PATH:KEY`, or by id from `--key-file`), or data keys made fresh and wrapped by the
/// master keys of `--kms-keys` (key material in the footer).
struct EncryptionFlags: ParsableArguments {
    @Flag(name: .long, help: "Encrypt OUT (Parquet modular encryption).")
    var encrypt = false
    @Option(name: .long, help: "Footer key id: stored as key metadata, looked up in --key-file, or the KMS master key id with --kms-keys.")
    var footerKeyId: String?
    @Option(name: .long, help: "PATH:ID, a column key id (repeatable; as --footer-key-id).")
    var columnKeyId: [String] = []
    @Option(name: .long, help: "gcm (AES_GCM_V1, default) or gcm-ctr (AES_GCM_CTR_V1).")
    var algorithm: String = "gcm"
    @Flag(name: .long, help: "Leave the footer in plaintext, signed with the footer key.")
    var plaintextFooter = false
    @Flag(name: .long, help: "Do not store the --aad-prefix in OUT (readers must supply it).")
    var supplyAadPrefix = false
    @Flag(name: .long, help: "With --kms-keys: wrap data keys directly with the master keys (default: double wrapping).")
    var singleWrapping = false

    private func usage(_ m: String) -> FloeExit {
        Output.diagnostic("floe: \(m)")
        return .usageError
    }

    private static func split(_ s: String, _ flag: String) throws -> (String, String) {
        try splitPathKey(s, flag)
    }

    /// The encryption options of OUT, or nil without --encrypt. Bad or missing flags: exit 2.
    func options(keys: DecryptionFlags) throws -> FileEncryptionOptions? {
        guard encrypt else {
            if footerKeyId != nil || !columnKeyId.isEmpty || plaintextFooter || supplyAadPrefix || algorithm != "gcm" {
                throw usage("--footer-key-id, --column-key-id, --algorithm, --plaintext-footer and --supply-aad-prefix need --encrypt")
            }
            return nil
        }
        let alg: EncryptionAlgorithmKind
        switch algorithm.lowercased() {
        case "gcm", "aes_gcm_v1": alg = .gcm
        case "gcm-ctr", "gcm_ctr", "aes_gcm_ctr_v1": alg = .gcmCtr
        default: throw usage("unknown --algorithm '\(algorithm)' (expected gcm or gcm-ctr)")
        }
        do {
            var ids: [String: String] = [:]
            for s in columnKeyId {
                let (p, id) = try Self.split(s, "--column-key-id")
                ids[p] = id
            }
            var o: FileEncryptionOptions
            if let kmsFile = keys.kmsKeys {
                guard let fid = footerKeyId else { throw usage("--encrypt with --kms-keys needs --footer-key-id (a master key id)") }
                let maker = KeyMaterialWriter(kms: LocalKMS(masterKeys: try loadKeyMap(path: kmsFile)),
                                              doubleWrapping: !singleWrapping)
                let f = try maker.makeKey(masterKeyID: fid, isFooterKey: true)
                o = FileEncryptionOptions(footerKey: f.key, footerKeyMetadata: f.keyMetadata, algorithm: alg)
                for (p, id) in ids {
                    let k = try maker.makeKey(masterKeyID: id, isFooterKey: false)
                    o.columnKeys[p] = ColumnEncryptionKey(key: k.key, keyMetadata: k.keyMetadata)
                }
                if !keys.columnKey.isEmpty || keys.footerKey != nil {
                    throw usage("--encrypt: give keys either explicitly or through --kms-keys, not both")
                }
            } else {
                let byId = try keys.keyFile.map { try loadKeyMap(path: $0) } ?? [:]
                func lookup(_ id: String) throws -> [UInt8] {
                    guard let k = byId[id] else {
                        throw KeyManagementError("key id '\(id)' is not in \(keys.keyFile ?? "a --key-file")")
                    }
                    return k
                }
                let fk: [UInt8]
                if let t = keys.footerKey { fk = try parseKeyText(t) } else if let id = footerKeyId { fk = try lookup(id) } else {
                    throw usage("--encrypt needs a footer key: --footer-key KEY, --key-file with --footer-key-id, or --kms-keys with --footer-key-id")
                }
                o = FileEncryptionOptions(footerKey: fk, footerKeyMetadata: footerKeyId.map { Array($0.utf8) }, algorithm: alg)
                for s in keys.columnKey {
                    let (p, k) = try Self.split(s, "--column-key")
                    o.columnKeys[p] = ColumnEncryptionKey(key: try parseKeyText(k), keyMetadata: ids[p].map { Array($0.utf8) })
                }
                for (p, id) in ids where o.columnKeys[p] == nil {
                    o.columnKeys[p] = ColumnEncryptionKey(key: try lookup(id), keyMetadata: Array(id.utf8))
                }
            }
            o.plaintextFooter = plaintextFooter
            o.aadPrefix = keys.aadPrefix.map { Array($0.utf8) }
            if supplyAadPrefix && o.aadPrefix == nil { throw usage("--supply-aad-prefix needs --aad-prefix") }
            o.storeAadPrefix = !supplyAadPrefix
            return o
        } catch let e as KeyManagementError {
            throw usage(e.description)
        }
    }
}

/// Splits `PATH:VALUE` at the last colon (column names may hold colons), keeping a `base64:` value whole.
func splitPathKey(_ s: String, _ flag: String) throws -> (String, String) {
    let colon: String.Index?
    if let r = s.range(of: ":base64:", options: .backwards) { colon = r.lowerBound } else { colon = s.lastIndex(of: ":") }
    guard let colon, colon != s.startIndex, s.index(after: colon) != s.endIndex else {
        throw KeyManagementError("\(flag) expects PATH:VALUE, got '\(s.prefix(40))'")
    }
    return (String(s[..<colon]), String(s[s.index(after: colon)...]))
}
