import Foundation
import Testing
@testable import Parquet
import ParquetKeyManagement

/// The encrypted files of parquet-testing (keys in its data/README.md: the key bytes are the ASCII digits shown)
/// read to the rows their writers generated (Encryption.md; Arrow C++ `test_encryption_util` / parquet-java
/// `TestEncryptionOptions` generators, re-derived here from their formulas).
@Suite struct EncryptionReadTests {
    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let footer128 = ascii("0123456789012345")
    static let double128 = ascii("1234567890123450")
    static let float128 = ascii("1234567890123451")
    static let footer256 = ascii("01234567890123456789012345678901")
    /// aes256 column keys kc1...kc8: "1234567890123456789012345678901" + "2"..."9".
    static func column256(_ n: Int) -> [UInt8] { ascii("1234567890123456789012345678901\(n + 1)") }

    static let keys128 = FileDecryptionProperties(
        footerKey: footer128, columnKeys: ["double_field": double128, "float_field": float128])

    static var keyIds256: KeyIdRetriever {
        var k: [String: [UInt8]] = ["kf": footer256]
        for n in 1...8 { k["kc\(n)"] = column256(n) }
        return KeyIdRetriever(keys: k)
    }

    /// Rows of Arrow C++'s encryption test data: 50 rows of 8 columns (bool, TIME millis, list<int64>, INT96,
    /// float, double, optional binary, FLBA(10)).
    static func arrowRows() -> [UInt8] {
        var out = ""
        for i in 0..<50 {
            let nanos = UInt64(i + 1) << 32 | UInt64(i)
            let days = Int64(i + 2) - CanonicalFormat.julianDayOfUnixEpoch + Int64(nanos / 86_400_000_000_000)
            let (y, m, d) = CanonicalFormat.civilFromDays(days)
            let secs = nanos / 1_000_000_000, frac = nanos % 1_000_000_000
            let year = y >= 0 && y <= 9999 ? pad(Int(y), 4) : (y < 0 ? "-" : "+") + pad(Int(y.magnitude), 4)
            let int96 = "\(year)-\(pad(m, 2))-\(pad(d, 2))T\(pad(Int(secs / 3600), 2)):\(pad(Int(secs / 60 % 60), 2)):\(pad(Int(secs % 60), 2)).\(pad(Int(frac), 9))"
            let ba = i % 2 == 0
                ? "\"" + Data(Array("parquet".utf8) + [UInt8(48 + i / 100), UInt8(48 + i / 10 % 10), UInt8(48 + i % 10)]).base64EncodedString() + "\""
                : "null"
            let flba = Data([UInt8](repeating: UInt8(i), count: 10)).base64EncodedString()
            out += "{\"boolean_field\":\(i % 2 == 0),\"int32_field\":\"00:00:00.\(pad(i, 3))\","
            out += "\"int64_field\":[\(Int64(i * 2) * 1_000_000_000_000),\(Int64(i * 2 + 1) * 1_000_000_000_000)],"
            out += "\"int96_field\":\"\(int96)\",\"float_field\":\(Float(i) * 1.1),\"double_field\":\(Double(i) * 1.1111111),"
            out += "\"ba_field\":\(ba),\"flba_field\":\"\(flba)\"}\n"
        }
        return Array(out.utf8)
    }

    static func pad(_ v: Int, _ w: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }

    static let arrowFiles: [(String, FileDecryptionProperties)] = {
        var withPrefix = keys128
        withPrefix.aadPrefix = ascii("tester")
        var ids256 = FileDecryptionProperties(keyRetriever: keyIds256)
        var ids256Prefix = ids256
        ids256Prefix.aadPrefix = ascii("tester")
        _ = ids256
        return [
            ("data/uniform_encryption.parquet.encrypted", FileDecryptionProperties(footerKey: footer128)),
            ("data/encrypt_columns_and_footer.parquet.encrypted", keys128),
            ("data/encrypt_columns_plaintext_footer.parquet.encrypted", keys128),
            ("data/encrypt_columns_and_footer_ctr.parquet.encrypted", keys128),
            ("data/encrypt_columns_and_footer_aad.parquet.encrypted", keys128),
            ("data/encrypt_columns_and_footer_aad.parquet.encrypted", withPrefix),
            ("data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted", withPrefix),
            ("data/aes256/uniform_encryption.parquet.encrypted", ids256),
            ("data/aes256/encrypt_columns_and_footer.parquet.encrypted", ids256),
            ("data/aes256/encrypt_columns_plaintext_footer.parquet.encrypted", ids256),
            ("data/aes256/encrypt_columns_and_footer_ctr.parquet.encrypted", ids256),
            ("data/aes256/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted", ids256Prefix),
        ]
    }()

