import Foundation
import Testing
@testable import Iceberg

/// Floe's container files read by fastavro, and fastavro's (of the same records) read by Floe.
@Suite("Avro interop (fastavro)")
struct AvroInteropTests {
    @Test(arguments: [AvroCodec.null, .deflate]) func fastavroRoundTrip(codec: AvroCodec) throws {
        guard let py = PythonPeer.python(needing: ["fastavro"], test: "fastavroRoundTrip") else { return }
        let tmp = TempFolder()
        let values = (0..<500).map(AvroTests.everythingValue)
        var w = try AvroContainerWriter(schema: AvroTests.everything, codec: codec, metadata: [("floe", Array("1".utf8))])
        w.blockSize = 4096
        for v in values { try w.append(v) }
        let floeFile = tmp.path + "/floe.avro", pyFile = tmp.path + "/fastavro.avro"
        try Data(try w.finish()).write(to: URL(fileURLWithPath: floeFile))
        let r = try PythonPeer.run(py, [PythonPeer.script("avro_interop.py"), "roundtrip", floeFile, pyFile, codec.rawValue])
        #expect(r.status == 0, "fastavro: \(r.err)")
        #expect(r.out.contains("\"records\": 500"))
        #expect(r.out.contains("\"floe\": \"1\""))
        let back = try AvroContainer(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: pyFile))), file: pyFile)
        #expect(back.codec == codec)
        #expect(back.metadataString("roundtrip")?.hasPrefix("fastavro") == true)
        #expect(back.values.count == values.count)
        for (i, (a, b)) in zip(back.values, values).enumerated() where a != b {
            Issue.record("record \(i): fastavro's \(a) != Floe's \(b)")
            break
        }
    }
}
