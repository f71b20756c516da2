// snappy-compare MODE ITERATIONS FILE...
//   MODE both: best of 7 rounds of ITERATIONS compressions per codec, MB/s and sizes, round trip through libsnappy
//   MODE mine | lib: ITERATIONS compressions with one codec only (for callgrind: --toggle-collect='*measureMine*'
//   or '*measureLib*'); `mine` also writes FILE.sz for the interop checks in check.py
import CSnappy
import Foundation
import SnappyKit

@inline(never) func measureMineCompress(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawPointer) -> Int {
    SnappyEncoder.compress(input, into: out)
}

@inline(never) func measureLibCompress(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawPointer) -> Int {
    var len = snappy_max_compressed_length(input.count)
    let st = snappy_compress(input.baseAddress!.assumingMemoryBound(to: CChar.self), input.count,
                             out.assumingMemoryBound(to: CChar.self), &len)
    precondition(st == SNAPPY_OK)
    return len
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

let args = CommandLine.arguments
guard args.count >= 4, ["both", "mine", "lib"].contains(args[1]), let iters = Int(args[2]) else {
    print("usage: snappy-compare both|mine|lib ITERATIONS FILE...")
    exit(2)
}
let mode = args[1]
let modes = mode == "both" ? ["mine", "lib"] : [mode]
for path in args[3...] {
    guard let data = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
        print("cannot read \(path)")
        exit(1)
    }
    let bound = max(SnappyEncoder.maxCompressedLength(data.count), snappy_max_compressed_length(data.count))
    let out = UnsafeMutableRawPointer.allocate(byteCount: bound, alignment: 16)
    let dec = UnsafeMutableRawPointer.allocate(byteCount: data.count + 1, alignment: 16)
    defer { out.deallocate(); dec.deallocate() }
    var line = "\((path as NSString).lastPathComponent) n=\(data.count)"
    data.withUnsafeBytes { inp in
        var best: [String: Double] = [:]
        var size = 0
        for _ in 0..<(mode == "both" ? 7 : 1) {
            for m in modes {
                let t0 = now()
                for _ in 0..<iters { size = m == "mine" ? measureMineCompress(inp, out) : measureLibCompress(inp, out) }
                best[m] = min(best[m] ?? .infinity, now() - t0)
            }
        }
        for m in modes {
            // in the single modes the last timed call left its output in `out`; `both` compresses once more
            if mode == "both" { size = m == "mine" ? measureMineCompress(inp, out) : measureLibCompress(inp, out) }
            var dl = data.count
            let st = snappy_uncompress(out.assumingMemoryBound(to: CChar.self), size,
                                       dec.assumingMemoryBound(to: CChar.self), &dl)
            let ok = st == SNAPPY_OK && dl == data.count && memcmp(dec, inp.baseAddress!, data.count) == 0
            let mbs = Double(data.count) * Double(iters) / best[m]! / 1e6
            line += String(format: "  %@=%d (%.4f) %.0fMB/s", m, size, Double(size) / Double(data.count), mbs)
            if !ok { line += " ROUND-TRIP-FAILED" }
            if m == "mine" && mode == "mine" {
                _ = FileManager.default.createFile(atPath: path + ".sz", contents: Data(bytes: out, count: size))
            }
        }
    }
    print(line)
}
