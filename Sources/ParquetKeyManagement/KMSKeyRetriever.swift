// Key material (format "PKMT1", parquet-java KeyMaterial / Arrow KeyMaterial): reading it from key metadata or
// an external `_KEY_MATERIAL_FOR_<file>.json`, unwrapping the data keys, and producing it when writing.

import Crypto
import Foundation
import Parquet

/// Resolves data keys from PKMT1 key material through a local KMS. Key metadata that is not key material is
/// left to other retrievers (nil).
public struct KMSKeyRetriever: DecryptionKeyRetriever {
    /// The KMS holding the master keys that unwrap the data keys (or the key-encryption keys when double-wrapped).
    public let kms: LocalKMS
    /// The external key material file's entries (key reference -> key material JSON), when one exists.
    let external: [String: String]?
    let externalPath: String?

    /// Creates a retriever unwrapping through `kms`.
    ///
    /// - Parameters:
    ///   - kms: The master keys.
    ///   - parquetFile: The path of the file being read, to find external key material in
    ///     `_KEY_MATERIAL_FOR_<name>.json` beside it; `nil` when the file has no local path, in which case only
    ///     key material stored inside the file can be used.
    /// - Throws: ``KeyManagementError`` when the external key material file exists but is not a JSON object of
    ///   key references to key material strings.
    public init(kms: LocalKMS, parquetFile: String?) throws {
        self.kms = kms
        guard let parquetFile else {
            external = nil
            externalPath = nil
            return
        }
        let url = URL(fileURLWithPath: parquetFile)
        let path = url.deletingLastPathComponent().appendingPathComponent("_KEY_MATERIAL_FOR_" + url.lastPathComponent + ".json").path
        externalPath = path
        if let data = FileManager.default.contents(atPath: path) {
            guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw KeyManagementError("\(path): not a JSON object of key references to key material")
            }
            external = obj
        } else {
            external = nil
        }
    }

    /// The data key described by `keyMetadata` when it is PKMT1 key material (stored in the file or, with
    /// `"internalStorage": false`, in the external file under its `keyReference`).
    ///
    /// - Returns: The unwrapped data key (16, 24 or 32 bytes), or `nil` when `keyMetadata` is not JSON key material,
    ///   so a ``ChainedKeyRetriever`` tries the next retriever.
    /// - Throws: ``KeyManagementError`` for an unknown key material type, a missing external file or reference, an
    ///   unknown master key, or a wrapped key that fails GCM authentication (a wrong master key).
    public func retrieveKey(keyMetadata: [UInt8]) throws -> [UInt8]? {
        guard let meta = try? JSONSerialization.jsonObject(with: Data(keyMetadata)) as? [String: Any],
              let type = meta["keyMaterialType"] as? String
        else { return nil }
        guard type == "PKMT1" else { throw KeyManagementError("key material type '\(type)' (known: PKMT1)") }
        var material = meta
        if (meta["internalStorage"] as? Bool) == false {
            guard let ref = meta["keyReference"] as? String else {
                throw KeyManagementError("external key metadata without keyReference")
            }
            guard let external else {
                throw KeyManagementError("key material is stored outside the file, in \(externalPath ?? "_KEY_MATERIAL_FOR_<file>.json"), which is missing")
            }
            guard let text = external[ref], let m = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw KeyManagementError("\(externalPath ?? "key material file"): no key material for '\(ref)'")
            }
            material = m
        }
        return try unwrap(material)
    }

    func unwrap(_ m: [String: Any]) throws -> [UInt8] {
        guard let master = m["masterKeyID"] as? String, let wrappedDEK = m["wrappedDEK"] as? String else {
            throw KeyManagementError("key material without masterKeyID or wrappedDEK")
        }
        if (m["doubleWrapping"] as? Bool) == true {
            guard let kekID = m["keyEncryptionKeyID"] as? String, let wrappedKEK = m["wrappedKEK"] as? String,
                  let kekIDBytes = Data(base64Encoded: kekID)
            else { throw KeyManagementError("double-wrapped key material without keyEncryptionKeyID or wrappedKEK") }
            let kek = try kms.unwrapKey(wrappedKEK, masterKeyID: master)
            do {
                return try LocalKeyWrap.unwrap(wrappedDEK, with: kek, aad: [UInt8](kekIDBytes))
            } catch let e as KeyManagementError {
                throw KeyManagementError("data key of master key '\(master)': \(e.description)")
            }
        }
        return try kms.unwrapKey(wrappedDEK, masterKeyID: master)
    }
}

/// Creates data keys and their key material for writing (internal storage: the material is the key metadata).
public struct KeyMaterialWriter: Sendable {
    /// The KMS whose master keys wrap each new data key (or key-encryption key).
    public let kms: LocalKMS
    /// `true` (the default, as in parquet-java and Arrow): each data key is wrapped by a fresh 128-bit key-encryption
    /// key, which the master key wraps; `false`: the master key wraps the data key directly.
    public var doubleWrapping: Bool
    /// Data key length in bytes (16, 24 or 32).
    public var dataKeyLength: Int

    /// Creates a writer that wraps keys with `kms`; `dataKeyLength` is in bytes (16, 24 or 32 for AES-128/192/256).
    public init(kms: LocalKMS, doubleWrapping: Bool = true, dataKeyLength: Int = 16) {
        self.kms = kms
        self.doubleWrapping = doubleWrapping
        self.dataKeyLength = dataKeyLength
    }

    /// A fresh random data key wrapped by `masterKeyID`, and the key metadata to store with it.
    public func makeKey(masterKeyID: String, isFooterKey: Bool) throws -> (key: [UInt8], keyMetadata: [UInt8]) {
        let dek = randomBytes(dataKeyLength)
        var m: [String: Any] = [
            "keyMaterialType": "PKMT1", "internalStorage": true, "isFooterKey": isFooterKey,
            "masterKeyID": masterKeyID, "doubleWrapping": doubleWrapping,
        ]
        if isFooterKey {
            m["kmsInstanceID"] = "DEFAULT"
            m["kmsInstanceURL"] = "DEFAULT"
        }
        if doubleWrapping {
            let kek = randomBytes(16), kekID = randomBytes(16)
            m["keyEncryptionKeyID"] = Data(kekID).base64EncodedString()
            m["wrappedKEK"] = try kms.wrapKey(kek, masterKeyID: masterKeyID)
            m["wrappedDEK"] = try LocalKeyWrap.wrap(dek, with: kek, aad: kekID)
        } else {
            m["wrappedDEK"] = try kms.wrapKey(dek, masterKeyID: masterKeyID)
        }
        let json = try JSONSerialization.data(withJSONObject: m, options: [.sortedKeys])
        return (dek, [UInt8](json))
    }

    private func randomBytes(_ n: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}
