import Firehose
import Parquet
import Foundation
import JSON
import Testing
@testable import FirehoseServer

@Suite struct WriteAheadLogTests {
    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "floe-wal-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func records(_ items: [String]) -> ([UInt8], [Range<Int>]) {
        var b: [UInt8] = []
        var r: [Range<Int>] = []
        for s in items { let st = b.count; b.append(contentsOf: s.utf8); r.append(st..<b.count) }
        return (b, r)
    }

    @Test func appendsAreReplayedInOrderAfterReopening() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let wal = try WriteAheadLog(directory: dir, maxBytes: 1 << 20)
            try wal.replay { _ in Issue.record("an empty log replays nothing") }
            for i in 0..<10 {
                let (b, r) = records(["{\"i\":\(i)}\n", "", "second \(i)"])
                let res = try b.withUnsafeBytes { try wal.append(stream: i % 2 == 0 ? "even" : "odd", arrival: Int64(i), bytes: $0, records: r[...]) }
                guard case .durable(let lsn) = res else { Issue.record("not durable"); return }
                #expect(lsn == UInt64(i + 1))
            }
        }
        let wal = try WriteAheadLog(directory: dir, maxBytes: 1 << 20)
        var seen: [WALEntry] = []
        try wal.replay { seen.append($0) }
        #expect(seen.map(\.lsn) == Array(1...10))
        #expect(seen[3].stream == "odd" && seen[3].arrival == 3)
        #expect(seen[3].records.map { String(decoding: seen[3].bytes[$0], as: UTF8.self) } == ["{\"i\":3}\n", "", "second 3"])
        #expect(wal.lastLSN == 10)
    }

    @Test func aTornTailIsIgnoredAndNewEntriesFollowIt() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let wal = try WriteAheadLog(directory: dir, maxBytes: 1 << 20)
            try wal.replay { _ in }
            let (b, r) = records(["abc", "defg"])
            for _ in 0..<3 { _ = try b.withUnsafeBytes { try wal.append(stream: "s", arrival: 1, bytes: $0, records: r[...]) } }
        }
        // a crash in the middle of the third entry's write
        let seg = try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".log") }!
        let h = FileHandle(forUpdatingAtPath: dir + "/" + seg)!
        let size = h.seekToEndOfFile()
        h.truncateFile(atOffset: size - 5)
        h.closeFile()
        let wal = try WriteAheadLog(directory: dir, maxBytes: 1 << 20)
        var lsns: [UInt64] = []
        try wal.replay { lsns.append($0.lsn) }
        #expect(lsns == [1, 2])
        let (b, r) = records(["x"])
        let res = try b.withUnsafeBytes { try wal.append(stream: "s", arrival: 2, bytes: $0, records: r[...]) }
        guard case .durable(let lsn) = res else { Issue.record("not durable"); return }
        #expect(lsn == 3)
        let again = try WriteAheadLog(directory: dir, maxBytes: 1 << 20)
        var after: [UInt64] = []
        try again.replay { after.append($0.lsn) }
        #expect(after == [1, 2, 3])
    }

    @Test func theBoundRefusesAppendsUntilStreamsPublish() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let wal = try WriteAheadLog(directory: dir, segmentBytes: 4096, maxBytes: 16384)
        try wal.replay { _ in }
        let (b, r) = records([String(repeating: "x", count: 1000)])
        var last: UInt64 = 0
        var refused = false
        for _ in 0..<40 {
            let res = try b.withUnsafeBytes { try wal.append(stream: "s", arrival: 1, bytes: $0, records: r[...]) }
            switch res {
            case .durable(let l): last = l
            case .full: refused = true
            }
            if refused { break }
        }
        #expect(refused, "a log past its bound refuses appends")
        #expect(wal.bytesInUse <= 16384)
        wal.published(stream: "s", through: last)
        #expect(wal.bytesInUse == 0, "every segment is deleted once its entries are published")
        let res = try b.withUnsafeBytes { try wal.append(stream: "s", arrival: 1, bytes: $0, records: r[...]) }
        guard case .durable = res else { Issue.record("appends are accepted again"); return }
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".log") }
        #expect(logs.count == 1)
    }

    @Test func concurrentAppendsShareSyncsAndAllSurvive() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let wal = try WriteAheadLog(directory: dir, maxBytes: 64 << 20)
            try wal.replay { _ in }
            DispatchQueue.concurrentPerform(iterations: 16) { t in
                for i in 0..<50 {
                    let (b, r) = records(["t\(t)-\(i)"])
                    _ = try! b.withUnsafeBytes { try wal.append(stream: "s\(t % 3)", arrival: 0, bytes: $0, records: r[...]) }
                }
            }
        }
        let wal = try WriteAheadLog(directory: dir, maxBytes: 64 << 20)
        var got = Set<String>()
        try wal.replay { e in got.insert(String(decoding: e.bytes, as: UTF8.self)) }
        #expect(got.count == 800)
    }
}