    @Test(arguments: arrowFiles.indices)
    func arrowGeneratedFilesRead(_ n: Int) throws {
        let (rel, props) = Self.arrowFiles[n]
        let f = try ParquetFile(path: TestVectors.path(rel), decryption: props)
        let rows = try readAllJSONL(f)
        let expected = Self.arrowRows()
        #expect(rows == expected, "\(rel): \(firstDifference(rows, expected))")
    }

    @Test func bloomFilterFileReads() throws {
        let f = try ParquetFile(path: TestVectors.path("data/encrypt_columns_and_footer_bloom_filter.parquet.encrypted"),
                                decryption: Self.keys128)
        let rows = try readAllJSONL(f)
        let expected = (0..<2000).map {
            "{\"double_field\":\(Double($0) + 0.5),\"float_field\":\(Float($0) + 0.25),\"int32_field\":\($0),\"name\":\"name_\($0)\"}\n"
        }.joined()
        #expect(rows == Array(expected.utf8), "\(firstDifference(rows, Array(expected.utf8)))")
    }

    /// parquet-java InMemoryKMS, double wrapping, key material in `_KEY_MATERIAL_FOR_<file>.json`; master keys
    /// as in Arrow's key_management_test (kf "0123456789012345", kc1/kc2 "123456789012345{0,1}").
    @Test func externalKeyMaterialThroughKMS() throws {
        let path = TestVectors.path("data/external_key_material_java.parquet.encrypted")
        let kms = LocalKMS(masterKeys: ["kf": Self.footer128, "kc1": Self.double128, "kc2": Self.float128])
        let props = FileDecryptionProperties(keyRetriever: try KMSKeyRetriever(kms: kms, parquetFile: path))
        let rows = try readAllJSONL(try ParquetFile(path: path, decryption: props))
        let letters = Array("abcdefghij")
        let expected = (0..<100).map { "{\"integers\":\($0),\"strings\":\"\(letters[$0 % 10])\($0)\"}\n" }.joined()
        #expect(rows == Array(expected.utf8), "\(firstDifference(rows, Array(expected.utf8)))")

        // A wrong master key fails naming the master key.
        let bad = LocalKMS(masterKeys: ["kf": Self.double128, "kc1": Self.double128, "kc2": Self.float128])
        let e = #expect(throws: (any Error).self) {
            _ = try ParquetFile(path: path, decryption: FileDecryptionProperties(
                keyRetriever: try KMSKeyRetriever(kms: bad, parquetFile: path)))
        }
        #expect("\(e.map { "\($0)" } ?? "")".contains("'kf'"))
    }

    @Test func wrongOrMissingKeysNameFooterOrColumn() throws {
        let path = TestVectors.path("data/encrypt_columns_and_footer.parquet.encrypted")
        func message(_ p: FileDecryptionProperties) -> String {
            do {
                _ = try readAllJSONL(try ParquetFile(path: path, decryption: p))
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message(FileDecryptionProperties(footerKey: Self.double128)).contains("footer"))
        #expect(message(FileDecryptionProperties(columnKeys: ["double_field": Self.double128])).contains("footer"))
        let missing = message(FileDecryptionProperties(footerKey: Self.footer128, columnKeys: ["float_field": Self.float128]))
        #expect(missing.contains("double_field") && missing.contains("key"), "\(missing)")
        let wrong = message(FileDecryptionProperties(
            footerKey: Self.footer128, columnKeys: ["double_field": Self.float128, "float_field": Self.float128]))
        #expect(wrong.contains("double_field") && wrong.contains("GCM"), "\(wrong)")
        // Only the unencrypted columns are still readable without the column keys.
        let f = try ParquetFile(path: path, decryption: FileDecryptionProperties(footerKey: Self.footer128))
        let some = try readAllJSONL(f, columns: ["boolean_field", "int32_field"])
        #expect(some.split(separator: 0x0A).count == 50)
        // Supplying the AAD prefix is required when the file does not store it.
        let noPrefix = "\(#expect(throws: ParquetError.self) { _ = try ParquetFile(path: TestVectors.path("data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted"), decryption: Self.keys128) }!)"
        #expect(noPrefix.contains("AAD prefix"))
        // A plaintext footer signed with another key does not verify.
        let sig = message(FileDecryptionProperties(footerKey: Self.float128, columnKeys: ["double_field": Self.double128]))
        _ = sig
        let plain = TestVectors.path("data/encrypt_columns_plaintext_footer.parquet.encrypted")
        let s = "\(#expect(throws: ParquetError.self) { _ = try ParquetFile(path: plain, decryption: FileDecryptionProperties(footerKey: Self.float128)) }!)"
        #expect(s.contains("signature"))
    }

    /// Encryption.md §4.1.1: GCM authenticates every module, so a flipped byte in an encrypted page (or page
    /// header) fails authentication, reported with the column and page.
    @Test(arguments: [0, 1])
    func flippedByteInAnEncryptedPageFailsAuthentication(_ inHeader: Int) throws {
        let rel = "data/encrypt_columns_and_footer.parquet.encrypted"
        var bytes = TestVectors.bytes(rel)
        let pf = try ParquetFile(bytes: bytes, decryption: Self.keys128)
        let page = try #require(try FileInspector.pages(pf, column: "double_field").first { $0.header.type == .dataPage })
        let at = inHeader == 1 ? page.offset + 20 : page.offset + page.headerLength + 20
        bytes[at] ^= 0x40
        let e = "\(#expect(throws: ParquetError.self) { _ = try readAllJSONL(try ParquetFile(bytes: bytes, decryption: Self.keys128)) }!)"
        #expect(e.contains("column double_field page \(page.index)") && e.contains("GCM authentication"), "\(e)")
        #expect(e.contains(inHeader == 1 ? "page header" : "of the page"), "\(e)")
    }

    /// Encryption.md §4.4.2: column and offset indexes (modules 6, 7) and bloom filters (8, 9) of encrypted
    /// columns, as Arrow C++ and parquet-java wrote them.
    @Test func encryptedIndexesAndBloomFiltersOfOtherWriters() throws {
        let f = try ParquetFile(path: TestVectors.path("data/encrypt_columns_and_footer.parquet.encrypted"),
                                decryption: Self.keys128)
        let float = try #require(f.schema.columns.firstIndex { $0.dottedPath == "float_field" })
        let oi = try #require(try f.offsetIndex(rowGroup: 0, column: float))
        #expect(oi.pageLocations.count >= 1 && oi.pageLocations[0].offset > 0)
        let ci = try #require(try f.columnIndex(rowGroup: 0, column: float))
        let fmax = ci.maxValues[0].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        #expect(ci.minValues[0].withUnsafeBytes { $0.loadUnaligned(as: Float.self) } == 0)
        #expect(abs(fmax - 53.9) < 1e-5)

        let b = try ParquetFile(path: TestVectors.path("data/encrypt_columns_and_footer_bloom_filter.parquet.encrypted"),
                                decryption: Self.keys128)
        let d = try #require(b.schema.columns.firstIndex { $0.dottedPath == "double_field" })
        let bf = try #require(try b.bloomFilter(rowGroup: 0, column: d))
        for i in 0..<2000 {
            #expect(bf.check(hash: XXH64.hash(littleEndian: (Double(i) + 0.5).bitPattern)), "value \(i).5")
        }
        let absent = (0..<2000).filter { bf.check(hash: XXH64.hash(littleEndian: (Double($0) + 0.75).bitPattern)) }
        #expect(absent.count < 200, "a bloom filter that answers yes to everything")
    }

    /// Floe's writer encrypts the page index and bloom filters so that they read back like the plaintext ones.
    @Test(arguments: [EncryptionAlgorithmKind.gcm, .gcmCtr])
    func floeWrittenIndexesAndBloomFiltersRoundTrip(_ alg: EncryptionAlgorithmKind) throws {
        let dir = NSTemporaryDirectory() + "enc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = TestVectors.path("data/alltypes_tiny_pages_plain.parquet")
        var o = WriterOptions()
        o.fsync = false
        o.bloomFilters = ["id": BloomFilterOptions()]
        try ParquetRewrite.rewrite(input: src, output: dir + "/plain.parquet", options: o)
        var e = FileEncryptionOptions(footerKey: Self.footer128, algorithm: alg)
        e.columnKeys = ["id": ColumnEncryptionKey(key: Self.column256(1), keyMetadata: Array("kc1".utf8))]
        o.encryption = e
        try ParquetRewrite.rewrite(input: src, output: dir + "/enc.parquet", options: o)
        let p = try ParquetFile(path: dir + "/plain.parquet")
        let c = try ParquetFile(path: dir + "/enc.parquet", decryption: FileDecryptionProperties(
            footerKey: Self.footer128, columnKeys: ["id": Self.column256(1)]))
        #expect(try readAllJSONL(c) == readAllJSONL(p))
        #expect(try c.columnIndex(rowGroup: 0, column: 0) == p.columnIndex(rowGroup: 0, column: 0))
        #expect(try c.bloomFilter(rowGroup: 0, column: 0) == p.bloomFilter(rowGroup: 0, column: 0))
        #expect(try c.bloomFilter(rowGroup: 0, column: 0) != nil)
        let po = try #require(try p.offsetIndex(rowGroup: 0, column: 0)), co = try #require(try c.offsetIndex(rowGroup: 0, column: 0))
        #expect(po.pageLocations.map(\.firstRowIndex) == co.pageLocations.map(\.firstRowIndex))
        // The encrypted offset index points at the encrypted pages: every location is a page header module there.
        let headers = try c.pageHeaders(rowGroup: 0, column: 0).filter { $0.header.type == .dataPage }
        #expect(co.pageLocations.map { Int($0.offset) } == headers.map(\.offset))
    }
}
