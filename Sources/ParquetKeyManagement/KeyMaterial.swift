// Parquet key-management tools (the scheme of parquet-java's `keytools` and Arrow C++'s `parquet::encryption`
// KeyToolkit): data keys wrapped by KMS master keys, single or double wrapping, key material stored in the key
// metadata of the file or in an external `_KEY_MATERIAL_FOR_<file>.json`.

import Crypto
import Foundation
import Parquet

/// Errors of the key tools; messages name the key and the cause.
public struct KeyManagementError: Error, CustomStringConvertible, Sendable {
    /// The message: which key or file, and what is wrong.
    public let description: String
    /// Creates an error with the message `description`.
    public init(_ description: String) { self.description = description }
}

/// Parses a key given on the command line or in a key file: hex digits, or `base64:` followed by base64.
public func parseKeyText(_ text: String) throws -> [UInt8] {
    let t = text.trimmingCharacters(in: .whitespaces)
    let bytes: [UInt8]
    if t.hasPrefix("base64:") {
        guard let d = Data(base64Encoded: String(t.dropFirst(7))) else {
            throw KeyManagementError("key '\(t.prefix(16))…' is not valid base64")
        }
        bytes = [UInt8](d)
    } else {
        let hex = Array(t.utf8)
        guard hex.count % 2 == 0, !hex.isEmpty else {
            throw KeyManagementError("key must be hex digits (an even number) or base64:…")
        }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var i = 0
        while i < hex.count {
            guard let h = nibble(hex[i]), let l = nibble(hex[i + 1]) else {
                throw KeyManagementError("key must be hex digits or base64:…, found '\(Character(UnicodeScalar(hex[nibble(hex[i]) == nil ? i : i + 1])))'")
            }
            out.append(h << 4 | l)
            i += 2
        }
        bytes = out
    }
    guard [16, 24, 32].contains(bytes.count) else {
        throw KeyManagementError("key is \(bytes.count) bytes; AES keys are 16, 24 or 32 bytes (128, 192, 256 bits)")
    }
    return bytes
}

/// Reads a JSON object of `{"id": KEY, ...}` (KEY as in `parseKeyText`).
public func loadKeyMap(path: String) throws -> [String: [UInt8]] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw KeyManagementError("\(path): cannot read the key file")
    }
    guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw KeyManagementError("\(path): not a JSON object of key ids to keys")
    }
    var keys: [String: [UInt8]] = [:]
    for (id, v) in obj {
        guard let s = v as? String else { throw KeyManagementError("\(path): key '\(id)' is not a string") }
        do {
            keys[id] = try parseKeyText(s)
        } catch let e as KeyManagementError {
            throw KeyManagementError("\(path): key '\(id)': \(e.description)")
        }
    }
    return keys
}

/// Keys by key id: the key metadata of each footer / column is the id (UTF-8), as written by writers given
/// explicit keys with ids (parquet-java `withKeyID`, Arrow `key_id`).
public struct KeyIdRetriever: DecryptionKeyRetriever {
    /// The keys by key id; each key is 16, 24 or 32 bytes.
    public let keys: [String: [UInt8]]
    /// Creates a retriever over `keys` (key id to AES key).
    public init(keys: [String: [UInt8]]) { self.keys = keys }

    /// The key whose id is `keyMetadata` read as UTF-8; `nil` when the metadata is not UTF-8 or the id is unknown.
    public func retrieveKey(keyMetadata: [UInt8]) throws -> [UInt8]? {
        guard let id = String(validating: keyMetadata, as: UTF8.self) else { return nil }
        return keys[id]
    }
}

/// Tries retrievers in order; the first that knows the key wins.
public struct ChainedKeyRetriever: DecryptionKeyRetriever {
    /// The retrievers in the order they are asked.
    public let retrievers: [any DecryptionKeyRetriever]
    /// Creates a chain asking `retrievers` in order.
    public init(_ retrievers: [any DecryptionKeyRetriever]) { self.retrievers = retrievers }

