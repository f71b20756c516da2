import Foundation
import Testing

import JSON

@Suite("NDJSON reader")
struct NDJSONTests {
    func records(_ text: String, _ options: NDJSONReaderOptions = NDJSONReaderOptions()) throws -> [NDJSONRecord] {
        let reader = NDJSONReader(bytes: Array(text.utf8), options: options)
        var out: [NDJSONRecord] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    @Test func linesOffsetsCRLFAndBlankLines() throws {
        let text = "{\"a\":1}\r\n\n   \n{\"a\":2}\n\t\r\n[3]\r\n  {\"b\" : 4}  "
        let rs = try records(text)
        #expect(rs.map(\.line.lineNumber) == [1, 4, 6, 7])
        #expect(rs.map(\.line.byteOffset) == [0, 14, 25, 30])
        #expect(rs.map { String(decoding: $0.bytes, as: UTF8.self) } == ["{\"a\":1}", "{\"a\":2}", "[3]", "  {\"b\" : 4}  "])
        #expect(rs.map(\.line.length) == [7, 7, 3, 13])
        #expect(rs.allSatisfy { !$0.line.isTooLong })
        // Offsets point at the raw bytes in the stream.
        let bytes = Array(text.utf8)
        for r in rs { #expect(Array(bytes[r.line.byteOffset..<r.line.byteOffset + r.line.length]) == r.bytes) }
        for r in rs { #expect(throws: Never.self) { try JSONParser.parse(r.bytes) } }
    }

    @Test func emptyAndWhitespaceStreams() throws {
        #expect(try records("").isEmpty)
        #expect(try records("\n\n\r\n  \n").isEmpty)
        #expect(try records("1").map(\.bytes) == [[0x31]])
        #expect(try records("\r").isEmpty)
    }

    @Test func tinyChunksGiveTheSameRecords() throws {
        var text = ""
        for i in 0..<200 { text += i % 7 == 0 ? "\r\n" : "{\"i\":\(i),\"s\":\"\(String(repeating: "x", count: i % 37))\"}\(i % 3 == 0 ? "\r" : "")\n" }
        let reference = try records(text)
        for chunk in [16, 17, 31, 64, 1000] {
            let rs = try records(text, NDJSONReaderOptions(chunkSize: chunk))
            #expect(rs == reference, "chunk \(chunk)")
        }
        #expect(reference.count == 200 - 29)
    }

    @Test func tooLongLineIsAnErrorRecordAndReadingContinues() throws {
        let long = "{\"x\":\"" + String(repeating: "y", count: 5000) + "\"}"
        let text = "{\"a\":1}\n" + long + "\r\n{\"a\":2}\n" + long
        let options = NDJSONReaderOptions(chunkSize: 64, maxLineLength: 1000, tooLongPrefixLength: 10)
        let reader = NDJSONReader(bytes: Array(text.utf8), options: options)
        var rs: [NDJSONRecord] = []
        while let r = try reader.next() {
            rs.append(r)
            #expect(reader.bufferCapacity <= 1001)
        }
        #expect(rs.count == 4)
        #expect(rs.map(\.line.isTooLong) == [false, true, false, true])
        #expect(rs.map(\.line.lineNumber) == [1, 2, 3, 4])
        #expect(rs[1].line.length == long.utf8.count && rs[3].line.length == long.utf8.count)
        #expect(rs[1].line.byteOffset == 8 && rs[2].line.byteOffset == 8 + long.utf8.count + 2)
        #expect(rs[1].bytes == Array("{\"x\":\"yyyy".utf8))
        #expect(String(decoding: rs[2].bytes, as: UTF8.self) == "{\"a\":2}")
        // A line of exactly maxLineLength bytes is fine.
        let exact = String(repeating: "7", count: 1000)
        let ok = try records(exact + "\n" + exact, options)
        #expect(ok.map(\.line.isTooLong) == [false, false] && ok.map(\.line.length) == [1000, 1000])
    }

    @Test func zeroCopyLineBytes() throws {
        let reader = NDJSONReader(bytes: Array("[1]\n[2,3]\n".utf8))
        var values: [JSONValue] = []
        while let line = try reader.nextLine() {
            #expect(reader.lineBytes.count == line.length)
            values.append(try JSONParser.parse(reader.lineBytes))
        }
        #expect(values == [[1], [2, 3]])
    }

    @Test func recordErrorsRelocateToStreamPositions() throws {
        let reader = NDJSONReader(bytes: Array("{\"a\":1}\n\n  {\"a\":[1,]}\n".utf8))
        var errors: [String] = []
        while let line = try reader.nextLine() {
            do {
                _ = try JSONParser.parse(reader.lineBytes)
            } catch {
                let e = error.relocated(toLine: line.lineNumber, byteOffset: line.byteOffset)
                errors.append("\(e) @\(e.offset)")
            }
        }
        #expect(errors == ["line 3, column 11: trailing comma in array @19"])
    }

    @Test func severalDocumentsPerLine() throws {
        let rs = try records("{\"a\":1} {\"a\":2}\n[1][2] 3\n")
        let counts = rs.map { JSONParser.splitDocuments($0.bytes).ranges.count }
        #expect(counts == [2, 3])
    }

    @Test func readsFromPathAndFileDescriptor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("floe-ndjson-\(UUID().uuidString).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"a\":1}\r\n\n[2]".utf8).write(to: URL(fileURLWithPath: path))
        let reader = try NDJSONReader(path: path, options: NDJSONReaderOptions(chunkSize: 16))
        var lines: [NDJSONLine] = []
        while let r = try reader.next() { lines.append(r.line) }
        #expect(lines == [NDJSONLine(lineNumber: 1, byteOffset: 0, length: 7, isTooLong: false),
                          NDJSONLine(lineNumber: 3, byteOffset: 10, length: 3, isTooLong: false)])
        #expect(throws: NDJSONReadError.self) { try NDJSONReader(path: path + ".missing") }
    }

