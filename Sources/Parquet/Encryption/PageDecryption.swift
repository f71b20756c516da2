// Encrypted page headers and pages of one column chunk (Encryption.md §4.4.2 module AADs, §5.1 serialization).

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ColumnChunkReader {
    /// Decrypts the page header module at the start of `bytes`. The first page of a chunk with a dictionary is
    /// the dictionary page (module type 5); other headers are data page headers (type 4, with the data page
    /// ordinal). A first page whose AAD does not fit is retried with the other type (some writers set
    /// `dictionary_page_offset` without a dictionary page).
    static func decryptHeader(_ bytes: UnsafeRawBufferPointer, cipher c: ChunkCipher, first: Bool,
                              dictionaryFirst: Bool, dataPageOrdinal: Int, column: String, page: Int)
        throws -> (PageHeader, Int)
    {
        let dictAAD = c.cipher.aad(.dictionaryPageHeader, rowGroup: c.rowGroup, column: c.column)
        let dataAAD = c.cipher.aad(.dataPageHeader, rowGroup: c.rowGroup, column: c.column, page: dataPageOrdinal)
        let attempts = first ? (dictionaryFirst ? [dictAAD, dataAAD] : [dataAAD, dictAAD]) : [dataAAD]
        var failure: CipherFailure = .authentication
        for aad in attempts {
            do {
                let (plain, length) = try c.cipher.openGCM(bytes, aad: aad)
                let header = try plain.withUnsafeBytes { try PageHeader.decode($0).0 }
                return (header, length)
            } catch let f as CipherFailure {
                failure = f
                if case .truncated = f { break }
            } catch let e as ParquetError {
                throw ParquetError.corrupt("column \(column) page \(page): decrypted page header: \(e.description)")
            }
        }
        throw pageFailure(failure, column: column, page: page, what: "page header")
    }

    /// Decrypts a page body: CTR under AES_GCM_CTR_V1, else GCM with the data page (2) or dictionary page (3) AAD.
    static func decryptPage(_ stored: UnsafeRawBufferPointer, cipher c: ChunkCipher, type: PageType,
                            dataPageOrdinal: Int, column: String, page: Int) throws -> Data
    {
        do {
            let plain: Data, length: Int
            if c.ctrPages {
                (plain, length) = try c.cipher.openCTR(stored)
            } else {
                let aad = type == .dictionaryPage
                    ? c.cipher.aad(.dictionaryPage, rowGroup: c.rowGroup, column: c.column)
                    : c.cipher.aad(.dataPage, rowGroup: c.rowGroup, column: c.column, page: dataPageOrdinal)
                (plain, length) = try c.cipher.openGCM(stored, aad: aad)
            }
            guard length == stored.count else {
                throw CipherFailure.truncated("module of \(length) bytes in a page of \(stored.count)")
            }
            return plain
        } catch let f as CipherFailure {
            throw pageFailure(f, column: column, page: page, what: "page")
        }
    }

    static func pageFailure(_ f: CipherFailure, column: String, page: Int, what: String) -> ParquetError {
        switch f {
        case .authentication:
            return .encrypted(
                "column \(column) page \(page): GCM authentication of the \(what) failed (wrong column key or AAD prefix, or the bytes were altered)")
        case .truncated(let m):
            return .corrupt("column \(column) page \(page): encrypted \(what): \(m)")
        case .badKey(let n):
            return .encrypted("column \(column): key is \(n) bytes; AES keys are 16, 24 or 32 bytes")
        }
    }
}