    /// The first key a retriever returns for `keyMetadata`, or `nil` when none knows it.
    ///
    /// - Throws: The first error a retriever throws; later retrievers are not asked.
    public func retrieveKey(keyMetadata: [UInt8]) throws -> [UInt8]? {
        for r in retrievers {
            if let k = try r.retrieveKey(keyMetadata: keyMetadata) { return k }
        }
        return nil
    }
}

/// AES-GCM wrapping of a key the way parquet-java's `KeyToolkit.encryptKeyLocally` and Arrow's
/// `EncryptKeyLocally` do: base64 of `nonce (12) | ciphertext | tag (16)`, with an AAD.
public enum LocalKeyWrap {
    /// Encrypts `key` with AES-GCM under `wrappingKey` (16, 24 or 32 bytes) and a fresh random 12-byte nonce,
    /// authenticating `aad`.
    ///
    /// - Returns: Base64 of `nonce | ciphertext | tag`.
    /// - Throws: A CryptoKit error when `wrappingKey` is not a valid AES key length.
    public static func wrap(_ key: [UInt8], with wrappingKey: [UInt8], aad: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(key, using: SymmetricKey(data: wrappingKey), nonce: AES.GCM.Nonce(),
                                   authenticating: aad)
        var out = [UInt8]()
        box.nonce.withUnsafeBytes { out.append(contentsOf: $0) }
        out.append(contentsOf: box.ciphertext)
        out.append(contentsOf: box.tag)
        return Data(out).base64EncodedString()
    }

    /// The key inside `wrapped` (the form ``wrap(_:with:aad:)`` produces), checked against `aad`.
    ///
    /// - Throws: ``KeyManagementError`` when `wrapped` is not base64 of at least nonce, 16 key bytes and tag, or when
    ///   authentication fails (a wrong wrapping key or AAD).
    public static func unwrap(_ wrapped: String, with wrappingKey: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        guard let d = Data(base64Encoded: wrapped), d.count >= 28 + 16 else {
            throw KeyManagementError("wrapped key is not base64 of nonce, ciphertext and tag")
        }
        let b = [UInt8](d)
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: b[0..<12]), ciphertext: b[12..<(b.count - 16)],
                                            tag: b[(b.count - 16)...])
            return [UInt8](try AES.GCM.open(box, using: SymmetricKey(data: wrappingKey), authenticating: aad))
        } catch {
            throw KeyManagementError("unwrapping failed (GCM authentication): wrong master key")
        }
    }
}

/// A KMS holding master keys locally, wrapping data keys with AES-GCM and the master key id as AAD — the test
/// KMSs of parquet-java (`InMemoryKMS`) and Arrow C++ (`TestOnlyInServerWrapKms`).
public struct LocalKMS: Sendable {
    /// The master keys by id (16, 24 or 32 bytes each).
    public let masterKeys: [String: [UInt8]]
    /// Creates a KMS holding `masterKeys` (for instance from ``loadKeyMap(path:)``).
    public init(masterKeys: [String: [UInt8]]) { self.masterKeys = masterKeys }

    func masterKey(_ id: String) throws -> [UInt8] {
        guard let k = masterKeys[id] else { throw KeyManagementError("master key '\(id)' is not in the KMS keys") }
        return k
    }

    /// Wraps `key` with the master key `masterKeyID` (its UTF-8 id as AAD); base64 text as stored in key material.
    ///
    /// - Throws: ``KeyManagementError`` when the master key is unknown.
    public func wrapKey(_ key: [UInt8], masterKeyID: String) throws -> String {
        try LocalKeyWrap.wrap(key, with: masterKey(masterKeyID), aad: Array(masterKeyID.utf8))
    }

    /// Unwraps a key that ``wrapKey(_:masterKeyID:)`` (or parquet-java's in-memory KMS) wrapped with `masterKeyID`.
    ///
    /// - Throws: ``KeyManagementError`` naming the master key when it is unknown or authentication fails.
    public func unwrapKey(_ wrapped: String, masterKeyID: String) throws -> [UInt8] {
        do {
            return try LocalKeyWrap.unwrap(wrapped, with: masterKey(masterKeyID), aad: Array(masterKeyID.utf8))
        } catch let e as KeyManagementError {
            throw KeyManagementError("master key '\(masterKeyID)': \(e.description)")
        }
    }
}