    /// Generates `total` bytes of NDJSON lazily (never materialised), with a long line now and then.
    struct GeneratedStream: NDJSONByteSource {
        let pattern: [UInt8]
        var produced = 0
        let total: Int

        init(total: Int) {
            self.total = total
            var p: [UInt8] = []
            for i in 0..<64 {
                let filler = String(repeating: "z", count: (i * 131) % 3000)
                p += Array("{\"id\":\(i),\"text\":\"\(filler)\"}\(i % 5 == 0 ? "\r" : "")\n".utf8)
                if i % 16 == 0 { p += Array("\n".utf8) }
                if i == 40 { p += Array(("[\"" + String(repeating: "L", count: 300_000) + "\"]\n").utf8) }
            }
            pattern = p
        }

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let n = min(buffer.count, total - produced)
            var written = 0
            pattern.withUnsafeBytes { src in
                while written < n {
                    let at = (produced + written) % src.count
                    let k = min(n - written, src.count - at)
                    (buffer.baseAddress! + written).copyMemory(from: src.baseAddress! + at, byteCount: k)
                    written += k
                }
            }
            produced += n
            return n
        }
    }

    @Test func oneGigabyteStreamInBoundedMemory() throws {
        let total = 1 << 30
        let source = GeneratedStream(total: total)
        let patternLength = source.pattern.count
        let options = NDJSONReaderOptions(chunkSize: 1 << 16, maxLineLength: 100_000, tooLongPrefixLength: 16)
        let reader = NDJSONReader(source: source, options: options)
        var lines = 0
        var tooLong = 0
        var maxCapacity = 0
        var lastOffset = -1
        var lastLine = 0
        var bytesSeen = 0
        while let line = try reader.nextLine() {
            lines += 1
            if line.isTooLong { tooLong += 1 }
            #expect(line.byteOffset > lastOffset && line.lineNumber > lastLine)
            lastOffset = line.byteOffset
            lastLine = line.lineNumber
            bytesSeen += line.length
            maxCapacity = max(maxCapacity, reader.bufferCapacity)
        }
        #expect(maxCapacity <= 100_001)
        let repetitions = total / patternLength
        #expect(tooLong >= repetitions && tooLong <= repetitions + 1)
        #expect(lines >= repetitions * 65)
        #expect(lastOffset > total - patternLength)
        #expect(bytesSeen > total / 2)
    }
}