@Suite struct ProtocolPieceTests {
    @Test func base64DecodesAndRejects() {
        var out: [UInt8] = []
        #expect(Base64.decode("eyJhIjoxfQo=", into: &out))
        #expect(String(decoding: out, as: UTF8.self) == "{\"a\":1}\n")
        out = []
        #expect(Base64.decode("", into: &out) && out.isEmpty)
        #expect(!Base64.decode("abc", into: &out))
        #expect(!Base64.decode("ab!d", into: &out))
    }

    @Test func destinationRulesFollowAWS() throws {
        func settings(_ json: String) throws(AWSError) -> DestinationSettings {
            guard case .object(let o)? = try? JSONParser.parse(Array(json.utf8)) else { fatalError() }
            return try DestinationSettings(o)
        }
        let base = "\"RoleARN\":\"arn:aws:iam::1:role/r\",\"BucketARN\":\"arn:aws:s3:::b\""
        let plain = try settings("{\(base)}")
        #expect(plain.sizeInMBs == 5 && plain.intervalInSeconds == 300 && plain.compression == .uncompressed)
        let conv = "\"DataFormatConversionConfiguration\":{\"SchemaConfiguration\":{\"DatabaseName\":\"d\",\"TableName\":\"t\",\"RoleARN\":\"arn:aws:iam::1:role/r\"},\"InputFormatConfiguration\":{\"Deserializer\":{\"OpenXJsonSerDe\":{}}},\"OutputFormatConfiguration\":{\"Serializer\":{\"ParquetSerDe\":{}}}}"
        #expect(try settings("{\(base),\(conv)}").sizeInMBs == 128)
        #expect(throws: AWSError.self) { try settings("{\(base),\(conv),\"CompressionFormat\":\"GZIP\"}") }
        #expect(throws: AWSError.self) { try settings("{\(base),\(conv),\"BufferingHints\":{\"SizeInMBs\":5}}") }
        #expect(throws: AWSError.self) { try settings("{\(base),\"BufferingHints\":{\"SizeInMBs\":129}}") }
        #expect(throws: AWSError.self) { try settings("{\"RoleARN\":\"arn:aws:iam::1:role/r\",\"BucketARN\":\"arn:aws:s3:::\"}") }
        let dp = try settings("{\(base),\"BufferingHints\":{\"SizeInMBs\":64},\"Prefix\":\"k=!{partitionKeyFromQuery:k}/\",\"ErrorOutputPrefix\":\"err/\",\"DynamicPartitioningConfiguration\":{\"Enabled\":true},\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":\"MetadataExtraction\",\"Parameters\":[{\"ParameterName\":\"MetadataExtractionQuery\",\"ParameterValue\":\"{k: .kind}\"},{\"ParameterName\":\"JsonParsingEngine\",\"ParameterValue\":\"JQ-1.6\"}]}]}}")
        #expect(dp.partitionKeys.map(\.0) == ["k"] && dp.partitionKeys.map(\.1) == [".kind"])
        #expect(throws: AWSError.self) { try settings("{\(base),\"Prefix\":\"k=!{partitionKeyFromQuery:k}/\"}") }
    }

    @Test func rawObjectsDecodeBack() throws {
        let data = Array(String(repeating: "{\"event\":\"click\",\"n\":12345}\n", count: 5000).utf8)
        // GZIP through zlib
        let gz = try RawCompression.gzip.encode(data, entryName: "x")
        var back: [UInt8] = []
        try Parquet.Compression.decompress(.gzip, input: gz, uncompressedSize: data.count, into: &back)
        #expect(back == data)
        // HADOOP_SNAPPY: blocks of (length, compressed length, raw snappy)
        let hs = try RawCompression.hadoopSnappy.encode(data, entryName: "x")
        var i = 0
        var joined: [UInt8] = []
        while i < hs.count {
            let n = Int(hs[i]) << 24 | Int(hs[i + 1]) << 16 | Int(hs[i + 2]) << 8 | Int(hs[i + 3])
            let c = Int(hs[i + 4]) << 24 | Int(hs[i + 5]) << 16 | Int(hs[i + 6]) << 8 | Int(hs[i + 7])
            var part: [UInt8] = []
            try Parquet.Compression.decompress(.snappy, input: Array(hs[(i + 8)..<(i + 8 + c)]), uncompressedSize: n, into: &part)
            joined += part
            i += 8 + c
        }
        #expect(joined == data)
        // CRC-32C check value (RFC 3720): "123456789" → 0xE3069283
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) } == 0xE3069283)
        let zip = try RawCompression.zip.encode(data, entryName: "obj")
        #expect(zip.prefix(4) == [0x50, 0x4B, 0x03, 0x04])
    }
}
