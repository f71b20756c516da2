// Parquet modular encryption, the cipher layer (Encryption.md §4-5): module AADs, and GCM / CTR modules
// serialized as `length (4 bytes LE) | nonce (12) | ciphertext | tag (16, GCM only)`. AES comes from swift-crypto.

import Crypto
import _CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Module types of the AAD suffix (Encryption.md §4.4.2).
public enum ModuleType: UInt8, Sendable {
    /// The footer, a column's metadata, data and dictionary pages, and a data page's header (AAD suffix values 0-4).
    case footer = 0, columnMetaData = 1, dataPage = 2, dictionaryPage = 3, dataPageHeader = 4
    /// A dictionary page's header, the page index structures and the Bloom filter's header and bitset (values 5-9).
    case dictionaryPageHeader = 5, columnIndex = 6, offsetIndex = 7, bloomFilterHeader = 8, bloomFilterBitset = 9
}

/// The encryption algorithms of Encryption.md §4.2.
public enum EncryptionAlgorithmKind: String, Sendable, CaseIterable {
    /// AES_GCM_V1: every module with AES-GCM.
    case gcm = "AES_GCM_V1"
    /// AES_GCM_CTR_V1: pages with AES-CTR, every other module with AES-GCM.
    case gcmCtr = "AES_GCM_CTR_V1"
}

/// Why a module could not be decrypted (callers add the column / page / footer it belongs to).
enum CipherFailure: Error {
    case truncated(String)
    case authentication
    case badKey(Int)
}

/// One AES key with the file's AAD (prefix + file unique), able to open and seal modules.
struct ModuleCipher: @unchecked Sendable {
    static let nonceLength = 12
    static let tagLength = 16
    static let gcmOverhead = 4 + nonceLength + tagLength
    static let ctrOverhead = 4 + nonceLength

    let key: SymmetricKey
    let fileAAD: [UInt8]

    init(key: [UInt8], fileAAD: [UInt8]) throws {
        guard key.count == 16 || key.count == 24 || key.count == 32 else { throw CipherFailure.badKey(key.count) }
        self.key = SymmetricKey(data: key)
        self.fileAAD = fileAAD
    }

    /// The module AAD: file AAD, module type, then (except for the footer) row group and column ordinals as
    /// little-endian int16, and for data pages and their headers the page ordinal.
    func aad(_ type: ModuleType, rowGroup: Int = 0, column: Int = 0, page: Int? = nil) -> [UInt8] {
        var a = fileAAD
        a.reserveCapacity(fileAAD.count + 7)
        a.append(type.rawValue)
        if type == .footer { return a }
        for v in [rowGroup, column] + (page.map { [$0] } ?? []) {
            let s = UInt16(truncatingIfNeeded: v)
            a.append(UInt8(s & 0xff))
            a.append(UInt8(s >> 8))
        }
        return a
    }

    /// The length of the module starting at `bytes` (its 4-byte prefix included), checked against the bytes there.
    static func moduleLength(_ bytes: UnsafeRawBufferPointer, minimum: Int) throws -> Int {
        guard bytes.count >= 4 else { throw CipherFailure.truncated("no room for the module length") }
        let len = Int(bytes.loadUnaligned(as: UInt32.self).littleEndian)
        guard len >= minimum - 4 else { throw CipherFailure.truncated("module length \(len) is below the \(minimum - 4)-byte minimum") }
        guard len <= bytes.count - 4 else {
            throw CipherFailure.truncated("module length \(len) exceeds the \(bytes.count - 4) bytes left")
        }
        return 4 + len
    }

    /// Opens the GCM module at the start of `bytes`; returns the plaintext and the module's length.
    func openGCM(_ bytes: UnsafeRawBufferPointer, aad: [UInt8]) throws -> (Data, Int) {
        let total = try Self.moduleLength(bytes, minimum: Self.gcmOverhead)
        let nonceBytes = UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + Self.nonceLength)])
        let ct = UnsafeRawBufferPointer(rebasing: bytes[(4 + Self.nonceLength)..<(total - Self.tagLength)])
        let tag = UnsafeRawBufferPointer(rebasing: bytes[(total - Self.tagLength)..<total])
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonceBytes), ciphertext: ct, tag: tag)
            return (try AES.GCM.open(box, using: key, authenticating: aad), total)
        } catch {
            throw CipherFailure.authentication
        }
    }

    /// Opens the CTR module at the start of `bytes` (IV = nonce + counter 1, Encryption.md §4.2.2).
    func openCTR(_ bytes: UnsafeRawBufferPointer) throws -> (Data, Int) {
        let total = try Self.moduleLength(bytes, minimum: Self.ctrOverhead)
        var iv = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + Self.nonceLength)]))
        iv += [0, 0, 0, 1]
        let ct = UnsafeRawBufferPointer(rebasing: bytes[(4 + Self.nonceLength)..<total])
        let plain = try AES._CTR.decrypt(ct, using: key, nonce: AES._CTR.Nonce(nonceBytes: iv))
        return (plain, total)
    }

    /// Checks a plaintext footer's 28-byte signature (nonce + tag): GCM over the footer bytes must give that tag.
    func verifySignature(footer: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == Self.nonceLength + Self.tagLength,
              let nonce = try? AES.GCM.Nonce(data: UnsafeRawBufferPointer(rebasing: signature[0..<Self.nonceLength])),
              let sealed = try? AES.GCM.seal(footer, using: key, nonce: nonce, authenticating: aad(.footer))
        else { return false }
        let tag = UnsafeRawBufferPointer(rebasing: signature[Self.nonceLength...])
        return sealed.tag.elementsEqual(tag)
    }

    /// Seals `plain` as a GCM module (length prefix, fresh random nonce, ciphertext, tag), appended to `out`.
    func sealGCM(_ plain: UnsafeRawBufferPointer, aad: [UInt8], into out: inout [UInt8]) throws {
        let box = try AES.GCM.seal(plain, using: key, nonce: AES.GCM.Nonce(), authenticating: aad)
        appendLength(Self.nonceLength + plain.count + Self.tagLength, to: &out)
        box.nonce.withUnsafeBytes { out.append(contentsOf: $0) }
        out.append(contentsOf: box.ciphertext)
        out.append(contentsOf: box.tag)
    }

    /// Seals `plain` as a CTR module (length prefix, fresh random nonce, ciphertext), appended to `out`.
    func sealCTR(_ plain: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        var nonce = [UInt8](repeating: 0, count: Self.nonceLength)
        var rng = SystemRandomNumberGenerator()
        for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255, using: &rng) }
        let ct = try AES._CTR.encrypt(plain, using: key, nonce: AES._CTR.Nonce(nonceBytes: nonce + [0, 0, 0, 1]))
        appendLength(Self.nonceLength + plain.count, to: &out)
        out.append(contentsOf: nonce)
        out.append(contentsOf: ct)
    }

    /// The footer signature of a plaintext footer: nonce + GCM tag over the serialized FileMetaData.
    func sign(footer: UnsafeRawBufferPointer) throws -> [UInt8] {
        let box = try AES.GCM.seal(footer, using: key, nonce: AES.GCM.Nonce(), authenticating: aad(.footer))
        var out: [UInt8] = []
        box.nonce.withUnsafeBytes { out.append(contentsOf: $0) }
        out.append(contentsOf: box.tag)
        return out
    }

    private func appendLength(_ n: Int, to out: inout [UInt8]) {
        let v = UInt32(n)
        out.append(UInt8(v & 0xff))
        out.append(UInt8((v >> 8) & 0xff))
        out.append(UInt8((v >> 16) & 0xff))
        out.append(UInt8(v >> 24))
    }
}
